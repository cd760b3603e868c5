"""The one options object of the ingest stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from narrascope.errors import OptionInvalid


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How files and URLs become Documents.

    ``max_bytes`` caps one file (and one JSONL record, feed, WARC record, fetched URL body,
    and the decompressed size of one gzip line); anything bigger is skipped (S004, or S010
    inside a compressed stream).
    ``strip_boilerplate`` computes ``Document.body`` (bylines, navigation... left out).
    ``allow_private`` lets URL fetching reach private, loopback and link-local addresses
    (intranet use); by default they are refused after DNS resolution (S012).
    ``fetch_timeout`` is the connect/read timeout in seconds of one HTTP request;
    ``max_redirects`` bounds the redirect hops of one URL.
    ``known`` (set by ``analyze``, not a user option): ``known(doc_id)`` is true when the
    caller keeps its stored analysis of that text; such a Document comes with its id,
    source, line and text only (no boilerplate ranges or metadata, which a re-run that
    reuses the document never reads), so a re-run does not clean every stored text again.
    """

    max_bytes: int = 20_000_000
    strip_boilerplate: bool = True
    allow_private: bool = False
    fetch_timeout: float = 20.0
    max_redirects: int = 5
    known: Callable[[str], bool] | None = None

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise OptionInvalid(
                f"max_bytes must be a positive number of bytes, got {self.max_bytes}"
            )
        if self.fetch_timeout <= 0:
            raise OptionInvalid(
                f"fetch_timeout must be a positive number of seconds, got {self.fetch_timeout}"
            )
        if self.max_redirects < 0:
            raise OptionInvalid(f"max_redirects must be 0 or more, got {self.max_redirects}")
