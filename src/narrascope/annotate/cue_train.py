"""Train the cue model shipped as ``annotate/data/cue_model.json``.

Developer tool, not used at run time. Trains on the articles of a quote gold set (the
PolNeAR training split in ``shared/data/quotes-polnear-train``), holding back the latest
articles by date so the score it prints is honest::

    python -m narrascope.annotate.cue_train ../shared/data/quotes-polnear-train \\
        --tune 600 --out src/narrascope/annotate/data/cue_model.json

A candidate verb is labelled positive when it lies inside a gold ``cue`` span.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from narrascope.annotate.cues import features, is_candidate
from narrascope.annotate.quotemarks import find_marked_spans


def candidate_rows(sdoc: Doc) -> Iterable[tuple[int, int, list[str]]]:
    """``(char_start, char_end, features)`` for every cue candidate of a parsed document."""
    marked = [m for m in find_marked_spans(sdoc.text) if m.level == 0]
    for t in sdoc:
        if not is_candidate(t):
            continue
        inq = any(m.start <= t.idx < m.end for m in marked)
        yield t.idx, t.idx + len(t.text), features(t, inq)


def split_docs(gold: dict[str, Any], tune: int) -> tuple[list[str], list[str]]:
    """Articles sorted by date: the first ``tune`` to learn from, the rest held out."""
    ds = sorted(gold["documents"], key=lambda d: (d.get("published") or "", d["doc"]))
    names = [d["doc"] for d in ds]
    return names[:tune], names[tune:]


def train(rows: list[tuple[list[str], int]], min_count: int = 3, c: float = 0.5) -> dict[str, Any]:
    """Fit an L2 logistic regression and return its weights as a plain dict."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for feats, _ in rows for f in set(feats))
    keep = {f for f, n in counts.items() if n >= min_count}
    vec = DictVectorizer()
    x = vec.fit_transform([{f: 1.0 for f in feats if f in keep} for feats, _ in rows])
    y = [lab for _, lab in rows]
    clf = LogisticRegression(C=c, max_iter=2000)
    clf.fit(x, y)
    names = vec.get_feature_names_out()
    weights = {str(n): round(float(w), 4) for n, w in zip(names, clf.coef_[0], strict=True) if abs(w) > 1e-3}
    return {"bias": round(float(clf.intercept_[0]), 4), "weights": weights}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--tune", type=int, default=600)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threshold", type=float, default=0.42)
    ap.add_argument("--c", type=float, default=0.5, help="inverse L2 strength")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--docbin", type=Path, help="parsed corpus cache (DocBin) with a .files list")
    args = ap.parse_args(argv)

    from spacy.tokens import DocBin

    from narrascope.annotate.models import load_models

    gold = json.loads((args.dataset / "gold.json").read_text(encoding="utf-8"))
    tune, _ = split_docs(gold, args.tune)
    nlp = load_models().nlp
    if args.docbin:
        files = Path(str(args.docbin) + ".files").read_text().split("\n")
        parsed = dict(zip(files, DocBin().from_disk(args.docbin).get_docs(nlp.vocab), strict=True))
    else:
        texts = {f: (args.dataset / "corpus" / f).read_text(encoding="utf-8") for f in tune}
        parsed = dict(zip(texts, nlp.pipe(texts.values()), strict=True))
    cue_chars: dict[str, set[int]] = {}
    for q in gold["quotes"]:
        s = q["cue"]["start"]
        cue_chars.setdefault(q["doc"], set()).update(range(s, s + len(q["cue"]["contains"])))
    rows = []
    for name in tune:
        cc = cue_chars.get(name, set())
        for s, e, feats in candidate_rows(parsed[name]):
            rows.append((feats, int(any(i in cc for i in range(s, e)))))
    model = train(rows, args.min_count, args.c)
    model["threshold"] = args.threshold
    model["trained_on"] = f"{args.dataset.name}: {len(tune)} earliest articles, {len(rows)} candidates"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(rows)} candidates, {sum(r[1] for r in rows)} cues, {len(model['weights'])} weights")


if __name__ == "__main__":
    main()
