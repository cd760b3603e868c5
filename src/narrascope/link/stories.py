"""Cluster documents into stories, incrementally, so cross-outlet passes can run per story.

A document is described by three views, each cheap to compare:

* a MiniLM sentence embedding of its title and lead (one vector per document, cached in
  ``doc_vectors`` so a re-run embeds only new documents): what the story is about;
* a TF-IDF vector of its whole text: the specific words (names, places, numbers) that tell
  two similar events apart, which the embedding smooths over;
* a TF-IDF vector of the corpus actors it mentions (``entity_actor``): who is involved,
  across spellings.

When the pair model ships (``link/data/stories_model.npz``, see link/story_pairs.py) each
candidate pair is scored by it instead: a same-story probability from the cosines of the
views relative to each document's neighbourhood, the rare words, the actors (per kind and
in the lead) the two share, and their date gap; stories are average-link clusters of those
probabilities. Without the file the fixed combination below is used.

Similarity of two documents is a weighted sum of the three cosines, lowered when both
publication dates are known and lie further apart than a window (a date that is missing
never counts for or against: in ECB+ only half the documents carry one). Stories are
average-link clusters over a sparse k-nearest-neighbour graph (neighbours retrieved on the
embedding, exactly for small corpora, through an inverted-file index for large ones), so
the cost grows about linearly with the corpus rather than quadratically.

Online: stories already in the store are kept. New documents are clustered together with
the existing stories, which act as fixed clusters that new documents may join but that are
never merged with one another, so an earlier story id stays stable. On an empty store this
is plain batch average-link clustering.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import logging
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from narrascope.link import story_pairs
from narrascope.link.story_features import (  # noqa: F401 (re-exported)
    LEAD_CHARS,
    DocFeatures,
    _day,
    _unit_rows,
    build_features,
    embed_documents,
    lead_text,
)
from narrascope.store import Store

LOGGER = logging.getLogger(__name__)
# Share of the documents added online since the last full build past which the next run
# builds every row again (and refreshes every story's label and terms).
DRIFT = 0.2

@dataclass(frozen=True)
class StoryParams:
    """Weights and thresholds of the story clustering.

    Chosen on stories-ecbplus-dev (535 long articles, 46 stories in 23 topic pairs) and
    stories-allsides-train (3,000 headline+lead snippets, 1,000 stories), never on the seed
    corpus, with ``python -m narrascope.link.stories_calibrate`` and earlier grids over the
    weights: the setting with the best *worst-case* B-cubed F1 over the two sets.
    The sets pull apart: ECB+ is best at a low threshold without local scaling (0.921 at
    threshold 0.1, where AllSides falls to 0.59); AllSides is best with strong local
    scaling over near neighbours (0.857 with background ranks 10-30, where ECB+ falls to
    0.84, since its stories of up to 22 documents fill those ranks). Background ranks
    30-50 serve both: background weight 1.0, threshold 0.15 -> ECB+ 0.903, AllSides 0.847
    in-sample, the best worst case of the grid (two-fold CV over topics: 0.931 / 0.875,
    scored on half the stories each, so not comparable one to one). The actor view did not help
    on either set (its cosine is mostly implied by the words), so its weight is 0. The
    date window is not calibrated (AllSides has no dates, ECB+ dates one half only).
    All of the above (weights, date penalty, local scaling, ``threshold``) is the fallback
    used only without the shipped pair model, which replaces them (``use_model``).
    """

    w_embed: float = 0.5
    w_tfidf: float = 0.5
    w_actors: float = 0.0
    threshold: float = 0.15
    # Dates further apart than this (both known) lower the similarity by ``date_penalty``.
    window_days: int = 7
    date_penalty: float = 0.25
    # A cluster splits in two when, with IDF computed inside it, the second eigenvalue of
    # its normalised graph Laplacian is below ``split_gap``; each part needs ``min_part``
    # documents; parts are split again up to ``split_depth`` levels.
    split_gap: float = 0.6
    min_part: int = 3
    split_depth: int = 1
    # Local scaling: an edge loses ``background_weight`` times the mean similarity of its
    # two documents to their neighbours ranked ``background_from``..``neighbours``, so a
    # crowded region (many stories on one topic) needs a closer match than a sparse one.
    background_weight: float = 1.0
    background_from: int = 30
    neighbours: int = 50
    # The pair model (link/story_pairs.py) replaces the weighted sum, the date penalty and
    # the local scaling above when its file ships; merges need an average same-story
    # probability of ``model_threshold`` (None: the one chosen by cross-validation when
    # the model was trained). Splitting (below) follows only when ``split_with_model``:
    # on the model's clusters it cost ECB+ 0.04 F1 and gained AllSides 0.005 (two-fold CV).
    use_model: bool = True
    model_threshold: float | None = None
    split_with_model: bool = False
    exact_below: int = 4000  # corpora up to this size get exact neighbours
    cell_size: int = 256  # documents per inverted-file cell beyond that
    probes: int = 8


# -- neighbours ----------------------------------------------------------------------------
@dataclass
class NeighbourMemo:
    """The neighbour lists one stories pass has retrieved from one embedding matrix ``x``,
    and its inverted-file cells, kept for the pass's later asks. An online run asks twice
    for the same lists: :func:`online_rows`, to know which rows to build, and the pair
    model's edges (:func:`model_edge_arrays`) in the clustering. On 100,000 replicated
    documents with 1,000 new, each ask took about 50 s (the k-means cells 3.7 s of it)."""

    x: np.ndarray
    k: int
    lists: dict[int, np.ndarray] = field(default_factory=dict)
    cells: tuple[np.ndarray, list[np.ndarray]] | None = None


def neighbours(x: np.ndarray, query: np.ndarray, k: int, p: StoryParams,
               memo: NeighbourMemo | None = None) -> list[np.ndarray]:
    """For each row of ``query`` (indices into ``x``), up to ``k`` nearest other rows of ``x``.

    Exact for small corpora. Beyond ``p.exact_below`` rows an inverted-file index: k-means
    cells of about ``p.cell_size`` documents, each query scanning its ``p.probes`` nearest
    cells, so a query costs O(n / cell_size + probes * cell_size) instead of O(n). A row's
    list depends only on ``x``, the row, ``k`` and ``p``; with ``memo`` (of this ``x`` and
    ``k``) lists found before are reused and new ones kept.
    """
    if memo is None or memo.x is not x or memo.k != k:
        return _neighbours(x, query, k, p, None)
    rows = [int(i) for i in query]
    todo = np.array(sorted({i for i in rows if i not in memo.lists}), dtype=np.int64)
    if len(todo):
        memo.lists.update(zip(todo.tolist(), _neighbours(x, todo, k, p, memo), strict=True))
    return [memo.lists[i] for i in rows]


def _neighbours(x: np.ndarray, query: np.ndarray, k: int, p: StoryParams,
                memo: NeighbourMemo | None) -> list[np.ndarray]:
    n = x.shape[0]
    out: list[np.ndarray] = []
    if n <= p.exact_below:
        for b in range(0, len(query), 512):
            qi = query[b : b + 512]
            s = x[qi] @ x.T
            s[np.arange(len(qi)), qi] = -np.inf
            kk = min(k, n - 1)
            if kk <= 0:
                out.extend(np.zeros(0, dtype=np.int64) for _ in qi)
                continue
            top = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
            out.extend(top[r][np.argsort(-s[r, top[r]], kind="stable")] for r in range(len(qi)))
        return out
    if memo is not None and memo.cells is not None:
        cells, members = memo.cells
    else:
        cells, assign = _kmeans(x, max(2, n // p.cell_size))
        members = [np.flatnonzero(assign == c) for c in range(len(cells))]
        if memo is not None:
            memo.cells = (cells, members)
    # The rows of x in cell order, so that a query's candidates are copied as a few
    # contiguous blocks: gathered row by row (x[cand], 2,000 rows scattered over the
    # matrix) they took 1.1 ms a query on 100,000 documents, 0.4 ms so. The candidate
    # matrix is the same row for row (the query's own row left out), and so are the
    # similarities, to the bit. The copy of x lives for this call only.
    order = np.concatenate(members)
    starts = np.zeros(len(members) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(m) for m in members])
    xs = x[order]
    pos = np.empty(n, dtype=np.int64)  # each row's place in xs
    pos[order] = np.arange(n)
    for i in query:
        near = np.argsort(-(cells @ x[i]), kind="stable")[: p.probes]
        blocks: list[np.ndarray] = []
        ids: list[np.ndarray] = []
        q = int(pos[i])
        for c in near.tolist():
            a, b = int(starts[c]), int(starts[c + 1])
            if a <= q < b:  # the query's own cell: its row left out
                blocks += [xs[a:q], xs[q + 1:b]]
                ids += [order[a:q], order[q + 1:b]]
            else:
                blocks.append(xs[a:b])
                ids.append(order[a:b])
        cand = np.concatenate(ids)
        s = np.concatenate(blocks) @ x[i]
        top = np.argsort(-s, kind="stable")[:k]
        out.append(cand[top])
    return out


def _kmeans(x: np.ndarray, k: int, iters: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means with a fixed seed (deterministic), for the inverted-file cells."""
    rng = np.random.default_rng(0)
    cent = x[rng.choice(x.shape[0], size=k, replace=False)].copy()
    assign = np.zeros(x.shape[0], dtype=np.int64)
    for _ in range(iters):
        for b in range(0, x.shape[0], 4096):
            assign[b : b + 4096] = np.argmax(x[b : b + 4096] @ cent.T, axis=1)
        for c in range(k):
            mem = x[assign == c]
            if len(mem):
                v = mem.sum(axis=0)
                cent[c] = v / max(float(np.linalg.norm(v)), 1e-12)
    return cent, assign


def pair_similarity(f: DocFeatures, i: np.ndarray, j: np.ndarray, p: StoryParams) -> np.ndarray:
    """Combined similarity of document pairs ``(i[t], j[t])``."""
    emb = np.einsum("ij,ij->i", f.embed[i], f.embed[j])
    tf = np.asarray(f.tfidf[i].multiply(f.tfidf[j]).sum(axis=1)).ravel()
    ac = np.asarray(f.actors[i].multiply(f.actors[j]).sum(axis=1)).ravel()
    s = p.w_embed * emb + p.w_tfidf * tf + p.w_actors * ac
    gap = np.abs(f.days[i] - f.days[j])
    far = np.nan_to_num(gap, nan=0.0) > p.window_days
    return np.where(far, s - p.date_penalty, s)


def candidate_edges(
    f: DocFeatures, query: np.ndarray, p: StoryParams, memo: NeighbourMemo | None = None
) -> dict[tuple[int, int], float]:
    """Sparse graph: each queried document and its embedding neighbours, with combined scores."""
    nb = neighbours(f.embed, query, p.neighbours, p, memo)
    qi = np.repeat(query, [len(r) for r in nb])
    qj = np.concatenate(nb).astype(np.int64) if nb else np.zeros(0, np.int64)
    if not len(qj):
        return {}
    sims = pair_similarity(f, qi, qj, p)
    background = np.zeros(len(f.doc_ids))
    if p.background_weight:
        # per queried document: mean of its neighbour scores beyond the closest few
        off = 0
        for i, r in zip(query.tolist(), nb, strict=True):
            row = np.sort(sims[off : off + len(r)])[::-1]
            tail = row[p.background_from :]
            background[i] = float(tail.mean()) if len(tail) else 0.0
            off += len(r)
    edges: dict[tuple[int, int], float] = {}
    for a, b, s in zip(qi.tolist(), qj.tolist(), sims.tolist(), strict=True):
        key = (min(a, b), max(a, b))
        if key not in edges:
            edges[key] = s - p.background_weight * 0.5 * (background[a] + background[b])
    return edges


@functools.cache
def _shipped_model() -> story_pairs.TreeModel | None:
    return story_pairs.load_model()


def _pair_model(p: StoryParams) -> story_pairs.TreeModel | None:
    """The pair model :func:`cluster` scores edges with, or None (the weighted sum)."""
    return _shipped_model() if p.use_model else None


def model_edges(
    f: DocFeatures, query: np.ndarray, p: StoryParams, model: story_pairs.TreeModel
) -> dict[tuple[int, int], float]:
    """Sparse graph: each queried document and its embedding neighbours, scored by the pair
    model (:func:`model_edge_arrays` as a dict, in ``(i, j)`` order)."""
    a, b, probs = model_edge_arrays(f, query, p, model)
    return {(int(x), int(y)): float(q)
            for x, y, q in zip(a.tolist(), b.tolist(), probs.tolist(), strict=True)}


def model_edge_arrays(
    f: DocFeatures, query: np.ndarray, p: StoryParams, model: story_pairs.TreeModel,
    memo: NeighbourMemo | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each queried document and its embedding neighbours as pairs ``(a[t], b[t])``,
    ``a < b``, sorted, with the pair model's same-story probability. The neighbours' own
    neighbour lists are retrieved too (their context enters the pair features), so the
    cost is about ``neighbours`` squared per new document. Pairs are numpy arrays (24
    bytes a pair, not a Python tuple and float: 3.5 million pairs at 100,000 documents)."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    nb = neighbours(f.embed, query, p.neighbours, p, memo)
    if not nb:
        return empty
    qi = np.repeat(np.asarray(query, dtype=np.int64), [len(r) for r in nb])
    qj = np.concatenate(nb).astype(np.int64)
    if not len(qj):
        return empty
    n = max(len(f.doc_ids), 1)
    code = np.unique(np.minimum(qi, qj) * n + np.maximum(qi, qj))
    del qi, qj  # 40 MB each at 100,000 documents, not needed past here
    a, b = code // n, code % n
    del code
    have = dict(zip(np.asarray(query).tolist(), nb, strict=True))
    more = np.setdiff1d(np.union1d(a, b), np.asarray(query, dtype=np.int64))
    if len(more):
        have.update(zip(more.tolist(), neighbours(f.embed, more, p.neighbours, p, memo),
                        strict=True))
    docs = np.array(sorted(have), dtype=np.int64)
    ctx = story_pairs.neighbourhood(f, docs, [have[int(d)] for d in docs])
    return a, b, story_pairs.pair_probabilities(f, ctx, a, b, model)


# -- clustering ----------------------------------------------------------------------------
def average_link(
    n: int,
    edges: dict[tuple[int, int], float],
    threshold: float,
    fixed: Sequence[Sequence[int]] = (),
) -> list[list[int]]:
    """Average-link clustering of ``n`` items over a sparse graph (missing pairs score 0).

    ``fixed`` are existing clusters (item lists): they start merged and are never merged
    with each other, only joined by other items. Merges go best-first while the average
    similarity between two clusters is at least ``threshold``; ties break on the smallest
    member index, so the result is deterministic. Returns clusters as sorted item lists.
    """
    cid = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    frozen: set[int] = set()
    for grp in fixed:
        grp = sorted(grp)
        if not grp:
            continue
        root = grp[0]
        for i in grp[1:]:
            cid[i] = root
            members[root].extend(members.pop(i))
        frozen.add(root)
    link: dict[int, dict[int, float]] = defaultdict(dict)
    for (a, b), s in edges.items():
        ca, cb = cid[a], cid[b]
        if ca == cb:
            continue
        link[ca][cb] = link[ca].get(cb, 0.0) + s
        link[cb][ca] = link[cb].get(ca, 0.0) + s
    heap: list[tuple[float, int, int]] = []

    def push(a: int, b: int) -> None:
        if a in frozen and b in frozen:
            return
        avg = link[a][b] / (len(members[a]) * len(members[b]))
        if avg >= threshold:
            heapq.heappush(heap, (-avg, min(a, b), max(a, b)))

    for a in sorted(link):
        for b in sorted(link[a]):
            if a < b:
                push(a, b)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in link[a]:
            continue
        if abs(-neg - link[a][b] / (len(members[a]) * len(members[b]))) > 1e-9:
            continue  # stale entry: a or b grew since it was pushed
        # merge b into a (a is the smaller root id, so the root is the smallest member)
        members[a].extend(members.pop(b))
        if b in frozen:
            frozen.add(a)
        for c, s in link.pop(b).items():
            del link[c][b]
            if c == a:
                continue
            link[a][c] = link[a].get(c, 0.0) + s
            link[c][a] = link[a][c]
        for c in sorted(link[a]):
            push(a, c)
    return sorted(sorted(m) for m in members.values())


def average_link_arrays(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    s: np.ndarray,
    threshold: float,
    fixed: Sequence[Sequence[int]] = (),
) -> list[list[int]]:
    """:func:`average_link` over the edges ``(a[t], b[t]) -> s[t]`` (in the order
    :func:`average_link` would iterate them), one component at a time: the same clusters
    with only one component's edges in Python dicts at once.

    Why it is the same: with ``threshold > 0`` two clusters merge only when their average
    similarity (missing pairs 0) is at least ``threshold``, so some edge between them is;
    every cluster therefore lies inside one connected component of the edges of at least
    ``threshold`` (fixed clusters joined), and merges inside one component never read an
    edge of another. Items are renumbered in order inside a component and its edges keep
    their order, so ties and sums come out as in one run over the whole graph.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    s = np.asarray(s, dtype=np.float64)
    groups = [sorted(g) for g in fixed if len(g)]
    if n == 0:
        return []
    if threshold <= 0:
        return average_link(n, dict(zip(zip(a.tolist(), b.tolist(), strict=True), s.tolist(),
                                        strict=True)), threshold, groups)
    from scipy.sparse.csgraph import connected_components

    strong = s >= threshold
    rows = [a[strong]] + [np.asarray(g[:-1], dtype=np.int64) for g in groups]
    cols = [b[strong]] + [np.asarray(g[1:], dtype=np.int64) for g in groups]
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = sp.coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    inside = label[a] == label[b]
    a, b, s = a[inside], b[inside], s[inside]
    order = np.argsort(label[a], kind="stable")  # each component's edges, in input order
    a, b, s = a[order], b[order], s[order]
    e_comp = label[a]
    items = np.argsort(label, kind="stable")  # each component's items, ascending
    i_comp = label[items]
    comps = np.arange(label.max() + 2)  # n > 0 here: at least one component
    i_bounds = np.searchsorted(i_comp, comps)
    e_bounds = np.searchsorted(e_comp, comps)
    fixed_of: dict[int, list[list[int]]] = defaultdict(list)
    for g in groups:
        fixed_of[int(label[g[0]])].append(g)
    out: list[list[int]] = []
    for comp in range(len(i_bounds) - 1):
        members = items[i_bounds[comp]:i_bounds[comp + 1]]
        if len(members) == 1:
            out.append([int(members[0])])
            continue
        lo, hi = e_bounds[comp], e_bounds[comp + 1]
        la = np.searchsorted(members, a[lo:hi]).tolist()
        lb = np.searchsorted(members, b[lo:hi]).tolist()
        local = dict(zip(zip(la, lb, strict=True), s[lo:hi].tolist(), strict=True))
        local_fixed = [np.searchsorted(members, g).tolist() for g in fixed_of.get(comp, ())]
        for cl in average_link(len(members), local, threshold, local_fixed):
            out.append([int(members[i]) for i in cl])
    return sorted(sorted(m) for m in out)


def split_in_two(f: DocFeatures, rows: Sequence[int], p: StoryParams) -> list[list[int]]:
    """Split one cluster in two when its documents form two distinct groups, else keep it.

    Why: two similar events (two rehab admissions, two title fights of one boxer) share the
    topic's vocabulary, so across the corpus they look alike. Inside the cluster those
    shared words carry no information: with IDF computed over the cluster's own documents
    only the words that differ between its documents count (the other boxer, the other
    venue). On that similarity graph a spectral bisection (sign of the Fiedler vector of
    the normalised Laplacian) finds the two groups, and the second-smallest eigenvalue
    says how well separated they are (small = two weakly linked groups); average-link
    bisection instead tends to peel off one outlier. Cost is cubic in the cluster size
    only, and clusters beyond 400 documents are left alone.
    """
    rows = sorted(rows)
    n = len(rows)
    if n < 2 * p.min_part or n > 400:
        return [list(rows)]
    c = f.counts[rows].tocsr()
    df = np.asarray((c > 0).sum(axis=0)).ravel()
    idf = np.where(df > 0, np.log(n / np.maximum(df, 1)), 0.0)
    x = c.copy().astype(np.float64)
    x.data = 1.0 + np.log(x.data)
    x = _unit_rows(sp.csr_matrix(x @ sp.diags(idf)))
    w = np.clip(np.asarray((x @ x.T).todense()), 0.0, None)
    np.fill_diagonal(w, 0.0)
    deg = w.sum(axis=1)
    if (deg <= 1e-12).any():
        return [list(rows)]
    inv = 1.0 / np.sqrt(deg)
    lap = np.eye(n) - w * np.outer(inv, inv)
    vals, vecs = np.linalg.eigh(lap)
    if vals[1] >= p.split_gap:
        return [list(rows)]
    fiedler = vecs[:, 1] * inv
    # the eigenvector's sign is arbitrary: orient it so the first document is on the + side
    if fiedler[0] < 0:
        fiedler = -fiedler
    side = fiedler > 0
    a, b = np.flatnonzero(side), np.flatnonzero(~side)
    if min(len(a), len(b)) < p.min_part:
        return [list(rows)]
    parts = [[rows[i] for i in a], [rows[i] for i in b]]
    if p.split_depth <= 1:
        return parts
    deeper = replace(p, split_depth=p.split_depth - 1)
    return [q for part in parts for q in split_in_two(f, part, deeper)]


def cluster(
    f: DocFeatures, p: StoryParams, existing: dict[str, str] | None = None,
    memo: NeighbourMemo | None = None,
) -> list[list[int]]:
    """Clusters (row indices of ``f``): new documents join ``existing`` stories or form new ones.

    ``existing`` maps doc_id -> story id of documents clustered by an earlier run; ``memo``:
    neighbour lists of ``f.embed`` retrieved before (:func:`neighbours`).
    """
    existing = existing or {}
    n = len(f.doc_ids)
    groups: dict[str, list[int]] = defaultdict(list)
    new: list[int] = []
    for i, d in enumerate(f.doc_ids):
        if d in existing:
            groups[existing[d]].append(i)
        else:
            new.append(i)
    if not new:
        return sorted(sorted(g) for g in groups.values())
    query = np.array(new, dtype=np.int64)
    model = _pair_model(p)
    if model is not None:
        ea, eb, es = model_edge_arrays(f, query, p, model, memo)
        threshold = model.threshold_p if p.model_threshold is None else p.model_threshold
    else:
        edges, threshold = candidate_edges(f, query, p, memo), p.threshold
        ea = np.array([k[0] for k in edges], dtype=np.int64)
        eb = np.array([k[1] for k in edges], dtype=np.int64)
        es = np.array(list(edges.values()), dtype=np.float64)
    coarse = average_link_arrays(n, ea, eb, es, threshold, [groups[k] for k in sorted(groups)])
    is_new = np.zeros(n, dtype=bool)
    is_new[new] = True
    out: list[list[int]] = []
    for rows in coarse:
        if not is_new[rows].any():
            out.append(rows)
            continue
        parts = split_in_two(f, rows, p) if model is None or p.split_with_model else [rows]
        # A stored story is never torn apart: only new documents may split off it.
        if sum(1 for part in parts if (~is_new[part]).any()) > 1:
            parts = [rows]
        out.extend(parts)
    return sorted(sorted(r) for r in out)


# -- the pass ------------------------------------------------------------------------------
def story_id_of(first_doc_id: str) -> str:
    """A story's id: derived from its first member, so re-clustering the same store is stable."""
    return "s" + hashlib.sha1(first_doc_id.encode("utf-8")).hexdigest()[:12]


def story_ids(clusters: Sequence[Sequence[str]], old: dict[str, str]) -> list[str]:
    """Each cluster's story id: the smallest stored id among its documents' (a stored story
    keeps its id), else :func:`story_id_of` its first document. A stored story keeps the id
    of its first document after that document left it, so when the document comes back
    alone the id it derives is taken: it is derived again with a counter. (The pass used
    to write the id twice and fail on the key, run after run, on 100,000 replicated
    documents of which 1,019 had lost their story rows.)"""
    known = [sorted({old[d] for d in docs if d in old}) for docs in clusters]
    taken = {k[0] for k in known if k}
    out: list[str] = []
    for docs, k in zip(clusters, known, strict=True):
        if k:
            out.append(k[0])
            continue
        sid, n = story_id_of(docs[0]), 0
        while sid in taken:
            n += 1
            sid = story_id_of(f"{docs[0]}#{n}")
        taken.add(sid)
        out.append(sid)
    return out


def _top_terms(m: sp.csr_matrix, k: int) -> list[int]:
    """The ``k`` columns of ``m`` with the largest sums (ties: lower column first), among
    those with a positive sum: ``argsort(-m.sum(axis=0), kind="stable")[:k]``, summed over
    the columns ``m`` uses only. Why: the vocabulary of 20,000 replicated documents has a
    million words, and sorting a million sums per story was most of the stories pass's
    time. Each column is summed over the rows in the same order as ``m.sum(axis=0)`` does,
    so the sums, and the order, are the same."""
    cols, inv = np.unique(m.indices, return_inverse=True)
    if not len(cols):
        return []
    sums = np.bincount(inv, weights=m.data, minlength=len(cols))
    return [int(cols[i]) for i in np.argsort(-sums, kind="stable")[:k] if sums[i] > 0]


def _story_info(f: DocFeatures, rows: list[int], sid: str) -> dict[str, Any]:
    cent = f.embed[rows].mean(axis=0)
    cent = cent / max(float(np.linalg.norm(cent)), 1e-12)
    best = rows[int(np.argmax(f.embed[rows] @ cent))]
    top = _top_terms(f.tfidf[rows], 8)
    dates = sorted(p[:10] for p in (f.published[i] for i in rows) if p)
    outlets = sorted({o for o in (f.outlets[i] for i in rows) if o})
    return {
        "story_id": sid,
        "label": f.titles[best],
        "terms": [f.vocab[i].as_py() for i in top],
        "docs": len(rows),
        "outlets": outlets,
        "first_published": dates[0] if dates else None,
        "last_published": dates[-1] if dates else None,
        # an array, not a list: 384 Python floats a story held 550 MB for the 45,000
        # stories of 100,000 replicated documents (see _write)
        "centroid": cent.astype(np.float32),
    }


def _stored_info(store: Store) -> dict[str, dict[str, Any]]:
    """The ``story_info`` rows by story id, each centroid a float32 row of one matrix (as
    :func:`_story_info` gives them). Read as Python lists, the centroids of the 45,000
    stories of 100,000 replicated documents took 550 MB, and an online run there peaked
    at 4,061 MB RSS."""
    from narrascope.store.vectors import read_vectors

    info = {r["story_id"]: r for r in store.query(
        "SELECT story_id, label, terms, docs, outlets, first_published, last_published "
        "FROM story_info ORDER BY story_id")}
    keys, cents = read_vectors(store.con, "SELECT story_id, centroid FROM story_info "
                               "ORDER BY story_id", key="story_id", column="centroid")
    for k, c in zip(keys, cents, strict=True):
        info[k]["centroid"] = c
    return info


def two_hop(embed: np.ndarray, new: np.ndarray, p: StoryParams,
            memo: NeighbourMemo | None = None) -> set[int]:
    """Rows of ``new``, of their embedding neighbours and of those neighbours' neighbours:
    the lists the clustering asks for (:func:`model_edge_arrays`), found here."""
    nb = neighbours(embed, new, p.neighbours, p, memo)
    touched = set(new.tolist()) | {int(j) for r in nb for j in r.tolist()}
    more = np.array(sorted(touched - set(new.tolist())), dtype=np.int64)
    rows = set(touched)
    if len(more):
        rows |= {int(j) for r in neighbours(embed, more, p.neighbours, p, memo)
                 for j in r.tolist()}
    return rows


def new_rows(doc_ids: Sequence[str], old: dict[str, str]) -> np.ndarray:
    """Rows (indices into ``doc_ids``) of the documents no stored story holds."""
    return np.array([i for i, d in enumerate(doc_ids) if d not in old], dtype=np.int64)


def online_rows(store: Store, embed: np.ndarray, doc_ids: list[str], old: dict[str, str],
                p: StoryParams, memo: NeighbourMemo | None = None) -> set[str]:
    """The documents whose features an online run needs: the new ones, their embedding
    neighbours and those neighbours' neighbours (the pair model reads each document's
    neighbourhood), and every member of a story one of them is in (a story a new document
    may join gets its ``story_info`` recomputed)."""
    new = new_rows(doc_ids, old)
    if not len(new):
        return set()
    rows = two_hop(embed, new, p, memo)
    stories = {old[doc_ids[i]] for i in rows if doc_ids[i] in old}
    want = {doc_ids[i] for i in rows}
    want |= {d for d, sid in old.items() if sid in stories}
    return want


def stories_pass(store: Store, params: StoryParams | None = None, *, recluster: bool = False) -> None:
    """The ``stories`` link pass: assign new documents to stories and update ``story_info``.

    Documents already in ``stories`` keep their story unless ``recluster`` is set; a story
    whose documents all left the store disappears.

    Online: when at most ``DRIFT`` of the documents were added since the last full build,
    features are built for the documents :func:`online_rows` names only (the same rows a
    full build gives them: corpus statistics are counted in SQL), so the assignment equals
    a full build's; ``story_info`` is recomputed for the stories that gained or lost
    documents and kept for the others (their top terms were weighed with the IDF of their
    last update). Past ``DRIFT``, on ``recluster`` or on an empty store, every row is built
    and every ``story_info`` row rewritten.
    """
    p = params or StoryParams()
    t0 = time.perf_counter()
    old = {} if recluster else {
        r["doc_id"]: r["story_id"] for r in store.query(
            "SELECT doc_id, story_id FROM stories WHERE doc_id IN (SELECT doc_id FROM documents)")
    }
    prev = {} if recluster else {
        r["doc_id"]: (r["similarity"], r["run_id"])
        for r in store.query("SELECT doc_id, similarity, run_id FROM stories")
    }
    n_docs = store.count("documents")
    state = store.con.execute(
        "SELECT fingerprint FROM link_state WHERE pass = 'stories:online'").fetchone()
    # documents added online since the last full build, with those of this run
    added = (int(state[0]) if state else 0) + n_docs - len(old)
    online = bool(old) and state is not None and added <= DRIFT * n_docs
    stored_info = _stored_info(store) if online else {}
    before = Counter(old.values())
    want: set[str] | None = None
    doc_ids = [r[0] for r in store.con.execute(
        "SELECT doc_id FROM documents ORDER BY doc_id").fetchall()]
    embed = embed_documents(store, doc_ids, check=not online)
    # The neighbour lists the clustering will ask for are found before the features are
    # built, and kept: the search holds a copy of the embeddings for a while (155 MB at
    # 100,000 documents), which then does not add to the features' memory.
    memo = NeighbourMemo(embed, p.neighbours)
    if online:
        want = online_rows(store, embed, doc_ids, old, p, memo)
        shrunk = {sid for sid, r in stored_info.items() if r["docs"] != before[sid]}
        want |= {d for d, sid in old.items() if sid in shrunk}
    elif _pair_model(p) is not None:  # its edges read the new rows' two-hop lists
        two_hop(embed, new_rows(doc_ids, old), p, memo)
    f = build_features(store, want, embed)
    store.drop_cache()  # the clustering is NumPy work: DuckDB's cached blocks go first
    t1 = time.perf_counter()
    clusters = cluster(f, p, old, memo)
    del memo
    t2 = time.perf_counter()
    run_id = uuid.uuid4().hex[:12]
    assign_rows: list[dict[str, Any]] = []
    info_rows: list[dict[str, Any]] = []
    sids = story_ids([[f.doc_ids[i] for i in rows] for rows in clusters], old)
    for rows, sid in zip(clusters, sids, strict=True):
        cent = f.embed[rows].mean(axis=0)
        for i in rows:
            d = f.doc_ids[i]
            if d in prev:
                sim, rid = prev[d]
            else:
                # similarity to the rest of the story, on the embedding (1.0 when alone)
                rest = cent * len(rows) - f.embed[i]
                norm = float(np.linalg.norm(rest))
                sim = float(f.embed[i] @ rest / norm) if len(rows) > 1 and norm else 1.0
                rid = run_id
            assign_rows.append({"doc_id": d, "story_id": sid, "similarity": sim, "run_id": rid})
        same = sid in stored_info and before[sid] == len(rows) == stored_info[sid]["docs"]
        info_rows.append(stored_info[sid] if same else _story_info(f, rows, sid))
    _write(store, assign_rows, info_rows)
    store.con.execute("INSERT OR REPLACE INTO link_state VALUES ('stories:online', ?)",
                      [str(added if online else 0)])
    LOGGER.info(
        "stories: %d documents in %d stories (%d new, %s: features of %d); features %.1fs, "
        "clustering %.1fs", len(assign_rows), len(info_rows), len(f.doc_ids) - len(old),
        "online" if online else "full", len(want) if want is not None else len(f.doc_ids),
        t1 - t0, t2 - t1,
    )


def _write(store: Store, assign: list[dict[str, Any]], info: list[dict[str, Any]]) -> None:
    """Replace ``stories`` and ``story_info``. Story rows come from :func:`_story_info`
    (centroid an array) or from ``story_info`` itself (a list); the centroids go to Arrow
    as one float32 block."""
    dim = 384
    cent = np.zeros((len(info), dim), dtype=np.float32)
    for k, r in enumerate(info):
        cent[k] = np.asarray(r["centroid"], dtype=np.float32)
    cols: dict[str, pa.Array] = {
        "story_id": pa.array([r["story_id"] for r in info], pa.string()),
        "label": pa.array([r["label"] for r in info], pa.string()),
        "terms": pa.array([r["terms"] for r in info], pa.list_(pa.string())),
        "docs": pa.array([r["docs"] for r in info], pa.int32()),
        "outlets": pa.array([r["outlets"] for r in info], pa.list_(pa.string())),
        "first_published": pa.array([r["first_published"] for r in info], pa.string()),
        "last_published": pa.array([r["last_published"] for r in info], pa.string()),
        "centroid": pa.FixedSizeListArray.from_arrays(pa.array(cent.ravel()), dim),
    }
    store.replace_tables({"stories": assign, "story_info": pa.table(cols)})
