"""Scoring the ``quotes`` section of a gold file (see ``shared/gold/README.md``).

A predicted quote *matches* a gold quote when their content spans overlap (same
document) and the speaker is right. The speaker is right when ANY of these holds:

(a) the predicted quote's speaker span overlaps the gold ``speaker_mention``;
(b) the predicted speaker actor has a mention overlapping the gold ``speaker_mention``;
(c) ``norm_name`` of the predicted actor's canonical name equals that of the gold ``speaker``;
(d) the gold file has an ``actors`` item whose canonical name is the gold speaker, and
    the predicted speaker actor is the actor of a predicted mention overlapping one of
    that item's evidence spans (so the spelling chosen for a canonical name is not
    penalised).

Matching is *overlap matching on each side independently*, not a one-to-one
assignment: a predicted quote counts as correct if it matches any gold quote, and a
gold quote counts as found if any prediction matches it. Gold sets such as PolNeAR
mark several relations over one stretch of text (a quote and the reported speech
around it), and a one-to-one assignment would punish a single prediction that covers
both. Precision only counts predicted quotes in documents the gold file covers (its
``documents`` section plus every document a gold quote cites).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from narrascope.eval.core import Gold, Predictions, PredQuote, Span, norm_name, prf, resolve


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One resolved gold quote."""

    span: Span
    speaker: str
    direct: bool
    speaker_mention: Span | None


def _gold_quotes(gold: Gold, texts: Mapping[str, str]) -> list[GoldQuote]:
    out: list[GoldQuote] = []
    for item in gold.items("quotes"):
        span = resolve(item, texts, gold)
        if span is None:
            continue
        sm = item.get("speaker_mention")
        sm_span = resolve(sm, texts, gold) if isinstance(sm, Mapping) else None
        out.append(
            GoldQuote(span, str(item.get("speaker") or ""), bool(item.get("direct")), sm_span)
        )
    return out


def _covered_docs(gold: Gold) -> set[str]:
    docs = {d["doc"] for d in gold.items("documents") if isinstance(d, Mapping) and "doc" in d}
    docs.update(q["doc"] for q in gold.items("quotes") if isinstance(q.get("doc"), str))
    return docs


def _actor_evidence(gold: Gold, texts: Mapping[str, str]) -> dict[str, list[Span]]:
    """Evidence spans of each gold actor, keyed by normalised canonical name."""
    out: dict[str, list[Span]] = defaultdict(list)
    for a in gold.items("actors"):
        canon = a.get("canonical")
        if not isinstance(canon, str):
            continue
        for ev in a.get("evidence") or ():
            span = resolve(ev, texts)  # unresolvable actor evidence is the actors scorer's business
            if span is not None:
                out[norm_name(canon)].append(span)
    return out


class _SpeakerJudge:
    """Decides whether a predicted quote's speaker is the gold quote's speaker."""

    def __init__(self, pred: Predictions, actor_evidence: Mapping[str, list[Span]]) -> None:
        self.pred = pred
        self.actor_evidence = actor_evidence
        self._ev_actors: dict[str, set[str]] = {}

    def _actors_on_evidence(self, speaker_key: str) -> set[str]:
        if speaker_key not in self._ev_actors:
            ids: set[str] = set()
            for ev in self.actor_evidence.get(speaker_key, ()):
                for m in self.pred.mentions.get(ev.doc, ()):
                    if m.actor_id is not None and m.span.overlaps(ev):
                        ids.add(m.actor_id)
            self._ev_actors[speaker_key] = ids
        return self._ev_actors[speaker_key]

    def right(self, pq: PredQuote, g: GoldQuote) -> bool:
        sm = g.speaker_mention
        if sm is not None and pq.speaker_span is not None and pq.speaker_span.overlaps(sm):
            return True  # (a)
        aid = pq.actor_id
        if aid is None:
            return False
        if sm is not None and any(s.overlaps(sm) for s in self.pred.actor_spans(aid, sm.doc)):
            return True  # (b)
        key = norm_name(g.speaker)
        name = self.pred.actor_name(aid)
        if name is not None and key and norm_name(name) == key:
            return True  # (c)
        return aid in self._actors_on_evidence(key)  # (d)


def score_quotes(gold: Gold, pred: Predictions) -> dict[str, Any]:
    """P/R/F1 of predicted quotes against the gold ``quotes`` section.

    Returns ``precision``, ``recall``, ``f1``, ``gold`` (resolved gold quotes) and
    ``predicted`` (predicted quotes in covered documents), plus diagnostics:
    ``content`` (P/R/F1 on content overlap alone, speaker ignored),
    ``direct_predictions`` (P/R/F1 counting only predicted direct quotes: for gold files
    that list quotations but not reported speech),
    ``speaker_accuracy`` (of gold quotes whose content was found, the share found with
    the right speaker), ``recall_direct`` / ``recall_indirect``, and ``unresolved``
    (gold evidence whose text was not found) / ``missing_docs``.
    """
    golds = _gold_quotes(gold, pred.texts)
    covered = _covered_docs(gold)
    judge = _SpeakerJudge(pred, _actor_evidence(gold, pred.texts))

    by_doc: dict[str, list[GoldQuote]] = defaultdict(list)
    for g in golds:
        by_doc[g.span.doc].append(g)

    found: set[int] = set()  # ids of gold quotes matched (content + speaker)
    found_content: set[int] = set()
    found_by_direct: set[int] = set()
    n_pred = tp_pred = tp_pred_content = n_direct = tp_direct = 0
    for doc, quotes in pred.quotes.items():
        if doc not in covered:
            continue
        gq = by_doc.get(doc, [])
        for pq in quotes:
            n_pred += 1
            ok = ok_content = False
            for g in gq:
                if not pq.span.overlaps(g.span):
                    continue
                ok_content = True
                found_content.add(id(g))
                if judge.right(pq, g):
                    ok = True
                    found.add(id(g))
                    if pq.direct:
                        found_by_direct.add(id(g))
            tp_pred += ok
            tp_pred_content += ok_content
            n_direct += pq.direct
            tp_direct += ok and pq.direct

    n_gold = len(golds)
    out: dict[str, Any] = dict(prf(tp_pred, n_pred, len(found), n_gold))
    out["gold"] = n_gold
    out["predicted"] = n_pred
    out["content"] = prf(tp_pred_content, n_pred, len(found_content), n_gold)
    out["direct_predictions"] = prf(tp_direct, n_direct, len(found_by_direct), n_gold)
    out["speaker_accuracy"] = round(len(found) / len(found_content), 4) if found_content else 0.0
    for label, want in (("recall_direct", True), ("recall_indirect", False)):
        sub = [g for g in golds if g.direct is want]
        out[label] = round(sum(id(g) in found for g in sub) / len(sub), 4) if sub else 0.0
    out["unresolved"] = gold.unresolved
    out["missing_docs"] = len(gold.missing_docs)
    return out
