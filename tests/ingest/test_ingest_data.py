"""Ingest on the shared labelled data next to the project (skipped when it is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from narrascope.ingest import iter_documents
from narrascope.records import Document

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
POLNEAR = SHARED / "data" / "quotes-polnear-train" / "corpus"


@pytest.mark.data
@pytest.mark.skipif(not (POLNEAR / "sources.csv").is_file(), reason=f"no shared data at {POLNEAR}")
def test_ingest_polnear_sidecar_files_all_get_outlet_and_date() -> None:
    with (POLNEAR / "sources.csv").open(encoding="utf-8", newline="") as handle:
        listed = {row["file"] for row in csv.DictReader(handle)}
    records = list(iter_documents([POLNEAR]))
    docs = {r.source: r for r in records if isinstance(r, Document)}
    assert not [r for r in records if not isinstance(r, Document)]
    assert listed <= set(docs)
    for name in listed:
        doc = docs[name]
        assert doc.outlet and doc.published and doc.published_precision == "day", name
        for start, end in doc.body_ranges():
            assert 0 <= start < end <= len(doc.text)
