"""``narrascope eval``: read a store, score every gold section it can, say which it cannot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table

from narrascope.eval.core import (
    Gold,
    Predictions,
    PredMention,
    PredQuote,
    Span,
    load_gold,
)
from narrascope.records import Actor
from narrascope.registry import load_target
from narrascope.store import Store

Scorer = Callable[[Gold, Predictions], dict[str, Any]]

# section -> "module:function". A section whose scorer isn't importable yet is reported
# as not implemented instead of being left out.
SECTIONS: dict[str, str] = {
    "actors": "narrascope.eval.actors:score_actors",
    "quotes": "narrascope.eval.quotes:score_quotes",
    "events": "narrascope.eval.events:score_events",
    "same_claim": "narrascope.eval.claims:score_same_claim",
    "contradictions": "narrascope.eval.claims:score_contradictions",
    "techniques": "narrascope.eval.framing:score_techniques",
    "framing": "narrascope.eval.framing:score_framing",
    "stories": "narrascope.eval.stories:score_stories",
    "questions": "narrascope.eval.questions:score_questions",
}


def scorer(section: str) -> Scorer | None:
    return load_target(SECTIONS[section])


def predictions_from_store(store: Store) -> Predictions:
    pred = Predictions()
    key_of: dict[str, list[str]] = {}
    for r in store.query(
        "SELECT s.source, s.line, s.doc_id, d.text FROM doc_sources s "
        "JOIN documents d USING (doc_id) ORDER BY s.source, s.line"
    ):
        key = r["source"] if not r["line"] else f"{r['source']}:{r['line']}"
        pred.texts[key] = r["text"]
        key_of.setdefault(r["doc_id"], []).append(key)
    for a in store.query("SELECT * FROM actors"):
        pred.actors[a["actor_id"]] = Actor(
            a["actor_id"], a["canonical"], a["type"], a["key"], tuple(a["aliases"] or ()),
            a["mention_count"] or 0,
        )
    for r in store.query(
        "SELECT m.doc_id, m.start_char, m.end_char, ea.actor_id FROM mentions m "
        "LEFT JOIN entity_actor ea ON ea.doc_id = m.doc_id AND ea.local_id = m.local_id "
        "ORDER BY m.doc_id, m.idx"
    ):
        for key in key_of.get(r["doc_id"], ()):
            pred.mentions.setdefault(key, []).append(
                PredMention(Span(key, r["start_char"], r["end_char"]), r["actor_id"])
            )
    for r in store.query(
        "SELECT q.*, ea.actor_id FROM quotes q LEFT JOIN entity_actor ea "
        "ON ea.doc_id = q.doc_id AND ea.local_id = q.speaker_local_id ORDER BY q.doc_id, q.idx"
    ):
        for key in key_of.get(r["doc_id"], ()):
            sp = (
                Span(key, r["speaker_start"], r["speaker_end"])
                if r["speaker_start"] is not None
                else None
            )
            cue = Span(key, r["cue_start"], r["cue_end"]) if r["cue_start"] is not None else None
            pred.quotes.setdefault(key, []).append(
                PredQuote(Span(key, r["start_char"], r["end_char"]), bool(r["direct"]), sp,
                          r["actor_id"], cue)
            )
    for key in pred.texts:
        pred.mentions.setdefault(key, [])
        pred.quotes.setdefault(key, [])
    # Scorers of later stages read their own tables: they get the store path and the map
    # from doc_id to the source keys gold files use.
    pred.extra["store_path"] = str(store.path)
    pred.extra["doc_keys"] = key_of
    return pred


def evaluate(gold_path: str | Path, store_path: str | Path) -> dict[str, Any]:
    """Score the store against the gold file; the JSON object of shared/gold/README.md."""
    gold = load_gold(gold_path)
    with Store.open(store_path, read_only=True) as store:
        pred = predictions_from_store(store)
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        if section not in gold.data:
            continue
        fn = scorer(section)
        sections[section] = fn(gold, pred) if fn else {"status": "not implemented"}
    result: dict[str, Any] = {"gold": gold.name, "store": str(store_path), "sections": sections}
    gold_docs = {d.get("doc") for d in gold.items("documents")}
    missing = sorted(d for d in gold_docs | gold.missing_docs if d and d not in pred.texts)
    if missing:
        result["missing_documents"] = missing
    if gold.unresolved:
        result["unresolved_evidence"] = gold.unresolved
    return result


def render_table(result: dict[str, Any]) -> Table:
    t = Table(title=f"narrascope eval: {result['gold']} vs {result['store']}")
    for col in ("section", "precision", "recall", "f1", "gold", "predicted", "other"):
        t.add_column(col, justify="left" if col in ("section", "other") else "right")
    main = {"precision", "recall", "f1", "gold", "predicted"}
    for name, s in result["sections"].items():
        if s.get("status"):
            t.add_row(name, "", "", "", "", "", s["status"])
            continue

        def fmt(k: str, s: dict[str, Any] = s) -> str:
            v = s.get(k)
            return "" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

        other = ", ".join(
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
            for k, v in s.items()
            if k not in main and not isinstance(v, dict | list)
        )
        t.add_row(name, fmt("precision"), fmt("recall"), fmt("f1"), fmt("gold"),
                  fmt("predicted"), other)
    if result.get("missing_documents"):
        t.caption = f"{len(result['missing_documents'])} gold documents are not in the store"
    return t
