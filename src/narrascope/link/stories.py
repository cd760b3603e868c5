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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from narrascope.link import story_pairs
from narrascope.store import Store

LOGGER = logging.getLogger(__name__)

LEAD_CHARS = 700  # title + first sentences; MiniLM truncates at 128 tokens anyway


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


@dataclass
class DocFeatures:
    """The per-document views the clustering compares, rows aligned with ``doc_ids``."""

    doc_ids: list[str]
    embed: np.ndarray  # (n, 384) unit rows
    tfidf: sp.csr_matrix  # (n, V) unit rows
    counts: sp.csr_matrix  # (n, V) raw term counts, for IDF computed inside one cluster
    actors: sp.csr_matrix  # (n, A) unit rows (zero rows for documents without actors)
    days: np.ndarray  # (n,) days since epoch, NaN when unknown
    titles: list[str] = field(default_factory=list)
    outlets: list[str | None] = field(default_factory=list)
    published: list[str | None] = field(default_factory=list)
    vocab: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    # documents x corpus actors per kind (PERSON, ORG, GPE) and of the first two sentences
    # ("lead"), unit rows; read by the pair model (link/story_pairs.py)
    entities: dict[str, sp.csr_matrix] = field(default_factory=dict)
    # what the documents report (link/story_pairs.py): quantities ("unit:value") and event
    # types (speech left out), as IDF-weighted unit rows; the years and days their dates
    # (time expressions, publication date) name
    quantities: sp.csr_matrix | None = None
    event_types: sp.csr_matrix | None = None
    years: list[frozenset[int]] = field(default_factory=list)
    dates: list[np.ndarray] = field(default_factory=list)


# -- features ------------------------------------------------------------------------------
def lead_text(text: str, title: str | None) -> str:
    """Title + the first sentences: what gets embedded for a document."""
    body = " ".join(text[: LEAD_CHARS * 2].split())
    if title and not body.startswith(" ".join(title.split())):
        body = f"{title}. {body}"
    return body[:LEAD_CHARS]


def _day(published: str | None) -> float:
    if not published:
        return float("nan")
    try:
        return float(date.fromisoformat(published[:10]).toordinal())
    except ValueError:
        return float("nan")


def embed_documents(store: Store, rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """Embedding of each document's lead, reusing ``doc_vectors`` rows whose text hash matches."""
    from narrascope.annotate.embed import all_cores, encode
    from narrascope.store.vectors import read_vectors, vector_array

    leads = [lead_text(r["text"], r["title"]) for r in rows]
    hashes = [hashlib.sha1(t.encode("utf-8")).hexdigest()[:16] for t in leads]
    ids, mat = read_vectors(store.con, "SELECT doc_id || '|' || text_hash AS k, vector "
                            "FROM doc_vectors", key="k")
    cached = {k: i for i, k in enumerate(ids)}  # "doc_id|text_hash" -> row of mat
    out = np.zeros((len(rows), 384), dtype=np.float32)
    todo = []
    for i, r in enumerate(rows):
        hit = cached.get(f"{r['doc_id']}|{hashes[i]}")
        if hit is not None:
            out[i] = mat[hit]
        else:
            todo.append(i)
    cpu = time.process_time()
    if todo:
        out[todo] = encode([leads[i] for i in todo], threads=all_cores())
        tbl = pa.table(
            {
                "doc_id": [rows[i]["doc_id"] for i in todo],
                "vector": vector_array(out[todo]),
                "text_hash": [hashes[i] for i in todo],
            }
        )
        store.insert_arrow("doc_vectors", tbl, on_conflict="replace")
    LOGGER.info("stories: embedded %d of %d documents (rest cached) in %.1f CPU s",
                len(todo), len(rows), time.process_time() - cpu)
    return out


def _unit_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def build_features(store: Store) -> DocFeatures:
    """Read every document of the store and build its three views."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    rows = store.query(
        "SELECT doc_id, title, text, outlet, published FROM documents ORDER BY doc_id"
    )
    doc_ids = [r["doc_id"] for r in rows]
    embed = embed_documents(store, rows) if rows else np.zeros((0, 384), np.float32)
    if rows:
        vec = CountVectorizer(
            stop_words="english", min_df=1, max_df=0.5,
            token_pattern=r"(?u)\b\w[\w'-]*\w\b", dtype=np.float32,
        )
        try:
            counts = sp.csr_matrix(vec.fit_transform([r["text"] for r in rows]))
            vocab = np.asarray(vec.get_feature_names_out(), dtype=object)
        except ValueError:  # empty vocabulary (every text is stop words)
            counts = sp.csr_matrix((len(rows), 1), dtype=np.float32)
            vocab = np.array([""], dtype=object)
        tfidf = sp.csr_matrix(TfidfTransformer(sublinear_tf=True).fit_transform(counts))
    else:
        counts = sp.csr_matrix((0, 1), dtype=np.float32)
        tfidf, vocab = counts, np.array([""], dtype=object)
    actors = _actor_matrix(store, doc_ids)
    entities = _entity_matrices(store, doc_ids)
    quantities, event_types, years, dates = _reported_facts(
        store, doc_ids, [r["published"] for r in rows]
    )
    return DocFeatures(
        doc_ids=doc_ids,
        embed=embed,
        tfidf=tfidf,
        counts=counts,
        actors=actors,
        days=np.array([_day(r["published"]) for r in rows], dtype=np.float64),
        titles=[r["title"] or lead_text(r["text"], None)[:120] for r in rows],
        outlets=[r["outlet"] for r in rows],
        published=[r["published"] for r in rows],
        vocab=vocab,
        entities=entities,
        quantities=quantities,
        event_types=event_types,
        years=years,
        dates=dates,
    )


def _weighted(rows: list[int], cols: list[int], n: int, width: int) -> sp.csr_matrix:
    """Sublinear counts of (row, col) occurrences times IDF over ``n`` rows, unit rows."""
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(1, width)),
                      dtype=np.float64)
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    df = np.bincount(m.indices, minlength=m.shape[1])
    idf = np.log((1 + n) / (1 + df)) + 1.0
    return _unit_rows(sp.csr_matrix(m @ sp.diags(idf)))


def _entity_matrices(store: Store, doc_ids: list[str]) -> dict[str, sp.csr_matrix]:
    """Documents x corpus actors per entity kind (nationalities count as places) and of the
    actors named in the first two sentences: who a story is about."""
    row_of = {d: i for i, d in enumerate(doc_ids)}
    kinds = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "NORP": "GPE"}
    mentions = store.query(
        "SELECT m.doc_id, m.type, m.sent_idx, ea.actor_id FROM mentions m "
        "JOIN entity_actor ea ON ea.doc_id = m.doc_id AND ea.local_id = m.local_id "
        "ORDER BY m.doc_id, m.idx"
    )
    col_of: dict[str, int] = {}
    cells: dict[str, tuple[list[int], list[int]]] = {
        k: ([], []) for k in ("PERSON", "ORG", "GPE", "lead")
    }
    for m in mentions:
        i = row_of.get(m["doc_id"])
        if i is None:
            continue
        c = col_of.setdefault(m["actor_id"], len(col_of))
        kind = kinds.get(m["type"] or "")
        if kind:
            cells[kind][0].append(i)
            cells[kind][1].append(c)
        if m["sent_idx"] is not None and m["sent_idx"] <= 1:
            cells["lead"][0].append(i)
            cells["lead"][1].append(c)
    n = len(doc_ids)
    return {k: _weighted(r, c, n, len(col_of)) for k, (r, c) in cells.items()}


def _token_matrix(row_of: dict[str, int], items: Sequence[tuple[str, str]]) -> sp.csr_matrix:
    """Documents x distinct tokens of ``(doc_id, token)`` items, IDF-weighted unit rows."""
    col_of: dict[str, int] = {}
    rows, cols = [], []
    for doc, tok in items:
        i = row_of.get(doc)
        if i is not None:
            rows.append(i)
            cols.append(col_of.setdefault(tok, len(col_of)))
    return _weighted(rows, cols, len(row_of), len(col_of))


def _reported_facts(
    store: Store, doc_ids: list[str], published: Sequence[str | None]
) -> tuple[sp.csr_matrix, sp.csr_matrix, list[frozenset[int]], list[np.ndarray]]:
    """Quantities, event types, and the years and days named by each document's dates."""
    row_of = {d: i for i, d in enumerate(doc_ids)}
    qty = [(r["doc_id"], f"{r['unit']}:{r['value']:g}") for r in store.query(
        "SELECT doc_id, unit, value FROM quantities WHERE value IS NOT NULL AND NOT isnan(value) "
        "ORDER BY doc_id, idx")]
    evt = [(r["doc_id"], r["type"]) for r in store.query(
        "SELECT doc_id, type FROM events WHERE type IS NOT NULL AND type <> 'SAY' "
        "ORDER BY doc_id, idx")]
    years: list[set[int]] = [set() for _ in doc_ids]
    days: list[set[float]] = [set() for _ in doc_ids]
    stamps = [(r["doc_id"], r["value"], r["precision"]) for r in store.query(
        "SELECT doc_id, value, precision FROM time_expressions "
        "WHERE kind = 'date' AND value IS NOT NULL ORDER BY doc_id, idx")]
    stamps += [(d, p[:10], "day") for d, p in zip(doc_ids, published, strict=True) if p]
    for doc, value, precision in stamps:
        i = row_of.get(doc)
        if i is None or not value[:4].isdigit():
            continue
        if precision in ("day", "month", "year"):
            years[i].add(int(value[:4]))
        if precision == "day":
            day = _day(value)
            if day == day:  # not NaN
                days[i].add(day)
    return (
        _token_matrix(row_of, qty), _token_matrix(row_of, evt),
        [frozenset(y) for y in years], [np.array(sorted(d)) for d in days],
    )


def _actor_matrix(store: Store, doc_ids: list[str]) -> sp.csr_matrix:
    """Documents x corpus actors, sublinear mention counts times IDF, unit rows."""
    row_of = {d: i for i, d in enumerate(doc_ids)}
    counts = store.query(
        "SELECT m.doc_id, ea.actor_id, count(*) AS n FROM mentions m "
        "JOIN entity_actor ea ON ea.doc_id = m.doc_id AND ea.local_id = m.local_id "
        "GROUP BY m.doc_id, ea.actor_id ORDER BY m.doc_id, ea.actor_id"
    )
    col_of: dict[str, int] = {}
    r_, c_, v_ = [], [], []
    for c in counts:
        i = row_of.get(c["doc_id"])
        if i is None:
            continue
        r_.append(i)
        c_.append(col_of.setdefault(c["actor_id"], len(col_of)))
        v_.append(1.0 + np.log(c["n"]))
    n = len(doc_ids)
    m = sp.csr_matrix((v_, (r_, c_)), shape=(n, max(1, len(col_of))), dtype=np.float64)
    df = np.bincount(np.asarray(c_, dtype=np.int64), minlength=m.shape[1]) if c_ else np.zeros(1)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    return _unit_rows(sp.csr_matrix(m @ sp.diags(idf)))


# -- neighbours ----------------------------------------------------------------------------
def neighbours(x: np.ndarray, query: np.ndarray, k: int, p: StoryParams) -> list[np.ndarray]:
    """For each row of ``query`` (indices into ``x``), up to ``k`` nearest other rows of ``x``.

    Exact for small corpora. Beyond ``p.exact_below`` rows an inverted-file index: k-means
    cells of about ``p.cell_size`` documents, each query scanning its ``p.probes`` nearest
    cells, so a query costs O(n / cell_size + probes * cell_size) instead of O(n).
    """
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
    cells, assign = _kmeans(x, max(2, n // p.cell_size))
    members = [np.flatnonzero(assign == c) for c in range(len(cells))]
    for i in query:
        near = np.argsort(-(cells @ x[i]), kind="stable")[: p.probes]
        cand = np.concatenate([members[c] for c in near])
        cand = cand[cand != i]
        s = x[cand] @ x[i]
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
    f: DocFeatures, query: np.ndarray, p: StoryParams
) -> dict[tuple[int, int], float]:
    """Sparse graph: each queried document and its embedding neighbours, with combined scores."""
    nb = neighbours(f.embed, query, p.neighbours, p)
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


def model_edges(
    f: DocFeatures, query: np.ndarray, p: StoryParams, model: story_pairs.TreeModel
) -> dict[tuple[int, int], float]:
    """Sparse graph: each queried document and its embedding neighbours, scored by the pair
    model. The neighbours' own neighbour lists are retrieved too (their context enters the
    pair features), so the cost is about ``neighbours`` squared per new document."""
    nb = neighbours(f.embed, query, p.neighbours, p)
    pairs = {(min(a, b), max(a, b)) for a, r in zip(query.tolist(), nb, strict=True)
             for b in r.tolist()}
    if not pairs:
        return {}
    have = dict(zip(query.tolist(), nb, strict=True))
    touched = {a for a, _ in pairs} | {b for _, b in pairs}
    more = np.array(sorted(touched - set(have)), dtype=np.int64)
    if len(more):
        have.update(zip(more.tolist(), neighbours(f.embed, more, p.neighbours, p), strict=True))
    docs = np.array(sorted(have), dtype=np.int64)
    ctx = story_pairs.neighbourhood(f, docs, [have[int(d)] for d in docs])
    arr = np.array(sorted(pairs), dtype=np.int64)
    probs = model.predict(story_pairs.pair_features(f, ctx, arr[:, 0], arr[:, 1]))
    return {(int(a), int(b)): float(q) for (a, b), q in zip(arr.tolist(), probs.tolist(), strict=True)}


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
    f: DocFeatures, p: StoryParams, existing: dict[str, str] | None = None
) -> list[list[int]]:
    """Clusters (row indices of ``f``): new documents join ``existing`` stories or form new ones.

    ``existing`` maps doc_id -> story id of documents clustered by an earlier run.
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
    model = _shipped_model() if p.use_model else None
    if model is not None:
        edges = model_edges(f, query, p, model)
        threshold = model.threshold_p if p.model_threshold is None else p.model_threshold
    else:
        edges, threshold = candidate_edges(f, query, p), p.threshold
    coarse = average_link(n, edges, threshold, [groups[k] for k in sorted(groups)])
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


def _story_info(f: DocFeatures, rows: list[int], sid: str) -> dict[str, Any]:
    cent = f.embed[rows].mean(axis=0)
    cent = cent / max(float(np.linalg.norm(cent)), 1e-12)
    best = rows[int(np.argmax(f.embed[rows] @ cent))]
    weights = np.asarray(f.tfidf[rows].sum(axis=0)).ravel()
    top = [i for i in np.argsort(-weights, kind="stable")[:8] if weights[i] > 0]
    dates = sorted(p[:10] for p in (f.published[i] for i in rows) if p)
    outlets = sorted({o for o in (f.outlets[i] for i in rows) if o})
    return {
        "story_id": sid,
        "label": f.titles[best],
        "terms": [str(f.vocab[i]) for i in top],
        "docs": len(rows),
        "outlets": outlets,
        "first_published": dates[0] if dates else None,
        "last_published": dates[-1] if dates else None,
        "centroid": cent.astype(np.float32).tolist(),
    }


def stories_pass(store: Store, params: StoryParams | None = None, *, recluster: bool = False) -> None:
    """The ``stories`` link pass: assign new documents to stories and rewrite ``story_info``.

    Documents already in ``stories`` keep their story unless ``recluster`` is set; a story
    whose documents all left the store disappears.
    """
    p = params or StoryParams()
    t0 = time.perf_counter()
    f = build_features(store)
    t1 = time.perf_counter()
    old = {} if recluster else {
        r["doc_id"]: r["story_id"] for r in store.query("SELECT doc_id, story_id FROM stories")
    }
    prev = {} if recluster else {
        r["doc_id"]: (r["similarity"], r["run_id"])
        for r in store.query("SELECT doc_id, similarity, run_id FROM stories")
    }
    clusters = cluster(f, p, old)
    t2 = time.perf_counter()
    run_id = uuid.uuid4().hex[:12]
    assign_rows: list[dict[str, Any]] = []
    info_rows: list[dict[str, Any]] = []
    for rows in clusters:
        known = sorted({old[f.doc_ids[i]] for i in rows if f.doc_ids[i] in old})
        sid = known[0] if known else story_id_of(f.doc_ids[rows[0]])
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
        info_rows.append(_story_info(f, rows, sid))
    _write(store, assign_rows, info_rows)
    LOGGER.info(
        "stories: %d documents in %d stories (%d new); features %.1fs, clustering %.1fs",
        len(assign_rows), len(info_rows), len(f.doc_ids) - len(old), t1 - t0, t2 - t1,
    )


def _write(store: Store, assign: list[dict[str, Any]], info: list[dict[str, Any]]) -> None:
    store.replace_tables({"stories": assign, "story_info": pa.Table.from_pylist(
        info,
        schema=pa.schema([
            ("story_id", pa.string()), ("label", pa.string()),
            ("terms", pa.list_(pa.string())), ("docs", pa.int32()),
            ("outlets", pa.list_(pa.string())), ("first_published", pa.string()),
            ("last_published", pa.string()), ("centroid", pa.list_(pa.float32(), 384)),
        ]),
    )})
