"""Score ``techniques`` and ``framing`` gold sections (format: shared/gold/README.md).

techniques: a predicted technique matches a gold item when their spans overlap in the same
document and the labels are equal. A gold span that is a whole paragraph (data sets labelled
per paragraph) is matched by any same-label prediction inside it, which overlap covers.
Predictions count only in documents the gold file covers, since items are not exhaustive
elsewhere.

framing: accuracy over the listed (doc, entity, role) items. The entity is the predicted one
with a mention overlapping the item's ``mention`` when it has one, else the entity whose
canonical name (local or corpus actor, compared with ``norm_name``) equals the item's.
``fine_exact_match``: share of items with gold fine roles whose predicted fine-role set is
exactly the gold set.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from narrascope.eval.core import Gold, Predictions, Span, norm_name, prf, resolve
from narrascope.store import Store


def _open(pred: Predictions) -> Store | None:
    path = pred.extra.get("store_path")
    return Store.open(path, read_only=True) if path else None



def _gold_docs(gold: Gold, section: str) -> set[str]:
    docs = {d["doc"] for d in gold.items("documents") if isinstance(d.get("doc"), str)}
    return docs | {it["doc"] for it in gold.items(section) if isinstance(it.get("doc"), str)}


def same_label(a: object, b: object) -> bool:
    """Technique labels match exactly, or when one is the other's short SemEval name
    ("False_Dilemma" for "False_Dilemma-No_Choice")."""
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    return a == b or a.split("-")[0] == b or b.split("-")[0] == a


def score_techniques(gold: Gold, pred: Predictions) -> dict[str, Any]:
    store = _open(pred)
    if store is None:
        return {"status": "not implemented"}
    keys: dict[str, list[str]] = pred.extra.get("doc_keys", {})
    preds: dict[str, list[tuple[Span, str]]] = defaultdict(list)
    with store:
        if not store.has_table("techniques"):
            return {"status": "not implemented"}
        for r in store.query("SELECT doc_id, start_char, end_char, label FROM techniques"):
            for key in keys.get(r["doc_id"], ()):
                preds[key].append((Span(key, r["start_char"], r["end_char"]), r["label"]))
    items = []
    for it in gold.items("techniques"):
        span = resolve(it, pred.texts, gold)
        items.append((span, it.get("technique")))
    covered = _gold_docs(gold, "techniques")
    scored = [(s, lab) for doc in covered for s, lab in preds.get(doc, ())]
    tp_g = sum(1 for s, lab in items if s is not None and any(
        same_label(lab, pl) and s.overlaps(ps) for ps, pl in preds.get(s.doc, ())))
    tp_p = sum(1 for ps, pl in scored if any(
        s is not None and same_label(pl, lab) and s.overlaps(ps) for s, lab in items))
    by_label: dict[str, dict[str, int]] = {}
    for s, lab in items:
        d = by_label.setdefault(str(lab), {"gold": 0, "found": 0})
        d["gold"] += 1
        d["found"] += int(s is not None and any(
            same_label(lab, pl) and s.overlaps(ps) for ps, pl in preds.get(s.doc, ())))
    return {**prf(tp_p, len(scored), tp_g, len(items)), "gold": len(items),
            "predicted": len(scored), "by_label": by_label}


def score_framing(gold: Gold, pred: Predictions) -> dict[str, Any]:
    store = _open(pred)
    if store is None:
        return {"status": "not implemented"}
    keys: dict[str, list[str]] = pred.extra.get("doc_keys", {})
    # per source key: local_id -> (names, role, fine roles, mention spans)
    ents: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    with store:
        if not store.has_table("roles"):
            return {"status": "not implemented"}
        for r in store.query(
            "SELECT r.doc_id, r.local_id, r.role, r.fine_roles, le.canonical, a.canonical AS actor "
            "FROM roles r LEFT JOIN local_entities le USING (doc_id, local_id) "
            "LEFT JOIN entity_actor ea USING (doc_id, local_id) "
            "LEFT JOIN actors a ON a.actor_id = ea.actor_id"
        ):
            names = {norm_name(n) for n in (r["canonical"], r["actor"]) if n}
            for key in keys.get(r["doc_id"], ()):
                ents[key][r["local_id"]] = {"names": names, "role": r["role"],
                                            "fine": set(r["fine_roles"] or ()), "spans": []}
        for r in store.query("SELECT doc_id, local_id, start_char, end_char FROM mentions"):
            for key in keys.get(r["doc_id"], ()):
                e = ents.get(key, {}).get(r["local_id"])
                if e is not None:
                    e["spans"].append(Span(key, r["start_char"], r["end_char"]))
    correct = fine_n = fine_ok = found = 0
    items = gold.items("framing")
    for it in items:
        doc = it.get("doc")
        cands = ents.get(doc, {}) if isinstance(doc, str) else {}
        chosen: dict[str, Any] | None = None
        if isinstance(it.get("mention"), dict):
            span = resolve(it["mention"], pred.texts, gold)
            best = 0
            for e in cands.values():
                n = max((s.overlap_len(span) for s in e["spans"]), default=0) if span else 0
                if n > best:
                    chosen, best = e, n
        if chosen is None:
            want = norm_name(str(it.get("entity", "")))
            named = [e for e in cands.values() if want in e["names"]]
            chosen = max(named, key=lambda e: len(e["spans"]), default=None)
        found += chosen is not None
        correct += bool(chosen and chosen["role"] == it.get("role"))
        if it.get("fine_roles"):
            fine_n += 1
            fine_ok += bool(chosen and chosen["fine"] == set(it["fine_roles"]))
    out: dict[str, Any] = {
        "accuracy": round(correct / len(items), 4) if items else 0.0,
        "correct": correct, "gold": len(items), "found": found,
    }
    if fine_n:
        out["fine_exact_match"] = round(fine_ok / fine_n, 4)
    return out
