"""Same-story probability of two documents: pair features and a shipped tree model.

A fixed weighted sum of similarities cannot serve both kinds of corpus at once: long
articles on pairs of similar events (ECB+) want the specific words to decide, short
headline + lead snippets of one story told by left, centre and right outlets (AllSides)
want the meaning and the names to decide, with very different absolute cosine levels.
So each candidate pair (a document and one of its embedding neighbours) is described by
a few general signals and a gradient-boosted tree model, trained here on CPU by
``python -m narrascope.link.stories_train`` (``make train``) on stories-ecbplus-dev and
stories-allsides-train, turns them into a probability that the two tell the same story:

* the embedding and TF-IDF cosines, each also relative to the document's neighbourhood
  (minus the mean similarity of its neighbours ranked ``BACKGROUND_FROM`` on, and its rank
  in each document's neighbour list): a crowded topic needs a closer match;
* shared neighbours and whether the pair are among each other's nearest ``SNN_K``;
* the rare words the two share (sum, maximum and share of their IDF, IDF scaled to 0..1 by
  the corpus size);
* the corpus actors they share, per kind (people, organisations, places) and among the
  actors of their first two sentences (who the story is about);
* what they report: the quantities ("USD:200000000") and event types they share, whether
  the years their dates name conflict or overlap, the smallest gap between the days they
  name (a time expression or the publication date), and whether the weekdays they name
  agree ("on Wednesday": reports of one event name its day even when they carry no date);
* how far apart their publication dates are (0 when a date is unknown) and their lengths.

Every feature of a pair reads only the two documents and their neighbour lists, so the
cost stays linear in the number of candidate pairs. The model file holds the trees as
arrays (``TreeModel``); it is evaluated here with numpy, not unpickled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from narrascope.link.stories import DocFeatures

MODEL_FILE = "stories_model.npz"
BACKGROUND_FROM = 10  # neighbour ranks from here on make a document's background
SNN_K = 10  # neighbours compared for shared-neighbour counts
ENTITY_KINDS = ("PERSON", "ORG", "GPE")

FEATURES: tuple[str, ...] = (
    "emb", "emb_bg", "emb_rank_min", "emb_rank_max",
    "tf", "tf_bg", "tf_rank_min", "tf_rank_max",
    "snn", "mutual",
    "shared_idf_sum", "shared_idf_max", "shared_idf_frac",
    "ent_lead", "ent_person", "ent_org", "ent_place",
    "date_gap", "words_min", "words_max",
    "qty_cos", "qty_shared", "event_cos", "year_conflict", "year_shared", "day_gap",
    "weekday_shared", "weekday_conflict",
)


# Pairs whose rows are gathered at once: features (and neighbourhoods) are computed this
# many pairs at a time, so memory follows the chunk, not the corpus (every feature of a
# pair reads only its two rows, so the result does not depend on the chunking). A chunk
# gathers both documents' TF-IDF and word rows (about 300 words a document), about 16 kB a
# pair: 50,000 pairs took 800 MB at once (tracemalloc, 4,000 AllSides documents), 10,000
# take a fifth of it for no measurable time (the per-pair Python loops dominate).
PAIR_CHUNK = 10_000


def _rowdot(m: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.asarray(m[i].multiply(m[j]).sum(axis=1)).ravel()


def _embdot(x: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x[i], x[j])


@dataclass(frozen=True)
class Context:
    """Per-document neighbourhood statistics, for the documents that have a neighbour list."""

    sorted_sims: dict[str, dict[int, np.ndarray]]  # view -> doc -> its neighbour sims, descending
    background: dict[str, dict[int, float]]  # view -> doc -> mean sim from BACKGROUND_FROM on
    near: dict[int, set[int]]  # doc -> its SNN_K nearest neighbours


def neighbourhood(f: DocFeatures, docs: np.ndarray, nb: list[np.ndarray],
                  chunk: int | None = None) -> Context:
    """Statistics of each document in ``docs`` over its neighbour list ``nb`` (aligned).

    The similarities are computed ``chunk`` documents' lists at a time (default: as many
    as make about :data:`PAIR_CHUNK` pairs): gathering the rows of every pair at once
    holds two ``pairs x 384`` matrices, 15 GB at 100,000 documents of 50 neighbours."""
    sorted_sims: dict[str, dict[int, np.ndarray]] = {"emb": {}, "tf": {}}
    background: dict[str, dict[int, float]] = {"emb": {}, "tf": {}}
    width = max((len(r) for r in nb), default=1)
    step = chunk or max(1, PAIR_CHUNK // max(width, 1))
    all_docs = docs.tolist()
    for c0 in range(0, len(all_docs), step):
        part, lists = all_docs[c0:c0 + step], nb[c0:c0 + step]
        qi = np.repeat(np.asarray(part, dtype=np.int64), [len(r) for r in lists])
        qj = np.concatenate(lists).astype(np.int64) if lists else np.zeros(0, np.int64)
        views = {"emb": _embdot(f.embed, qi, qj), "tf": _rowdot(f.tfidf, qi, qj)}
        for v, sims in views.items():
            off = 0
            for a, r in zip(part, lists, strict=True):
                row = np.sort(sims[off : off + len(r)])[::-1]
                off += len(r)
                sorted_sims[v][a] = row
                tail = row[BACKGROUND_FROM:]
                background[v][a] = float(tail.mean()) if len(tail) else 0.0
    near = {a: set(r[:SNN_K].tolist()) for a, r in zip(all_docs, nb, strict=True)}
    return Context(sorted_sims, background, near)


def _rank(ctx: Context, view: str, docs: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """How many of each document's neighbours are closer than the pair (its rank, 0 = first)."""
    out = np.zeros(len(docs))
    for t, (a, s) in enumerate(zip(docs.tolist(), sims.tolist(), strict=True)):
        row = ctx.sorted_sims[view].get(a)
        out[t] = float(np.searchsorted(-row, -s)) if row is not None else 0.0
    return out


@dataclass(frozen=True)
class _Corpus:
    """What every chunk of pairs reads about the whole corpus (computed once)."""

    idf: np.ndarray  # per word, 0 (everywhere) .. 1 (one document)
    own: np.ndarray  # per document, the summed idf of its words
    words: np.ndarray  # per document, its word count


def _present(counts: sp.csr_matrix) -> sp.csr_matrix:
    """1 where a word occurs in these rows of the counts. Built for a chunk of rows at a
    time, not kept for the corpus: a corpus-wide matrix of ones held 256 MB (32M cells)
    through the whole pair stage on 100,000 replicated documents."""
    return sp.csr_matrix((counts > 0).astype(np.float32))


def _corpus(f: DocFeatures) -> _Corpus:
    n = len(f.doc_ids)
    c = f.counts
    df = f.df if f.df is not None else np.asarray((c > 0).sum(axis=0)).ravel()
    idf = np.log(n / np.maximum(df, 1)) / np.log(max(n, 2))  # 0 (everywhere) .. 1 (one doc)
    weigh = sp.diags(idf)
    own = np.concatenate([np.asarray((_present(c[a:a + PAIR_CHUNK]) @ weigh).sum(axis=1)).ravel()
                          for a in range(0, n, PAIR_CHUNK)]) if n else np.zeros(0)
    words = np.asarray(f.counts.sum(axis=1)).ravel()
    return _Corpus(idf, own, words)


def pair_features(f: DocFeatures, ctx: Context, i: np.ndarray, j: np.ndarray,
                  chunk: int = PAIR_CHUNK) -> np.ndarray:
    """Feature matrix (pairs x ``FEATURES``) of the document pairs ``(i[t], j[t])``,
    computed ``chunk`` pairs at a time (the rows are the same for any ``chunk``).

    Both documents of every pair must have a neighbour list in ``ctx``.
    """
    if not len(i):
        return np.zeros((0, len(FEATURES)))
    corpus = _corpus(f)
    return np.vstack([_pair_block(f, ctx, corpus, i[c:c + chunk], j[c:c + chunk])
                      for c in range(0, len(i), max(1, chunk))])


def pair_probabilities(f: DocFeatures, ctx: Context, i: np.ndarray, j: np.ndarray,
                       model: TreeModel, chunk: int = PAIR_CHUNK) -> np.ndarray:
    """``model.predict(pair_features(f, ctx, i, j))`` without holding the features of
    more than ``chunk`` pairs."""
    out = np.zeros(len(i))
    if not len(i):
        return out
    corpus = _corpus(f)
    for c in range(0, len(i), max(1, chunk)):
        out[c:c + chunk] = model.predict(
            _pair_block(f, ctx, corpus, i[c:c + chunk], j[c:c + chunk]))
    return out


def _pair_block(f: DocFeatures, ctx: Context, corpus: _Corpus, i: np.ndarray, j: np.ndarray
                ) -> np.ndarray:
    cols: dict[str, np.ndarray] = {}
    for view, sims in (("emb", _embdot(f.embed, i, j)),
                       ("tf", _rowdot(f.tfidf, i, j))):
        bg = ctx.background[view]
        cols[view] = sims
        cols[f"{view}_bg"] = sims - 0.5 * np.array(
            [bg.get(a, 0.0) + bg.get(b, 0.0) for a, b in zip(i.tolist(), j.tolist(), strict=True)]
        )
        ri, rj = _rank(ctx, view, i, sims), _rank(ctx, view, j, sims)
        cols[f"{view}_rank_min"] = np.minimum(ri, rj)
        cols[f"{view}_rank_max"] = np.maximum(ri, rj)
    near = ctx.near
    cols["snn"] = np.array([len(near[a] & near[b]) for a, b in zip(i.tolist(), j.tolist(), strict=True)],
                           dtype=np.float64)
    cols["mutual"] = np.array([(b in near[a]) + (a in near[b])
                               for a, b in zip(i.tolist(), j.tolist(), strict=True)], dtype=np.float64)
    own = corpus.own
    shared = sp.csr_matrix(_present(f.counts[i]).multiply(_present(f.counts[j]))
                           @ sp.diags(corpus.idf))
    cols["shared_idf_sum"] = np.asarray(shared.sum(axis=1)).ravel()
    cols["shared_idf_max"] = np.asarray(shared.max(axis=1).todense()).ravel()
    cols["shared_idf_frac"] = cols["shared_idf_sum"] / np.maximum(np.minimum(own[i], own[j]), 1e-6)
    ents = f.entities
    cols["ent_lead"] = _rowdot(ents["lead"], i, j)
    cols["ent_person"] = _rowdot(ents["PERSON"], i, j)
    cols["ent_org"] = _rowdot(ents["ORG"], i, j)
    cols["ent_place"] = _rowdot(ents["GPE"], i, j)
    gap = np.nan_to_num(np.abs(f.days[i] - f.days[j]), nan=0.0)
    cols["date_gap"] = np.log1p(np.clip(gap - 7.0, 0.0, None))
    words = corpus.words
    cols["words_min"] = np.log1p(np.minimum(words[i], words[j]))
    cols["words_max"] = np.log1p(np.maximum(words[i], words[j]))
    cols.update(_reported(f, i, j))
    return np.column_stack([cols[c] for c in FEATURES])


def _reported(f: DocFeatures, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """What the two documents report: shared quantities and event types, and their dates.

    ``year_conflict`` is 1 when both name years and none in common (a report on an earlier
    or later event), ``day_gap`` the log of the smallest gap between days the two name
    (NaN when either names none: unknown, not far).
    """
    n = len(f.doc_ids)
    zero = sp.csr_matrix((n, 1))
    qty = f.quantities if f.quantities is not None else zero
    evt = f.event_types if f.event_types is not None else zero
    years = f.years or [frozenset()] * n
    dates = f.dates or [np.zeros(0)] * n
    weekdays = f.weekdays or [frozenset()] * n
    qty_cos = _rowdot(qty, i, j)
    present = sp.csr_matrix((qty > 0).astype(np.float64))
    qty_shared = _rowdot(present, i, j)
    conflict = np.zeros(len(i))
    shared = np.zeros(len(i))
    gap = np.full(len(i), np.nan)
    wd_conflict = np.zeros(len(i))
    wd_shared = np.zeros(len(i))
    for t, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        for sa, sb, sh, co in ((years[a], years[b], shared, conflict),
                               (weekdays[a], weekdays[b], wd_shared, wd_conflict)):
            if sa and sb:
                common = len(sa & sb)
                sh[t] = common
                co[t] = float(common == 0)
        da, db = dates[a], dates[b]
        if len(da) and len(db):
            gap[t] = float(np.min(np.abs(da[:, None] - db[None, :])))
    return {"qty_cos": qty_cos, "qty_shared": qty_shared, "event_cos": _rowdot(evt, i, j),
            "year_conflict": conflict, "year_shared": shared, "day_gap": np.log1p(gap),
            "weekday_shared": wd_shared, "weekday_conflict": wd_conflict}


# -- the model -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TreeModel:
    """A boosted tree ensemble as flat arrays (all trees' nodes concatenated).

    Node ``k``: leaves carry ``value``; inner nodes send a row to ``left[k]`` when its
    feature ``feature[k]`` is at most ``threshold[k]`` (or is NaN and ``nan_left[k]``),
    else to ``right[k]``. ``roots`` are the first node of each tree; the probability is
    the logistic of ``baseline`` plus the leaf values reached.
    """

    features: tuple[str, ...]
    baseline: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    nan_left: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    threshold_p: float = 0.5  # clustering threshold on the probability, chosen by CV

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Same-story probability of each row of ``x`` (columns in ``self.features`` order)."""
        raw = np.full(len(x), self.baseline)
        rows = np.arange(len(x))
        for root in self.roots.tolist():
            node = np.full(len(x), root, dtype=np.int64)
            active = ~self.leaf[node]
            while active.any():
                k = node[active]
                v = x[rows[active], self.feature[k]]
                go_left = np.where(np.isnan(v), self.nan_left[k], v <= self.threshold[k])
                node[active] = np.where(go_left, self.left[k], self.right[k])
                active = ~self.leaf[node]
            raw += self.value[node]
        return 1.0 / (1.0 + np.exp(-raw))

    def save(self, path: str) -> None:
        np.savez_compressed(
            path, features=np.array(self.features), baseline=np.array(self.baseline),
            roots=self.roots, feature=self.feature, threshold=self.threshold, left=self.left,
            right=self.right, nan_left=self.nan_left, leaf=self.leaf, value=self.value,
            threshold_p=np.array(self.threshold_p),
        )


def from_sklearn(model: object, features: Sequence[str], threshold_p: float) -> TreeModel:
    """Flatten a fitted ``HistGradientBoostingClassifier`` (binary) into a :class:`TreeModel`."""
    roots, feat, thr, left, right, nan_left, leaf, value = [], [], [], [], [], [], [], []
    off = 0
    for (pred,) in model._predictors:  # type: ignore[attr-defined]
        nodes = pred.nodes
        roots.append(off)
        feat.append(nodes["feature_idx"].astype(np.int64))
        thr.append(nodes["num_threshold"].astype(np.float64))
        left.append(nodes["left"].astype(np.int64) + off)
        right.append(nodes["right"].astype(np.int64) + off)
        nan_left.append(nodes["missing_go_to_left"].astype(bool))
        leaf.append(nodes["is_leaf"].astype(bool))
        value.append(nodes["value"].astype(np.float64))
        off += len(nodes)
    base = np.asarray(model._baseline_prediction).ravel()  # type: ignore[attr-defined]
    return TreeModel(
        features=tuple(features), baseline=float(base[0]), roots=np.array(roots, dtype=np.int64),
        feature=np.concatenate(feat), threshold=np.concatenate(thr), left=np.concatenate(left),
        right=np.concatenate(right), nan_left=np.concatenate(nan_left),
        leaf=np.concatenate(leaf), value=np.concatenate(value), threshold_p=threshold_p,
    )


def load_model(path: str | None = None) -> TreeModel | None:
    """The shipped model (``link/data/stories_model.npz``), or None when it is absent or
    was trained on other features than this code computes."""
    ref = resources.files("narrascope.link") / "data" / MODEL_FILE if path is None else None
    try:
        with (open(path, "rb") if path is not None else ref.open("rb")) as fh:  # type: ignore[union-attr]
            z = np.load(fh, allow_pickle=False)
            features = tuple(str(x) for x in z["features"])
            if features != FEATURES:
                return None
            return TreeModel(
                features=features, baseline=float(z["baseline"]), roots=z["roots"],
                feature=z["feature"], threshold=z["threshold"], left=z["left"],
                right=z["right"], nan_left=z["nan_left"].astype(bool),
                leaf=z["leaf"].astype(bool), value=z["value"],
                threshold_p=float(z["threshold_p"]),
            )
    except FileNotFoundError:
        return None
