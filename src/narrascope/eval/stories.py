"""Score story clusters against gold ``stories`` with B-cubed precision, recall and F1.

B-cubed (Bagga & Baldwin 1998) scores every document by the overlap of its predicted
cluster with its gold cluster, so a few giant or many tiny clusters cannot game it the way
pairwise counting of large clusters can. Only the documents the gold file lists are scored;
a listed document that has no predicted story (absent from the store, or not clustered)
counts as a singleton, which costs recall and never helps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from narrascope.eval.core import Gold, Predictions


def bcubed(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> dict[str, float]:
    """B-cubed P/R/F1 of ``pred`` (item -> cluster) against ``gold`` (item -> cluster).

    Items of ``gold`` missing from ``pred`` are singletons; items only in ``pred`` are ignored.
    """
    items = list(gold)
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    plabel = {i: pred.get(i, ("__singleton__", i)) for i in items}
    gsize = Counter(gold[i] for i in items)
    psize = Counter(plabel[i] for i in items)
    both = Counter((gold[i], plabel[i]) for i in items)
    p = sum(both[(gold[i], plabel[i])] / psize[plabel[i]] for i in items) / len(items)
    r = sum(both[(gold[i], plabel[i])] / gsize[gold[i]] for i in items) / len(items)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def gold_story_of(gold: Gold) -> dict[str, str]:
    """Gold file name -> gold story id (a document listed twice keeps its first story)."""
    out: dict[str, str] = {}
    for s in gold.items("stories"):
        for doc in s.get("docs") or ():
            out.setdefault(str(doc), str(s.get("id")))
    return out


def predicted_story_of(pred: Predictions) -> dict[str, str]:
    """Source key -> predicted story id, read from the store's ``stories`` table."""
    import duckdb

    from narrascope.store import Store

    path = pred.extra.get("store_path")
    keys: Mapping[str, list[str]] = pred.extra.get("doc_keys") or {}
    if not path:
        return {}
    out: dict[str, str] = {}
    with Store.open(path, read_only=True) as store:
        try:
            rows = store.query("SELECT doc_id, story_id FROM stories ORDER BY doc_id")
        except duckdb.CatalogException:  # a store without the stories table: nothing predicted
            return {}
    for r in rows:
        for key in keys.get(r["doc_id"], ()):
            out[key] = str(r["story_id"])
    return out


def score_stories(gold: Gold, pred: Predictions) -> dict[str, Any]:
    """B-cubed P/R/F1 over the gold-listed documents; ``gold``/``predicted`` count clusters."""
    g = gold_story_of(gold)
    p = predicted_story_of(pred)
    for doc in g:
        if doc not in pred.texts:
            gold.missing_docs.add(doc)
    scores: dict[str, Any] = dict(bcubed(g, p))
    scores["gold"] = len(set(g.values()))
    scores["predicted"] = len({p.get(d, ("__singleton__", d)) for d in g})
    return scores
