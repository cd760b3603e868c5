"""Calibrate :class:`~narrascope.link.stories.StoryParams` on labelled story sets.

Runs a small grid over the threshold and the local-scaling weight on one or more analysed
stores with gold ``stories`` (stories-ecbplus-dev, stories-allsides-train: never the seed
corpus), prints B-cubed F1 per setting and store, the setting with the best worst-case F1,
and a two-fold cross-validated figure per store (tuned on half the gold topics, scored on
the other half; see :func:`narrascope.link.stories_baseline.cross_validated`)::

    python -m narrascope.link.stories_calibrate \\
        --pair /tmp/ns-ecb ../shared/data/stories-ecbplus-dev/gold.json \\
        --pair /tmp/ns-as ../shared/data/stories-allsides-train/gold.json

Writes ``doc_vectors`` (the embedding cache) into each store, nothing else.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from narrascope.eval.core import load_gold
from narrascope.eval.stories import bcubed, gold_story_of
from narrascope.link import stories as S
from narrascope.link.stories_baseline import cross_validated
from narrascope.store import Store

GRID: dict[str, tuple[float, ...]] = {
    "background_weight": (0.0, 0.5, 1.0),
    "threshold": (0.1, 0.125, 0.15, 0.2, 0.25),
}


def predictions(f: S.DocFeatures, keys: dict[str, list[str]], p: S.StoryParams) -> dict[str, int]:
    """Source key -> cluster number under ``p``."""
    out: dict[str, int] = {}
    for k, rows in enumerate(S.cluster(f, p)):
        for i in rows:
            for key in keys.get(f.doc_ids[i], ()):
                out[key] = k
    return out


def calibrate(pairs: Sequence[tuple[str, str]], base: S.StoryParams) -> dict[str, Any]:
    data = []
    for store_path, gold_path in pairs:
        with Store(store_path) as store:
            f = S.build_features(store)
            keys: dict[str, list[str]] = {}
            for r in store.query("SELECT source, line, doc_id FROM doc_sources"):
                key = r["source"] if not r["line"] else f"{r['source']}:{r['line']}"
                keys.setdefault(r["doc_id"], []).append(key)
        data.append((store_path, f, keys, gold_story_of(load_gold(gold_path))))
    names = list(GRID)
    settings = [dict(zip(names, v, strict=True)) for v in itertools.product(*GRID.values())]
    preds: list[dict[int, dict[str, int]]] = [{} for _ in data]
    table = []
    for n, setting in enumerate(settings):
        p = replace(base, background_weight=setting["background_weight"],
                    threshold=setting["threshold"])
        row: dict[str, Any] = dict(setting)
        for d, (path, f, keys, gold) in enumerate(data):
            preds[d][n] = predictions(f, keys, p)
            row[path] = bcubed(gold, preds[d][n])["f1"]
        row["min"] = min(row[path] for path, *_ in data)
        table.append(row)
        print(json.dumps(row), flush=True)
    best = max(range(len(settings)), key=lambda n: table[n]["min"])
    cv = {path: cross_validated(gold, preds[d]) for d, (path, _, _, gold) in enumerate(data)}
    return {"best": settings[best], "scores": table[best], "cv": cv, "base": asdict(base)}


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", nargs=2, action="append", metavar=("STORE", "GOLD"), required=True)
    args = ap.parse_args(argv)
    print(json.dumps(calibrate([tuple(x) for x in args.pair], S.StoryParams())))


if __name__ == "__main__":
    main()
