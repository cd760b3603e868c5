"""Train the story pair model (``link/data/stories_model.npz``) on labelled story sets.

Not part of ``analyze``: run by ``make train`` or by hand on analysed stores with gold
``stories`` (stories-ecbplus-dev, stories-allsides-train; never the seed corpus)::

    python -m narrascope.link.stories_train \\
        --pair /tmp/ns-ecb ../shared/data/stories-ecbplus-dev/gold.json \\
        --pair /tmp/ns-as ../shared/data/stories-allsides-train/gold.json \\
        --out src/narrascope/link/data/stories_model.npz

Every document is a query: its candidate pairs (embedding neighbours) are labelled same
story or not from the gold, and a gradient-boosted tree model is fitted with each set
weighted equally. Before the final fit it prints a grouped two-fold cross-validation: the
gold topics of every set (ECB+ ``12`` and ``12plus`` are one topic, so the two similar
events are always on the same side) alternate between two halves; a model trained on one
half scores the pairs of the other, the documents are clustered on those held-out
probabilities, and B-cubed F1 is measured on each half. The clustering threshold shipped
is the one with the best worst-case held-out F1 over the sets (one number, chosen on the
held-out figures themselves, so those are slightly optimistic).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from narrascope.eval.core import load_gold
from narrascope.eval.stories import bcubed, gold_story_of
from narrascope.link import stories as S
from narrascope.link import story_pairs as P
from narrascope.store import Store

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


@dataclass
class LabelledSet:
    name: str
    f: S.DocFeatures
    keys: dict[str, list[str]]  # doc_id -> source keys
    gold: dict[str, str]  # source key -> gold story
    pairs: np.ndarray  # (m, 2) candidate pairs, i < j
    x: np.ndarray  # (m, len(FEATURES))
    y: np.ndarray  # (m,) 1 = same gold story
    half: np.ndarray  # (n,) 0/1 CV half of each document's gold topic


def topic_of(story: str) -> str:
    """ECB+ names the second, similar event of topic ``12`` ``12plus``: one topic."""
    return story.removesuffix("plus")


def labelled_set(store_path: str, gold_path: str, p: S.StoryParams) -> LabelledSet:
    gold = gold_story_of(load_gold(gold_path))
    with Store(store_path) as store:
        f = S.build_features(store)
        keys: dict[str, list[str]] = {}
        for r in store.query("SELECT source, line, doc_id FROM doc_sources ORDER BY source, line"):
            key = r["source"] if not r["line"] else f"{r['source']}:{r['line']}"
            keys.setdefault(r["doc_id"], []).append(key)
    n = len(f.doc_ids)
    docs = np.arange(n, dtype=np.int64)
    nb = S.neighbours(f.embed, docs, p.neighbours, p)
    pairs = np.array(sorted({(min(a, b), max(a, b)) for a, r in enumerate(nb) for b in r.tolist()}),
                     dtype=np.int64).reshape(-1, 2)
    ctx = P.neighbourhood(f, docs, nb)
    x = P.pair_features(f, ctx, pairs[:, 0], pairs[:, 1])
    label = [next((gold[k] for k in keys.get(d, ()) if k in gold), None) for d in f.doc_ids]
    known = np.array([lab is not None for lab in label])
    keep = known[pairs[:, 0]] & known[pairs[:, 1]]
    pairs, x = pairs[keep], x[keep]
    lab = np.array(label, dtype=object)
    y = (lab[pairs[:, 0]] == lab[pairs[:, 1]]).astype(np.int64)
    topics = sorted({topic_of(s) for s in gold.values()})
    half_of = {t: k % 2 for k, t in enumerate(topics)}
    half = np.array([half_of[topic_of(s)] if s is not None else -1 for s in label])
    return LabelledSet(store_path, f, keys, gold, pairs, x, y, half)


def fit(sets: Sequence[LabelledSet], masks: Sequence[np.ndarray]) -> Any:
    """A tree model on the masked pairs of every set, each set weighing the same in total."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    xs = [s.x[m] for s, m in zip(sets, masks, strict=True)]
    ys = [s.y[m] for s, m in zip(sets, masks, strict=True)]
    w = np.concatenate([np.full(len(y), 1.0 / max(len(y), 1)) for y in ys])
    model = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
        l2_regularization=1.0, random_state=0,
    )
    model.fit(np.vstack(xs), np.concatenate(ys), sample_weight=w / w.mean())
    return model


def _predictions(s: LabelledSet, clusters: list[list[int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, rows in enumerate(clusters):
        for i in rows:
            for key in s.keys.get(s.f.doc_ids[i], ()):
                out[key] = k
    return out


def cluster_on(
    s: LabelledSet, probs: np.ndarray, threshold: float, p: S.StoryParams, split: bool = True
) -> list[list[int]]:
    """The clustering :func:`narrascope.link.stories.cluster` makes from these pair scores."""
    n = len(s.f.doc_ids)
    edges = {(int(a), int(b)): float(q)
             for (a, b), q in zip(s.pairs.tolist(), probs.tolist(), strict=True)}
    out: list[list[int]] = []
    for rows in S.average_link(n, edges, threshold):
        out.extend(S.split_in_two(s.f, rows, p) if split else [rows])
    return sorted(sorted(r) for r in out)


def cross_validate(sets: Sequence[LabelledSet], p: S.StoryParams) -> dict[str, Any]:
    """Held-out pair probabilities (two halves of the topics) and F1 per threshold."""
    held = [np.zeros(len(s.y)) for s in sets]
    for k in (0, 1):
        train = [(s.half[s.pairs[:, 0]] != k) & (s.half[s.pairs[:, 1]] != k) for s in sets]
        model = P.from_sklearn(fit(sets, train), P.FEATURES, 0.5)
        for q, s in enumerate(sets):
            test = ~train[q]
            held[q][test] = model.predict(s.x[test])
    report: dict[str, Any] = {}
    for s, probs in zip(sets, held, strict=True):
        halves = [{key: g for key, g in s.gold.items() if topic_of(g) in topics}
                  for topics in _topic_halves(s.gold)]
        row = {}
        for t in THRESHOLDS:
            pred = _predictions(s, cluster_on(s, probs, t, p))
            bare = _predictions(s, cluster_on(s, probs, t, p, split=False))
            row[t] = {"f1": bcubed(s.gold, pred)["f1"],
                      "halves": [bcubed(h, pred)["f1"] for h in halves],
                      "f1_without_split": bcubed(s.gold, bare)["f1"],
                      "halves_without_split": [bcubed(h, bare)["f1"] for h in halves]}
        report[s.name] = row
    return report


def _topic_halves(gold: dict[str, str]) -> tuple[set[str], set[str]]:
    topics = sorted({topic_of(s) for s in gold.values()})
    return set(topics[0::2]), set(topics[1::2])


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", nargs=2, action="append", metavar=("STORE", "GOLD"), required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    p = S.StoryParams()
    sets = [labelled_set(store, gold, p) for store, gold in args.pair]
    cv = cross_validate(sets, p)
    for name, row in cv.items():
        print(json.dumps({"set": name, "cv": {str(t): v for t, v in row.items()}}), flush=True)
    score = "f1" if p.split_with_model else "f1_without_split"
    best = max(THRESHOLDS, key=lambda t: (min(cv[s.name][t][score] for s in sets), -t))
    model = P.from_sklearn(fit(sets, [np.ones(len(s.y), dtype=bool) for s in sets]),
                           P.FEATURES, best)
    model.save(args.out)
    print(json.dumps({"threshold": best, "cv_f1": {s.name: cv[s.name][best] for s in sets},
                      "pairs": {s.name: len(s.y) for s in sets},
                      "positives": {s.name: int(s.y.sum()) for s in sets}, "out": args.out}))


if __name__ == "__main__":
    main()
