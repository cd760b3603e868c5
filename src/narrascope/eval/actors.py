"""Scoring the ``actors`` section: pairwise same-entity links between gold evidence items.

Each gold evidence item is resolved to one predicted actor. Gold evidence items are phrases
and some hold several names ("activities from Russia and Azerbaijan" is evidence for
Russia), so an item's candidates are the actors of *every* predicted mention overlapping
it, and the item takes the candidate most supported by the candidates of the other items
of the same gold actor, then the one least claimed by the items of *other* gold actors
(the name the annotator did not mean), then the mention with the largest overlap. A system
that never links the span to the right actor gets no credit: the right actor is not a
candidate.

Gold links are the pairs of items of one gold actor; predicted links are the pairs of items
(across all gold actors) whose chosen actor ids are equal and not None. A pair of two items
with the identical (document, span) is skipped on both sides: it says nothing about linking.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from narrascope.eval.core import Gold, Predictions, Span, pairwise_links, resolve


def _candidates(pred: Predictions, span: Span) -> list[str]:
    """Actor ids of the mentions overlapping ``span``, largest overlap first."""
    scored = [
        (m.span.overlap_len(span), m.actor_id)
        for m in pred.mentions.get(span.doc, ())
        if m.actor_id is not None and m.span.overlap_len(span) > 0
    ]
    scored.sort(key=lambda x: -x[0])
    out: list[str] = []
    for _, a in scored:
        if a is not None and a not in out:
            out.append(a)
    return out


def score_actors(gold: Gold, pred: Predictions) -> dict[str, Any]:
    """Pairwise link precision/recall/F1 of the actors section (see shared/gold/README.md)."""
    groups = [
        [
            (span, _candidates(pred, span))
            for ev in actor.get("evidence") or ()
            if (span := resolve(ev, pred.texts, gold)) is not None
        ]
        for actor in gold.items("actors")
    ]
    # How many gold items of each gold actor have a given predicted actor as a candidate.
    claimed = [Counter(a for _, cands in g for a in set(cands)) for g in groups]
    items: list[tuple[int, Span, str | None]] = []
    for gi, resolved in enumerate(groups):
        for i, (span, cands) in enumerate(resolved):
            support: Counter[str] = Counter()
            for j, (_, other) in enumerate(resolved):
                if j != i:
                    support.update(set(other))

            def rank(
                a: str, cands: list[str] = cands, gi: int = gi, support: Counter[str] = support
            ) -> tuple[int, int, int]:
                elsewhere = sum(c[a] for k, c in enumerate(claimed) if k != gi)
                return (support[a], -elsewhere, -cands.index(a))

            items.append((gi, span, max(cands, key=rank, default=None)))
    return pairwise_links(items, lambda a, b: a == b)
