"""Run the cross-document passes over a store. Each pass declares what it reads and writes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from narrascope.store import Store

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pass:
    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    run: Callable[[Store], None]


def _actors(store: Store) -> None:
    from narrascope.link.actors import link_actors

    actors, links = link_actors(store.iter_local_entities(), store.iter_mentions())
    store.replace_actors(actors, links)


def _near_duplicates(store: Store) -> None:
    from narrascope.ingest.dedup import NearDuplicateIndex

    index = NearDuplicateIndex()
    pairs: list[tuple[str, str, float]] = []
    for doc_id, text in store.iter_texts():
        for other, jac in index.add(doc_id, text):
            pairs.append((doc_id, other, round(float(jac), 4)))
    store.replace_near_duplicates(pairs)


PASSES: tuple[Pass, ...] = (
    Pass("actors", ("local_entities", "mentions"), ("actors", "entity_actor"), _actors),
    Pass("near_duplicates", ("documents",), ("near_duplicates",), _near_duplicates),
)


def run_passes(store: Store) -> None:
    for p in PASSES:
        LOGGER.info("link pass %s: reads %s, writes %s", p.name, p.reads, p.writes)
        p.run(store)
