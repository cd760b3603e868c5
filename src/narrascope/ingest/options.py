"""The one options object of the ingest stage."""

from __future__ import annotations

from dataclasses import dataclass

from narrascope.errors import OptionInvalid


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How files become Documents.

    ``max_bytes`` caps one file (and one JSONL record, and the decompressed size of one
    gzip line); anything bigger is skipped (S004, or S010 inside a gzip stream).
    ``strip_boilerplate`` computes ``Document.body`` (bylines, navigation... left out).
    """

    max_bytes: int = 20_000_000
    strip_boilerplate: bool = True

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise OptionInvalid(
                f"max_bytes must be a positive number of bytes, got {self.max_bytes}"
            )
