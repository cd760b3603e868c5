"""Report builder for claims across outlets: claim groups side by side per outlet, reuse
chains earliest first, contradictions with the reasons they were flagged, coverage gaps.

Returns plain text and anchors only; the partial autoescapes every article string. Each
piece of evidence links to its article (``doc-<doc_id>``, the anchor of _document.html).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from narrascope.store import Store

MAX_GROUPS = 60
MAX_CONTRA = 60



def _text(texts: dict[str, str], doc_id: str, start: int, end: int) -> str:
    return texts.get(doc_id, "")[start:end]


def claims(store: Store) -> dict[str, Any] | None:
    """Data for ``_claims.html``, or None when the claims pass has not run."""
    if not store.has_table("claim_groups"):
        return None
    texts = {r["doc_id"]: r["text"] for r in store.query("SELECT doc_id, text FROM documents")}
    outlet_of = {r["doc_id"]: r["outlet"] or r["source"] for r in store.query(
        "SELECT doc_id, outlet, source FROM documents")}
    groups = []
    for g in store.query("SELECT * FROM claim_groups ORDER BY n_docs DESC, n_claims DESC, "
                         "group_id LIMIT ?", [MAX_GROUPS]):
        by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in store.query("SELECT * FROM claim_members WHERE group_id = ? "
                             "ORDER BY published NULLS LAST, doc_id, start_char", [g["group_id"]]):
            by_outlet[m["outlet"] or "unknown outlet"].append({
                "text": _text(texts, m["doc_id"], m["start_char"], m["end_char"]),
                "published": m["published"], "anchor": f"doc-{m['doc_id']}"})
        groups.append({"id": g["group_id"], "label": g["label"], "n_docs": g["n_docs"],
                       "outlets": [{"outlet": o, "evidence": ev} for o, ev in by_outlet.items()]})
    chains: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.query("SELECT * FROM reuse_passages ORDER BY reuse_id, rank"):
        chains[r["reuse_id"]].append({
            "text": _text(texts, r["doc_id"], r["start_char"], r["end_char"]),
            "outlet": r["outlet"], "published": r["published"], "rank": r["rank"],
            "similarity": r["similarity"], "anchor": f"doc-{r['doc_id']}",
            "copied_from": outlet_of.get(r["copied_from"]) if r["copied_from"] else None})
    contra = []
    for c in store.query("SELECT * FROM contradictions ORDER BY score DESC, contra_id LIMIT ?",
                         [MAX_CONTRA]):
        contra.append({
            "kind": c["kind"], "score": c["score"], "reasons": list(c["reasons"] or ()),
            "explained_by_time": bool(c["explained_by_time"]),
            "a": {"text": _text(texts, c["doc_a"], c["start_a"], c["end_a"]),
                  "outlet": outlet_of.get(c["doc_a"]), "date": c["date_a"],
                  "anchor": f"doc-{c['doc_a']}"},
            "b": {"text": _text(texts, c["doc_b"], c["start_b"], c["end_b"]),
                  "outlet": outlet_of.get(c["doc_b"]), "date": c["date_b"],
                  "anchor": f"doc-{c['doc_b']}"}})
    labels = {g["group_id"]: g["label"] for g in store.query(
        "SELECT group_id, label FROM claim_groups")}
    gaps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.query("SELECT * FROM coverage_gaps ORDER BY outlet, n_outlets DESC"):
        gaps[r["outlet"]].append({"label": labels.get(r["group_id"], ""),
                                  "group": r["group_id"], "n_outlets": r["n_outlets"]})
    if not (groups or chains or contra):
        return None
    return {"groups": groups, "reuse": list(chains.values()), "contradictions": contra,
            "gaps": [{"outlet": o, "missing": m} for o, m in gaps.items()]}
