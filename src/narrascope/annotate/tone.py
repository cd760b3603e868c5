"""Tone towards each actor: sentence-level sentiment, reporting voice and quotes apart.

For every entity of a document, the sentences that mention it are scored with VADER (a
lexicon that ships inside the ``vaderSentiment`` package). A mention inside a quote
belongs to the quoted voice and is scored on the quoted words only; any other mention
belongs to the reporting voice and is scored on its sentence with the quoted words cut
out. So a wire story quoting a minister's insult carries that insult in the quoted
voice, while its own sentences stay neutral.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from narrascope.annotate.components import Context
from narrascope.annotate.technique_features import vader_scores
from narrascope.records import ActorTone, Quote, Sentence

# VADER's own cut-offs for a positive / negative sentence.
POS, NEG = 0.05, -0.05


def actor_tone(ctx: Context) -> Iterator[ActorTone]:
    """One record per (entity, voice) with at least one sentence (the ``tone`` component)."""
    text = ctx.doc.text
    names = {e.local_id: e.canonical for e in ctx.entities}
    sent_of = {s.idx: s for s in ctx.sentences}
    seen: dict[tuple[int, str], dict[int, float]] = {}
    span_of: dict[tuple[int, str, int], tuple[int, int]] = {}
    for m in ctx.mentions:
        sent = sent_of.get(m.sent_idx)
        if sent is None or m.local_id not in names:
            continue
        q = quote_at(ctx.quotes, m.start, m.end)
        voice = "quoted" if q is not None else "reporting"
        key = (m.local_id, voice)
        if sent.idx in seen.get(key, {}):
            continue
        s, e = (max(q.start, sent.start), min(q.end, sent.end)) if q else (sent.start, sent.end)
        piece = text[s:e] if q else _without_quotes(text, sent, ctx.quotes)
        if not piece.strip():
            continue
        seen.setdefault(key, {})[sent.idx] = vader_scores(piece)["compound"]
        span_of[(m.local_id, voice, sent.idx)] = (s, e)
    for (local_id, voice), scores in sorted(seen.items()):
        vals = list(scores.values())
        strongest = max(scores, key=lambda k: abs(scores[k]))
        s, e = span_of[(local_id, voice, strongest)]
        yield ActorTone(
            doc_id=ctx.doc.doc_id, local_id=local_id, entity=names[local_id], voice=voice,
            sentences=len(vals), mean=round(sum(vals) / len(vals), 4),
            negative=sum(1 for v in vals if v <= NEG), positive=sum(1 for v in vals if v >= POS),
            start=s, end=e,
        )


def quote_at(quotes: Sequence[Quote], start: int, end: int) -> Quote | None:
    """The quote whose content contains the span, if any (the span is in a quoted voice)."""
    for q in quotes:
        if q.start <= start and end <= q.end:
            return q
    return None


def _without_quotes(text: str, sent: Sentence, quotes: Sequence[Quote]) -> str:
    """The sentence with the words of any quote inside it blanked out."""
    chars = list(text[sent.start : sent.end])
    for q in quotes:
        a, b = max(q.start, sent.start), min(q.end, sent.end)
        for i in range(a, b):
            chars[i - sent.start] = " "
    return "".join(chars)
