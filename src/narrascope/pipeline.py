"""``analyze``: sources -> ingest -> annotate -> store -> link -> report, as one importable call.

The CLI is a thin wrapper over :func:`analyze`; tests and ``make demo`` call the same code.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, partial
from itertools import chain, islice
from pathlib import Path

from narrascope import __version__
from narrascope.ingest import IngestOptions, iter_documents
from narrascope.records import DocAnnotation, Document, Skipped
from narrascope.store import Store
from narrascope.store.db import warm_arrow

LOGGER = logging.getLogger(__name__)

EXIT_OK, EXIT_FATAL, EXIT_PARTIAL = 0, 1, 3
ENGINES = ("local", "ray")
SOURCES_FLUSH = 10_000
SMALL_RUN = 24  # fewer documents to analyse than this: no process pool


@cache
def pipeline_version() -> str:
    """Version of the per-document stage: package version + hash of the annotate code.

    A stored document analysed by other annotate code is re-analysed; an unchanged one is
    reused, which makes re-runs incremental and idempotent.
    """
    h = hashlib.sha1(__version__.encode())
    root = Path(__file__).parent / "annotate"
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".json", ".txt", ".tsv", ".joblib", ".npz"}:
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


@dataclass(frozen=True)
class AnalyzeOptions:
    workers: int = 1
    batch_size: int = 32
    force: bool = False
    report: bool = True
    ingest: IngestOptions = field(default_factory=IngestOptions)
    # "local": this process or a process pool; "ray": Ray Data (scale/ray_engine.py), on a
    # local Ray or the cluster at ray_address. Both write the same tables.
    engine: str = "local"
    ray_address: str | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}")


@dataclass
class RunSummary:
    out_dir: Path
    documents: int = 0
    analysed: int = 0
    reused: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    report_path: Path | None = None
    seconds: float = 0.0
    words: int = 0

    @property
    def status(self) -> int:
        return EXIT_PARTIAL if self.skipped else EXIT_OK


Progress = Callable[[str, int], None]


def analyze(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    opts: AnalyzeOptions | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Analyse every input under ``paths`` into the store in ``out_dir`` and write the report.

    ``progress(event, n)`` is called with ("document", 1) per document handled, so a
    caller can drive a progress bar.
    """
    from narrascope.link.passes import run_passes
    from narrascope.scale.pool import annotate_stream

    opts = opts or AnalyzeOptions()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    summary = RunSummary(out_dir=out)
    version = pipeline_version()
    with Store(out) as store:
        stored = {} if opts.force else store.stored_versions()
        seen: set[str] = set()
        sources: list[tuple[str, int, str]] = []

        def known(doc_id: str) -> bool:
            return stored.get(doc_id) == version

        # Documents todo() reuses are not cleaned (boilerplate, metadata) again: only their
        # ids and sources are read.
        ingest = replace(opts.ingest, known=known)

        def todo() -> Iterator[Document]:
            for item in iter_documents(list(paths), ingest):
                if isinstance(item, Skipped):
                    LOGGER.error("%s", item.message())
                    summary.skipped.append(item)
                    if progress:
                        progress("document", 1)
                    continue
                summary.documents += 1
                sources.append((item.source, item.line or 0, item.doc_id))
                if len(sources) >= SOURCES_FLUSH:  # a re-run reuses most docs: stay bounded
                    store.record_sources(sources)
                    sources.clear()
                if item.doc_id in seen:
                    summary.duplicates += 1
                    if progress:
                        progress("document", 1)
                    continue
                seen.add(item.doc_id)
                if known(item.doc_id):
                    summary.reused += 1
                    if progress:
                        progress("document", 1)
                    continue
                yield item

        pending = todo()
        if opts.engine == "ray":
            from narrascope.scale.ray_engine import annotate_stream_ray

            results = annotate_stream_ray(pending, workers=opts.workers, address=opts.ray_address)
        else:
            # A re-run with a handful of new documents: starting a pool whose every worker
            # loads the models costs more than annotating them here. Loaded here first, the
            # models are shared by workers forked afterwards, which split the documents.
            head = list(islice(pending, SMALL_RUN)) if opts.workers > 1 else []
            if len(head) >= SMALL_RUN or opts.workers <= 1:
                results = annotate_stream(chain(head, pending), workers=opts.workers,
                                          on_started=warm_arrow)
            elif len(head) >= 2:
                from narrascope.scale.pool import warm_up

                warm_up()
                # one document a task: a worker that is done takes the next, so one long
                # article does not hold back the ones queued behind it (400 AllSides
                # articles plus 4, of 388 to 2,879 words: 1.2 s in halves, 1.0 s so)
                results = annotate_stream(head, workers=min(opts.workers, len(head)),
                                          chunk_size=1, on_started=warm_arrow)
            else:
                results = annotate_stream(head, workers=1)
        batch: list[DocAnnotation] = []
        for res in results:
            if isinstance(res, Skipped):
                LOGGER.error("%s", res.message())
                summary.skipped.append(res)
            else:
                batch.append(res)
                summary.analysed += 1
                summary.words += res.words
            if progress:
                progress("document", 1)
            if len(batch) >= opts.batch_size:
                store.write_batch(batch, version)
                store.record_sources(sources)
                batch, sources[:] = [], []
        store.write_batch(batch, version)
        store.record_sources(sources)
        if progress:
            progress("link", 0)
        run_passes(store, force=opts.force)
        link_fts(store, force=opts.force)
        summary.seconds = (datetime.now(UTC) - started).total_seconds()
        store.record_run(
            uuid.uuid4().hex[:12], started, [str(p) for p in paths],
            {"documents": summary.documents, "analysed": summary.analysed,
             "reused": summary.reused},
            summary.status, summary.skipped,
        )
        if opts.report:
            if progress:
                progress("report", 0)
            from narrascope.report.render import write_report

            summary.report_path = write_report(store, out / "report.html")
    return summary


def link_fts(store: Store, *, force: bool = False) -> None:
    """The full-text index step ``analyze`` runs after the link passes (the benchmark
    times this same function): :func:`_update_fts` under the link passes' DuckDB memory
    limit, run again under the store's own if DuckDB refuses it memory
    (:func:`~narrascope.link.passes.run_with_retry`)."""
    from narrascope.link.passes import link_memory, run_with_retry

    with link_memory(store):
        run_with_retry(store, "fts", partial(_update_fts, store, force=force))


def _update_fts(store: Store, *, force: bool = False) -> None:
    """Bring the full-text index in line with the sentences (store/fts.py: new sentences are
    appended, gone ones taken out), unless the sentences are those it was built from;
    ``force`` rebuilds it whole."""
    from narrascope.link.state import is_current, remember, table_digest
    from narrascope.store.fts import rebuild_fts, update_fts

    fingerprint = table_digest(store, "sentences", "sid, text")
    if force:
        rebuild_fts(store)
        remember(store, "fts", fingerprint)
        return
    if is_current(store, "fts", fingerprint):
        exists = store.con.execute(
            "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_sentences'"
        ).fetchone()
        if exists and exists[0]:
            return
    update_fts(store)
    remember(store, "fts", fingerprint)
