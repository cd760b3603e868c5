"""Train and cross-validate the entity-role model (developer tool, not on the analyse path).

Learns from the SemEval-2025 Task 10 entity-framing gold (``framing-semeval2025-part``):
each item names an entity mention, its main role and fine roles. Every document is
annotated as ``annotate`` does it (entities, quotes, events, techniques), the model learns
from the gold mentions' features (``roles.mention_features``), and is scored as the
component decides: on the mean over the mentions of the narrascope entity overlapping the
gold mention, in the voice the component would use (the gold mention alone when there is
no entity there). Writes weights only to ``annotate/data/roles_model.npz``::

    python -m narrascope.annotate.train_roles --data ../shared/data/framing-semeval2025-part \\
        --cv 5 --out src/narrascope/annotate/data/roles_model.npz

``--cv K`` prints main-role accuracy by K-fold cross-validation grouped by document, the
majority-class baseline on the same folds, the fine-role exact-match ratio and the
confusion (``--repeats R``: R different document shuffles).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.annotate.components import Context
from narrascope.annotate.pipeline import annotate_parsed
from narrascope.annotate.roles import DocView, doc_view, hashed, mention_features, voice_spans
from narrascope.annotate.train_corpus import load_gold, parse_corpus
from narrascope.records import Document

N_FEATURES = 2**12
DEFAULT_C = 1.0


@dataclass
class Examples:
    """The gold items as the model sees them: a training row per gold mention (``x``), and
    the feature dicts of every mention the component would score for its entity (``rows``:
    the entity's reporting-voice mentions, else its quoted ones, else the gold mention)."""

    x: np.ndarray
    rows: list[list[dict[str, float]]]
    mains: list[str]
    fines: list[tuple[str, ...]]
    groups: np.ndarray


def contexts(data: Path) -> tuple[dict[str, Context], dict[str, Any]]:
    """The gold file and, per document with ``framing`` items, its full annotation
    (entities, quotes, events, techniques) computed as ``annotate`` computes it."""
    gold = load_gold(data)
    need = {it["doc"] for it in gold.get("framing", [])}
    out: dict[str, Context] = {}
    for art in parse_corpus(data / "corpus"):
        if art.name in need:
            ann = annotate_parsed(Document(doc_id=art.name, source=art.name, text=art.text),
                                  art.sdoc)
            out[art.name] = Context(ann.doc, art.sdoc, ann.sentences, ann.mentions,
                                    ann.entities, ann.quotes, dict(ann.extras))
    return out, gold


def examples(ctxs: dict[str, Context], gold: dict[str, Any]) -> Examples:
    """Every gold item of the ``framing`` section whose document is in ``ctxs``."""
    views: dict[str, tuple[DocView, Any, Any]] = {}
    xs, rows, mains, fines, groups = [], [], [], [], []
    doc_ix: dict[str, int] = {}
    for it in gold.get("framing", []):
        name = it["doc"]
        ctx = ctxs.get(name)
        if ctx is None:
            continue
        if name not in views:
            views[name] = (doc_view(ctx), voice_spans(ctx), ctx.mentions)
        view, spans_of, mentions = views[name]
        ms = int(it["mention"]["start"])
        me = ms + len(it["mention"]["contains"])
        lid = next((m.local_id for m in mentions if m.start < me and ms < m.end), None)
        xs.append(hashed(mention_features(view, ms, me, lid), N_FEATURES))
        rep, quo = spans_of.get(lid, ([], [])) if lid is not None else ([], [])
        rows.append([mention_features(view, s, e, lid) for s, e in (rep or quo or [(ms, me)])])
        mains.append(it["role"])
        fines.append(tuple(it.get("fine_roles") or ()))
        groups.append(doc_ix.setdefault(name, len(doc_ix)))
    return Examples(np.vstack(xs), rows, mains, fines, np.array(groups))


def fit(x: np.ndarray, mains: Sequence[str], fines: Sequence[tuple[str, ...]], c: float
        ) -> dict[str, Any]:
    """Main-role and fine-role multinomial logistic regressions, as arrays."""
    from sklearn.linear_model import LogisticRegression

    main = LogisticRegression(C=c, max_iter=3000)
    main.fit(x, list(mains))
    first = [f[0] if f else "" for f in fines]
    keep = [i for i, f in enumerate(first) if f]
    fine = LogisticRegression(C=c, max_iter=3000)
    fine.fit(x[keep], [first[i] for i in keep])
    owner: dict[str, Counter[str]] = {}
    for i in keep:
        owner.setdefault(first[i], Counter())[mains[i]] += 1
    return {
        "n_features": np.array(x.shape[1]),
        "main_classes": np.array(main.classes_), "main_coef": _softmax_rows(main)[0],
        "main_icpt": _softmax_rows(main)[1],
        "fine_classes": np.array(fine.classes_), "fine_coef": _softmax_rows(fine)[0],
        "fine_icpt": _softmax_rows(fine)[1],
        "fine_main": np.array([owner[f].most_common(1)[0][0] for f in fine.classes_]),
    }


def _softmax_rows(clf: Any) -> tuple[np.ndarray, np.ndarray]:
    """One weight row and intercept per class. With two classes scikit-learn keeps a single
    row (the log-odds of the second); as scores, class 0 gets 0 and class 1 that row."""
    coef, icpt = clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32)
    if len(clf.classes_) == 2 and coef.shape[0] == 1:
        coef = np.vstack([np.zeros_like(coef), coef])
        icpt = np.concatenate([np.zeros_like(icpt), icpt])
    return coef, icpt


def _model(arrays: dict[str, Any]) -> Any:
    from narrascope.annotate.roles import RoleModel

    return RoleModel(
        n_features=int(arrays["n_features"]),
        main_classes=tuple(str(v) for v in arrays["main_classes"]),
        main_coef=arrays["main_coef"], main_icpt=arrays["main_icpt"],
        fine_classes=tuple(str(v) for v in arrays["fine_classes"]),
        fine_coef=arrays["fine_coef"], fine_icpt=arrays["fine_icpt"],
        fine_main=tuple(str(v) for v in arrays["fine_main"]),
    )


def predict_rows(arrays: dict[str, Any], rows: Sequence[Sequence[dict[str, float]]]
                 ) -> tuple[list[str], list[tuple[str, ...]]]:
    """Main and fine role of each entity (its mentions' feature dicts), decided exactly as
    the component decides them."""
    m = _model(arrays)
    roles: list[str] = []
    fines: list[tuple[str, ...]] = []
    for r in rows:
        role, _, fine, _ = m.predict(list(r))
        roles.append(role)
        fines.append(fine)
    return roles, fines


def cross_validate(ex: Examples, k: int, c: float, seed: int = 0) -> dict[str, Any]:
    """K-fold cross-validation grouped by document: a document's items are never scored by
    a model that saw any of them. Also the per-class confusion (gold -> predicted)."""
    x, mains, fines, groups = ex.x, ex.mains, ex.fines, ex.groups
    n_doc = int(groups.max()) + 1
    folds = np.array_split(np.random.default_rng(seed).permutation(n_doc), k)
    right = base_right = fine_right = fine_n = 0
    confusion: Counter[str] = Counter()
    for f in folds:
        te = np.isin(groups, f)
        tr = ~te
        arrays = fit(x[tr], [mains[i] for i in np.flatnonzero(tr)],
                     [fines[i] for i in np.flatnonzero(tr)], c)
        majority = Counter(mains[i] for i in np.flatnonzero(tr)).most_common(1)[0][0]
        pr, pf = predict_rows(arrays, [ex.rows[i] for i in np.flatnonzero(te)])
        for j, i in enumerate(np.flatnonzero(te)):
            confusion[f"{mains[i]}->{pr[j]}"] += 1
            right += pr[j] == mains[i]
            base_right += majority == mains[i]
            if fines[i]:
                fine_n += 1
                fine_right += set(pf[j]) == set(fines[i])
    n = len(mains)
    return {"items": n, "documents": n_doc, "accuracy": round(right / n, 4),
            "majority_baseline": round(base_right / n, 4),
            "fine_exact_match": round(fine_right / max(fine_n, 1), 4),
            "confusion": dict(sorted(confusion.items()))}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train/cross-validate the entity-role model.")
    ap.add_argument("--data", type=Path, required=True, help="framing-semeval2025-part folder")
    ap.add_argument("--out", type=Path, help="write the model here (.npz)")
    ap.add_argument("--cv", type=int, default=0)
    ap.add_argument("--c", type=float, default=DEFAULT_C)
    ap.add_argument("--repeats", type=int, default=1,
                    help="repeat the CV with this many different document shuffles")
    args = ap.parse_args(argv)
    t0 = time.time()
    ex = examples(*contexts(args.data))
    print(f"{len(ex.mains)} items in {int(ex.groups.max()) + 1} documents "
          f"({time.time() - t0:.0f}s); roles {dict(Counter(ex.mains))}")
    for seed in range(args.repeats if args.cv else 0):
        print(json.dumps(cross_validate(ex, args.cv, args.c, seed)))
    if args.out:
        arrays = fit(ex.x, ex.mains, ex.fines, args.c)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.out, **arrays)
        print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
