"""HTML pages: trafilatura extraction, metadata, broken pages."""

from __future__ import annotations

from pathlib import Path

from narrascope.records import Document, Skipped

from ._helpers import ingest

PAGE = """<!DOCTYPE html><html><head><title>Minister rejects claims - Example News</title>
<meta property="og:site_name" content="Example News"><meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2024-05-16T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Minister rejects claims</h1>
<p>The minister said on Thursday that the accusations were “baseless” and would be answered in parliament.</p>
<p>“We have nothing to hide,” she told reporters in the capital, adding that an inquiry would follow.</p>
</article><div id="comments"><p>Great article! Totally agree with the minister here.</p></div>
<footer>Subscribe to our newsletter</footer></body></html>"""


def test_ingest_html_extracts_article_text_and_metadata(corpus: Path) -> None:
    (corpus / "page.html").write_text(PAGE, encoding="utf-8")
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document)
    assert "“We have nothing to hide,” she told reporters" in doc.text
    assert "Home" not in doc.text and "newsletter" not in doc.text
    assert (doc.title, doc.author, doc.outlet) == (
        "Minister rejects claims",
        "Jane Roe",
        "Example News",
    )
    assert (doc.published, doc.published_precision) == ("2024-05-16", "day")
    assert doc.source == "page.html"


def test_ingest_html_sidecar_wins_over_page_metadata(corpus: Path) -> None:
    (corpus / "page.htm").write_text(PAGE, encoding="utf-8")
    (corpus / "sources.csv").write_text(
        "file,outlet,url,published,title\npage.htm,The Outlet,https://example.org/a,2024-05,\n",
        encoding="utf-8",
    )
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document)
    assert (doc.outlet, doc.url, doc.published, doc.published_precision) == (
        "The Outlet",
        "https://example.org/a",
        "2024-05",
        "month",
    )
    assert doc.title == "Minister rejects claims"  # sidecar title empty: the page fills it


def test_ingest_truncated_html_still_yields_its_text(corpus: Path) -> None:
    cut = PAGE[: PAGE.index("would be answered")]
    (corpus / "cut.html").write_text(cut, encoding="utf-8")
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document)
    assert "accusations were “baseless” and" in doc.text


def test_ingest_html_without_article_text_is_s005(corpus: Path) -> None:
    (corpus / "empty.html").write_text(
        "<html><head><title>x</title></head><body></body></html>", encoding="utf-8"
    )
    (corpus / "tags.html").write_text("<html><body><div><span></span></div>", encoding="utf-8")
    records = ingest(corpus)
    assert [(r.source, r.code) for r in records if isinstance(r, Skipped)] == [
        ("empty.html", "S005"),
        ("tags.html", "S005"),
    ]


def test_ingest_html_declared_legacy_charset_is_honoured(corpus: Path) -> None:
    page = PAGE.replace("<head>", '<head><meta charset="windows-1252">')
    (corpus / "legacy.html").write_bytes(page.encode("cp1252"))
    (doc,) = ingest(corpus)
    assert isinstance(doc, Document)
    assert "“baseless”" in doc.text
    assert doc.encoding == "cp1252"
    assert "decoded as cp1252 (declared in HTML)" in doc.notes
