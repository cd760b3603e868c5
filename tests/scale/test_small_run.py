"""A small run (fewer documents than ``SMALL_RUN``) with several workers loads the models in
this process, then forks workers that split the documents: the same store as one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from narrascope.pipeline import AnalyzeOptions, analyze
from narrascope.scale import pool

from .test_ray_engine import EXAMPLES, stored_tables


@pytest.mark.model
@pytest.mark.slow
def test_small_run_splits_its_documents_over_warm_workers_and_stores_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from narrascope.annotate.gazetteer import load_gazetteer

    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    alone = analyze([corpus], tmp_path / "one", AnalyzeOptions(workers=1, report=False))

    started, chunks = [], []
    real_start, real_stream = pool._start_worker, pool._pool_stream

    def start(ctx, time_limit):  # type: ignore[no-untyped-def]
        # forked after the warm-up: the worker inherits the loaded models
        started.append(load_gazetteer.cache_info().currsize)
        return real_start(ctx, time_limit)

    def stream(it, workers, chunk_size, time_limit, on_started=None):  # type: ignore[no-untyped-def]
        chunks.append((workers, chunk_size))
        return real_stream(it, workers, chunk_size, time_limit, on_started)

    load_gazetteer.cache_clear()  # loaded again by the warm-up, before the workers fork
    monkeypatch.setattr(pool, "_start_worker", start)
    monkeypatch.setattr(pool, "_pool_stream", stream)
    split = analyze([corpus], tmp_path / "two", AnalyzeOptions(workers=2, report=False))
    assert alone.analysed == split.analysed == 5
    assert chunks == [(2, 1)] and started == [1, 1]  # a document a task
    a, b = stored_tables(tmp_path / "one"), stored_tables(tmp_path / "two")
    assert a.keys() == b.keys() and a["mentions"] and a["techniques"]
    for name in a:
        assert a[name] == b[name], f"table {name} differs between one process and the pool"
