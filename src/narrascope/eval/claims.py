"""Scoring claims across outlets: ``same_claim`` groups, verbatim reuse, ``contradictions``.

Same claim: each gold evidence item stands for the predicted claim that fits its span best
(largest overlap over union, so a clause beats the sentence around it). Two gold items of
different documents are predicted together when those claims share a claim group; pairwise
precision and recall are counted over the pairs of gold items (items are not exhaustive,
so only pairs of gold items are judged). A gold group marked ``verbatim_reuse`` is found
when one predicted reuse group has passages overlapping two or more of its items; its
origin is right when the passage ranked first overlaps the item of the earliest published
document (dates from the gold ``documents`` list).

Contradictions: a gold pair is found when a predicted contradiction's two spans overlap
its two spans (either order); ``explained_by_time_right`` counts the gold pairs marked
``explained_by_time`` whose matching prediction carries the flag too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from narrascope.eval.core import Gold, Predictions, Span, pairwise_links, resolve


def _rows(pred: Predictions, sql: str) -> list[dict[str, Any]]:
    path = pred.extra.get("store_path")
    if not path:
        return []
    from narrascope.store import Store

    with Store.open(path, read_only=True) as store:
        try:
            return store.query(sql)
        except Exception:  # an older store without the claims tables answers nothing
            return []


def _spans(rows: list[dict[str, Any]], keys: Mapping[str, list[str]], doc: str, start: str,
           end: str) -> list[tuple[Span, dict[str, Any]]]:
    return [(Span(k, r[start], r[end]), r) for r in rows for k in keys.get(r[doc], ())]


def _best(span: Span, cands: list[tuple[Span, dict[str, Any]]]) -> dict[str, Any] | None:
    best, best_score = None, 0.0
    for s, r in cands:
        if s.doc != span.doc:
            continue
        inter = s.overlap_len(span)
        if inter <= 0:
            continue
        score = inter / (max(s.end, span.end) - min(s.start, span.start))
        if score > best_score:
            best, best_score = r, score
    return best


def score_same_claim(gold: Gold, pred: Predictions) -> dict[str, Any]:
    """Pairwise P/R/F1 of gold ``same_claim`` items grouped together (see module doc)."""
    keys: Mapping[str, list[str]] = pred.extra.get("doc_keys", {})
    claims = _spans(_rows(pred, "SELECT c.doc_id, c.idx, c.start_char, c.end_char, "
                                "m.group_id FROM claims c LEFT JOIN claim_members m "
                                "ON m.doc_id = c.doc_id AND m.claim_idx = c.idx"),
                    keys, "doc_id", "start_char", "end_char")
    reuse = _spans(_rows(pred, "SELECT * FROM reuse_passages"), keys, "doc_id",
                   "start_char", "end_char")
    dates = {d.get("doc"): d.get("published") for d in gold.items("documents")}
    items: list[tuple[int, Span, str | None]] = []
    verbatim_found = verbatim_right = verbatim_gold = 0
    for gi, g in enumerate(gold.items("same_claim")):
        spans = [s for ev in g.get("evidence") or () if (s := resolve(ev, pred.texts, gold))]
        for s in spans:
            hit = _best(s, claims)
            items.append((gi, s, hit["group_id"] if hit else None))
        if g.get("verbatim_reuse"):
            verbatim_gold += 1
            found, right = _verbatim(spans, reuse, dates)
            verbatim_found += found
            verbatim_right += right
    # links between documents only: two claims of one article are not "the same claim told
    # by several outlets"
    out = pairwise_links(items, lambda a, b: a.doc == b.doc)
    out.update({"verbatim_groups": verbatim_found,
                "verbatim_gold": verbatim_gold, "verbatim_origin_right": verbatim_right})
    return out


def _verbatim(spans: list[Span], reuse: list[tuple[Span, dict[str, Any]]],
              dates: Mapping[Any, Any]) -> tuple[int, int]:
    """(found, origin right) for one gold verbatim group."""
    by_group: dict[str, list[tuple[Span, dict[str, Any]]]] = {}
    for s, r in reuse:
        by_group.setdefault(r["reuse_id"], []).append((s, r))
    dated = [s for s in spans if dates.get(s.doc)]
    origin = min(dated, key=lambda s: str(dates[s.doc])) if dated else None
    for passages in by_group.values():
        covered = [g for g in spans if any(p.overlaps(g) for p, _ in passages)]
        if len(covered) < 2:
            continue
        first = [p for p, r in passages if r["rank"] == 0]
        right = origin is not None and any(p.overlaps(origin) for p in first)
        return 1, int(right)
    return 0, 0


def score_contradictions(gold: Gold, pred: Predictions) -> dict[str, Any]:
    """Recall of gold contradiction pairs and of their ``explained_by_time`` flag."""
    keys: Mapping[str, list[str]] = pred.extra.get("doc_keys", {})
    rows = _rows(pred, "SELECT * FROM contradictions")
    preds = [(Span(ka, r["start_a"], r["end_a"]), Span(kb, r["start_b"], r["end_b"]), r)
             for r in rows for ka in keys.get(r["doc_a"], ()) for kb in keys.get(r["doc_b"], ())]
    found = time_right = time_gold = n = 0
    for g in gold.items("contradictions"):
        spans = [s for ev in g.get("evidence") or () if (s := resolve(ev, pred.texts, gold))]
        if len(spans) < 2:
            continue
        n += 1
        ga, gb = spans[0], spans[1]
        hits = [r for a, b, r in preds
                if (a.overlaps(ga) and b.overlaps(gb)) or (a.overlaps(gb) and b.overlaps(ga))]
        found += bool(hits)
        if g.get("explained_by_time"):
            time_gold += 1
            time_right += any(r["explained_by_time"] for r in hits)
    return {"recall": round(found / n, 4) if n else 0.0, "found": found, "gold": n,
            "predicted": len(rows), "explained_by_time_right": time_right,
            "explained_by_time_gold": time_gold}
