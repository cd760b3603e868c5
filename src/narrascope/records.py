"""Typed records shared by every pipeline stage.

Every record is a frozen, slotted dataclass. Anything that is a *finding* carries
character offsets into ``Document.text`` (the text exactly as decoded from the
source), so it can always be traced back to its evidence.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

T = TypeVar("T")

MentionKind = Literal["NAME", "TITLE", "PRON", "DEMONYM", "ACRONYM", "CAPITAL"]
ActorType = Literal["PERSON", "ORG", "GPE", "NORP", "GROUP", "OTHER"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A character span ``[start, end)`` of one document."""

    doc_id: str
    start: int
    end: int

    def overlaps(self, other: Evidence) -> bool:
        return self.doc_id == other.doc_id and self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Document:
    """One article as ingested. ``text`` is never rewritten after ingest: all spans index it.

    ``body`` lists the ``[start, end)`` ranges of ``text`` that are article content;
    boilerplate (bylines, "Read also", navigation) lies outside them. An empty tuple
    means the whole text is content.
    """

    doc_id: str
    source: str
    text: str
    line: int | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    published_precision: Literal["day", "month", "year"] | None = None
    author: str | None = None
    encoding: str = "utf-8"
    body: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = ()

    def body_ranges(self) -> tuple[tuple[int, int], ...]:
        return self.body or ((0, len(self.text)),)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be turned into a Document, and why."""

    source: str
    code: str
    detail: str
    line: int | None = None

    def message(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: [{self.code}] {self.detail}"


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    idx: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A span naming an actor. ``local_id`` groups the mentions of one actor within a document."""

    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    kind: MentionKind
    type: ActorType
    local_id: int
    sent_idx: int


@dataclass(frozen=True, slots=True)
class LocalEntity:
    """All mentions of one actor inside one document, with the evidence for linking it across documents.

    ``key`` is a stable gazetteer key where one applies (``country:AZ``), else None.
    ``names`` are the name strings seen (longest first); ``titles`` the role phrases
    ("interior minister") attached to it.
    """

    doc_id: str
    local_id: int
    canonical: str
    type: ActorType
    key: str | None = None
    names: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Something an actor said, directly (in quotation marks) or reported."""

    doc_id: str
    idx: int
    start: int
    end: int
    direct: bool
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    speaker_text: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_local_id: int | None = None
    sent_start: int = 0
    sent_end: int = 0
    confidence: float = 1.0

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.doc_id, self.start, self.end)


@dataclass(frozen=True, slots=True)
class DocAnnotation:
    """Everything the per-document stage found in one document."""

    doc: Document
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    entities: tuple[LocalEntity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    words: int = 0
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Actor:
    """A corpus-wide actor, the result of linking local entities across documents."""

    actor_id: str
    canonical: str
    type: ActorType
    key: str | None = None
    aliases: tuple[str, ...] = ()
    mention_count: int = 0


def as_dict(record: Any) -> dict[str, Any]:
    """Plain-dict form of any record (tuples stay tuples of plain values)."""
    return dataclasses.asdict(record)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build a record from ``as_dict`` output, ignoring unknown keys."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {}
    for k, v in data.items():
        if k in names:
            kwargs[k] = tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
    return cls(**kwargs)
