"""JSON Lines archives, plain and gzip: streaming, bad lines, truncation, bombs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from narrascope.records import Document, Skipped

from ._helpers import ARTICLE, docs_of, ingest, skips_of


def _line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False) + "\n"


def test_ingest_jsonl_records_carry_line_numbers_and_fields(corpus: Path) -> None:
    content = (
        _line(
            id="a1",
            text=ARTICLE,
            outlet="Wire",
            url="https://w.example/1",
            title="T1",
            published="2016-03-01T10:00:00Z",
            author="Jane Roe",
        )
        + "\n"  # blank lines are not records but still count
        + _line(id="a2", text="Second story about the referendum.", published=2016)
    )
    (corpus / "batch.jsonl").write_text(content, encoding="utf-8")
    first, second = ingest(corpus)
    assert isinstance(first, Document) and isinstance(second, Document)
    assert (first.source, first.line, second.line) == ("batch.jsonl", 1, 3)
    assert first.text == ARTICLE
    assert (first.outlet, first.url, first.title, first.author) == (
        "Wire",
        "https://w.example/1",
        "T1",
        "Jane Roe",
    )
    assert (first.published, first.published_precision) == ("2016-03-01", "day")
    assert (second.published, second.published_precision) == ("2016", "year")
    assert first.notes == ("record id a1",)


def test_ingest_jsonl_broken_line_is_skipped_and_reading_goes_on(corpus: Path) -> None:
    content = (
        _line(text="First article text.")
        + '{"text": "unterminated\n'
        + "[1, 2]\n"
        + _line(title="no text at all")
        + _line(text="   ")
        + _line(text="Last article text.")
    )
    (corpus / "mixed.jsonl").write_text(content, encoding="utf-8")
    records = ingest(corpus)
    assert [(r.line, r.code) for r in skips_of(records)] == [
        (2, "S006"),
        (3, "S006"),
        (4, "S006"),
        (5, "S001"),
    ]
    assert [d.text for d in docs_of(records)] == ["First article text.", "Last article text."]


def test_ingest_jsonl_html_record_is_extracted(corpus: Path) -> None:
    html = (
        "<html><body><article><p>"
        + ARTICLE.replace("\n\n", "</p><p>")
        + "</p></article></body></html>"
    )
    (corpus / "pages.jsonl").write_text(_line(html=html, outlet="Site"), encoding="utf-8")
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document)
    assert "We have nothing to hide" in doc.text and "<p>" not in doc.text
    assert doc.outlet == "Site"


def test_ingest_jsonl_overlong_line_is_s004_and_the_next_is_read(corpus: Path) -> None:
    content = _line(text="x " * 2000) + _line(text="Short article.")
    (corpus / "long.jsonl").write_text(content, encoding="utf-8")
    skip, doc = ingest(corpus, max_bytes=1000)
    assert isinstance(skip, Skipped) and (skip.code, skip.line) == ("S004", 1)
    assert isinstance(doc, Document) and (doc.text, doc.line) == ("Short article.", 2)


def test_ingest_jsonl_gz_is_streamed(corpus: Path) -> None:
    with gzip.open(corpus / "a.jsonl.gz", "wt", encoding="utf-8") as handle:
        for i in range(3):
            handle.write(_line(id=i, text=f"Article number {i} about the vote."))
    docs = docs_of(ingest(corpus))
    assert [(d.source, d.line) for d in docs] == [
        ("a.jsonl.gz", 1),
        ("a.jsonl.gz", 2),
        ("a.jsonl.gz", 3),
    ]


def test_ingest_truncated_gz_yields_good_lines_then_s010(corpus: Path) -> None:
    lines = "".join(_line(text=f"Article {i}: " + "words " * 200) for i in range(50))
    packed = gzip.compress(lines.encode("utf-8"))
    (corpus / "cut.jsonl.gz").write_bytes(packed[: len(packed) * 2 // 3])
    records = ingest(corpus)
    assert isinstance(records[-1], Skipped) and records[-1].code == "S010"
    docs = docs_of(records)
    assert len(docs) > 10
    assert [d.line for d in docs] == list(range(1, len(docs) + 1))


def test_ingest_gz_bomb_single_huge_line_is_stopped(corpus: Path) -> None:
    # 50 MB of one line compresses to ~50 KB; the cap stops it after 1 MB of output.
    with gzip.open(corpus / "bomb.jsonl.gz", "wb") as handle:
        handle.write(b'{"text": "')
        chunk = b"a" * 1_000_000
        for _ in range(50):
            handle.write(chunk)
        handle.write(b'"}\n')
    (skip,) = ingest(corpus, max_bytes=1_000_000)
    assert isinstance(skip, Skipped) and (skip.code, skip.line) == ("S010", 1)


def test_ingest_gz_bomb_of_many_small_lines_is_stopped(corpus: Path) -> None:
    # Each line is under the per-line cap, but the stream expands ~1000x overall.
    line = b'{"text": "a"' + b" " * 2000 + b"}\n"
    with gzip.open(corpus / "bomb.jsonl.gz", "wb", compresslevel=9) as handle:
        for _ in range(20):
            handle.write(line * 1000)
    records = ingest(corpus, max_bytes=10_000)
    assert isinstance(records[-1], Skipped) and records[-1].code == "S010"
    assert "compressed size" in records[-1].detail
    assert len(records) < 20_000


def test_ingest_not_gzip_at_all_is_s010(corpus: Path) -> None:
    (corpus / "fake.jsonl.gz").write_bytes(b"this is not gzip data")
    (skip,) = ingest(corpus)
    assert isinstance(skip, Skipped) and skip.code == "S010"


def test_ingest_jsonl_invalid_utf8_line_is_s003(corpus: Path) -> None:
    (corpus / "bytes.jsonl").write_bytes(b'{"text": "caf\xe9"}\n' + _line(text="Fine.").encode())
    skip, doc = ingest(corpus)
    assert isinstance(skip, Skipped) and (skip.code, skip.line) == ("S003", 1)
    assert isinstance(doc, Document) and doc.line == 2


def test_known_documents_keep_their_id_source_and_line_and_skip_the_cleaning(
    corpus: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What ``analyze`` reuses from the store is not cleaned again: same ids, sources and
    lines as a full ingest, and neither boilerplate nor metadata passes run for them."""
    from narrascope.ingest import IngestOptions, build, iter_documents

    texts = [ARTICLE, "\ufeffSecond story\u00a0about  the referendum.", "Lone \ud800 half.",
             "Third one, new.\nBy Jane Roe"]
    (corpus / "batch.jsonl").write_text(  # ASCII JSON: the lone surrogate as an escape
        "".join(json.dumps({"id": f"a{i}", "text": t, "outlet": "Wire"}) + "\n"
                for i, t in enumerate(texts)), encoding="utf-8")
    full = list(iter_documents([corpus], IngestOptions()))
    assert all(isinstance(d, Document) for d in full)
    stored = {d.doc_id for d in full[:3]}  # type: ignore[union-attr]
    cleaned: list[str] = []
    real = build.classify_lines
    monkeypatch.setattr(build, "classify_lines", lambda text: cleaned.append(text) or real(text))
    again = list(iter_documents([corpus], IngestOptions(known=stored.__contains__)))
    assert [(d.doc_id, d.source, d.line) for d in again] == [  # type: ignore[union-attr]
        (d.doc_id, d.source, d.line) for d in full]  # type: ignore[union-attr]
    assert cleaned == [texts[3]]  # only the unknown document was cleaned
    assert again[3] == full[3] and again[0].outlet is None  # type: ignore[union-attr]
