"""JSON Lines archives (``.jsonl``, ``.jsonl.gz``): one article per line, streamed.

Memory stays bounded whatever the file size: lines are read with a length cap, and a
gzip stream is also bounded overall against decompression bombs. Every bad line becomes
one Skipped record and reading goes on; a corrupt or truncated gzip stream ends the file
with S010 after the lines read before the damage.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from narrascope.ingest.build import make_document
from narrascope.ingest.html import extract_html
from narrascope.ingest.options import IngestOptions
from narrascope.records import Document, Skipped

RECORD_FIELDS = ("outlet", "url", "published", "title", "author")
# A gzip stream may expand to at most this many times its compressed size (plus one
# record's worth): text compresses 3-10x, a zip bomb ~1000x.
MAX_GZIP_RATIO = 100
_SKIP_CHUNK = 1 << 20


def open_input(path: Path, source: str) -> tuple[io.BufferedReader, int] | Skipped:
    """Open an input file for streaming: its handle and on-disk (compressed) size, or why not."""
    try:
        handle = path.open("rb")
        return handle, path.stat().st_size
    except OSError as exc:
        return Skipped(source, "S008", f"could not open: {exc}")


def iter_jsonl(
    path: Path,
    source: str,
    opts: IngestOptions,
    sidecar: Mapping[str, Any] | None = None,
) -> Iterator[Document | Skipped]:
    """Documents (``line`` = 1-based line number) and Skipped records of one JSONL file."""
    gz = path.name.lower().endswith(".gz")
    opened = open_input(path, source)
    if isinstance(opened, Skipped):
        yield opened
        return
    handle, compressed = opened
    with handle:
        stream: io.BufferedIOBase = gzip.GzipFile(fileobj=handle, mode="rb") if gz else handle
        budget = opts.max_bytes + MAX_GZIP_RATIO * compressed
        total = 0
        n = 0
        while True:
            try:
                raw = stream.readline(opts.max_bytes + 1)
            except (EOFError, OSError, zlib.error) as exc:
                code = "S010" if gz else "S008"
                yield Skipped(source, code, f"stream broken after line {n}: {exc}", line=n + 1)
                return
            if not raw:
                return
            n += 1
            total += len(raw)
            if len(raw) > opts.max_bytes and not raw.endswith(b"\n"):
                if gz:
                    yield Skipped(
                        source,
                        "S010",
                        f"line expands past {opts.max_bytes} bytes; stopped reading this file",
                        line=n,
                    )
                    return
                yield Skipped(source, "S004", f"line is longer than {opts.max_bytes} bytes", line=n)
                _skip_rest_of_line(stream)
                continue
            if gz and total > budget:
                yield Skipped(
                    source,
                    "S010",
                    f"decompressed {total} bytes, over {MAX_GZIP_RATIO}x the compressed size; stopped reading",
                    line=n,
                )
                return
            if raw.strip():
                yield _record(raw, n, source, opts, sidecar)


def _skip_rest_of_line(stream: io.BufferedIOBase) -> None:
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _record(
    raw: bytes, n: int, source: str, opts: IngestOptions, sidecar: Mapping[str, Any] | None
) -> Document | Skipped:
    try:
        line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return Skipped(
            source, "S003", f"line is not UTF-8: {exc.reason} at byte {exc.start}", line=n
        )
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Skipped(source, "S006", f"not valid JSON: {exc.msg} (column {exc.colno})", line=n)
    except RecursionError:  # e.g. "[[[[...": json recurses once per level
        return Skipped(source, "S006", "JSON nested too deeply", line=n)
    if not isinstance(obj, dict):
        return Skipped(source, "S006", f"a JSON {type(obj).__name__}, not an object", line=n)
    found = {
        k: obj[k] for k in RECORD_FIELDS if isinstance(obj.get(k), (str, int)) and obj.get(k) != ""
    }
    notes: tuple[str, ...] = ()
    if obj.get("id") not in (None, ""):
        notes = (f"record id {str(obj['id'])[:200]}",)
    # Sidecar rows describe the whole file here, so record fields win and it fills gaps.
    merged = {**(sidecar or {}), **{k: str(v) for k, v in found.items()}}
    text, html = obj.get("text"), obj.get("html")
    if isinstance(text, str) and text.strip():
        return make_document(text, source, opts, line=n, notes=notes, found=merged)
    if isinstance(html, str) and html.strip():
        url = merged.get("url")
        extracted = extract_html(html, url=url if isinstance(url, str) else None)
        if extracted is None:
            return Skipped(source, "S005", "the record's HTML yielded no article text", line=n)
        return make_document(
            extracted.text,
            source,
            opts,
            line=n,
            notes=notes + extracted.notes,
            found={**extracted.meta, **merged},
        )
    if isinstance(text, str) or isinstance(html, str):
        return Skipped(source, "S001", "the record's text is empty", line=n)
    return Skipped(source, "S006", "no string 'text' or 'html' field", line=n)
