"""Run the cross-document passes over a store. Each pass declares what it reads and writes.

A pass is ``fn(store) -> None`` registered by "module:function"; passes of stages not
built yet are skipped. Order matters: a pass may read the tables of the passes before it.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from narrascope.allocator import frozen_heap, release_free_memory
from narrascope.registry import load_target
from narrascope.store import Store

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pass:
    name: str
    target: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    # keyword arguments of a forced run (``analyze --force``): rebuild rather than update
    forced: tuple[tuple[str, Any], ...] = ()


def actors_pass(store: Store) -> None:
    """Link actors across documents (skipped by :func:`run_passes` when its inputs and
    code are unchanged: the linking is global, so it is not updated piecemeal)."""
    from narrascope.link import actors as linker

    ents, counts = store.local_entities_with_counts()
    actors, actor_of = linker.link_entities(ents, counts)
    # entities come in (doc_id, local_id) order, the order entity_actor is written in
    store.replace_actors(actors, ((e.doc_id, e.local_id, actors[k].actor_id)
                                  for e, k in zip(ents, actor_of, strict=True)))


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
         ("documents", "mentions", "entity_actor", "stories"),
         ("stories", "story_info", "doc_vectors", "doc_terms"), (("recluster", True),)),
    Pass("claims", "narrascope.link.claims:claims_pass",
         ("claims", "stories", "sentences", "quantities", "events", "entity_actor",
          "local_entities", "actors"),
         ("claim_groups", "reuse", "contradictions", "coverage_gaps")),
    Pass("framing", "narrascope.link.framing:framing_pass",
         ("roles", "tone", "techniques", "entity_actor", "actors"), ("outlet_framing",)),
)


LINK_MEMORY_ENV = "NARRASCOPE_LINK_DB_MEMORY"


def link_memory_limit() -> str:
    """DuckDB's memory limit while the link passes run: ``$NARRASCOPE_LINK_DB_MEMORY`` or
    256MB."""
    from narrascope.store.db import memory_limit

    return memory_limit(LINK_MEMORY_ENV, "256MB")


@contextmanager
def link_memory(store: Store) -> Iterator[None]:
    """Run the link passes under a smaller DuckDB memory limit (:func:`link_memory_limit`),
    then set the store's own limit again.

    Why: DuckDB keeps the blocks of the tables it has read, and the memory of finished hash
    joins and sorts, up to its limit (1 GB by default), and that memory counts in this
    process next to the passes' own arrays. The passes read each table once or a chunk at
    a time, so little is re-read; what does not fit spills to DuckDB's temporary folder.
    On 4,000 replicated AllSides documents (main's code otherwise) 256 MB took the peak
    PSS of the full-text index build from 1,331 to 1,058 MB and what the process held
    after the passes from 1,053 to 922 MB, in the same CPU time. DuckDB's own
    ``duckdb_memory()`` counts only part of what it holds: after the reuse index of that
    store, setting a 64 MB limit freed 480 MB of the process while the figure it reports
    fell by 66 MB.

    Also with jemalloc's background threads on (``allocator_background_threads``):
    DuckDB's jemalloc purges the pages freed by a query only when it allocates again or
    from such a thread, so the pages of a pass's last queries stayed mapped through the
    Python work that followed (4,000 replicated AllSides documents: 70 MB of the process
    after the stories pass went within 2 s of turning them on)."""
    con = store.con
    row = con.execute("SELECT current_setting('allocator_background_threads')").fetchone()
    threads = row is not None and str(row[0]).lower() == "true"
    store.set_memory_limit(link_memory_limit())
    con.execute("SET allocator_background_threads = true")
    try:
        yield
    finally:
        store.set_memory_limit(store.memory_limit)
        con.execute(f"SET allocator_background_threads = {str(threads).lower()}")


def run_with_retry(store: Store, name: str, run: Callable[[], object]) -> None:
    """Run one pass (or the full-text index update, ``analyze``'s last link step) under
    :func:`link_memory`; if DuckDB refuses it memory under that limit, roll back what it
    left open and run it again under twice that limit, then under the store's own limit
    (:func:`retry_limits`). The warning names the step that ran out and what DuckDB still
    holds once it is rolled back. A pass that fails otherwise, or under the last limit, is
    rolled back too, so the connection stays usable, and its error raised.

    Why: some of DuckDB's operators cannot spill. A temporary table of the stories pass's
    vocabulary (5.2M words on 100,000 replicated documents, whose copies spell words apart)
    did not fit in 256 MB, and the aborted transaction then failed every later pass. Passes
    replace their own output, so running one again is safe. The middle step: a retry under
    the store's 1 GB let DuckDB fill it, which made the 100k run's peak (2,052 MB RSS, the
    full-text index)."""
    import duckdb

    limits = retry_limits(link_memory_limit(), store.memory_limit)
    try:
        for i, limit in enumerate(limits):
            if i:
                store.set_memory_limit(limit)
            try:
                run()
                return
            except duckdb.Error as exc:
                oom = _out_of_memory(exc)
                with suppress(duckdb.Error):  # no transaction was open
                    store.con.execute("ROLLBACK")
                if oom is None or i == len(limits) - 1:
                    raise
                LOGGER.warning("link pass %s: DuckDB ran out of memory under %s in %s (%s; it "
                               "holds %s); running it again under %s", name, limit, _where(oom),
                               str(oom).splitlines()[0], _held(store), limits[i + 1])
    finally:
        store.set_memory_limit(link_memory_limit())


def retry_limits(link: str, own: str) -> list[str]:
    """The DuckDB memory limits a pass is tried under, in order: ``link``, twice ``link``
    (in whole MB) when that is below ``own``, and ``own`` when it is above ``link``."""
    from narrascope.store.db import size_bytes

    low, high = size_bytes(link), size_bytes(own)
    out = [link]
    if 2 * low < high:
        out.append(f"{-(-2 * low // 1000**2)}MB")
    if high > low:
        out.append(own)
    return out


def _held(store: Store) -> str:
    """What DuckDB's memory holds, by tag, largest first (``duckdb_memory()``)."""
    rows = store.con.execute(
        "SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0 "
        "ORDER BY memory_usage_bytes DESC, tag").fetchall()
    return ", ".join(f"{t} {b / 1e6:.0f}MB" for t, b in rows) or "nothing"


def _where(exc: BaseException) -> str:
    """The innermost frame ``exc`` was raised through (``module.py:line in function``;
    DuckDB raises from C, so this is the statement of the pass that ran the query): which
    step of a pass needed more memory."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    f = frames[-1]
    return f"{Path(f.filename).name}:{f.lineno} in {f.name}"


def _out_of_memory(exc: BaseException) -> BaseException | None:
    """The DuckDB out-of-memory error behind ``exc``, if any: itself, or one it was raised
    while handling (a pass's ``finally`` that drops its scratch tables inside the aborted
    transaction raises "Current transaction is aborted" over the original error); else a
    bare "Current transaction is aborted" (:func:`_aborted`)."""
    import duckdb

    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and all(cur is not c for c in chain):
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    return next((c for c in chain if isinstance(c, duckdb.OutOfMemoryException)),
                next((c for c in chain if _aborted(c)), None))


def _aborted(exc: BaseException) -> bool:
    """DuckDB's "Current transaction is aborted" with nothing under it: a statement failed
    inside a transaction and the error that reached Python is a later statement's. On
    100,000 replicated documents the full-text index build (DuckDB's ``create_fts_index``
    macro, its statements in one transaction) failed so, 135 s in, while the claims
    pass's key indexes held 105 MB of the 256 MB: treated as short of memory, since the
    cause is not known and a retry under more memory is what can help."""
    import duckdb

    return (isinstance(exc, duckdb.TransactionException)
            and "transaction is aborted" in str(exc).lower())


def release_memory() -> None:
    """Between passes: collect garbage cycles and hand freed heap back to the system
    (glibc ``malloc_trim``; a no-op elsewhere), and the pages pyarrow's allocator keeps
    for reuse. Not a saving of what a pass holds: only memory already freed, that the
    allocators would otherwise keep mapped for later use."""
    import pyarrow as pa

    gc.collect()
    release_free_memory()
    pa.default_memory_pool().release_unused()


def run_passes(store: Store, *, force: bool = False,
               observe: Callable[[str, Callable[[], None]], object] | None = None) -> None:
    """Run every pass whose inputs changed since it last ran (link/state.py); a pass whose
    documents, declared input tables and code are as they were is skipped, so re-running
    ``analyze`` on an unchanged corpus does no cross-document work. ``force`` runs every
    pass, with its ``forced`` arguments (the stories pass re-clusters every document).
    The passes run under :func:`link_memory` and :func:`~narrascope.allocator.frozen_heap`,
    with :func:`release_memory` after each. ``observe(name, run)``, when given, is called
    for each pass that runs and must call ``run()`` (the benchmark times and samples
    memory per pass this way)."""
    from narrascope.annotate.embed import encoder_id
    from narrascope.link.state import (
        full_digest,
        is_current,
        link_code_digest,
        pass_fingerprint,
        remember,
        reset_vectors,
    )
    from narrascope.link.story_features import LEAD_QUANTIZED

    gone = reset_vectors(store, {"doc_vectors": encoder_id(LEAD_QUANTIZED),
                                 "claim_vectors": encoder_id(True)})
    if gone:
        LOGGER.info("link passes: %d sentence vectors of another encoder dropped", gone)
    code = link_code_digest()
    # The documents and the per-document tables are written by no pass: digested once.
    written = {t for p in PASSES for t in p.writes}
    stable = {t: full_digest(store, t) for t in sorted({"documents", *(
        t for p in PASSES for t in p.reads)} - written)}
    with link_memory(store), frozen_heap():
        for p in PASSES:
            fn = load_target(p.target)
            if fn is None:
                continue
            fingerprint = pass_fingerprint(store, p.reads, code, stable)
            if not force and is_current(store, f"pass:{p.name}", fingerprint):
                LOGGER.info("link pass %s: inputs unchanged, kept", p.name)
                continue
            LOGGER.info("link pass %s: reads %s, writes %s", p.name, p.reads, p.writes)
            t0, c0 = time.perf_counter(), time.process_time()
            run = partial(run_with_retry, store, p.name, partial(fn, store, **(
                dict(p.forced) if force else {})))
            if observe is None:
                run()
            else:
                observe(p.name, run)
            LOGGER.info("link pass %s: %.2f s (%.2f CPU s)", p.name,
                        time.perf_counter() - t0, time.process_time() - c0)
            # Remembered as the inputs stand *after* the pass: a pass may read what it wrote
            # last time (stories keep their ids), and given its own output it reproduces it.
            remember(store, f"pass:{p.name}", pass_fingerprint(store, p.reads, code, stable))
            store.drop_cache()
            release_memory()
