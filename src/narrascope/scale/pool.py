"""The per-document stage over a stream, in this process or a pool of worker processes.

Each worker loads the models once (pool initializer) and annotates chunks of documents
with ``nlp.pipe``. Every chunk's result or exception is collected: a document that fails
becomes a ``Skipped`` record and the run goes on.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from narrascope.annotate import annotate_document, annotate_documents, load_models
from narrascope.records import DocAnnotation, Document, Skipped

LOGGER = logging.getLogger(__name__)
Result = DocAnnotation | Skipped


def _annotate_chunk(docs: list[Document]) -> list[Result]:
    models = load_models()
    try:
        return list(annotate_documents(docs, models, batch_size=len(docs)))
    except Exception:
        # Fall back to one document at a time so one bad document doesn't sink its chunk.
        out: list[Result] = []
        for d in docs:
            try:
                out.append(annotate_document(d, models))
            except Exception as exc:
                LOGGER.exception("annotation failed for %s", d.source)
                out.append(Skipped(d.source, "S011", f"annotation failed: {exc!r}", d.line))
        return out


def _init_worker() -> None:
    load_models()


def annotate_stream(
    docs: Iterable[Document], workers: int = 1, chunk_size: int = 8
) -> Iterator[Result]:
    """Annotate documents in input order; ``workers > 1`` uses a process pool."""
    it = iter(docs)
    if workers <= 1:
        while chunk := list(islice(it, chunk_size)):
            yield from _annotate_chunk(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        pending: deque[tuple[list[Document], Future[list[Result]]]] = deque()
        max_pending = workers * 3
        while True:
            while len(pending) < max_pending and (chunk := list(islice(it, chunk_size))):
                pending.append((chunk, pool.submit(_annotate_chunk, chunk)))
            if not pending:
                break
            chunk, fut = pending.popleft()
            try:
                yield from fut.result()
            except Exception as exc:  # a worker died (e.g. out of memory)
                LOGGER.error("worker failed on a chunk: %r", exc)
                for d in chunk:
                    yield Skipped(d.source, "S011", f"worker failed: {exc!r}", d.line)
