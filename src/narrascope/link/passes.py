"""Run the cross-document passes over a store. Each pass declares what it reads and writes.

A pass is ``fn(store) -> None`` registered by "module:function"; passes of stages not
built yet are skipped. Order matters: a pass may read the tables of the passes before it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from narrascope.store import Store

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pass:
    name: str
    target: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


def actors_pass(store: Store) -> None:
    from narrascope.link.actors import link_actors

    actors, links = link_actors(store.iter_local_entities(), store.iter_mentions())
    store.replace_actors(actors, links)


def near_duplicates_pass(store: Store) -> None:
    from narrascope.ingest.dedup import NearDuplicateIndex

    index = NearDuplicateIndex()
    pairs: list[tuple[str, str, float]] = []
    for doc_id, text in store.iter_texts():
        for other, jac in index.add(doc_id, text):
            pairs.append((doc_id, other, round(float(jac), 4)))
    store.replace_near_duplicates(pairs)


PASSES: tuple[Pass, ...] = (
    Pass("actors", "narrascope.link.passes:actors_pass", ("local_entities", "mentions"),
         ("actors", "entity_actor")),
    Pass("near_duplicates", "narrascope.link.passes:near_duplicates_pass", ("documents",),
         ("near_duplicates",)),
    Pass("events", "narrascope.link.events:merge_events_pass", ("events", "entity_actor"),
         ("event_groups",)),
    Pass("stories", "narrascope.link.stories:stories_pass", ("documents", "sentences"),
         ("stories",)),
    Pass("claims", "narrascope.link.claims:claims_pass", ("claims", "stories"),
         ("claim_groups", "reuse", "contradictions", "coverage_gaps")),
    Pass("framing", "narrascope.link.framing:framing_pass", ("roles", "tone", "techniques"),
         ("outlet_framing",)),
)


def _load(target: str) -> Callable[[Store], None] | None:
    mod_name, fn_name = target.split(":")
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name == mod_name:
            return None
        raise
    fn = getattr(mod, fn_name, None)
    return fn if callable(fn) else None


def run_passes(store: Store) -> None:
    for p in PASSES:
        fn = _load(p.target)
        if fn is None:
            continue
        LOGGER.info("link pass %s: reads %s, writes %s", p.name, p.reads, p.writes)
        fn(store)
