"""Train and cross-validate the entity-role model (developer tool, not on the analyse path).

Learns from the SemEval-2025 Task 10 entity-framing gold (``framing-semeval2025-part``):
each item names an entity mention, its main role and fine roles. The entity's mentions
are those of the narrascope entity whose mention overlaps the gold one (so features see
every mention, as at analyse time), or the gold mention alone when narrascope has no
entity there. Writes weights only to ``annotate/data/roles_model.npz``::

    python -m narrascope.annotate.train_roles --data ../shared/data/framing-semeval2025-part \\
        --cv 5 --out src/narrascope/annotate/data/roles_model.npz

``--cv K`` prints main-role accuracy by K-fold cross-validation grouped by document, the
majority-class baseline on the same folds, and the fine-role exact-match ratio.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.annotate.entities import extract_entities
from narrascope.annotate.roles import entity_features, hashed
from narrascope.annotate.train_corpus import load_gold, parse_corpus
from narrascope.records import Document

N_FEATURES = 2**15
DEFAULT_C = 0.5


def examples(data: Path) -> tuple[np.ndarray, list[str], list[tuple[str, ...]], np.ndarray]:
    """Feature rows, main roles, fine roles and document index of every gold item."""
    arts = {a.name: a for a in parse_corpus(data / "corpus")}
    gold = load_gold(data)
    ents: dict[str, dict[int, list[tuple[int, int]]]] = {}
    xs, mains, fines, groups = [], [], [], []
    doc_ix: dict[str, int] = {}
    for it in gold.get("framing", []):
        name = it["doc"]
        art = arts.get(name)
        if art is None:
            continue
        if name not in ents:
            doc = Document(doc_id=name, source=name, text=art.text)
            mentions, _ = extract_entities(art.sdoc, doc)
            grouped: dict[int, list[tuple[int, int]]] = {}
            for m in mentions:
                grouped.setdefault(m.local_id, []).append((m.start, m.end))
            ents[name] = grouped
        ms = int(it["mention"]["start"])
        me = ms + len(it["mention"]["contains"])
        spans = [(ms, me)]
        for group in ents[name].values():
            if any(s < me and ms < e for s, e in group):
                spans = sorted(set(group) | {(ms, me)})
                break
        xs.append(hashed(entity_features(art.sdoc, spans), N_FEATURES))
        mains.append(it["role"])
        fines.append(tuple(it.get("fine_roles") or ()))
        groups.append(doc_ix.setdefault(name, len(doc_ix)))
    return np.vstack(xs), mains, fines, np.array(groups)


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
        "main_classes": np.array(main.classes_), "main_coef": main.coef_.astype(np.float32),
        "main_icpt": main.intercept_.astype(np.float32),
        "fine_classes": np.array(fine.classes_), "fine_coef": fine.coef_.astype(np.float32),
        "fine_icpt": fine.intercept_.astype(np.float32),
        "fine_main": np.array([owner[f].most_common(1)[0][0] for f in fine.classes_]),
    }


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


def predict_rows(arrays: dict[str, Any], x: np.ndarray) -> tuple[list[str], list[tuple[str, ...]]]:
    """Main and fine role of each row, decided exactly as the component decides them."""
    m = _model(arrays)
    roles: list[str] = []
    fines: list[tuple[str, ...]] = []
    for row in x:
        z = m.main_coef @ row + m.main_icpt
        role = m.main_classes[int(np.argmax(z))]
        fz = m.fine_coef @ row + m.fine_icpt
        ok = [i for i, r in enumerate(m.fine_main) if r == role]
        roles.append(role)
        fines.append((m.fine_classes[max(ok, key=lambda i: fz[i])],) if ok else ())
    return roles, fines


def cross_validate(x: np.ndarray, mains: list[str], fines: list[tuple[str, ...]],
                   groups: np.ndarray, k: int, c: float) -> dict[str, Any]:
    n_doc = int(groups.max()) + 1
    folds = np.array_split(np.random.default_rng(0).permutation(n_doc), k)
    right = base_right = fine_right = fine_n = 0
    for f in folds:
        te = np.isin(groups, f)
        tr = ~te
        arrays = fit(x[tr], [mains[i] for i in np.flatnonzero(tr)],
                     [fines[i] for i in np.flatnonzero(tr)], c)
        majority = Counter(mains[i] for i in np.flatnonzero(tr)).most_common(1)[0][0]
        pr, pf = predict_rows(arrays, x[te])
        for j, i in enumerate(np.flatnonzero(te)):
            right += pr[j] == mains[i]
            base_right += majority == mains[i]
            if fines[i]:
                fine_n += 1
                fine_right += set(pf[j]) == set(fines[i])
    n = len(mains)
    return {"items": n, "documents": n_doc, "accuracy": round(right / n, 4),
            "majority_baseline": round(base_right / n, 4),
            "fine_exact_match": round(fine_right / max(fine_n, 1), 4)}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train/cross-validate the entity-role model.")
    ap.add_argument("--data", type=Path, required=True, help="framing-semeval2025-part folder")
    ap.add_argument("--out", type=Path, help="write the model here (.npz)")
    ap.add_argument("--cv", type=int, default=0)
    ap.add_argument("--c", type=float, default=DEFAULT_C)
    args = ap.parse_args(argv)
    t0 = time.time()
    x, mains, fines, groups = examples(args.data)
    print(f"{len(mains)} items in {int(groups.max()) + 1} documents ({time.time() - t0:.0f}s); "
          f"roles {dict(Counter(mains))}")
    if args.cv:
        print(json.dumps(cross_validate(x, mains, fines, groups, args.cv, args.c)))
    if args.out:
        arrays = fit(x, mains, fines, args.c)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.out, **arrays)
        print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
