"""RSS and Atom feeds (files or fetched URLs) -> one Document per entry, via feedparser.

feedparser is only ever given bytes in a stream, never a string: given a string it
would open URLs and files by itself, outside our fetch policy. Its XML parser does not
resolve external entities. An entry's ``line`` is its 1-based position in the feed.

An entry's text is its full content (``content:encoded``, Atom ``content``), else its
summary. For a feed read from a URL, the entry's link is fetched too (through the same
``Fetcher``, so with the same checks) and wins when it yields article text: feeds often
carry only a teaser. A feed file never causes network access.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from typing import Any, Protocol

from narrascope.ingest.build import make_document
from narrascope.ingest.decode import Undecodable, decode_bytes
from narrascope.ingest.html import extract_html
from narrascope.ingest.options import IngestOptions
from narrascope.records import Document, Skipped

LOGGER = logging.getLogger(__name__)

FEED_MIME_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/xml", "text/xml", "application/feed+xml",
})
# Safety net on a feed's entries (max_bytes already bounds the feed itself).
MAX_ENTRIES = 10_000
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "tr", "table", "section", "article", "header", "footer", "pre", "hr",
})


class PageSource(Protocol):
    """What a feed needs to fetch entry links: ``ingest.fetch.Fetcher`` fits."""

    def fetch(self, url: str) -> Any: ...


def looks_like_feed(data: bytes) -> bool:
    """Cheap sniff: an XML document whose root is ``rss``, ``feed`` or ``rdf:RDF``."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))
    return False


def iter_feed(
    data: bytes,
    source: str,
    opts: IngestOptions,
    sidecar: Mapping[str, Any] | None = None,
    fetcher: PageSource | None = None,
) -> Iterator[Document | Skipped]:
    """Documents (and Skipped entries) of one feed's bytes."""
    import feedparser  # only when a feed is met

    try:
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    except Exception as exc:  # feedparser wraps most trouble in ``bozo``, not all of it
        yield Skipped(source, "S006", f"not a readable feed: {type(exc).__name__}: {exc}"[:500])
        return
    entries = list(parsed.get("entries") or [])
    if not entries:
        reason = parsed.get("bozo_exception")
        detail = f"not a feed or no entries ({type(reason).__name__}: {reason})" if reason else (
            "feed has no entries"
        )
        yield Skipped(source, "S006", str(detail)[:500])
        return
    outlet = _clean(parsed.get("feed", {}).get("title"))
    for n, entry in enumerate(entries[:MAX_ENTRIES], start=1):
        yield _entry_document(entry, n, source, opts, sidecar, outlet, fetcher)
    if len(entries) > MAX_ENTRIES:
        yield Skipped(source, "S004", f"feed has {len(entries)} entries; read the first {MAX_ENTRIES}")


def _entry_document(
    entry: dict[str, Any],
    n: int,
    source: str,
    opts: IngestOptions,
    sidecar: Mapping[str, Any] | None,
    outlet: str | None,
    fetcher: PageSource | None,
) -> Document | Skipped:
    link = _clean(entry.get("link"))
    found = {
        "title": _clean(entry.get("title")),
        "url": link,
        # dict.get: feedparser maps a missing "updated" to "published" with a warning
        "published": _clean(dict.get(entry, "published") or dict.get(entry, "updated")),
        "author": _clean(entry.get("author")),
        "outlet": outlet,
    }
    meta: dict[str, Any] = {k: v for k, v in found.items() if v}
    # Sidecar rows describe the whole feed, so entry fields win and it fills gaps.
    merged = {**(sidecar or {}), **meta}
    notes: list[str] = []
    if fetcher is not None and link and link.lower().startswith(("http://", "https://")):
        page = _fetch_page(fetcher, link)
        if isinstance(page, str):
            notes.append(page)
        else:
            text, page_meta, page_notes = page
            return make_document(
                text, source, opts, line=n, notes=(*page_notes, f"entry {n} page fetched"),
                found={**page_meta, **merged},
            )
    body = _entry_body(entry)
    if body is None:
        return Skipped(source, "S001", "feed entry has no content or summary", line=n)
    text = body
    return make_document(text, source, opts, line=n, notes=tuple(notes), found=merged)


def _fetch_page(
    fetcher: PageSource, url: str
) -> tuple[str, dict[str, str], tuple[str, ...]] | str:
    """(text, metadata, notes) of an entry's page, or a note saying why not."""
    from narrascope.ingest.fetch import Fetched

    got = fetcher.fetch(url)
    if not isinstance(got, Fetched):
        return f"entry page not used: [{got.code}] {got.detail}"[:300]
    decoded = decode_bytes(got.data, html=True)
    if isinstance(decoded, Undecodable):
        return f"entry page not used: [{decoded.code}] {decoded.detail}"
    if got.content_type in ("text/plain",):
        return decoded.text, {"url": got.url}, decoded.notes
    extracted = extract_html(decoded.text, url=got.url)
    if extracted is None:
        return "entry page not used: no article text found in the page"
    return extracted.text, dict(extracted.meta), decoded.notes + extracted.notes + got.notes


def _entry_body(entry: Mapping[str, Any]) -> str | None:
    """The entry's richest body as text (content before summary)."""
    candidates: list[Mapping[str, Any]] = list(entry.get("content") or [])
    if entry.get("summary_detail"):
        candidates.append(entry["summary_detail"])
    elif entry.get("summary"):
        candidates.append({"type": "text/html", "value": entry["summary"]})
    for item in candidates:
        value = item.get("value")
        if not isinstance(value, str) or not value.strip():
            continue
        if "html" in str(item.get("type") or "text/html"):
            text = html_fragment_text(value)
        else:
            text = value.strip()
        if text.strip():
            return text
    return None


def html_fragment_text(fragment: str) -> str:
    """Visible text of an HTML fragment, a newline at block boundaries (script/style dropped).

    Feed content is a fragment, often too short for trafilatura's article heuristics, so
    this is a plain, predictable tag strip.
    """
    parser = _TextParser()
    try:
        parser.feed(fragment)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last resort on odd input
        LOGGER.debug("html fragment parse failed", exc_info=True)
    lines = ("".join(parser.parts)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _clean(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())[:2000]
    return None
