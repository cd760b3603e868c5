"""The annotate stage's per-document time limit and worker-failure handling (scale/pool.py).

The annotate functions are replaced by fakes that stall, crash or die on marked
documents, so these tests need no model and show exactly which document is skipped.
Worker processes are forked, so the fakes patched here are what the workers run.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable, Iterator

import pytest

from narrascope.records import DocAnnotation, Document, Skipped
from narrascope.scale import pool


def _doc(i: int, text: str) -> Document:
    return Document(doc_id=f"d{i:03d}", source=f"doc{i}.txt", text=text)


def _behave(d: Document) -> DocAnnotation:
    if "STALL-PY" in d.text:  # slow Python code: the in-process alarm can interrupt it
        while True:
            time.sleep(0.01)
    if "STALL-C" in d.text:  # stuck where signals never reach Python: only a kill helps
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
    if "CRASH" in d.text:
        raise ValueError("bad document")
    if "DIE" in d.text:
        os._exit(9)
    return DocAnnotation(doc=d, words=len(d.text.split()))


def _fake_documents(docs: Iterable[Document], models: object, batch_size: int = 16) -> Iterator[DocAnnotation]:
    for d in list(docs):
        yield _behave(d)


@pytest.fixture
def fake_annotate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "load_models", lambda: object())
    monkeypatch.setattr(pool, "annotate_documents", _fake_documents)
    monkeypatch.setattr(pool, "annotate_document", lambda d, models: _behave(d))


def _run(texts: list[str], **kw: object) -> list[DocAnnotation | Skipped]:
    docs = [_doc(i, t) for i, t in enumerate(texts)]
    out = list(pool.annotate_stream(docs, **kw))  # type: ignore[arg-type]
    assert [r.doc.source if isinstance(r, DocAnnotation) else r.source for r in out] == [
        d.source for d in docs
    ], "one result per document, in input order"
    return out


def _skipped(out: list[DocAnnotation | Skipped]) -> dict[str, str]:
    return {r.source: r.detail for r in out if isinstance(r, Skipped)}


@pytest.mark.usefixtures("fake_annotate")
def test_pool_in_process_skips_a_stalled_document_after_its_time_limit() -> None:
    texts = ["fine one", "fine two", "STALL-PY here", "fine four", "fine five"]
    started = time.monotonic()
    out = _run(texts, workers=1, chunk_size=3, time_limit=0.3)
    elapsed = time.monotonic() - started
    skipped = _skipped(out)
    assert list(skipped) == ["doc2.txt"]
    assert all(r.code == "S011" for r in out if isinstance(r, Skipped))
    assert "timed out after 0.3s" in skipped["doc2.txt"]
    # chunk budget 3 x 0.3s, then 0.3s for the culprit alone: well under 5s
    assert elapsed < 5


@pytest.mark.usefixtures("fake_annotate")
def test_pool_in_process_skips_a_failing_document_and_keeps_the_rest() -> None:
    out = _run(["ok", "CRASH now", "ok again"], workers=1, chunk_size=8, time_limit=5)
    assert list(_skipped(out)) == ["doc1.txt"]
    assert "bad document" in _skipped(out)["doc1.txt"]


@pytest.mark.usefixtures("fake_annotate")
def test_time_guard_leaves_no_alarm_behind() -> None:
    _run(["ok", "STALL-PY"], workers=1, chunk_size=2, time_limit=0.2)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


@pytest.mark.usefixtures("fake_annotate")
def test_pool_workers_skip_a_python_level_stall() -> None:
    texts = [f"fine {i}" for i in range(7)] + ["STALL-PY"] + [f"fine {i}" for i in range(8, 12)]
    out = _run(texts, workers=2, chunk_size=3, time_limit=0.3)
    assert list(_skipped(out)) == ["doc7.txt"]
    assert "timed out" in _skipped(out)["doc7.txt"]


@pytest.mark.usefixtures("fake_annotate")
def test_pool_kills_a_worker_stuck_beyond_signals_and_skips_only_that_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pool, "HARD_GRACE", 0.5)
    texts = ["fine a", "STALL-C", "fine c", "fine d", "fine e", "fine f"]
    started = time.monotonic()
    out = _run(texts, workers=2, chunk_size=3, time_limit=0.2)
    assert list(_skipped(out)) == ["doc1.txt"]
    assert "missed its deadline" in _skipped(out)["doc1.txt"]
    assert time.monotonic() - started < 30


@pytest.mark.usefixtures("fake_annotate")
def test_pool_replaces_a_dead_worker_and_skips_only_the_document_that_killed_it() -> None:
    texts = ["fine a", "fine b", "DIE", "fine d", "fine e"]
    out = _run(texts, workers=2, chunk_size=2, time_limit=5)
    assert list(_skipped(out)) == ["doc2.txt"]
    assert "died (exit code 9)" in _skipped(out)["doc2.txt"]
    assert sum(isinstance(r, DocAnnotation) for r in out) == 4


@pytest.mark.usefixtures("fake_annotate")
def test_pool_without_time_limit_still_annotates_everything() -> None:
    out = _run([f"doc {i}" for i in range(10)], workers=2, chunk_size=4, time_limit=None)
    assert all(isinstance(r, DocAnnotation) for r in out)


@pytest.mark.usefixtures("fake_annotate")
def test_pool_calls_on_started_once_its_workers_are_forked() -> None:
    calls: list[int] = []

    def started() -> None:
        # the workers exist (forked) when the parent is told it may start its own work
        calls.append(len(pool.mp.active_children()))

    out = _run([f"doc {i}" for i in range(5)], workers=2, chunk_size=2, on_started=started)
    assert all(isinstance(r, DocAnnotation) for r in out)
    assert calls == [2]
    in_process: list[int] = []
    _run(["doc a"], workers=1, on_started=lambda: in_process.append(1))
    assert in_process == [], "no workers, nothing to overlap"
