"""The per-document stage on Ray Data: the same annotations as the process pool, on a cluster.

Why a second engine: one machine's process pool tops out at its core count; a Ray cluster
scales the per-document stage (95% of the time of ``analyze``) across machines while the
store and the cross-document passes stay on the driver.

How: the driver streams the input documents into Arrow blocks of pickled ``Document``s put
into the Ray object store (spilled to disk by Ray if it fills, so driver memory stays flat),
in windows of ``window`` documents. Each window is a Ray Data pipeline
``from_arrow_refs -> map_batches(_Annotator, concurrency=N)``: ``_Annotator`` is a
class-based UDF, so every Ray worker loads the spaCy model once and annotates batches
with the very function the process pool uses (:func:`narrascope.scale.pool.annotate_stream`
in-process). Results come back to the driver in input order (``preserve_order``) as pickled
``DocAnnotation``/``Skipped`` records, and the pipeline writes them with the same store code
as the local engine, which is why both engines give the same tables.

Pointing it at a cluster: ``narrascope analyze ... --engine ray --ray-address ray://head:10001``
(or ``auto`` inside a cluster job); every node needs narrascope installed, as the UDF imports it.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

import pyarrow as pa

from narrascope.records import DocAnnotation, Document, Skipped

LOGGER = logging.getLogger(__name__)
Result = DocAnnotation | Skipped


class _Annotator:
    """Ray Data class UDF: the model loads once per actor, in ``__init__``."""

    def __init__(self) -> None:
        from narrascope.annotate import load_models

        load_models()

    def __call__(self, batch: pa.Table) -> pa.Table:
        from narrascope.scale.pool import annotate_stream

        docs: list[Document] = [pickle.loads(b) for b in batch.column("doc").to_pylist()]
        results = list(annotate_stream(docs, workers=1, chunk_size=max(1, len(docs))))
        if len(results) != len(docs):  # the pool yields exactly one result per document
            raise RuntimeError(f"annotator returned {len(results)} results for {len(docs)} docs")
        return pa.table({"result": pa.array([pickle.dumps(r) for r in results], pa.binary())})


@contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[None]:
    """Connect to the Ray cluster at ``address`` or start a local one with ``num_cpus``.

    A session this function starts is shut down on exit; an already initialised one (a test
    fixture, a cluster job) is used and left running.
    """
    import ray

    if ray.is_initialized():
        yield
        return
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def _blocks(docs: Iterator[Document], block_docs: int) -> Iterator[list[Document]]:
    while chunk := list(islice(docs, block_docs)):
        yield chunk


def annotate_stream_ray(
    docs: Iterable[Document],
    workers: int = 2,
    batch_size: int = 16,
    window: int = 20_000,
    address: str | None = None,
) -> Iterator[Result]:
    """Annotate documents on Ray Data, yielding one result per document in input order.

    ``workers`` is the number of annotator actors (``concurrency``); ``batch_size`` the
    documents per ``map_batches`` call (one ``nlp.pipe`` batch); ``window`` bounds how many
    documents are in flight (pickled in the object store) at once.
    """
    import ray
    import ray.data
    from ray.data import DataContext

    with ray_session(address, num_cpus=None if address else max(1, workers)):
        ctx = DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        it = iter(docs)
        while True:
            refs: list[Any] = []
            n = 0
            for chunk in _blocks(it, batch_size):
                tbl = pa.table({"doc": pa.array([pickle.dumps(d) for d in chunk], pa.binary())})
                refs.append(ray.put(tbl))
                n += len(chunk)
                if n >= window:
                    break
            if not refs:
                return
            ds = ray.data.from_arrow_refs(refs).map_batches(
                _Annotator,
                batch_size=batch_size,
                batch_format="pyarrow",
                concurrency=max(1, workers),
                num_cpus=1,
            )
            done = 0
            for out in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
                assert isinstance(out, pa.Table)
                for raw in out.column("result").to_pylist():
                    done += 1
                    yield pickle.loads(raw)
            if done != n:  # never drop documents silently
                raise RuntimeError(f"ray engine returned {done} results for {n} documents")
            LOGGER.info("ray engine: annotated a window of %d documents", n)
