"""Metadata: sidecar files, their precedence, and dates read from the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrascope.ingest.dates import normalise_date
from narrascope.records import Document, Skipped

from ._helpers import ARTICLE, docs_of, ingest, skips_of

HEADER = "file,outlet,url,published,title\n"


def test_ingest_sidecar_csv_sets_metadata(corpus: Path) -> None:
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "b.txt").write_text("Other article text here.", encoding="utf-8")
    (corpus / "sources.csv").write_text(
        HEADER + 'a.txt,Atlas News,https://a.example/x,2024-05-16,"Title, with comma"\n',
        encoding="utf-8",
    )
    a, b = docs_of(ingest(corpus))
    assert (a.outlet, a.url, a.published, a.published_precision, a.title) == (
        "Atlas News",
        "https://a.example/x",
        "2024-05-16",
        "day",
        "Title, with comma",
    )
    assert (b.outlet, b.published, b.title) == (None, None, None)


def test_ingest_sidecar_applies_to_a_file_given_directly(corpus: Path) -> None:
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "sources.csv").write_bytes(
        ("\ufeff" + HEADER + "a.txt,Wire,,2024,\n").encode("utf-8")
    )
    (doc,) = docs_of(ingest(corpus / "a.txt"))
    assert (doc.outlet, doc.published, doc.published_precision) == ("Wire", "2024", "year")


def test_ingest_sidecar_jsonl_and_parent_folder_rows(corpus: Path) -> None:
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "sub" / "b.txt").write_text("Another article text.", encoding="utf-8")
    (corpus / "sub" / "sources.jsonl").write_text(
        json.dumps({"file": "a.txt", "outlet": "Inner", "published": "2024-07"}) + "\n{broken\n",
        encoding="utf-8",
    )
    (corpus / "sources.csv").write_text(HEADER + "sub/b.txt,Outer,,,Headline B\n", encoding="utf-8")
    records = ingest(corpus)
    (skip,) = skips_of(records)
    assert (skip.source, skip.code, skip.line) == ("sub/sources.jsonl", "S006", 2)
    a, b = docs_of(records)
    assert (a.source, a.outlet, a.published, a.published_precision) == (
        "sub/a.txt",
        "Inner",
        "2024-07",
        "month",
    )
    assert (b.source, b.outlet, b.title) == ("sub/b.txt", "Outer", "Headline B")


def test_ingest_sidecar_wins_over_jsonl_gaps_only(corpus: Path) -> None:
    (corpus / "batch.jsonl").write_text(
        json.dumps({"text": "One.", "outlet": "Record outlet"})
        + "\n"
        + json.dumps({"text": "Two."})
        + "\n",
        encoding="utf-8",
    )
    (corpus / "sources.csv").write_text(
        HEADER + "batch.jsonl,File outlet,,2015,\n", encoding="utf-8"
    )
    one, two = docs_of(ingest(corpus))
    assert (one.outlet, two.outlet) == ("Record outlet", "File outlet")
    assert one.published == two.published == "2015"


def test_ingest_byline_date_beats_last_update_date(corpus: Path) -> None:
    text = (
        "Last update: July 14, 2024 01:59\n\nSite logo\n\nHeadline about the ministry\n\n"
        "By Jane Roe May 2, 2024\n\n" + ARTICLE
    )
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (doc,) = docs_of(ingest(corpus))
    assert (doc.published, doc.published_precision, doc.author) == ("2024-05-02", "day", "Jane Roe")
    assert "published date from the text (byline)" in doc.notes


def test_ingest_last_update_date_is_only_a_fallback(corpus: Path) -> None:
    (corpus / "a.txt").write_text(
        "Last update: July 14, 2024 01:59\n\n" + ARTICLE, encoding="utf-8"
    )
    (doc,) = docs_of(ingest(corpus))
    assert doc.published == "2024-07-14"
    assert any("update date" in note for note in doc.notes)


def test_ingest_sidecar_date_beats_text_date(corpus: Path) -> None:
    (corpus / "a.txt").write_text("By Jane Roe May 2, 2024\n\n" + ARTICLE, encoding="utf-8")
    (corpus / "sources.csv").write_text(HEADER + "a.txt,,,2024-05,\n", encoding="utf-8")
    (doc,) = docs_of(ingest(corpus))
    assert (doc.published, doc.published_precision, doc.author) == ("2024-05", "month", "Jane Roe")


def test_ingest_unreadable_sidecar_date_is_noted_not_fatal(corpus: Path) -> None:
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "sources.csv").write_text(HEADER + "a.txt,X,,sometime soon,\n", encoding="utf-8")
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document) and doc.published is None
    assert any("unreadable date" in note for note in doc.notes)


def test_ingest_dates_inside_sentences_are_not_datelines(corpus: Path) -> None:
    (corpus / "a.txt").write_text(
        "On May 2, 2024 the minister spoke to reporters.\n", encoding="utf-8"
    )
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document) and doc.published is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-02", ("2024-05-02", "day")),
        ("2016-03-01T10:00:00Z", ("2016-03-01", "day")),
        ("2024-07", ("2024-07", "month")),
        ("2024", ("2024", "year")),
        (2015, ("2015", "year")),
        ("May 2, 2024", ("2024-05-02", "day")),
        ("14 July 2024", ("2024-07-14", "day")),
        ("Sept. 3, 2015", ("2015-09-03", "day")),
        ("July 2024", ("2024-07", "month")),
        ("2024-02-30", None),
        ("", None),
        (None, None),
        ("soon", None),
    ],
)
def test_ingest_normalise_date(value: object, expected: tuple[str, str] | None) -> None:
    assert normalise_date(value) == expected


def test_ingest_all_boilerplate_text_is_s009(corpus: Path) -> None:
    (corpus / "nav.txt").write_text(
        "Read also |\n\nsource site\n\nMore From Me\n", encoding="utf-8"
    )
    (skip,) = ingest(corpus)
    assert isinstance(skip, Skipped) and skip.code == "S009"


def test_ingest_strip_boilerplate_off_leaves_body_empty(corpus: Path) -> None:
    (corpus / "a.txt").write_text("By Jane Roe\n\n" + ARTICLE, encoding="utf-8")
    (on,) = docs_of(ingest(corpus))
    (off,) = docs_of(ingest(corpus, strip_boilerplate=False))
    assert on.body and off.body == ()
    assert on.text == off.text and on.doc_id == off.doc_id
