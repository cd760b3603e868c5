"""Coverage-guided fuzzing of the ingest parsers with atheris (libFuzzer for Python).

Not part of the test suite (atheris is not a project dependency). Run it from a separate
virtualenv that has atheris and narrascope installed::

    python fuzz/atheris_ingest.py --make-seeds /tmp/ns-fuzz-corpus
    python fuzz/atheris_ingest.py /tmp/ns-fuzz-corpus -max_total_time=600 -print_final_stats=1

The first input byte picks a reader (bytes decoding, text, HTML, JSONL, JSONL.gz, feed,
WARC, WARC.gz, HTML fragments); the rest is the file. A finding is any exception that
escapes a reader, or a broken invariant: every record is a Document or a Skipped, body
ranges lie inside the text, in order and disjoint, ``doc_id`` is the content hash, and
reading the same bytes twice gives the same records.
"""

from __future__ import annotations

import gzip
import io
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["narrascope", "feedparser", "warcio"]):
    import feedparser  # noqa: F401  (imported lazily by narrascope; instrument it here)
    import warcio.archiveiterator  # noqa: F401

    from narrascope.ingest import IngestOptions, doc_id, iter_documents
    from narrascope.ingest.decode import Decoded, Undecodable, decode_bytes
    from narrascope.ingest.feeds import html_fragment_text
    from narrascope.records import Document, Skipped

OPTS = IngestOptions(max_bytes=1_000_000)
WORKDIR = Path(tempfile.mkdtemp(prefix="ns-atheris-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
# (file name, gzip the payload first?)
READERS = [
    ("doc.txt", False), ("page.html", False), ("lines.jsonl", False), ("lines.jsonl.gz", True),
    ("feed.rss", False), ("crawl.warc", False), ("crawl.warc.gz", True), ("raw.jsonl.gz", False),
]


def _check(records: list[Document | Skipped]) -> None:
    for r in records:
        if isinstance(r, Skipped):
            assert r.code.startswith("S") and r.source, r
            continue
        assert isinstance(r, Document), type(r)
        assert r.text.replace("\ufeff", "").strip(), "a Document with no text"
        assert r.doc_id == doc_id(r.text)
        last = 0
        for start, end in r.body:
            assert last <= start <= end <= len(r.text), (r.body, len(r.text))
            last = end


def _read(name: str, payload: bytes) -> list[Document | Skipped]:
    path = WORKDIR / name
    path.write_bytes(payload)
    return list(iter_documents([path], OPTS))


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    choice, body = data[0], data[1:]
    if choice % 10 == 8:
        decoded = decode_bytes(body, html=bool(choice & 0x80))
        assert isinstance(decoded, (Decoded, Undecodable))
        if isinstance(decoded, Decoded):
            assert decode_bytes(body, html=bool(choice & 0x80)) == decoded
        return
    if choice % 10 == 9:
        text = body.decode("utf-8", "replace")
        assert html_fragment_text(text) == html_fragment_text(text)
        return
    name, compress = READERS[choice % 10 % len(READERS)]
    payload = gzip.compress(body, mtime=0) if compress else body
    first = _read(name, payload)
    _check(first)
    if choice & 0x40:  # determinism, on a share of inputs (it doubles the cost)
        assert _read(name, payload) == first


def make_seeds(folder: Path) -> None:
    """A few valid inputs per reader, so the fuzzer starts inside the formats."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True, exist_ok=True)
    article = "Minister rejects claims\n\nThe minister said on 3 May that “nothing” changed.\n"
    html = f"<html><head><title>T</title></head><body><article><p>{article}</p></article></body></html>"
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title><item>'
        "<title>A</title><link>https://example.org/a</link><pubDate>Mon, 06 May 2024 10:00:00 GMT"
        f"</pubDate><description>&lt;p&gt;{article}&lt;/p&gt;</description></item></channel></rss>"
    )
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "https://example.org/a", "response", payload=io.BytesIO(html.encode()), http_headers=headers))
    seeds = {
        0: article.encode("utf-8"), 1: html.encode(), 2: ('{{"text": "{}"}}\n'.format(article.replace("\n", "\\n"))).encode(),
        3: b'{"html": "<p>Hello there, said the man.</p>"}\n', 4: feed.encode(), 5: buf.getvalue(),
        6: buf.getvalue(), 8: article.encode("utf-16"), 9: html.encode(),
    }
    for choice, body in seeds.items():
        (folder / f"seed-{choice}").write_bytes(bytes([choice]) + body)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--make-seeds":
        make_seeds(Path(sys.argv[2]))
        return
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
