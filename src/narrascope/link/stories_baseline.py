"""Baseline for story clustering: plain TF-IDF + average-link, threshold tuned on the data.

The figure to beat (issue 5): run over an analysed store and its gold file, it reports the
best B-cubed F1 over a threshold grid (an optimistic figure: tuned on the data it scores)
and a two-fold cross-validated one (threshold tuned on half the gold stories, scored on
the other half, and the other way round; the mean of the two)::

    python -m narrascope.link.stories_baseline --store /tmp/ns-ecb \\
        --gold ../shared/data/stories-ecbplus-dev/gold.json

Quadratic in the number of documents (a full similarity matrix): a yardstick, not a pass.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from narrascope.eval.core import load_gold
from narrascope.eval.stories import bcubed, gold_story_of
from narrascope.store import Store

THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.02, 0.62, 0.02))


def tfidf_average_link(texts: Sequence[str], thresholds: Sequence[float]) -> dict[float, np.ndarray]:
    """Cluster labels per similarity threshold (merge while average cosine >= threshold)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    sim = np.asarray((x @ x.T).todense())
    dist = np.clip(1.0 - sim, 0.0, None)
    tree = linkage(dist[np.triu_indices(len(texts), 1)], method="average")
    return {t: fcluster(tree, t=1.0 - t, criterion="distance") for t in thresholds}


def split_stories(gold: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Two halves of the gold stories, for 2-fold CV.

    Stories are grouped by topic first (ECB+ ``12`` and ``12plus`` are the two confusable
    events of one topic) and whole topics alternate between the halves, so the pairs that
    are hard to tell apart are always tuned and scored together.
    """
    topics = sorted({s.removesuffix("plus") for s in gold.values()})
    first_topics = set(topics[0::2])
    first = {s for s in gold.values() if s.removesuffix("plus") in first_topics}
    return ({d: s for d, s in gold.items() if s in first},
            {d: s for d, s in gold.items() if s not in first})


def cross_validated(gold: Mapping[str, str], preds: Mapping[Any, Mapping[str, Any]]) -> dict[str, Any]:
    """Tune the setting on one half of the gold stories, score the other half, both ways."""
    a, b = split_stories(gold)
    out = []
    for tune, test in ((a, b), (b, a)):
        best = max(preds, key=lambda k: (bcubed(tune, preds[k])["f1"], -abs(float(k))))
        out.append(bcubed(test, preds[best])["f1"])
    return {"cv_f1": round(float(np.mean(out)), 4), "cv_folds": [round(x, 4) for x in out]}


def run(store_path: str, gold_path: str) -> dict[str, object]:
    gold = gold_story_of(load_gold(gold_path))
    with Store.open(store_path, read_only=True) as store:
        rows = store.query(
            "SELECT s.source, s.line, d.text FROM doc_sources s JOIN documents d USING (doc_id) "
            "ORDER BY s.source, s.line"
        )
    keys = [r["source"] if not r["line"] else f"{r['source']}:{r['line']}" for r in rows]
    labels = tfidf_average_link([r["text"] for r in rows], THRESHOLDS)
    preds = {t: dict(zip(keys, lab.tolist(), strict=True)) for t, lab in labels.items()}
    scores = {t: bcubed(gold, preds[t]) for t in THRESHOLDS}
    best = max(THRESHOLDS, key=lambda t: scores[t]["f1"])
    return {"threshold": best, **scores[best], **cross_validated(gold, preds)}


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--gold", required=True)
    args = ap.parse_args(argv)
    print(json.dumps(run(args.store, args.gold)))


if __name__ == "__main__":
    main()
