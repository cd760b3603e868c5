"""Run the cross-document passes over a store. Each pass declares what it reads and writes.

A pass is ``fn(store) -> None`` registered by "module:function"; passes of stages not
built yet are skipped. Order matters: a pass may read the tables of the passes before it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from narrascope.registry import load_target
from narrascope.store import Store

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pass:
    name: str
    target: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


def actors_pass(store: Store) -> None:
    """Link actors across documents; skipped when its inputs and code are unchanged
    (link/state.py: the linking is global, so it is not updated piecemeal)."""
    from narrascope.link.actors import link_actors
    from narrascope.link.state import actors_fingerprint, is_current, mention_keys, remember

    fingerprint = actors_fingerprint(store)
    if is_current(store, "actors", fingerprint):
        LOGGER.info("link pass actors: inputs unchanged, kept")
        return
    actors, links = link_actors(store.iter_local_entities(), mention_keys(store))  # type: ignore[arg-type]
    store.replace_actors(actors, links)
    remember(store, "actors", fingerprint)


def near_duplicates_pass(store: Store) -> None:
    """Near-duplicate pairs; hashes only documents not hashed before (link/neardup.py)."""
    from narrascope.link.neardup import update_near_duplicates

    update_near_duplicates(store)


PASSES: tuple[Pass, ...] = (
    Pass("actors", "narrascope.link.passes:actors_pass", ("local_entities", "mentions"),
         ("actors", "entity_actor")),
    Pass("near_duplicates", "narrascope.link.passes:near_duplicates_pass", ("documents",),
         ("near_duplicates",)),
    Pass("events", "narrascope.link.events:merge_events_pass", ("events", "entity_actor"),
         ("event_groups",)),
    Pass("stories", "narrascope.link.stories:stories_pass",
         ("documents", "mentions", "entity_actor"), ("stories", "story_info", "doc_vectors")),
    Pass("claims", "narrascope.link.claims:claims_pass", ("claims", "stories"),
         ("claim_groups", "reuse", "contradictions", "coverage_gaps")),
    Pass("framing", "narrascope.link.framing:framing_pass", ("roles", "tone", "techniques"),
         ("outlet_framing",)),
)


def run_passes(store: Store) -> None:
    for p in PASSES:
        fn = load_target(p.target)
        if fn is None:
            continue
        LOGGER.info("link pass %s: reads %s, writes %s", p.name, p.reads, p.writes)
        fn(store)
