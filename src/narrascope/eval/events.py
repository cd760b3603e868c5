"""Scoring the ``events`` section of a gold file (see ``shared/gold/README.md``).

A predicted event matches a gold event when it is not negated, its type is the gold type
(aliases such as DENY = REJECT allowed), its evidence span overlaps one of the gold
evidence spans, and its source and target actors are right. An actor is right when its
canonical name equals the gold name (``norm_name``: case- and accent-insensitive), or
when it is the actor of a predicted mention overlapping one of the gold actor's evidence
spans in the gold ``actors`` section (rule (d) of the quotes scorer, taking for each
evidence span the mention that overlaps it most). For symmetric types
(AGREE, COOPERATE, MEET) either order counts.

Recall is over gold events; precision over predicted events, in documents the gold file
covers, of the types gold annotates (the gold README's types plus any the file uses),
since a gold file that never labels SAY cannot judge a SAY prediction. ``date_accuracy``
is, over matched gold events, the share whose date a matching prediction gets right to
the precision the gold date gives ("2024-05" needs the right month).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from narrascope.annotate.event_lexicon import SYMMETRIC, TYPE_ALIASES
from narrascope.eval.core import Gold, Predictions, Span, norm_name, prf, resolve
from narrascope.eval.quotes import _actor_evidence

# The types the gold README says gold files annotate.
GOLD_TYPES = frozenset(
    {"ACCUSE", "REJECT", "AGREE", "ESTABLISH", "RESTRICT", "EXPEL", "SUPPORT", "DEPLOY", "SUPPLY"}
)
_PREC_LEN = {"day": 10, "week": 10, "month": 7, "season": 7, "year": 4, "decade": 3}


def canonical_type(t: str) -> str:
    t = (t or "").upper()
    return TYPE_ALIASES.get(t, t)


@dataclass(frozen=True, slots=True)
class PredEvent:
    span: Span
    type: str
    source: str | None  # actor ids
    target: str | None
    negated: bool
    date: str | None  # truncated to its precision


@dataclass(frozen=True, slots=True)
class GoldEvent:
    id: str
    type: str
    source: str
    target: str
    when: str | None
    spans: tuple[Span, ...]


def effective_date(date: str | None, precision: str | None) -> str | None:
    if not date:
        return None
    return date[: _PREC_LEN.get(precision or "", len(date))]


def date_right(pred: str | None, gold: str | None) -> bool:
    """Right to the precision the gold gives: the prediction must be at least as precise."""
    if not gold:
        return True
    return bool(pred) and len(pred or "") >= len(gold) and (pred or "")[: len(gold)] == gold


class _ActorJudge:
    def __init__(self, pred: Predictions, evidence: Mapping[str, list[Span]]) -> None:
        self.pred = pred
        self.evidence = evidence
        self._cache: dict[str, set[str]] = {}

    def right(self, actor_id: str | None, gold_name: str) -> bool:
        if actor_id is None:
            return False
        key = norm_name(gold_name)
        name = self.pred.actor_name(actor_id)
        if name is not None and norm_name(name) == key:
            return True
        if key not in self._cache:
            # The mention that best overlaps each evidence span, not any overlapping one:
            # "the French territory of New Caledonia" must not make "French" (France)
            # count as New Caledonia.
            self._cache[key] = {
                a for ev in self.evidence.get(key, ()) if (a := self.pred.mention_actor(ev))
            }
        return actor_id in self._cache[key]


def _gold_events(gold: Gold, texts: Mapping[str, str]) -> list[GoldEvent]:
    out = []
    for i, item in enumerate(gold.items("events")):
        spans = tuple(s for ev in item.get("evidence") or () if (s := resolve(ev, texts, gold)))
        out.append(GoldEvent(str(item.get("id") or i), canonical_type(str(item.get("type"))),
                             str(item.get("source") or ""), str(item.get("target") or ""),
                             item.get("when"), spans))
    return out


def predicted_events(pred: Predictions) -> dict[str, list[PredEvent]]:
    """Predicted events by source key, read from the store the predictions came from."""
    path = pred.extra.get("store_path")
    if not path:
        return {}
    from narrascope.store import Store

    keys: Mapping[str, list[str]] = pred.extra.get("doc_keys", {})
    out: dict[str, list[PredEvent]] = defaultdict(list)
    with Store.open(path, read_only=True) as store:
        rows = store.query(
            "SELECT e.doc_id, e.start_char, e.end_char, e.type, e.negated, e.date, "
            "e.date_precision, sa.actor_id AS src, ta.actor_id AS tgt FROM events e "
            "LEFT JOIN entity_actor sa ON sa.doc_id = e.doc_id AND sa.local_id = e.source_local_id "
            "LEFT JOIN entity_actor ta ON ta.doc_id = e.doc_id AND ta.local_id = e.target_local_id "
            "ORDER BY e.doc_id, e.idx"
        )
    for r in rows:
        for key in keys.get(r["doc_id"], ()):
            out[key].append(PredEvent(
                Span(key, r["start_char"], r["end_char"]), canonical_type(r["type"]),
                r["src"], r["tgt"], bool(r["negated"]),
                effective_date(r["date"], r["date_precision"])))
    return out


def score_events(gold: Gold, pred: Predictions, events: Mapping[str, list[PredEvent]] | None = None
                 ) -> dict[str, Any]:
    """P/R/F1 of predicted events against gold ``events`` plus ``date_accuracy``.

    ``events`` (by source key) may be given directly; by default they are read from the
    store named in ``pred.extra``. Diagnostics: ``recall_any_type`` (type ignored),
    ``recall_span`` (overlap and type, actors ignored), ``predicted_all`` (every type),
    ``missed`` (ids of gold events not found).
    """
    evs = predicted_events(pred) if events is None else events
    golds = _gold_events(gold, pred.texts)
    judge = _ActorJudge(pred, _actor_evidence(gold, pred.texts))
    scored_types = GOLD_TYPES | {g.type for g in golds}
    covered = {d["doc"] for d in gold.items("documents") if isinstance(d, Mapping) and "doc" in d}
    covered |= {s.doc for g in golds for s in g.spans}

    def actors_right(p: PredEvent, g: GoldEvent) -> bool:
        if judge.right(p.source, g.source) and judge.right(p.target, g.target):
            return True
        return g.type in SYMMETRIC and judge.right(p.source, g.target) and judge.right(
            p.target, g.source)

    found: dict[str, list[PredEvent]] = defaultdict(list)
    found_any, found_span = set(), set()
    tp_pred = n_pred = n_all = 0
    for doc, plist in evs.items():
        if doc not in covered:
            continue
        for p in plist:
            n_all += 1
            counted = p.type in scored_types
            n_pred += counted
            ok = False
            for g in golds:
                if p.negated or not any(p.span.overlaps(s) for s in g.spans):
                    continue
                if p.type == g.type:
                    found_span.add(g.id)
                if actors_right(p, g):
                    found_any.add(g.id)
                    if p.type == g.type:
                        found[g.id].append(p)
                        ok = True
            tp_pred += ok and counted
    n_gold = len(golds)
    out: dict[str, Any] = dict(prf(tp_pred, n_pred, len(found), n_gold))
    out["gold"] = n_gold
    out["predicted"] = n_pred
    dated = [g for g in golds if g.id in found]
    right = sum(any(date_right(p.date, g.when) for p in found[g.id]) for g in dated)
    out["date_accuracy"] = round(right / len(dated), 4) if dated else 0.0
    out["recall_any_type"] = round(len(found_any) / n_gold, 4) if n_gold else 0.0
    out["recall_span"] = round(len(found_span) / n_gold, 4) if n_gold else 0.0
    out["predicted_all"] = n_all
    out["missed"] = [g.id for g in golds if g.id not in found]
    out["wrong_date"] = [g.id for g in dated if not any(date_right(p.date, g.when) for p in found[g.id])]
    return out
