"""Train and cross-validate the persuasion-technique classifier (developer tool, not analyse).

Trains one logistic regression per SemEval-2023 Task 3 label over the hashed sentence
features of :mod:`narrascope.annotate.technique_features`, on the labelled English training
articles, and writes weights only (no vocabulary, no text) to
``annotate/data/techniques_model.npz``::

    python -m narrascope.annotate.train_techniques --data ../shared/data/techniques-semeval2023-train \\
        --out src/narrascope/annotate/data/techniques_model.npz
    python -m narrascope.annotate.train_techniques --data ... --cv 5      # the SemEval measure

``--cv K`` measures the task's official way: paragraph-level (one line = one paragraph)
micro-F1 over the 23 labels, by K-fold cross-validation grouped by article, so no article
is ever scored by a model that saw it. Per-label decision thresholds are chosen inside each
training fold (an inner split), never on the fold being scored.

The token model (``TOKEN_LABELS``) is a second logistic regression over content tokens
(``technique_features.token_features`` plus a whitened PCA of each word's MiniLM vector);
a token is positive when it lies in a gold span of the label. Its thresholds are tuned
jointly with the sentence model's: a paragraph has a word-level label when either model
passes. ``--cv`` also reports the sentence model alone and the analyse path's figure
(floors, and the word a sentence-level detection needs; see :func:`analyse_path`). It also measures,
with the same folds, the bag-of-words baseline of the task description: TF-IDF word and
character n-grams with one-vs-rest logistic regression on paragraphs.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from narrascope.annotate import word_table
from narrascope.annotate.quotemarks import find_marked_spans
from narrascope.annotate.technique_features import (
    EMB_DIM,
    LABELS,
    N_FEATURES,
    TOKEN_LABELS,
    SentUnit,
    TokUnit,
    doc_features,
    to_matrix,
    token_features,
    token_word,
    word_vectors,
)
from narrascope.annotate.train_corpus import Article, load_gold, parse_corpus

LOGGER = logging.getLogger(__name__)
DEFAULT_C = 0.25
DEFAULT_TOKEN_C = 0.25
MODEL_VERSION = 2


@dataclass
class Dataset:
    """Sentence rows and paragraph (line) groups of a set of articles."""

    x: sparse.csr_matrix  # sentences x hashed features
    y: np.ndarray  # sentences x labels (0/1)
    art: np.ndarray  # article index of each sentence
    para: np.ndarray  # global paragraph index of each sentence
    para_y: np.ndarray  # paragraphs x labels (0/1)
    para_art: np.ndarray  # article index of each paragraph
    para_text: list[str]
    tx: sparse.csr_matrix  # candidate tokens x hashed features (the token model)
    ty: np.ndarray  # tokens x TOKEN_LABELS (0/1): the token lies in a span of the label
    tsent: np.ndarray  # sentence row of each token
    twords: list[str]  # the embedded form of each token (``token_word``)


def quote_ranges(text: str) -> list[tuple[int, int]]:
    """Top-level quotation-mark spans: the same quoted-voice signal the component uses."""
    return [(m.start, m.end) for m in find_marked_spans(text) if m.level == 0]


def build_dataset(arts: Sequence[Article], spans: dict[str, list[tuple[int, int, str]]]) -> Dataset:
    """Sentence features and labels; a sentence or line carries the labels of spans it overlaps."""
    lab = {x: i for i, x in enumerate(LABELS)}
    units_all: list[SentUnit] = []
    ys: list[np.ndarray] = []
    art_ix: list[int] = []
    para_ix: list[int] = []
    tok_all: list[TokUnit] = []
    tys: list[np.ndarray] = []
    tsent: list[int] = []
    twords: list[str] = []
    tlab = [lab[t] for t in TOKEN_LABELS]
    para_y: list[np.ndarray] = []
    para_art: list[int] = []
    para_text: list[str] = []
    for a_i, art in enumerate(arts):
        units = doc_features(art.sdoc, quote_ranges(art.text))
        gold = spans.get(art.name, [])
        # Lines of the article (the task's paragraphs), with their character ranges.
        lines: list[tuple[int, int]] = []
        pos = 0
        for ln in art.text.split("\n"):
            lines.append((pos, pos + len(ln)))
            pos += len(ln) + 1
        line_map: dict[int, int] = {}
        for li, (ls, le) in enumerate(lines):
            if not art.text[ls:le].strip():
                continue
            line_map[li] = len(para_y)
            row = np.zeros(len(LABELS), np.int8)
            for s, e, t in gold:
                if s < le and ls < e:
                    row[lab[t]] = 1
            para_y.append(row)
            para_art.append(a_i)
            para_text.append(art.text[ls:le])
        row_of: dict[int, int] = {}
        for k, u in enumerate(units):
            if u.line not in line_map:
                continue
            row = np.zeros(len(LABELS), np.int8)
            for s, e, t in gold:
                if s < u.end and u.start < e:
                    row[lab[t]] = 1
            row_of[k] = len(units_all)
            units_all.append(u)
            ys.append(row)
            art_ix.append(a_i)
            para_ix.append(line_map[u.line])
        for tu in token_features(art.sdoc, units):
            if tu.sent not in row_of:
                continue
            trow = np.zeros(len(TOKEN_LABELS), np.int8)
            for s, e, t in gold:
                if s < tu.end and tu.start < e and lab[t] in tlab:
                    trow[tlab.index(lab[t])] = 1
            tok_all.append(tu)
            twords.append(token_word(art.sdoc[tu.i]))
            tys.append(trow)
            tsent.append(row_of[tu.sent])
    return Dataset(
        x=to_matrix(units_all), y=np.array(ys), art=np.array(art_ix), para=np.array(para_ix),
        para_y=np.array(para_y), para_art=np.array(para_art), para_text=para_text,
        tx=to_matrix(tok_all), ty=np.array(tys).reshape(-1, len(TOKEN_LABELS)),
        tsent=np.array(tsent, np.int64), twords=twords,
    )


def cached_dataset(arts: Sequence[Article], spans: dict[str, list[tuple[int, int, str]]]
                   ) -> Dataset:
    """:func:`build_dataset`, cached in /tmp by the texts and the feature and pattern code."""
    import hashlib
    import inspect
    import pickle

    from narrascope.annotate import technique_features, technique_patterns
    from narrascope.annotate.train_corpus import CACHE_DIR

    h = hashlib.sha1(inspect.getsource(technique_features).encode())
    h.update(inspect.getsource(technique_patterns).encode())
    h.update(inspect.getsource(build_dataset).encode())
    for a in arts:
        h.update(a.name.encode())
        h.update(a.text.encode("utf-8", "surrogatepass"))
    h.update(json.dumps(spans, sort_keys=True).encode())
    path = CACHE_DIR / f"techniques-ds-{h.hexdigest()[:12]}.pkl"
    if path.exists():
        with open(path, "rb") as fh:
            ds: Dataset = pickle.load(fh)
            return ds
    ds = build_dataset(arts, spans)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(ds, fh)
    return ds


def add_word_embeddings(ds: Dataset, dim: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Append the word-meaning block to the token matrix (in place): the MiniLM vector of
    each token's word, projected on the ``dim`` principal axes of the corpus vocabulary and
    whitened. Returns ``(mean, projection)`` to ship, or None when ``dim`` is 0.

    The axes are fit on every word of the corpus, test folds included: unsupervised (no
    label is read), like fitting a vocabulary."""
    if dim <= 0:
        return None
    from sklearn.decomposition import PCA

    vocab = sorted(set(ds.twords))
    vecs = _cached_word_vectors(vocab)
    pca = PCA(n_components=dim, random_state=0).fit(vecs)
    proj = (pca.components_.T / np.sqrt(pca.explained_variance_)).astype(np.float32)
    mean = pca.mean_.astype(np.float32)
    row = {w: i for i, w in enumerate(vocab)}
    z = word_table.project(vecs, mean, proj)  # float16-rounded, as the analyse path reads it
    block = sparse.csr_matrix(z[[row[w] for w in ds.twords]].astype(np.float32))
    ds.tx = sparse.hstack([ds.tx, block], format="csr")
    return mean, proj


def _cached_word_vectors(vocab: list[str]) -> np.ndarray:
    import hashlib

    from narrascope.annotate.train_corpus import CACHE_DIR

    h = hashlib.sha1("\n".join(vocab).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    path = CACHE_DIR / f"techniques-words-{h}.npy"
    if path.exists():
        out: np.ndarray = np.load(path)
        return out
    vecs = word_vectors(vocab)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


# -- model ------------------------------------------------------------------------------
def fit(x: sparse.csr_matrix, y: np.ndarray, c: float = DEFAULT_C) -> tuple[np.ndarray, np.ndarray]:
    """One L2 logistic regression per label; ``(coef [labels x features], intercept)``."""
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((y.shape[1], x.shape[1]), np.float32)
    icpt = np.full(y.shape[1], -10.0, np.float32)
    for j in range(y.shape[1]):
        if y[:, j].sum() < 2:
            continue  # a label absent from the data is never predicted
        clf = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=300)
        clf.fit(x, y[:, j])
        coef[j] = clf.coef_[0]
        icpt[j] = clf.intercept_[0]
    return coef, icpt


def predict(x: sparse.csr_matrix, coef: np.ndarray, icpt: np.ndarray) -> np.ndarray:
    z = np.asarray(x @ coef.T) + icpt
    return 1.0 / (1.0 + np.exp(-z))


def to_paragraphs(scores: np.ndarray, para: np.ndarray, n_para: int) -> np.ndarray:
    """A paragraph's score for a label is the highest score of its sentences."""
    out = np.zeros((n_para, scores.shape[1]), np.float32)
    np.maximum.at(out, para, scores)
    return out


def micro(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    tp = int((pred & gold).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / gold.sum() if gold.sum() else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


# Column of LABELS that each token-model column votes for.
TOKEN_COLS = np.array([LABELS.index(t) for t in TOKEN_LABELS])


def combine(sent_pred: np.ndarray, tok_pred: np.ndarray | None) -> np.ndarray:
    """Paragraph labels: the sentence model's, or-ed with the token model's for its labels."""
    out = sent_pred.copy()
    if tok_pred is not None:
        out[:, TOKEN_COLS] |= tok_pred
    return out


def analyse_path(ps: np.ndarray, pq: np.ndarray | None, th: np.ndarray, tth: np.ndarray,
                 floor: float, token_floor: float) -> np.ndarray:
    """Paragraph labels as ``techniques.detect`` reports them: every score must also reach
    its floor, except that a word-level label the sentence model finds (over its floor)
    stands when the token model passes its unfloored threshold in the same paragraph (the
    analyse path asks that of the same sentence, so this is a slight overestimate)."""
    sent = ps >= np.maximum(th, floor)
    if pq is None:
        return sent
    sent[:, TOKEN_COLS] &= pq >= tth
    return combine(sent, pq >= np.maximum(tth, token_floor))


def tune_thresholds(scores: np.ndarray, gold: np.ndarray, rounds: int = 2,
                    tok_scores: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-label thresholds that maximise micro-F1 on out-of-fold scores (coordinate ascent).

    With ``tok_scores`` (paragraphs x TOKEN_LABELS) the token model's thresholds are tuned
    jointly: a paragraph has a label when either model passes its threshold (1.01 turns a
    column off). Returns ``(sentence thresholds, token thresholds)``.
    """
    grid = [*np.linspace(0.05, 0.95, 19), 1.01]
    gold = gold.astype(bool)
    th = np.full(scores.shape[1], 0.5)
    tth = np.full(0 if tok_scores is None else tok_scores.shape[1], 1.01)

    def f1() -> float:
        tp_ = None if tok_scores is None else tok_scores >= tth
        return micro(combine(scores >= th, tp_), gold)["f1"]

    for _ in range(rounds):
        for arr in (th, tth):
            for j in range(len(arr)):
                best, best_f = arr[j], -1.0
                for g in grid:
                    arr[j] = g
                    f = f1()
                    if f > best_f + 1e-9:
                        best, best_f = g, f
                arr[j] = best
    return th, tth


@dataclass
class Fitted:
    """The sentence model and the token model, fit on the same articles."""

    coef: np.ndarray
    icpt: np.ndarray
    tcoef: np.ndarray | None
    ticpt: np.ndarray | None


def fit_both(ds: Dataset, arts: np.ndarray, c: float, tc: float | None) -> Fitted:
    rows = np.where(np.isin(ds.art, arts))[0]
    coef, icpt = fit(ds.x[rows], ds.y[rows], c)
    if tc is None:
        return Fitted(coef, icpt, None, None)
    trows = np.where(np.isin(ds.art[ds.tsent], arts))[0]
    tcoef, ticpt = fit(ds.tx[trows], ds.ty[trows], tc)
    return Fitted(coef, icpt, tcoef, ticpt)


def score_paragraphs(ds: Dataset, m: Fitted, arts: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Paragraph scores of the sentence model and of the token model (its highest token)
    for the articles ``arts``, and the global paragraph ids of the rows."""
    rows = np.where(np.isin(ds.art, arts))[0]
    inv, uniq = _para_of(ds, rows)
    ps = to_paragraphs(predict(ds.x[rows], m.coef, m.icpt), inv, len(uniq))
    if m.tcoef is None or m.ticpt is None:
        return ps, None, uniq
    trows = np.where(np.isin(ds.art[ds.tsent], arts))[0]
    tinv = np.searchsorted(uniq, ds.para[ds.tsent[trows]])
    pq = to_paragraphs(predict(ds.tx[trows], m.tcoef, m.ticpt), tinv, len(uniq))
    return ps, pq, uniq


def holdout_thresholds(ds: Dataset, arts: np.ndarray, c: float, tc: float | None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label thresholds tuned on a third of ``arts`` scored by models fit on the rest:
    ``(sentence, token, sentence model alone)`` (the last for comparison only).

    One inner split rather than an inner k-fold: training is the expensive part on a shared
    2-core machine, and a third of the articles has ~3,000 paragraphs to tune on.
    """
    perm = np.random.default_rng(1).permutation(arts)
    tune_arts = perm[: len(perm) // 3]
    m = fit_both(ds, np.setdiff1d(arts, tune_arts), c, tc)
    ps, pq, uniq = score_paragraphs(ds, m, tune_arts)
    th, tth = tune_thresholds(ps, ds.para_y[uniq], tok_scores=pq)
    th0 = th if pq is None else tune_thresholds(ps, ds.para_y[uniq])[0]
    return th, tth, th0


def _para_of(ds: Dataset, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Paragraph ids of ``rows`` renumbered 0.., and the global ids in that order."""
    uniq, inv = np.unique(ds.para[rows], return_inverse=True)
    return inv, uniq


def cross_validate(ds: Dataset, k: int = 5, c: float = DEFAULT_C,
                   tc: float | None = DEFAULT_TOKEN_C, baseline: bool = True) -> dict[str, Any]:
    """Grouped k-fold paragraph-level micro-F1 of our models and of the TF-IDF baseline.

    ``tc=None`` measures the sentence model alone. ``sentence_model_only`` always reports
    the sentence model with its own thresholds, so the token model's gain is visible.
    """
    n_art = int(ds.art.max()) + 1
    folds = np.array_split(np.random.default_rng(0).permutation(n_art), k)
    from narrascope.annotate.techniques import MIN_CONFIDENCE, TOKEN_MIN_CONFIDENCE

    all_pred, all_gold, base_pred, base_tuned, floored, sent_only = [], [], [], [], [], []
    per_fold = []
    for i, test_arts in enumerate(folds):
        t0 = time.time()
        train_arts = np.setdiff1d(np.arange(n_art), test_arts)
        # never sees the test articles
        th, tth, th0 = holdout_thresholds(ds, train_arts, c, tc)
        m = fit_both(ds, train_arts, c, tc)
        ps, pq, tuniq = score_paragraphs(ds, m, test_arts)
        gold = ds.para_y[tuniq].astype(bool)
        pp = combine(ps >= th, None if pq is None else pq >= tth)
        floored.append(analyse_path(ps, pq, th, tth, MIN_CONFIDENCE, TOKEN_MIN_CONFIDENCE))
        sent_only.append(ps >= th0)
        m_ = micro(pp, gold)
        fold = {"fold": i, **m_, "sentence_only_f1": micro(sent_only[-1], gold)["f1"]}
        if baseline:
            b_default, b_tuned = _baseline_fold(ds, train_arts, tuniq)
            fold |= {"baseline_f1": micro(b_default, gold)["f1"],
                     "baseline_tuned_f1": micro(b_tuned, gold)["f1"]}
            base_pred.append(b_default)
            base_tuned.append(b_tuned)
        per_fold.append({**fold, "seconds": round(time.time() - t0, 1)})
        LOGGER.warning("fold %d: %s", i, per_fold[-1])
        all_pred.append(pp)
        all_gold.append(gold)
    pred, gold = np.vstack(all_pred), np.vstack(all_gold)
    so = np.vstack(sent_only)
    per_label = {}
    for j, name in enumerate(LABELS):
        if gold[:, j].sum() or pred[:, j].sum():
            per_label[name] = {**micro(pred[:, [j]], gold[:, [j]]), "gold": int(gold[:, j].sum()),
                               "predicted": int(pred[:, j].sum()),
                               "sentence_only_f1": micro(so[:, [j]], gold[:, [j]])["f1"]}
    out = {
        "folds": per_fold,
        "paragraphs": int(gold.shape[0]),
        "micro": micro(pred, gold),
        "micro_with_analyse_floor": micro(np.vstack(floored), gold),
        "sentence_model_only": micro(so, gold),
        "per_label": per_label,
    }
    if baseline:
        out["baseline_tfidf_lr"] = micro(np.vstack(base_pred), gold)
        out["baseline_tfidf_lr_tuned_thresholds"] = micro(np.vstack(base_tuned), gold)
    return out


def _baseline_fold(ds: Dataset, train_arts: np.ndarray, test_paras: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """TF-IDF word (1-2) + char_wb (2-5, top 200k) n-grams, one-vs-rest LR on paragraphs.

    Returns predictions at the default 0.5 threshold and at per-label thresholds tuned on
    an inner split of the training paragraphs (the same courtesy our model gets).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_union

    tr = np.where(np.isin(ds.para_art, train_arts))[0]
    texts = ds.para_text

    def fit_pred(train_rows: np.ndarray, test_rows: np.ndarray) -> np.ndarray:
        vec = make_union(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=5, sublinear_tf=True,
                            max_features=200_000),
        )
        xtr = vec.fit_transform([texts[i] for i in train_rows])
        xte = vec.transform([texts[i] for i in test_rows])
        out = np.zeros((len(test_rows), len(LABELS)), np.float32)
        for j in range(len(LABELS)):
            yj = ds.para_y[train_rows, j]
            if yj.sum() < 2:
                continue
            clf = LogisticRegression(C=1.0, solver="liblinear", dual=True)
            clf.fit(xtr, yj)
            out[:, j] = clf.predict_proba(xte)[:, 1]
        return out

    scores = fit_pred(tr, test_paras)
    # inner threshold tuning on half of the training articles
    rng = np.random.default_rng(2)
    half = rng.permutation(train_arts)[: len(train_arts) // 2]
    a_rows = np.where(np.isin(ds.para_art, half))[0]
    b_rows = np.setdiff1d(tr, a_rows)
    th = tune_thresholds(fit_pred(a_rows, b_rows), ds.para_y[b_rows], rounds=1)
    return scores >= 0.5, scores >= th


# -- shipping -----------------------------------------------------------------------------
def _sparse16(coef: np.ndarray) -> sparse.csr_matrix:
    return sparse.csr_matrix(np.where(np.abs(coef) >= 2e-3, coef, 0.0).astype(np.float32))


def save_model(path: Path, m: Fitted, th: np.ndarray, tth: np.ndarray,
               meta: dict[str, Any], emb: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Weights only: the non-negligible coefficients as sparse float16 matrices (the sentence
    model, and the token model under ``t*`` keys when there is one)."""
    sp = _sparse16(m.coef)
    extra: dict[str, np.ndarray] = {}
    if m.tcoef is not None and m.ticpt is not None:
        tp = _sparse16(m.tcoef)
        extra = {"tdata": tp.data.astype(np.float16), "tindices": tp.indices,
                 "tindptr": tp.indptr, "tshape": np.array(tp.shape),
                 "tintercept": m.ticpt.astype(np.float32),
                 "tthresholds": tth.astype(np.float32), "tlabels": np.array(TOKEN_LABELS)}
        if emb is not None:
            extra |= {"emb_mean": emb[0], "emb_proj": emb[1]}
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"data": sp.data.astype(np.float16), "indices": sp.indices, "indptr": sp.indptr,
              "shape": np.array(sp.shape), "intercept": m.icpt.astype(np.float32),
              "thresholds": th.astype(np.float32), "labels": np.array(LABELS),
              "meta": np.array(json.dumps(meta)), **extra}
    np.savez_compressed(path, allow_pickle=False, **arrays)


def spans_by_doc(gold: dict[str, Any]) -> dict[str, list[tuple[int, int, str]]]:
    out: dict[str, list[tuple[int, int, str]]] = {}
    for it in gold.get("techniques", []):
        s = int(it["start"])
        out.setdefault(it["doc"], []).append((s, s + len(it["contains"]), it["technique"]))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, required=True, help="techniques-semeval2023-train folder")
    ap.add_argument("--out", type=Path, help="write the trained model here (.npz)")
    ap.add_argument("--cv", type=int, default=0, help="k-fold cross-validation by article")
    ap.add_argument("--c", type=float, default=DEFAULT_C, help="inverse L2 strength")
    ap.add_argument("--token-c", type=float, default=DEFAULT_TOKEN_C,
                    help="inverse L2 strength of the token model (0: no token model)")
    ap.add_argument("--emb-dim", type=int, default=EMB_DIM,
                    help="principal axes of the word embeddings the token model reads (0: none)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the TF-IDF baseline in --cv")
    ap.add_argument("--json", type=Path, help="also write the CV result as JSON here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    t0 = time.time()
    arts = parse_corpus(args.data / "corpus")
    ds = cached_dataset(arts, spans_by_doc(load_gold(args.data)))
    print(f"{len(arts)} articles, {ds.x.shape[0]} sentences, {len(ds.para_y)} paragraphs, "
          f"{int(ds.para_y.sum())} paragraph labels, {ds.tx.shape[0]} tokens "
          f"({time.time() - t0:.0f}s)")
    tc = args.token_c or None
    emb = add_word_embeddings(ds, args.emb_dim) if tc else None
    if args.cv:
        res = cross_validate(ds, args.cv, args.c, tc, baseline=not args.no_baseline)
        print(json.dumps({k: v for k, v in res.items() if k != "per_label"}, indent=1))
        for name, m in sorted(res["per_label"].items(), key=lambda kv: -kv[1]["gold"]):
            print(f"  {name:36s} f1={m['f1']:.3f} p={m['precision']:.3f} r={m['recall']:.3f} "
                  f"gold={m['gold']} pred={m['predicted']} "
                  f"sentence_only_f1={m['sentence_only_f1']:.3f}")
        if args.json:
            args.json.write_text(json.dumps(res, indent=1))
    if args.out:
        every = np.arange(len(arts))
        th, tth, _ = holdout_thresholds(ds, every, args.c, tc)
        m = fit_both(ds, every, args.c, tc)
        meta = {"version": MODEL_VERSION, "c": args.c, "token_c": tc, "n_features": N_FEATURES,
                "articles": len(arts), "trained_on": args.data.name}
        meta["emb_dim"] = args.emb_dim if emb is not None else 0
        save_model(args.out, m, th, tth, meta, emb)
        print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB); thresholds "
              + ", ".join(f"{n}={t:.2f}" for n, t in zip(LABELS, th, strict=True))
              + "; token thresholds "
              + ", ".join(f"{n}={t:.2f}" for n, t in zip(TOKEN_LABELS, tth, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
