"""Feed files (RSS/Atom) and WARC archives: one Document per entry/record, bounded reading."""

from __future__ import annotations

import gzip
import io
import tracemalloc
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from narrascope.records import Document, Skipped

from ._helpers import docs_of, ingest, skips_of

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour News</title>
<item><title>Port strike enters second week</title><link>https://harbour.example/strike</link>
<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate><author>desk@harbour.example (Ana Lopes)</author>
<description>Teaser only.</description>
<content:encoded><![CDATA[<p>Dock workers stayed off the job on Monday.</p>
<p>&#8220;We will not go back,&#8221; said Marta Silva.</p><script>alert(1)</script>]]></content:encoded></item>
<item><title>Ferry timetable</title><link>https://harbour.example/ferry</link>
<description>&lt;p&gt;Ferries run every hour from June.&lt;/p&gt;</description></item>
<item><title>Empty</title><link>https://harbour.example/empty</link></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast Wire</title>
<entry><title>Talks resume</title><link href="https://coast.example/talks"/>
<updated>2024-05-09T08:00:00Z</updated>
<content type="html">&lt;p&gt;Talks between the union and the operators resumed on Thursday.&lt;/p&gt;</content>
</entry></feed>
"""


def test_rss_file_gives_one_document_per_entry_with_metadata(corpus: Path) -> None:
    (corpus / "harbour.rss").write_text(RSS, encoding="utf-8")
    records = ingest(corpus)
    docs = docs_of(records)
    assert [d.line for d in docs] == [1, 2]
    first, second = docs
    assert first.source == "harbour.rss" and first.outlet == "Harbour News"
    assert first.url == "https://harbour.example/strike" and first.published == "2024-05-06"
    # content:encoded wins over the teaser; script text is dropped; entities decoded.
    assert first.text == "Dock workers stayed off the job on Monday.\n“We will not go back,” said Marta Silva."
    assert second.text == "Ferries run every hour from June."
    [empty] = skips_of(records)
    assert (empty.code, empty.line) == ("S001", 3)


def test_atom_file_and_explicit_xml_file_are_read_as_feeds(tmp_path: Path) -> None:
    (tmp_path / "wire.atom").write_text(ATOM, encoding="utf-8")
    (tmp_path / "wire.xml").write_text(ATOM, encoding="utf-8")
    for name in ("wire.atom", "wire.xml"):
        [doc] = ingest(tmp_path / name)
        assert isinstance(doc, Document)
        assert doc.text.startswith("Talks between the union") and doc.published == "2024-05-09"
        assert doc.outlet == "Coast Wire" and doc.url == "https://coast.example/talks"


def test_feed_file_never_fetches_entry_links(corpus: Path) -> None:
    (corpus / "harbour.rss").write_text(RSS, encoding="utf-8")
    docs = docs_of(ingest(corpus))
    assert not any("fetched" in n or "page" in n for d in docs for n in d.notes)


def test_broken_feed_file_is_skipped_s006(corpus: Path) -> None:
    (corpus / "a.rss").write_bytes(b"\x00\x01 not xml at all <<<")
    (corpus / "b.rss").write_text("<rss><channel><title>x</title></channel></rss>")
    skips = skips_of(ingest(corpus))
    assert [(s.source, s.code) for s in skips] == [("a.rss", "S006"), ("b.rss", "S006")]


def test_feed_with_an_external_entity_does_not_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><title>t</title><item><title>i</title>"
        "<description>before &x; after the entity</description></item></channel></rss>"
    )
    (tmp_path / "x.rss").write_text(xxe)
    records = ingest(tmp_path / "x.rss")
    assert all("TOP-SECRET" not in (r.text if isinstance(r, Document) else r.detail)
               for r in records)


# -- WARC -------------------------------------------------------------------------------

PAGE = (
    "<html><head><title>Strike</title></head><body><article><p>Dock workers stayed off the "
    "job on Monday as talks with the operators stalled, union officials said.</p><p>The "
    "operators said cargo was being diverted to other ports.</p></article></body></html>"
)


def _warc(records: list[tuple[str, str, str, bytes, str]], *, gz: bool) -> bytes:
    """(type, uri, content type, payload, http status) -> WARC bytes."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for rtype, uri, ctype, payload, status in records:
        if rtype == "response":
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload),
                                            http_headers=http)
        else:
            rec = writer.create_warc_record(uri, rtype, payload=io.BytesIO(payload),
                                            warc_content_type=ctype)
        writer.write_record(rec)
    return buf.getvalue()


ARCHIVE = [
    ("warcinfo", "", "application/warc-fields", b"software: test\r\n", ""),
    ("request", "https://harbour.example/strike", "application/http", b"GET / HTTP/1.1\r\n\r\n", ""),
    ("response", "https://harbour.example/strike", "text/html; charset=utf-8", PAGE.encode(), "200 OK"),
    ("response", "https://harbour.example/missing", "text/html", b"<p>not found</p>", "404 Not Found"),
    ("response", "https://harbour.example/logo.png", "image/png", b"\x89PNG\r\n", "200 OK"),
    ("resource", "https://harbour.example/notes.txt", "text/plain", b"Ferries run every hour.\n", ""),
]


def test_warc_and_warc_gz_give_documents_for_html_and_text_responses(tmp_path: Path) -> None:
    for name, gz in (("crawl.warc", False), ("crawl.warc.gz", True)):
        (tmp_path / name).write_bytes(_warc(ARCHIVE, gz=gz))
        records = ingest(tmp_path / name)
        assert not skips_of(records), records
        page, notes = docs_of(records)
        assert page.url == "https://harbour.example/strike" and page.line == 3
        assert page.text.startswith("Dock workers stayed off the job")
        assert any(n.startswith("archived ") for n in page.notes)
        assert notes.text == "Ferries run every hour.\n" and notes.line == 6


def test_warc_record_over_the_size_cap_is_skipped_and_the_next_is_read(tmp_path: Path) -> None:
    big = ("response", "https://x.example/big", "text/html", b"<p>" + b"a " * 40_000 + b"</p>", "200 OK")
    (tmp_path / "c.warc.gz").write_bytes(_warc([big, ARCHIVE[5]], gz=True))
    records = ingest(tmp_path / "c.warc.gz", max_bytes=20_000)
    assert [(type(r).__name__, r.line) for r in records] == [("Skipped", 1), ("Document", 2)]
    assert isinstance(records[0], Skipped) and records[0].code == "S004"


def test_warc_gz_decompression_bomb_stops_with_s010_in_bounded_memory(tmp_path: Path) -> None:
    bomb = ("resource", "https://x.example/zeros", "text/plain", b"\0" * 60_000_000, "")
    data = _warc([ARCHIVE[5], bomb, ARCHIVE[5]], gz=True)
    assert len(data) < 200_000  # a bomb: ~60 MB from well under 1 MB
    (tmp_path / "bomb.warc.gz").write_bytes(data)
    tracemalloc.start()
    try:
        records = ingest(tmp_path / "bomb.warc.gz", max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(records[0], Document)
    assert isinstance(records[-1], Skipped) and records[-1].code == "S010"
    assert peak < 20_000_000  # far below the 60 MB the record expands to


def test_truncated_warc_gz_keeps_records_before_the_damage(tmp_path: Path) -> None:
    data = _warc(ARCHIVE, gz=True)
    (tmp_path / "cut.warc.gz").write_bytes(data[: int(len(data) * 0.8)])
    records = ingest(tmp_path / "cut.warc.gz")
    assert isinstance(records[0], Document)
    assert isinstance(records[-1], Skipped) and records[-1].code == "S010"


def test_warc_with_an_endless_header_line_is_skipped_without_reading_it_whole(tmp_path: Path) -> None:
    raw = b"WARC/1.0\r\nWARC-Type: response\r\nX-Junk: " + b"a" * 50_000_000
    (tmp_path / "junk.warc").write_bytes(raw)
    (tmp_path / "junk.warc.gz").write_bytes(gzip.compress(raw))
    for name in ("junk.warc", "junk.warc.gz"):
        tracemalloc.start()
        try:
            records = ingest(tmp_path / name)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert [type(r).__name__ for r in records] == ["Skipped"]
        assert peak < 25_000_000, peak  # the line alone is 50 MB


def test_folder_walk_picks_up_feeds_and_warcs(corpus: Path) -> None:
    (corpus / "a.rss").write_text(RSS, encoding="utf-8")
    (corpus / "b.warc.gz").write_bytes(_warc(ARCHIVE, gz=True))
    (corpus / "c.xml").write_text(ATOM)  # .xml only when named explicitly
    sources = {d.source for d in docs_of(ingest(corpus))}
    assert sources == {"a.rss", "b.warc.gz"}


def test_warc_cut_inside_a_page_never_yields_half_the_page(tmp_path: Path) -> None:
    page = ARCHIVE[2]
    for name, gz in (("cut.warc", False), ("cut.warc.gz", True)):
        data = _warc([ARCHIVE[5], page], gz=gz)
        (tmp_path / name).write_bytes(data[:-120])
        records = ingest(tmp_path / name)
        assert isinstance(records[0], Document) and records[0].line == 1
        assert [type(r).__name__ for r in records[1:]] == ["Skipped"], records
        assert isinstance(records[-1], Skipped) and records[-1].line == 2
