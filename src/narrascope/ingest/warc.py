"""WARC archives (``.warc``, ``.warc.gz``): one Document per archived HTML or text response.

Streamed record by record with warcio, memory bounded whatever the archive size:

* a record body is read with a cap (``max_bytes``; a bigger one is S004 and skipped);
* header lines are read with a cap (warcio's own reader has none), so one endless
  header line cannot fill memory;
* for ``.warc.gz``, everything decompressed (bodies skipped included) counts against a
  budget of ``max_bytes + MAX_GZIP_RATIO x`` the compressed size, against
  decompression bombs; past it, reading stops with S010.

A damaged archive ends with S010 (gz) or S006 after the records read before the
damage. ``line`` is the record's 1-based position among all records of the archive.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from narrascope.ingest.build import make_document
from narrascope.ingest.decode import Undecodable, decode_bytes
from narrascope.ingest.html import extract_html
from narrascope.ingest.jsonl import MAX_GZIP_RATIO, open_input
from narrascope.ingest.options import IngestOptions
from narrascope.records import Document, Skipped

MAX_HEADER_LINE = 64_000
# Compressed bytes per read: warcio inflates a whole block at once, so one block of a
# bomb can become ~1000x its size in memory; 2 KiB keeps that near 2 MB.
_GZ_BLOCK = 2048
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class _BudgetExceeded(Exception):
    pass


class _Truncated(Exception):
    pass


def _bounded_reader(fileobj: Any, budget: int | None) -> Any:
    """warcio's DecompressingBufferedReader with capped lines and a decompressed-bytes budget."""
    from warcio.bufferedreaders import DecompressingBufferedReader

    class Bounded(DecompressingBufferedReader):
        total = 0

        def _count(self, data: bytes) -> bytes:
            self.total += len(data)
            if budget is not None and self.total > budget:
                raise _BudgetExceeded(self.total)
            return data

        def read(self, length: int | None = None) -> bytes:
            return self._count(super().read(length))

        def readline(self, length: int | None = None) -> bytes:
            cap = MAX_HEADER_LINE if length is None else min(length, MAX_HEADER_LINE)
            return self._count(super().readline(cap))

        def close_decompressor(self) -> None:
            # warcio ends quietly on a gzip member cut short; remember that it was.
            d = self.decompressor
            if d is not None and self.num_block_read > 0 and not getattr(d, "eof", True):
                self.cut_short = True
            super().close_decompressor()

    Bounded.cut_short = False

    return Bounded(fileobj, block_size=_GZ_BLOCK)


def iter_warc(
    path: Path,
    source: str,
    opts: IngestOptions,
    sidecar: Mapping[str, Any] | None = None,
) -> Iterator[Document | Skipped]:
    """Documents (and Skipped records) of one WARC file."""
    from warcio.archiveiterator import ArchiveIterator

    gz = path.name.lower().endswith(".gz")
    opened = open_input(path, source)
    if isinstance(opened, Skipped):
        yield opened
        return
    handle, compressed = opened
    budget = opts.max_bytes + MAX_GZIP_RATIO * compressed if gz else None
    n = 0
    with handle:
        try:
            archive = ArchiveIterator(handle)
            archive.reader = reader = _bounded_reader(archive.fh, budget)
            for record in archive:
                n += 1
                item = _record(record, n, source, opts, sidecar)
                if item is not None:
                    yield item
            if getattr(reader, "cut_short", False):
                yield Skipped(source, "S010", f"archive truncated after record {n}", line=n + 1)
        except _Truncated:
            yield Skipped(source, "S010" if gz else "S006", f"archive truncated in record {n}",
                          line=n)
        except _BudgetExceeded:
            yield Skipped(
                source, "S010",
                f"decompressed past {MAX_GZIP_RATIO}x the compressed size after record {n}; "
                "stopped reading", line=n + 1,
            )
        except Exception as exc:  # warcio raises many types on damaged archives
            code = "S010" if gz else "S006"
            yield Skipped(
                source, code,
                f"archive broken after record {n}: {type(exc).__name__}: {exc}"[:500], line=n + 1,
            )


def _record(
    record: Any, n: int, source: str, opts: IngestOptions, sidecar: Mapping[str, Any] | None
) -> Document | Skipped | None:
    """One record as a Document, a Skipped, or None for records that hold no article."""
    rtype = record.rec_type
    if rtype not in ("response", "resource"):
        return None  # request, metadata, warcinfo, revisit...: nothing to read
    url = record.rec_headers.get_header("WARC-Target-URI")
    if rtype == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if not str(status).startswith("2"):
            return None
        ctype = record.http_headers.get_header("Content-Type") or ""
    else:
        ctype = record.rec_headers.get_header("Content-Type") or ""
    mime = ctype.split(";", 1)[0].strip().lower()
    if mime not in (*_HTML_TYPES, "text/plain"):
        return None
    stream = record.content_stream()
    data = stream.read(opts.max_bytes + 1)
    if len(data) > opts.max_bytes:
        return Skipped(source, "S004", f"record over the {opts.max_bytes}-byte limit", line=n)
    if getattr(record.raw_stream, "limit", 0) > 0:
        # The archive ended before the record's Content-Length: never keep half a page.
        raise _Truncated(n)
    decoded = decode_bytes(data, html=mime != "text/plain")
    if isinstance(decoded, Undecodable):
        return Skipped(source, decoded.code, decoded.detail, line=n)
    found: dict[str, Any] = {"url": url} if url else {}
    notes = list(decoded.notes)
    crawled = record.rec_headers.get_header("WARC-Date")
    if crawled:
        notes.append(f"archived {crawled[:40]}")
    merged = {**(sidecar or {}), **found}
    if mime == "text/plain":
        return make_document(decoded.text, source, opts, line=n, encoding=decoded.encoding,
                             notes=tuple(notes), found=merged)
    extracted = extract_html(decoded.text, url=url)
    if extracted is None:
        return Skipped(source, "S005", "no article text found in the archived page", line=n)
    return make_document(
        extracted.text, source, opts, line=n, encoding=decoded.encoding,
        notes=tuple(notes) + extracted.notes, found={**extracted.meta, **merged},
    )
