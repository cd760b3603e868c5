"""The ingest stage: files and folders -> ``Document`` records (or ``Skipped`` ones).

``iter_documents`` is a generator with no hidden state: the same inputs give the same
records in the same order. A bad input never raises; it yields one ``Skipped`` with a
reason code from :data:`narrascope.errors.SKIP_REASONS` and the walk goes on.

Supported: ``.txt``, ``.md`` (text exactly as decoded), ``.html``/``.htm`` (article text
extracted by trafilatura), ``.jsonl`` and ``.jsonl.gz`` (one article per line with keys
among text/html/url/outlet/title/published/id/author), RSS/Atom feeds (``.rss``,
``.atom``, or an ``.xml`` file named explicitly; one Document per entry), WARC archives
(``.warc``, ``.warc.gz``; one per archived HTML/text response) and ``http(s)://`` URLs
(a page, or a feed whose entry pages are fetched too; see ``ingest/fetch.py`` for the
checks). ``Document.source`` is the path relative to the folder given (the file name
for a file given directly, the URL for a URL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrascope.ingest.build import doc_id, make_document, without_surrogates
from narrascope.ingest.decode import Decoded, Undecodable, decode_bytes
from narrascope.ingest.dedup import NearDuplicateIndex
from narrascope.ingest.feeds import FEED_MIME_TYPES, iter_feed, looks_like_feed
from narrascope.ingest.html import extract_html
from narrascope.ingest.jsonl import iter_jsonl
from narrascope.ingest.options import IngestOptions
from narrascope.ingest.sidecar import SIDECAR_NAMES, Meta, read_sidecars
from narrascope.ingest.warc import iter_warc
from narrascope.records import Document, Skipped

if TYPE_CHECKING:  # httpx is imported only when a URL is met
    from narrascope.ingest.fetch import Fetched, Fetcher

__all__ = [
    "DEFAULT_OPTIONS",
    "IngestOptions",
    "NearDuplicateIndex",
    "doc_id",
    "iter_documents",
    "kind_of",
]

_KINDS = (
    (".jsonl.gz", "jsonl"),
    (".jsonl", "jsonl"),
    (".txt", "text"),
    (".md", "text"),
    (".html", "html"),
    (".htm", "html"),
    (".rss", "feed"),
    (".atom", "feed"),
    (".warc.gz", "warc"),
    (".warc", "warc"),
)


def kind_of(name: str) -> str | None:
    """``"text"``, ``"html"``, ``"jsonl"``, ``"feed"`` or ``"warc"`` for a supported name, else None."""
    lower = name.lower()
    return next((kind for suffix, kind in _KINDS if lower.endswith(suffix)), None)


DEFAULT_OPTIONS = IngestOptions()  # frozen, so one shared default is safe


def iter_documents(
    paths: Sequence[Path | str], opts: IngestOptions = DEFAULT_OPTIONS
) -> Iterator[Document | Skipped]:
    """Every Document (and Skipped input) under ``paths``, in a deterministic order.

    Folders are walked recursively in sorted order; in them, hidden entries, README
    files, the ``sources.csv``/``sources.jsonl`` sidecars and unsupported types are
    ignored silently. A file named explicitly with an unsupported type is S007.
    URLs (``http://``, ``https://`` strings) are fetched with one :class:`Fetcher`.
    """
    fetcher: Fetcher | None = None
    try:
        for given in paths:
            if isinstance(given, str) and given.lower().startswith(("http://", "https://")):
                if fetcher is None:
                    from narrascope.ingest.fetch import Fetcher

                    fetcher = Fetcher(opts)
                yield from _ingest_url(str(given), opts, fetcher)
            else:
                yield from _ingest_path(given, opts)
    finally:
        if fetcher is not None:
            fetcher.close()


def _ingest_path(given: Path | str, opts: IngestOptions) -> Iterator[Document | Skipped]:
    path = Path(given)
    if path.is_dir():
        yield from _walk_folder(path, opts)
    elif path.is_file():
        if kind_of(path.name) is None and not path.name.lower().endswith(".xml"):
            suffix = "".join(path.suffixes) or "(none)"
            yield Skipped(_label(path.name), "S007", f"unsupported file type {_label(suffix)!r}")
            return
        sidecars = _SidecarCache(path.parent)
        meta = sidecars.lookup(path)
        yield from sidecars.flush()
        yield from _ingest_file(path, path.name, opts, meta)
    else:
        yield Skipped(_label(str(given)), "S008", "no such file or folder (or not a regular file)")


def _ingest_url(url: str, opts: IngestOptions, fetcher: Fetcher) -> Iterator[Document | Skipped]:
    """A fetched page as one Document, or a fetched feed as one per entry."""
    from narrascope.ingest.fetch import Fetched

    got = fetcher.fetch(url)
    if not isinstance(got, Fetched):
        yield Skipped(url, got.code, got.detail)
        return
    if got.content_type in FEED_MIME_TYPES or looks_like_feed(got.data):
        yield from iter_feed(got.data, url, opts, {"url": got.url}, fetcher=fetcher)
        return
    is_html = got.content_type in ("text/html", "application/xhtml+xml")
    if not is_html and got.content_type != "text/plain":
        yield Skipped(url, "S007", f"unsupported content type {got.content_type[:80]!r}")
        return
    decoded = _decode_fetched(got, html=is_html)
    if isinstance(decoded, Undecodable):
        yield Skipped(url, decoded.code, decoded.detail)
        return
    notes = decoded.notes + got.notes
    if not is_html:
        yield make_document(decoded.text, url, opts, encoding=decoded.encoding, notes=notes,
                            found={"url": got.url})
        return
    extracted = extract_html(decoded.text, url=got.url)
    if extracted is None:
        yield Skipped(url, "S005", "no article text found in the page")
        return
    yield make_document(
        extracted.text, url, opts, encoding=decoded.encoding, notes=notes + extracted.notes,
        found={"url": got.url, **extracted.meta},
    )


def _decode_fetched(got: Fetched, *, html: bool) -> Decoded | Undecodable:
    """The body decoded with the charset the server declared, else sniffed like a file."""
    if got.charset:
        try:
            text = got.data.decode(got.charset)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            if text.strip() and "\x00" not in text:
                return Decoded(text, got.charset, (f"decoded as {got.charset} (HTTP header)",))
    return decode_bytes(got.data, html=html)


def _walk_folder(root: Path, opts: IngestOptions) -> Iterator[Document | Skipped]:
    files: list[tuple[tuple[str, ...], Path]] = []
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or name in SIDECAR_NAMES or name.upper().startswith("README"):
                continue
            if kind_of(name) is None:
                continue
            full = Path(dirpath) / name
            files.append((full.relative_to(root).parts, full))
    files.sort(key=lambda item: item[0])
    for exc in unreadable:
        where = Path(exc.filename or root)
        label = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
        yield Skipped(label or ".", "S008", f"folder could not be listed: {exc.strerror or exc}")
    sidecars = _SidecarCache(root)
    for parts, full in files:
        if not full.is_file():
            continue  # a FIFO, socket or dangling link: nothing to read
        meta = sidecars.lookup(full)
        yield from sidecars.flush()
        yield from _ingest_file(full, "/".join(parts), opts, meta)


class _SidecarCache:
    """Sidecar rows per folder, loaded once; a file's row may sit in any folder up to ``root``.

    Problems found in a sidecar collect in ``problems`` for the caller to yield.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[Path, dict[str, Meta]] = {}
        self.problems: list[Skipped] = []

    def rows(self, folder: Path) -> dict[str, Meta]:
        if folder not in self.cache:
            label = folder.relative_to(self.root).as_posix() if folder != self.root else ""
            self.cache[folder], skipped = read_sidecars(folder, label)
            self.problems.extend(skipped)
        return self.cache[folder]

    def lookup(self, path: Path) -> Meta | None:
        folder = path.parent
        while True:
            rows = self.rows(folder)
            key = path.relative_to(folder).as_posix()
            if key in rows:
                return rows[key]
            if folder == self.root or folder.parent == folder:
                return None
            folder = folder.parent

    def flush(self) -> Iterator[Skipped]:
        yield from self.problems
        self.problems.clear()


def _ingest_file(
    path: Path, source: str, opts: IngestOptions, sidecar: Meta | None
) -> Iterator[Document | Skipped]:
    source = _label(source)
    kind = kind_of(path.name) or "feed"  # an explicitly named .xml file
    if kind == "jsonl":
        yield from iter_jsonl(path, source, opts, sidecar)
        return
    if kind == "warc":
        yield from iter_warc(path, source, opts, sidecar)
        return
    data = _read_bounded(path, source, opts.max_bytes)
    if isinstance(data, Skipped):
        yield data
        return
    if kind == "feed":
        yield from iter_feed(data, source, opts, sidecar)
        return
    decoded = decode_bytes(data, html=kind == "html")
    if isinstance(decoded, Undecodable):
        yield Skipped(source, decoded.code, decoded.detail)
        return
    if kind == "text":
        yield make_document(
            decoded.text,
            source,
            opts,
            encoding=decoded.encoding,
            notes=decoded.notes,
            sidecar=sidecar,
        )
        return
    url = (sidecar or {}).get("url")
    extracted = extract_html(decoded.text, url=url)
    if extracted is None:
        yield Skipped(source, "S005", "no article text found in the page")
        return
    found: dict[str, Any] = dict(extracted.meta)
    yield make_document(
        extracted.text,
        source,
        opts,
        encoding=decoded.encoding,
        notes=decoded.notes + extracted.notes,
        sidecar=sidecar,
        found=found,
    )


def _label(name: str) -> str:
    """A source label the store can hold: bytes of a non-UTF-8 file name shown as ``\\xNN``.

    (os.walk hands such names over with surrogate escapes; two names differing only in
    those bytes must keep different labels.)
    """
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return without_surrogates(name)


def _read_bounded(path: Path, source: str, max_bytes: int) -> bytes | Skipped:
    """The file's bytes, never more than ``max_bytes``: size is checked before reading."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(source, "S004", f"{size} bytes, over the {max_bytes}-byte limit")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return Skipped(source, "S008", f"could not read: {exc}")
    if len(data) > max_bytes:
        return Skipped(source, "S004", f"over the {max_bytes}-byte limit (file grew while read)")
    return data
