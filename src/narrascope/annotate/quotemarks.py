"""Quotation-mark spans in raw text: paragraphs, pairing, nesting, continuation.

Pure string processing, no parse needed. Handles straight and curly double quotes,
guillemets (« », also the French convention of closing a quote opened with “ by »),
the typewriter double apostrophe ``''`` used by some wires, and single quotes nested
inside a double-quoted span. A paragraph whose opening quote is never closed continues
into the next paragraph when that one opens with a quote mark (the usual convention
for multi-paragraph quotations); any other imbalance makes the paragraph's marks
untrustworthy, so the paragraph yields no quoted spans rather than wrong ones.
Marks that only delimit something other than words are paired but not reported: a span
with no letter in it ("2,000") or an attribute value inside a markup tag
(``<tweet tweet-id="...">`` left in scraped text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARA = re.compile(r"[^\r\n]+")
# Longest first so that '' wins over '.
_DOUBLE = re.compile(r"''|[\"“”«»„‟]")
_SINGLE = re.compile(r"[‘’']")
_OPEN_GLYPH = frozenset("“«„‟")
_CLOSE_GLYPH = frozenset("”»")
_OPEN_BEFORE = frozenset("([{—–-/")
_CLOSE_AFTER = frozenset(".,;:!?)]}—–-…")
_TAG_OPEN = re.compile(r"</?[A-Za-z][\w:-]*(?:\s|$)")


@dataclass(frozen=True, slots=True)
class MarkedSpan:
    """A quoted stretch ``[start, end)`` (marks excluded), with its mark-inclusive outer span.

    ``level`` is 0 for a top-level quotation, 1 for a quotation nested in one.
    ``group`` numbers the paragraphs of one multi-paragraph quotation alike;
    ``open_end`` says the quotation runs on past this paragraph.
    """

    start: int
    end: int
    outer_start: int
    outer_end: int
    level: int = 0
    group: int = -1
    open_end: bool = False


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Non-blank lines of ``text[start:end]`` as ``(start, end)`` offsets (a line is a paragraph)."""
    end = len(text) if end is None else end
    out = []
    for m in _PARA.finditer(text, start, end):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def _role(text: str, i: int, j: int, glyph: str, para: tuple[int, int]) -> str:
    """'open', 'close' or 'either' for the mark at ``text[i:j]``, from its surroundings first."""
    prev = text[i - 1] if i > para[0] else None
    nxt = text[j] if j < para[1] else None
    left_open = prev is None or prev.isspace() or prev in _OPEN_BEFORE
    right_close = nxt is None or nxt.isspace() or nxt in _CLOSE_AFTER
    if left_open and not right_close:
        return "open"
    if right_close and not left_open:
        return "close"
    if glyph in _OPEN_GLYPH:
        return "open"
    if glyph in _CLOSE_GLYPH:
        return "close"
    return "either"


def _pair_marks(
    text: str, para: tuple[int, int]
) -> tuple[list[tuple[int, int, int, int]], tuple[int, int] | None, bool]:
    """Pair the double quote marks of one paragraph.

    Returns ``(spans, dangling, ok)`` where each span is
    ``(outer_start, inner_start, inner_end, outer_end)``, ``dangling`` is
    ``(outer_start, inner_start)`` of a quotation left open at the paragraph's end, and
    ``ok`` is False when the marks cannot be paired.
    """
    spans: list[tuple[int, int, int, int]] = []
    open_at: tuple[int, int] | None = None
    for m in _DOUBLE.finditer(text, para[0], para[1]):
        i, j = m.start(), m.end()
        role = _role(text, i, j, m.group(), para)
        if role == "either":
            role = "close" if open_at is not None else "open"
        if role == "open":
            if open_at is not None:
                return [], None, False
            open_at = (i, j)
        else:
            if open_at is None:
                return [], None, False
            spans.append((open_at[0], open_at[1], i, j))
            open_at = None
    return spans, open_at, True


def _nested(text: str, start: int, end: int) -> list[MarkedSpan]:
    """Single-quoted spans inside ``text[start:end]`` (apostrophes are told apart by context)."""
    out: list[MarkedSpan] = []
    open_at: tuple[int, int] | None = None
    for m in _SINGLE.finditer(text, start, end):
        i, j = m.start(), m.end()
        prev = text[i - 1] if i > start else None
        nxt = text[j] if j < end else None
        left_open = prev is None or prev.isspace() or prev in _OPEN_BEFORE or prev in "\"“«"
        right_close = nxt is None or nxt.isspace() or nxt in _CLOSE_AFTER or nxt in "\"”»'"
        if left_open and nxt is not None and (nxt.isalnum() or nxt in "…."):
            if open_at is None:
                open_at = (i, j)
        elif right_close and prev is not None and not prev.isspace() and open_at is not None:
            if len(text[open_at[1] : i].split()) >= 2:
                out.append(MarkedSpan(open_at[1], i, open_at[0], j, level=1))
            open_at = None
    return out


def find_marked_spans(text: str, start: int = 0, end: int | None = None) -> list[MarkedSpan]:
    """All quoted spans in ``text[start:end]``, top-level and nested, in text order.

    Never raises on odd input: an unbalanced paragraph is skipped.
    """
    paras = paragraphs(text, start, end)
    paired = [_pair_marks(text, p) for p in paras]
    out: list[MarkedSpan] = []
    next_group = 0
    carry: int | None = None  # group of a quotation left open by the previous paragraph
    for n, (p, (pairs, dangling, ok)) in enumerate(zip(paras, paired, strict=True)):
        if dangling is not None:
            # Open at the end: fine only if the next paragraph reopens the quotation.
            nxt = n + 1 < len(paras) and paired[n + 1][2] and _opens(text, paras[n + 1])
            ok = ok and bool(nxt)
        if not ok:
            carry = None
            continue
        continues = carry is not None and _opens(text, p)
        spans = [(a, b, c, d, False) for a, b, c, d in pairs]
        if dangling is not None:
            spans.append((dangling[0], dangling[1], p[1], p[1], True))
        new_carry: int | None = None
        for k, (a, b, c, d, open_end) in enumerate(spans):
            g = carry if (k == 0 and continues and carry is not None) else -1
            if open_end:
                if g == -1:
                    g, next_group = next_group, next_group + 1
                new_carry = g
            inner_s, inner_e = _trim(text, b, c)
            if inner_s >= inner_e or not _wordy(text, inner_s, inner_e) or _in_tag(text, a, d, p):
                continue
            out.append(MarkedSpan(inner_s, inner_e, a, d, 0, g, open_end))
            out.extend(_nested(text, inner_s, inner_e))
        carry = new_carry
    return out


def _wordy(text: str, s: int, e: int) -> bool:
    """Whether ``text[s:e]`` holds a letter (a quotation is made of words)."""
    return any(ch.isalpha() for ch in text[s:e])


def _in_tag(text: str, outer_s: int, outer_e: int, para: tuple[int, int]) -> bool:
    """Whether the marks at ``outer_s``/``outer_e`` quote an attribute inside a markup tag."""
    lt = text.rfind("<", para[0], outer_s)
    if lt < 0 or ">" in text[lt:outer_s] or not _TAG_OPEN.match(text, lt):
        return False
    return ">" in text[outer_e : para[1]]


def _opens(text: str, para: tuple[int, int]) -> bool:
    m = _DOUBLE.match(text, para[0])
    return m is not None and _role(text, m.start(), m.end(), m.group(), para) != "close"


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
