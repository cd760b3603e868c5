"""Calibrate the same-claim embedding thresholds on labelled same-story data.

Why: the cosine at which two sentences "say the same thing" depends on the encoder, so it is
measured, not guessed. On a same-story corpus (``stories-allsides-train``: left, centre and
right outlets telling one story, headline + lead), the best-matching sentence pair of two
documents of the same story is our proxy for "the same claim in different words", and the
best-matching pair of two documents of different stories for "unrelated claims".

``candidate`` is the cosine that best separates the two (Youden's J), the floor for a pair
to be considered at all; ``accept`` is the cosine that only 1% of different-story pairs
reach, above which lexical overlap is no longer required (structure is still checked).

Run: ``python -m narrascope.link.claims_calibrate ../shared/data/stories-allsides-train``.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from pathlib import Path

import numpy as np

_SENT = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if len(s.split()) >= 4]


def calibrate(folder: Path, seed: int = 20240601, max_docs: int = 1500) -> dict[str, float]:
    """Thresholds (see the module docstring) measured on ``folder`` (corpus/ + gold.json)."""
    from narrascope.annotate.embed import encode

    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    story_of = {d: s["id"] for s in gold["stories"] for d in s["docs"]}
    titles: dict[str, str] = {}
    with (folder / "corpus" / "sources.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            titles[row["file"]] = row.get("title") or ""
    docs = sorted(story_of)[:max_docs]
    sents: dict[str, list[str]] = {}
    for d in docs:
        p = folder / "corpus" / d
        if p.is_file():
            sents[d] = _sentences(p.read_text(encoding="utf-8"))[:6]
    flat = [(d, s) for d, ss in sents.items() for s in ss]
    vecs = encode([s for _, s in flat])
    by_doc: dict[str, np.ndarray] = {}
    for d in sents:
        idx = [i for i, (dd, _) in enumerate(flat) if dd == d]
        if idx:
            by_doc[d] = vecs[idx]
    names = sorted(by_doc)
    rng = random.Random(seed)
    pos, neg = [], []
    for i, a in enumerate(names):
        for b in names[i + 1:i + 4]:
            if story_of[a] == story_of[b]:
                pos.append(float((by_doc[a] @ by_doc[b].T).max()))
        b = rng.choice(names)
        if story_of[b] != story_of[a]:
            neg.append(float((by_doc[a] @ by_doc[b].T).max()))
    p_arr, n_arr = np.array(pos), np.array(neg)
    grid = np.linspace(0.2, 0.95, 76)
    j = [(p_arr >= t).mean() - (n_arr >= t).mean() for t in grid]
    cand = float(grid[int(np.argmax(j))])
    accept = float(np.quantile(n_arr, 0.99))
    return {"candidate": round(cand, 3), "accept": round(accept, 3),
            "positives": len(pos), "negatives": len(neg),
            "pos_median": round(float(np.median(p_arr)), 3),
            "neg_median": round(float(np.median(n_arr)), 3),
            "recall_at_candidate": round(float((p_arr >= cand).mean()), 3),
            "fpr_at_candidate": round(float((n_arr >= cand).mean()), 3)}


if __name__ == "__main__":
    print(json.dumps(calibrate(Path(sys.argv[1])), indent=1))
