"""Numbered, actionable errors. Library code raises these; only cli.py and web/ turn them into messages."""

from __future__ import annotations


class NarrascopeError(Exception):
    """Base of every error narrascope raises on purpose. ``code`` is stable and greppable."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")


class SourceUnreadable(NarrascopeError):
    code = "E001"


class StoreVersionMismatch(NarrascopeError):
    code = "E002"


class StoreMissing(NarrascopeError):
    code = "E003"


class GoldInvalid(NarrascopeError):
    code = "E004"


class ModelMissing(NarrascopeError):
    code = "E005"


class OptionInvalid(NarrascopeError):
    code = "E006"


class DocumentNotFound(NarrascopeError):
    """A document id asked for is not in the store."""

    code = "E007"


# Reason codes for inputs that are skipped (records.Skipped.code). Kept here so the CLI
# summary, the run log and the docs all use the same words.
SKIP_REASONS: dict[str, str] = {
    "S001": "file is empty",
    "S002": "file looks binary (NUL bytes or non-text content)",
    "S003": "text could not be decoded in any known encoding",
    "S004": "file is larger than the size limit (--max-bytes)",
    "S005": "HTML page yielded no article text",
    "S006": "JSON line is not valid JSON or has no text/html field",
    "S007": "unsupported file type",
    "S008": "file could not be read (I/O error)",
    "S009": "document has no usable text after cleaning",
    "S010": "compressed stream is corrupt or expands past the size limit",
    "S011": "annotation failed or timed out for this document",
    "S012": "URL refused: private address, robots.txt, redirect limit or scheme (--allow-private)",
}
