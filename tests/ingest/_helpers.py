"""Shared helpers of the ingest tests (inputs are always built by hand in tmp_path)."""

from __future__ import annotations

from pathlib import Path

from narrascope.ingest import IngestOptions, iter_documents
from narrascope.records import Document, Skipped

ARTICLE = (
    "Minister rejects claims of interference\n"
    "\n"
    "The interior minister said on Thursday that the accusations were baseless.\n"
    "\n"
    "“We have nothing to hide,” she told reporters in the capital, adding that an "
    "inquiry would be opened next week.\n"
)


def ingest(*paths: Path | str, **opts: object) -> list[Document | Skipped]:
    return list(iter_documents(list(paths), IngestOptions(**opts)))  # type: ignore[arg-type]


def docs_of(records: list[Document | Skipped]) -> list[Document]:
    return [r for r in records if isinstance(r, Document)]


def skips_of(records: list[Document | Skipped]) -> list[Skipped]:
    return [r for r in records if isinstance(r, Skipped)]
