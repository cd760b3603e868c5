"""The per-document stage over a stream, in this process or a pool of worker processes.

Each worker loads the models once and annotates chunks of documents with ``nlp.pipe``.
Every chunk's result or failure is collected: a document that fails becomes a
``Skipped`` record (S011) and the run goes on.

One pathological article must not stall a run, so every document has a time limit
(``time_limit`` seconds, default :data:`DOC_TIME_LIMIT`, env ``NARRASCOPE_DOC_TIMEOUT``;
0 or less turns it off). Two guards enforce it:

* in the process that annotates (a worker, or this process when ``workers <= 1``), a
  ``SIGALRM`` timer bounds the chunk (``limit x len(chunk)``); when it fires, the chunk is
  redone one document at a time, each under ``limit``, and the one that runs over is
  skipped. This catches slow Python code (regex backtracking included: ``re`` checks
  for signals). It needs the main thread; elsewhere (e.g. a threaded actor) only the
  second guard applies.
* with ``workers >= 2``, the parent also gives each chunk a hard deadline (twice the
  in-worker budget plus a grace period). A worker that misses it (stuck in C code that
  never returns to Python) or dies (out of memory, a segfault) is killed and replaced;
  its chunk is retried one document per task, so only the culprit is skipped.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection, wait
from typing import Any

from narrascope.annotate import annotate_document, annotate_documents, load_models
from narrascope.records import DocAnnotation, Document, Skipped

LOGGER = logging.getLogger(__name__)
Result = DocAnnotation | Skipped


def _env_limit() -> float | None:
    raw = os.environ.get("NARRASCOPE_DOC_TIMEOUT", "")
    try:
        value = float(raw) if raw.strip() else 120.0
    except ValueError:
        LOGGER.warning("ignoring NARRASCOPE_DOC_TIMEOUT=%r (not a number)", raw)
        value = 120.0
    return value if value > 0 else None


# Seconds one document may take in the annotate stage. Generous: a long article takes
# about a second; the point is to bound the pathological one, not to race the slow one.
DOC_TIME_LIMIT: float | None = _env_limit()
# Extra seconds the parent allows a worker chunk beyond the worker's own budget.
HARD_GRACE = 30.0
# A worker that has not loaded its models after this long is treated as broken.
STARTUP_LIMIT = 600.0


class DocTimeout(BaseException):
    """The time limit fired. A BaseException so that ``except Exception`` in annotation
    code (components catch broadly) cannot swallow it."""


@contextmanager
def time_guard(seconds: float | None) -> Iterator[bool]:
    """Raise :class:`DocTimeout` in this thread after ``seconds``; yields whether armed.

    Only arms in the main thread, when ``SIGALRM`` exists and no other real-time timer is
    running (never clobber a caller's alarm).
    """
    armed = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not armed:
        yield False
        return

    def _fire(signum: int, frame: Any) -> None:
        raise DocTimeout(f"over {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, _fire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _annotate_chunk(docs: list[Document], time_limit: float | None = None) -> list[Result]:
    """Annotate ``docs`` batched; on failure or timeout, one at a time so only the culprit fails."""
    models = load_models()
    budget = time_limit * len(docs) if time_limit else None
    try:
        with time_guard(budget):
            return list(annotate_documents(docs, models, batch_size=len(docs)))
    except DocTimeout:
        if len(docs) == 1:
            return [_timed_out(docs[0], time_limit)]
        LOGGER.info("chunk of %d ran over its time; retrying one document at a time", len(docs))
    except Exception as exc:
        LOGGER.info("chunk of %d failed (%r); retrying one document at a time", len(docs), exc)
    out: list[Result] = []
    for d in docs:
        try:
            with time_guard(time_limit):
                out.append(annotate_document(d, models))
        except DocTimeout:
            out.append(_timed_out(d, time_limit))
        except Exception as exc:
            LOGGER.exception("annotation failed for %s", d.source)
            out.append(Skipped(d.source, "S011", f"annotation failed: {exc!r}"[:500], d.line))
    return out


def _timed_out(d: Document, time_limit: float | None) -> Skipped:
    LOGGER.error("annotation of %s took over %ss; skipped", d.source, time_limit)
    return Skipped(d.source, "S011", f"annotation timed out after {time_limit:g}s", d.line)


# A short made-up report that goes through every annotate component (names, a title, a
# quote, a date, a number, an event), so annotating it loads every lazily loaded model.
_WARM_UP_TEXT = (
    "Officials in Velonia said on Monday that 12 people were arrested after protests.\n"
    '"We will not accept violence," Interior Minister Ana Soto told reporters in the capital.'
)


def warm_up() -> None:
    """Load, in this process, every model the annotate stage loads on first use (gazetteer,
    technique model, word table...) by annotating :data:`_WARM_UP_TEXT`: workers forked
    afterwards share them instead of each loading its own."""
    try:
        annotate_document(Document(doc_id="warm-up", source="<warm-up>", text=_WARM_UP_TEXT),
                          load_models())
    except Exception:  # only a head start: a real document that fails is skipped as usual
        LOGGER.warning("warming up the annotate models failed", exc_info=True)


def annotate_stream(
    docs: Iterable[Document],
    workers: int = 1,
    chunk_size: int = 8,
    time_limit: float | None = DOC_TIME_LIMIT,
    on_started: Callable[[], None] | None = None,
) -> Iterator[Result]:
    """Annotate documents in input order, one result per document.

    ``workers > 1`` uses worker processes; ``time_limit`` (seconds per document, None
    for none) is enforced as the module docstring says. ``on_started`` is called once the
    workers are forked: work of this process that can overlap theirs (it must be quick to
    start: they are waiting for their first chunk).
    """
    it = iter(docs)
    if workers <= 1:
        while chunk := list(islice(it, chunk_size)):
            yield from _annotate_chunk(chunk, time_limit)
        return
    yield from _pool_stream(it, workers, chunk_size, time_limit, on_started)


# -- the process pool --------------------------------------------------------------------


@dataclass
class _Slot:
    """Results of one input chunk, in order; a part may be split into a sub-slot on retry."""

    parts: list[list[Result] | _Slot | None]

    def done(self) -> bool:
        return all(p is not None and (not isinstance(p, _Slot) or p.done()) for p in self.parts)

    def results(self) -> Iterator[Result]:
        for p in self.parts:
            if isinstance(p, _Slot):
                yield from p.results()
            else:
                yield from p or ()


@dataclass
class _Task:
    slot: _Slot
    part: int
    docs: list[Document]


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    started: float
    ready: bool = False
    task: _Task | None = None
    deadline: float | None = None


def _worker_main(conn: Connection, time_limit: float | None) -> None:
    """Worker process: load models, then annotate chunks until told to stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    try:
        load_models()
    except BaseException as exc:
        conn.send(("error", type(exc), str(exc)))
        return
    conn.send(("ready",))
    while True:
        try:
            docs = conn.recv()
        except EOFError:
            return
        if docs is None:
            return
        results = _annotate_chunk(docs, time_limit)
        try:
            conn.send(("done", results))
        except Exception as exc:  # a result that does not pickle
            conn.send(("done", [
                Skipped(d.source, "S011", f"result could not be sent: {exc!r}"[:500], d.line)
                for d in docs
            ]))


def _start_worker(ctx: Any, time_limit: float | None) -> _Worker:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_worker_main, args=(child, time_limit), daemon=True)
    proc.start()
    child.close()
    return _Worker(proc, parent, time.monotonic())


def _stop_worker(w: _Worker, *, kill: bool = False) -> None:
    if not kill:
        try:
            w.conn.send(None)
        except (OSError, ValueError):
            kill = True
        else:
            w.proc.join(5)
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join(5)
    w.conn.close()


def _startup_error(kind: type[BaseException], message: str) -> BaseException:
    """The worker's start-up exception, rebuilt without re-running its ``__init__``."""
    from narrascope.errors import NarrascopeError

    if issubclass(kind, NarrascopeError):
        exc = kind.__new__(kind)
        Exception.__init__(exc, message)
        return exc
    return RuntimeError(f"annotation worker could not start: {kind.__name__}: {message}")


def _pool_stream(
    it: Iterator[Document], workers: int, chunk_size: int, time_limit: float | None,
    on_started: Callable[[], None] | None = None,
) -> Iterator[Result]:
    # fork, as ProcessPoolExecutor used on Linux: workers inherit the loaded code (and
    # test doubles) without re-importing.
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    pool = [_start_worker(ctx, time_limit) for _ in range(workers)]
    if on_started is not None:
        on_started()
    slots: deque[_Slot] = deque()
    todo: deque[_Task] = deque()
    max_slots = workers * 3
    exhausted = False

    def fail(task: _Task, why: str) -> None:
        if len(task.docs) > 1:
            sub = _Slot([None] * len(task.docs))
            task.slot.parts[task.part] = sub
            for i in reversed(range(len(task.docs))):
                todo.appendleft(_Task(sub, i, [task.docs[i]]))
            LOGGER.error("worker %s on a chunk of %d; retrying one by one", why, len(task.docs))
            return
        d = task.docs[0]
        LOGGER.error("annotation of %s: worker %s; skipped", d.source, why)
        task.slot.parts[task.part] = [Skipped(d.source, "S011", f"annotation worker {why}", d.line)]

    def replace(w: _Worker) -> None:
        _stop_worker(w, kill=True)
        pool[pool.index(w)] = _start_worker(ctx, time_limit)

    try:
        while True:
            while not exhausted and len(slots) < max_slots:
                chunk = list(islice(it, chunk_size))
                if not chunk:
                    exhausted = True
                    break
                slot = _Slot([None])
                slots.append(slot)
                todo.append(_Task(slot, 0, chunk))
            while slots and slots[0].done():
                yield from slots.popleft().results()
            if not slots and exhausted:
                return
            now = time.monotonic()
            for w in pool:
                if w.ready and w.task is None and todo:
                    w.task = todo.popleft()
                    w.deadline = (
                        now + 2 * time_limit * len(w.task.docs) + HARD_GRACE if time_limit else None
                    )
                    w.conn.send(w.task.docs)
            waits = [w.deadline for w in pool if w.task is not None and w.deadline is not None]
            waits += [w.started + STARTUP_LIMIT for w in pool if not w.ready]
            timeout = max(0.0, min(waits) - now) if waits else None
            ready_conns = wait([w.conn for w in pool], timeout)
            for w in list(pool):
                if w.conn in ready_conns:
                    try:
                        msg = w.conn.recv()
                    except (EOFError, OSError):
                        msg = ("died",)
                    if msg[0] == "ready":
                        w.ready = True
                    elif msg[0] == "error":
                        raise _startup_error(msg[1], msg[2])
                    elif msg[0] == "done" and w.task is not None:
                        w.task.slot.parts[w.task.part] = msg[1]
                        w.task, w.deadline = None, None
                    else:  # the worker died
                        w.proc.join(1)
                        code = w.proc.exitcode
                        if not w.ready:
                            raise RuntimeError(
                                f"annotation worker died while loading models (exit code {code})"
                            )
                        if w.task is not None:
                            fail(w.task, f"died (exit code {code})")
                        replace(w)
            now = time.monotonic()
            for w in list(pool):
                if w.task is not None and w.deadline is not None and now > w.deadline:
                    fail(w.task, f"missed its deadline ({time_limit:g}s per document)")
                    replace(w)
                elif not w.ready and now > w.started + STARTUP_LIMIT:
                    raise RuntimeError(
                        f"annotation worker did not load its models in {STARTUP_LIMIT:g}s"
                    )
    finally:
        for w in pool:
            _stop_worker(w, kill=w.task is not None)
