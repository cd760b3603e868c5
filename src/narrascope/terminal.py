"""Untrusted text made safe to print on a terminal.

File names, URLs, feed titles, error details and article text come from outside. Printed
raw, an ESC sequence in them can recolour, retitle or clear the terminal, move the
cursor to overwrite earlier lines, or (on some terminals) write to the clipboard; a
bidirectional override can make a line read differently from its bytes ("Trojan
Source"); a newline can forge a whole extra line of output. ``printable`` shows such
characters as visible escapes instead, and ``rich_safe`` also escapes rich markup, so a
source named ``[bold]x`` prints literally.
"""

from __future__ import annotations

import logging
import unicodedata

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """``str(text)`` with control, format-override and line-separator characters escaped.

    Tab stays; ``\\n`` stays only with ``keep_newlines`` (multi-line log records).
    """
    out: list[str] = []
    for ch in str(text):
        if ch == "\t" or (ch == "\n" and keep_newlines):
            out.append(ch)
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def rich_safe(text: object) -> str:
    """:func:`printable`, then escaped for rich markup (``[`` cannot open a tag)."""
    from rich.markup import escape

    return escape(printable(text))


class PrintableFormatter(logging.Formatter):
    """A log formatter for terminals: the formatted record passes through :func:`printable`."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), keep_newlines=True)
