"""Per-document components that later stages add after actors and quotes.

Each component is a pure function ``fn(ctx) -> Iterable[record]`` registered here by name
with the table it fills and what it reads. ``ctx`` holds the parsed document and what
earlier components found, so e.g. events can use quotes and mentions. A component whose
module is not there yet is skipped, so stages can be built independently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from narrascope.records import Document, LocalEntity, Mention, Quote, Sentence
from narrascope.registry import load_target


@dataclass
class Context:
    """What a component may read: the document, its parse, and earlier components' output."""

    doc: Document
    sdoc: Doc
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    entities: tuple[LocalEntity, ...]
    quotes: tuple[Quote, ...]
    extras: dict[str, tuple[Any, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Component:
    name: str
    target: str  # "module:function"
    assigns: str  # the per-document table it fills (see store.schema.per_doc_table)
    requires: tuple[str, ...] = ()


# Order matters: a component may read the tables of the ones before it.
COMPONENTS: tuple[Component, ...] = (
    Component("dates", "narrascope.annotate.dates:extract_dates", "time_expressions",
              ("sentences",)),
    Component("quantities", "narrascope.annotate.quantities:extract_quantities", "quantities",
              ("sentences", "time_expressions")),
    Component("events", "narrascope.annotate.events:extract_events", "events",
              ("mentions", "entities", "quotes", "time_expressions")),
    Component("claims", "narrascope.annotate.claims:extract_claims", "claims",
              ("mentions", "quotes", "events", "quantities")),
    Component("techniques", "narrascope.annotate.techniques:find_techniques", "techniques",
              ("sentences", "quotes")),
    Component("roles", "narrascope.annotate.roles:assign_roles", "roles",
              ("mentions", "entities", "quotes", "events", "techniques")),
    Component("tone", "narrascope.annotate.tone:actor_tone", "tone",
              ("mentions", "entities", "quotes")),
)


def _load(target: str) -> Callable[[Context], Iterable[Any]] | None:
    return load_target(target)


def available() -> list[Component]:
    """The registered components whose code is present."""
    return [c for c in COMPONENTS if _load(c.target) is not None]


def run_components(ctx: Context) -> dict[str, tuple[Any, ...]]:
    """Run every available component in order; return ``{table: records}``."""
    for comp in available():
        fn = _load(comp.target)
        assert fn is not None
        ctx.extras[comp.assigns] = tuple(fn(ctx))
    return ctx.extras
