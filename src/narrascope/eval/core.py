"""Gold files and predictions in one shape, so every section scorer is a pure function.

A gold evidence item ``{"doc", "contains", "start"?}`` is resolved to a character span
of the document's text. Predictions are gathered into :class:`Predictions`, either from
a store (``narrascope eval``) or straight from in-memory annotations (dev scripts, tests).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from narrascope.errors import GoldInvalid
from narrascope.records import Actor, DocAnnotation


@dataclass(frozen=True, slots=True)
class Span:
    """A resolved gold or predicted span in one document (doc = source file name)."""

    doc: str
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.doc == other.doc and self.start < other.end and other.start < self.end

    def overlap_len(self, other: Span) -> int:
        if self.doc != other.doc:
            return 0
        return max(0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True, slots=True)
class PredMention:
    span: Span
    actor_id: str | None


@dataclass(frozen=True, slots=True)
class PredQuote:
    span: Span
    direct: bool
    speaker_span: Span | None
    actor_id: str | None
    cue_span: Span | None = None


@dataclass
class Predictions:
    """What the pipeline predicted, keyed by source file name (the key gold files use)."""

    texts: dict[str, str] = field(default_factory=dict)
    mentions: dict[str, list[PredMention]] = field(default_factory=dict)
    quotes: dict[str, list[PredQuote]] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def actor_name(self, actor_id: str | None) -> str | None:
        a = self.actors.get(actor_id) if actor_id else None
        return a.canonical if a else None

    def mention_actor(self, span: Span) -> str | None:
        """The actor of the predicted mention that best overlaps ``span``."""
        best, best_len = None, 0
        for m in self.mentions.get(span.doc, ()):
            n = m.span.overlap_len(span)
            if n > best_len:
                best, best_len = m.actor_id, n
        return best

    def actor_spans(self, actor_id: str, doc: str) -> list[Span]:
        return [m.span for m in self.mentions.get(doc, ()) if m.actor_id == actor_id]


def predictions_from_annotations(
    anns: Iterable[DocAnnotation],
    actor_of: Mapping[tuple[str, int], str] | None = None,
    actors: Iterable[Actor] = (),
) -> Predictions:
    """Build predictions from annotations in memory.

    ``actor_of`` maps ``(doc_id, local_id)`` to a corpus actor id; without it every local
    entity counts as its own actor (``doc_id:local_id``).
    """
    pred = Predictions(actors={a.actor_id: a for a in actors})
    for ann in anns:
        src = ann.doc.source if ann.doc.line is None else f"{ann.doc.source}:{ann.doc.line}"
        pred.texts[src] = ann.doc.text

        def aid(local: int | None, doc_id: str = ann.doc.doc_id) -> str | None:
            if local is None:
                return None
            if actor_of is None:
                return f"{doc_id}:{local}"
            return actor_of.get((doc_id, local))

        if actor_of is None:
            for e in ann.entities:
                a = Actor(f"{e.doc_id}:{e.local_id}", e.canonical, e.type, e.key)
                pred.actors.setdefault(a.actor_id, a)
        pred.mentions[src] = [
            PredMention(Span(src, m.start, m.end), aid(m.local_id)) for m in ann.mentions
        ]
        pred.quotes[src] = [
            PredQuote(
                Span(src, q.start, q.end),
                q.direct,
                Span(src, q.speaker_start, q.speaker_end)
                if q.speaker_start is not None and q.speaker_end is not None
                else None,
                aid(q.speaker_local_id),
                Span(src, q.cue_start, q.cue_end)
                if q.cue_start is not None and q.cue_end is not None
                else None,
            )
            for q in ann.quotes
        ]
    return pred


def norm_name(s: str) -> str:
    """Case- and accent-insensitive form of a name, for comparing canonical names."""
    s = unicodedata.normalize("NFKD", s)
    return " ".join("".join(c for c in s if not unicodedata.combining(c)).casefold().split())


@dataclass
class Gold:
    path: Path
    data: dict[str, Any]
    missing_docs: set[str] = field(default_factory=set)
    unresolved: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    def items(self, section: str) -> list[dict[str, Any]]:
        v = self.data.get(section)
        return v if isinstance(v, list) else []


def load_gold(path: str | Path) -> Gold:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldInvalid(f"cannot read gold file {p}: {exc}") from exc
    if not isinstance(data, dict):
        raise GoldInvalid(f"gold file {p} must hold a JSON object with sections")
    return Gold(p, data)


def resolve(ev: Mapping[str, Any], texts: Mapping[str, str], gold: Gold | None = None) -> Span | None:
    """Resolve a gold evidence item to a span, or None when its document or text is absent."""
    doc, contains = ev.get("doc"), ev.get("contains")
    if not isinstance(doc, str) or not isinstance(contains, str):
        raise GoldInvalid(f"evidence item needs 'doc' and 'contains': {dict(ev)!r}")
    text = texts.get(doc)
    if text is None:
        if gold is not None:
            gold.missing_docs.add(doc)
        return None
    start = ev.get("start")
    if isinstance(start, int) and text[start : start + len(contains)] == contains:
        return Span(doc, start, start + len(contains))
    i = text.find(contains)
    if i < 0:
        if gold is not None:
            gold.unresolved += 1
        return None
    return Span(doc, i, i + len(contains))


def pairwise_links(items: Sequence[tuple[Any, Span, Any]],
                   skip: Callable[[Span, Span], bool]) -> dict[str, Any]:
    """Pairwise-link scores of ``(gold cluster, span, predicted cluster or None)`` items:
    a pair is linked in gold when its gold clusters match, predicted when both predicted
    clusters are the same (not None); pairs ``skip(span_a, span_b)`` are not counted.
    Precision/recall/F1 plus the ``gold`` and ``predicted`` link counts."""
    tp = n_pred = n_gold = 0
    for (ga, sa, pa), (gb, sb, pb) in combinations(items, 2):
        if skip(sa, sb):
            continue
        same_gold = ga == gb
        same_pred = pa is not None and pa == pb
        n_gold += same_gold
        n_pred += same_pred
        tp += same_gold and same_pred
    return {**prf(tp, n_pred, tp, n_gold), "gold": n_gold, "predicted": n_pred}


def prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float]:
    """Precision/recall/F1 where true positives may be counted separately on each side."""
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
