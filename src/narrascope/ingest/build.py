"""Turning decoded text plus metadata into a Document: ids, body ranges, precedence."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from narrascope.ingest.boilerplate import classify_lines, ranges_of
from narrascope.ingest.dates import Precision, normalise_date
from narrascope.ingest.options import IngestOptions
from narrascope.ingest.textmeta import text_metadata
from narrascope.records import Document, Skipped

# Lone UTF-16 surrogates are not text: JSON escapes (``"\ud800"``) and loose feed
# parsing can produce them, and they cannot be encoded, hashed or stored.
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(value: str) -> str:
    """``value`` with each lone surrogate replaced by U+FFFD (same length: offsets hold)."""
    return _SURROGATE.sub("\ufffd", value)


def doc_id(text: str) -> str:
    """Content id: sha1 of the NFC text with whitespace runs collapsed, first 16 hex chars.

    U+FEFF (a byte-order mark kept in the text) counts as whitespace here, so the same
    article saved as UTF-8-with-BOM and as UTF-16 gets one id.
    """
    normal = " ".join(unicodedata.normalize("NFC", text).replace("\ufeff", " ").split())
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()[:16]


def make_document(
    text: str,
    source: str,
    opts: IngestOptions,
    *,
    line: int | None = None,
    encoding: str = "utf-8",
    notes: tuple[str, ...] = (),
    sidecar: Mapping[str, Any] | None = None,
    found: Mapping[str, Any] | None = None,
) -> Document | Skipped:
    """A Document from ``text`` (kept exactly), or Skipped S001/S009.

    Metadata precedence per field: ``sidecar`` (sources.csv) > ``found`` (JSONL record
    fields, HTML metadata) > what the text's byline/dateline says.
    """
    if not text.replace("\ufeff", "").strip():
        return Skipped(source, "S001", "no text", line=line)
    notes_list = [without_surrogates(n) for n in notes]
    if _SURROGATE.search(text):
        text = without_surrogates(text)
        notes_list.append("unpaired surrogate code points replaced by U+FFFD")
    ident = doc_id(text)
    if opts.known is not None and opts.known(ident):
        # the caller reuses its stored analysis of this text: nothing else is read
        return Document(doc_id=ident, source=source, text=text, line=line,
                        encoding=encoding, notes=tuple(notes_list))
    body: tuple[tuple[int, int], ...] = ()
    if opts.strip_boilerplate:
        lines = classify_lines(text)
        body = ranges_of(lines)
        if body == ((0, 0),):
            return Skipped(
                source,
                "S009",
                "every line is boilerplate (navigation, byline, credit...)",
                line=line,
            )
    sidecar = sidecar or {}
    found = found or {}

    def pick(field: str) -> str | None:
        for meta in (sidecar, found):
            value = meta.get(field)
            if value is not None and str(value).strip():
                return without_surrogates(str(value).strip())
        return None

    published: str | None = None
    precision: Precision | None = None
    for origin, meta in (("sources sidecar", sidecar), ("source metadata", found)):
        value = meta.get("published")
        if value is None or not str(value).strip():
            continue
        parsed = normalise_date(without_surrogates(str(value)))
        if parsed:
            published, precision = parsed
            break
        notes_list.append(f"ignored unreadable date {str(value)[:40]!r} from {origin}")
    author = pick("author")
    if published is None or author is None:
        from_text = text_metadata(text)
        author = author or from_text.author
        if published is None and from_text.published:
            published, precision = from_text.published, from_text.precision
            notes_list.append(f"published date from the text ({from_text.date_from})")
    return Document(
        doc_id=ident,
        source=source,
        text=text,
        line=line,
        title=pick("title"),
        outlet=pick("outlet"),
        url=pick("url"),
        published=published,
        published_precision=precision,
        author=author,
        encoding=encoding,
        body=body,
        notes=tuple(notes_list),
    )
