"""Turn possibly overlapping annotation spans into flat, non-overlapping text segments.

HTML cannot nest elements across each other's boundaries, but annotations do overlap
(a speaker mention inside a quote, a quote spanning two mentions). So the text is cut at
every span boundary and each piece gets the CSS classes of *all* spans covering it.
Segments hold raw text; the templates escape it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """One annotation over ``[start, end)``. ``anchor`` becomes an element id where it starts."""

    start: int
    end: int
    classes: tuple[str, ...]
    title: str | None = None
    anchor: str | None = None
    href: str | None = None
    #: among spans covering a segment, the one with the highest rank supplies the link
    rank: int = 0


@dataclass(slots=True)
class Segment:
    text: str
    classes: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    href: str | None = None

    @property
    def title(self) -> str:
        return " | ".join(self.titles)


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """Cut ``text`` at every span boundary; each segment lists the spans that cover it.

    Spans are clipped to the text; empty or inverted ones keep only their anchor. Anchors
    go on the segment where their span starts, in the order the spans were given.
    """
    n = len(text)
    clean: list[Span] = []
    anchors_at: dict[int, list[str]] = {}
    for s in spans:
        start, end = max(0, min(s.start, n)), max(0, min(s.end, n))
        if s.anchor:
            anchors_at.setdefault(start, []).append(s.anchor)
        if end > start:
            clean.append(Span(start, end, s.classes, s.title, s.anchor, s.href, s.rank))
    cuts = sorted({0, n, *anchors_at, *(s.start for s in clean), *(s.end for s in clean)})
    order = sorted(range(len(clean)), key=lambda i: clean[i].start)
    out: list[Segment] = []
    active: list[int] = []
    nxt = 0
    for a, b in itertools.pairwise(cuts):
        while nxt < len(order) and clean[order[nxt]].start <= a:
            active.append(order[nxt])
            nxt += 1
        active = [i for i in active if clean[i].end > a]
        seg = Segment(text[a:b], anchors=list(anchors_at.get(a, ())))
        best: Span | None = None
        for i in sorted(active):
            s = clean[i]
            for c in s.classes:
                if c not in seg.classes:
                    seg.classes.append(c)
            if s.title and s.title not in seg.titles:
                seg.titles.append(s.title)
            if s.href and (best is None or s.rank > best.rank):
                best = s
        seg.href = best.href if best else None
        out.append(seg)
    if n == 0 and anchors_at:
        out.append(Segment("", anchors=[a for v in anchors_at.values() for a in v]))
    return out


def document_spans(doc: dict[str, Any]) -> list[Span]:
    """The spans a document view highlights: boilerplate, mentions, quotes, cues, speakers.

    Quote anchors come last so that ``.anchor:target + mark`` styles the quote itself.
    """
    text_len = len(doc["text"])
    spans: list[Span] = []
    pos = 0
    for s, e in sorted(doc.get("body") or [[0, text_len]]):
        if s > pos:
            spans.append(Span(pos, s, ("bp",), "outside the article body"))
        pos = max(pos, e)
    if pos < text_len:
        spans.append(Span(pos, text_len, ("bp",), "outside the article body"))
    for m in doc.get("mentions", []):
        href = f"#actor-{m['actor_id']}" if m.get("actor_id") else None
        # Shorter mentions rank higher: the innermost name is what a click should open.
        spans.append(
            Span(m["start"], m["end"], ("m", f"t-{m['type']}"), f"{m['actor']} · {m['type']}",
                 m.get("anchor"), href, rank=-(m["end"] - m["start"]))
        )
    for q in doc.get("quotes", []):
        if q.get("speaker_start") is not None and q.get("speaker_end") is not None:
            spans.append(Span(q["speaker_start"], q["speaker_end"], ("spk",),
                              f"speaker: {q['speaker']}"))
        if q.get("cue_start") is not None and q.get("cue_end") is not None:
            spans.append(Span(q["cue_start"], q["cue_end"], ("cue",), f"cue: {q['cue']}"))
    for q in doc.get("quotes", []):
        kind = "direct quote" if q["direct"] else "reported speech"
        spans.append(
            Span(q["start"], q["end"], ("q", "qd" if q["direct"] else "qr"),
                 f"{kind} — {q['speaker']}", q["anchor"])
        )
    return spans


def document_segments(doc: dict[str, Any]) -> list[Segment]:
    """Segments of a :func:`narrascope.report.data.document` dict, ready for the template."""
    return segments(doc["text"], document_spans(doc))


_TRIM = " \t\r\n\"'“”‘’«».,;:!?—–-"


def _elide(text: str, keep: int) -> str:
    """``text`` with its middle replaced by " … " when longer than ``2 * keep`` characters."""
    if len(text) <= 2 * keep + 20:
        return text
    head, tail = text[:keep], text[-keep:]
    head = head[: head.rfind(" ")] if " " in head else head
    tail = tail[tail.find(" ") + 1 :] if " " in tail else tail
    return f"{head} … {tail}"


def quote_context(quote: dict[str, Any], width: int = 200) -> list[Segment]:
    """The sentence of a quote card with the quoted part marked; [] when it adds nothing.

    The card already shows the quote in full, so here a long quote keeps only its start
    and end, and text more than ``width`` characters before or after it is cut at a word
    boundary, so a mis-split "sentence" stays readable.
    """
    sentence = quote.get("sentence") or ""
    base = quote.get("sent_start") or 0
    n = len(sentence)
    qs = max(0, min(quote["start"] - base, n))
    qe = max(qs, min(quote["end"] - base, n))
    before, quoted, after = sentence[:qs], sentence[qs:qe], sentence[qe:]
    if len((before + " " + after).strip(_TRIM)) < 12:
        return []
    if len(before) > width:
        cut = before.find(" ", len(before) - width)
        before = "…" + before[cut + 1 if cut >= 0 else len(before) - width :]
    if len(after) > width:
        cut = after.rfind(" ", 0, width)
        after = after[: cut if cut > 0 else width] + "…"
    quoted = _elide(quoted, 70)
    cls = ("q", "qd" if quote["direct"] else "qr")
    return segments(before + quoted + after, [Span(len(before), len(before) + len(quoted), cls)])
