"""Plain text and Markdown files: exact text, sources, encodings, bad files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from narrascope.ingest import IngestOptions, doc_id, iter_documents
from narrascope.records import Document, Skipped

from ._helpers import ARTICLE, docs_of, ingest, skips_of


def test_ingest_txt_keeps_text_exactly_and_names_source_relative(corpus: Path) -> None:
    raw = ARTICLE.replace("\n", "\r\n")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.txt").write_bytes(raw.encode("utf-8"))
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document)
    assert doc.text == raw  # CRLF kept: spans index the file as read
    assert doc.source == "sub/a.txt"
    assert doc.encoding == "utf-8" and doc.notes == ()
    assert doc.line is None


def test_ingest_file_given_directly_is_named_by_its_file_name(corpus: Path) -> None:
    path = corpus / "one.md"
    path.write_text("# Heading\n\nSome *markdown* text about the vote.\n", encoding="utf-8")
    (doc,) = ingest(path)
    assert isinstance(doc, Document)
    assert doc.source == "one.md"
    assert doc.text.startswith("# Heading")


def test_ingest_utf8_bom_is_kept_as_one_character(corpus: Path) -> None:
    (corpus / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    (doc,) = docs_of(ingest(corpus))
    assert doc.text[0] == "\ufeff"
    assert doc.text[1:] == ARTICLE
    assert doc.doc_id == doc_id(ARTICLE)  # the BOM does not change the content id


@pytest.mark.parametrize(
    ("text", "codec", "expected_encoding"),
    [
        (
            "Le ministre a déclaré: « Nous ne céderons pas », a-t-il ajouté à Nouméa.",
            "latin-1",
            "iso-8859-1",
        ),
        (
            "“We will support you,” Aliyev said. The minister’s remarks were “insulting”.",
            "cp1252",
            "cp1252",
        ),
        ("Café crème — “très” bon, dit-elle.", "cp1252", "cp1252"),
    ],
)
def test_ingest_decodes_legacy_western_encodings_with_a_note(
    corpus: Path, text: str, codec: str, expected_encoding: str
) -> None:
    (corpus / "legacy.txt").write_bytes(text.encode(codec))
    (doc,) = docs_of(ingest(corpus))
    assert doc.text == text
    assert doc.encoding == expected_encoding
    assert doc.notes == (f"decoded as {expected_encoding} (charset-normalizer)",)


def test_ingest_decodes_utf16_with_bom_and_notes_it(corpus: Path) -> None:
    (corpus / "wide.txt").write_bytes(ARTICLE.encode("utf-16"))  # writes a BOM
    (doc,) = docs_of(ingest(corpus))
    assert doc.text == ARTICLE  # the BOM is consumed by decoding
    assert doc.encoding == "utf-16"
    assert doc.notes == ("decoded as utf-16 (byte-order mark)",)


def test_ingest_decodes_utf16_without_bom_by_its_nul_pattern(corpus: Path) -> None:
    (corpus / "wide.txt").write_bytes(ARTICLE.encode("utf-16-le"))
    (doc,) = docs_of(ingest(corpus))
    assert doc.text == ARTICLE
    assert doc.encoding == "utf-16-le"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "S001"),
        (b"  \n\t\r\n  ", "S001"),
        (b"\xef\xbb\xbf\n\n", "S001"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "S002"),
        (bytes(range(1, 9)) * 50 + b"some text", "S002"),
        (bytes(range(0x80, 0x100)) * 3, "S003"),
    ],
    ids=["empty", "whitespace", "bom-only", "binary-nul", "control-chars", "undecodable"],
)
def test_ingest_bad_text_files_are_skipped_with_a_reason(
    corpus: Path, content: bytes, code: str
) -> None:
    (corpus / "bad.txt").write_bytes(content)
    (corpus / "good.txt").write_text(ARTICLE, encoding="utf-8")
    records = ingest(corpus)
    (skip,) = skips_of(records)
    assert (skip.source, skip.code) == ("bad.txt", code)
    assert skip.detail
    assert [d.source for d in docs_of(records)] == ["good.txt"]  # the walk went on


def test_ingest_50mb_text_file_is_skipped_by_size_without_reading_it(corpus: Path) -> None:
    big = corpus / "big.txt"
    with big.open("wb") as handle:  # sparse: instant to create, 50 MB by stat
        handle.truncate(50_000_000)
    started = time.perf_counter()
    (skip,) = ingest(corpus)
    assert isinstance(skip, Skipped) and skip.code == "S004"
    assert "50000000" in skip.detail
    assert time.perf_counter() - started < 2


def test_ingest_max_bytes_option_caps_small_files_too(corpus: Path) -> None:
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (skip,) = ingest(corpus, max_bytes=10)
    assert isinstance(skip, Skipped) and skip.code == "S004"


def test_ingest_folder_ignores_sidecars_readmes_hidden_and_unknown_types(corpus: Path) -> None:
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "sources.csv").write_text("file,outlet,url,published,title\n", encoding="utf-8")
    (corpus / "sources.jsonl").write_text("", encoding="utf-8")
    (corpus / "README.md").write_text("# About this corpus\n", encoding="utf-8")
    (corpus / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "x.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (corpus / "data.csv").write_text("a,b\n", encoding="utf-8")
    assert [r.source for r in ingest(corpus)] == ["a.txt"]


def test_ingest_explicit_unsupported_or_missing_paths_are_skipped(corpus: Path) -> None:
    (corpus / "table.csv").write_text("a,b\n", encoding="utf-8")
    records = ingest(corpus / "table.csv", corpus / "missing.txt")
    assert [(r.source, r.code) for r in skips_of(records)] == [
        ("table.csv", "S007"),
        (str(corpus / "missing.txt"), "S008"),
    ]


def test_ingest_order_is_sorted_and_deterministic(corpus: Path) -> None:
    for name in ["b.txt", "a/z.txt", "a/b.md", "c.txt", "A.txt"]:
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{name}: {ARTICLE}", encoding="utf-8")
    first = ingest(corpus)
    assert [r.source for r in first] == ["A.txt", "a/b.md", "a/z.txt", "b.txt", "c.txt"]
    assert ingest(corpus) == first


def test_ingest_same_article_in_two_files_gets_one_doc_id(corpus: Path) -> None:
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "b.txt").write_text(
        "  " + ARTICLE.replace("\n", "\r\n").replace(" ", "  "), encoding="utf-8"
    )
    (corpus / "c.txt").write_text(ARTICLE + "Another sentence.\n", encoding="utf-8")
    a, b, c = docs_of(ingest(corpus))
    assert a.doc_id == b.doc_id != c.doc_id
    assert len(a.doc_id) == 16 and int(a.doc_id, 16) >= 0


def test_ingest_doc_id_normalises_unicode_composition() -> None:
    composed, decomposed = "Gérald Darmanin", "Ge\u0301rald Darmanin"
    assert doc_id(composed) == doc_id(decomposed)


def test_ingest_is_a_lazy_generator(corpus: Path) -> None:
    for i in range(3):
        (corpus / f"{i}.txt").write_text(f"{i} {ARTICLE}", encoding="utf-8")
    stream = iter_documents([corpus], IngestOptions())
    first = next(stream)
    assert isinstance(first, Document) and first.source == "0.txt"


def test_ingest_options_reject_a_non_positive_cap() -> None:
    from narrascope.errors import OptionInvalid

    with pytest.raises(OptionInvalid, match="E006"):
        IngestOptions(max_bytes=0)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_ingest_folder_skips_special_files_without_blocking(corpus: Path) -> None:
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert [r.source for r in ingest(corpus)] == ["a.txt"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any folder")
def test_ingest_unreadable_subfolder_is_s008(corpus: Path) -> None:
    (corpus / "locked").mkdir()
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "locked").chmod(0)
    try:
        records = ingest(corpus)
    finally:
        (corpus / "locked").chmod(0o755)
    assert [(r.source, r.code) for r in skips_of(records)] == [("locked", "S008")]
    assert [d.source for d in docs_of(records)] == ["a.txt"]
