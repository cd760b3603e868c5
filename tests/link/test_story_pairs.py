"""Story pair model: pair features from hand-built documents, the flattened tree ensemble."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from narrascope.link import stories as S
from narrascope.link import story_pairs as P


def _features(counts: list[dict[str, int]], people: list[list[int]] | None = None,
              embed: np.ndarray | None = None) -> S.DocFeatures:
    vocab = sorted({w for c in counts for w in c})
    m = sp.csr_matrix([[c.get(w, 0) for w in vocab] for c in counts], dtype=np.float64)
    n = len(counts)
    people = people or [[] for _ in range(n)]
    width = 1 + max((a for row in people for a in row), default=0)
    pm = sp.csr_matrix([[1.0 if a in row else 0.0 for a in range(width)] for row in people])
    zero = sp.csr_matrix((n, 1))
    if embed is None:
        embed = np.tile(np.eye(1, 384, dtype=np.float32), (n, 1))
    return S.DocFeatures(
        doc_ids=[f"d{i}" for i in range(n)], embed=embed, tfidf=S._unit_rows(m), counts=m,
        actors=zero, days=np.full(n, np.nan), vocab=np.array(vocab, dtype=object),
        entities={"PERSON": S._unit_rows(pm), "ORG": zero, "GPE": zero, "lead": zero},
    )


def _all_pairs(f: S.DocFeatures) -> tuple[P.Context, np.ndarray, np.ndarray]:
    n = len(f.doc_ids)
    docs = np.arange(n)
    nb = S.neighbours(f.embed, docs, 50, S.StoryParams())
    i, j = np.triu_indices(n, 1)
    return P.neighbourhood(f, docs, nb), i, j


def _col(x: np.ndarray, name: str) -> np.ndarray:
    return x[:, P.FEATURES.index(name)]


def test_rare_shared_words_and_shared_people_raise_their_features():
    docs = [{"storm": 1, "harvey": 1}, {"storm": 1, "harvey": 1}, {"storm": 1, "budget": 1},
            {"storm": 1, "vote": 1}]
    f = _features(docs, people=[[0], [0], [1], []])
    ctx, i, j = _all_pairs(f)
    x = P.pair_features(f, ctx, i, j)
    pair = {(int(a), int(b)): t for t, (a, b) in enumerate(zip(i, j, strict=True))}
    idf = _col(x, "shared_idf_sum")
    # 'storm' is in every document: sharing only it is worth nothing; 'harvey' is rare
    assert idf[pair[(0, 2)]] == pytest.approx(0.0)
    assert idf[pair[(0, 1)]] > 0.4
    person = _col(x, "ent_person")
    assert person[pair[(0, 1)]] == pytest.approx(1.0)
    assert person[pair[(0, 2)]] == 0.0 and person[pair[(2, 3)]] == 0.0


def test_date_gap_counts_only_when_both_dates_are_known_and_beyond_a_week():
    f = _features([{"a": 1}, {"a": 1}, {"a": 1}, {"a": 1}])
    f.days = np.array([0.0, 5.0, 100.0, np.nan])
    ctx, i, j = _all_pairs(f)
    gap = dict(zip(zip(i.tolist(), j.tolist(), strict=True), _col(P.pair_features(f, ctx, i, j),
                                                                    "date_gap").tolist(),
                   strict=True))
    assert gap[(0, 1)] == 0.0  # five days apart: within the week
    assert gap[(0, 2)] == pytest.approx(np.log1p(93.0))
    assert gap[(0, 3)] == gap[(2, 3)] == 0.0  # unknown date: neither for nor against


def test_neighbour_ranks_and_mutual_neighbours_follow_the_embedding():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(12, 384))
    e[1] = e[0] + 0.01 * rng.normal(size=384)  # 0 and 1 are each other's nearest
    e = (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(np.float32)
    f = _features([{"w": 1}] * 12, embed=e)
    ctx, i, j = _all_pairs(f)
    x = P.pair_features(f, ctx, i, j)
    t = int(np.flatnonzero((i == 0) & (j == 1))[0])
    assert _col(x, "emb_rank_max")[t] == 0.0
    assert _col(x, "mutual")[t] == 2.0
    assert _col(x, "emb_bg")[t] > 0.5


def _fitted(n: int = 400) -> tuple[object, np.ndarray]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 3))
    y = ((x[:, 0] + 0.5 * x[:, 1] ** 2) > 0.3).astype(int)
    x[rng.random(n) < 0.1, 2] = np.nan
    model = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, random_state=0)
    model.fit(x, y)
    return model, x


def test_flattened_trees_give_sklearns_probabilities():
    model, x = _fitted()
    tm = P.from_sklearn(model, ("a", "b", "c"), 0.4)
    got = tm.predict(x)
    assert np.allclose(got, model.predict_proba(x)[:, 1], atol=1e-9)


def test_model_file_round_trip_and_refusal_of_other_features(tmp_path: Path):
    model, x = _fitted()
    tm = P.from_sklearn(model, P.FEATURES[:3], 0.4)
    other = tmp_path / "other.npz"
    tm.save(str(other))
    assert P.load_model(str(other)) is None  # trained on other features than this code's
    tm = replace(tm, features=P.FEATURES)
    path = tmp_path / "m.npz"
    tm.save(str(path))
    back = P.load_model(str(path))
    assert back is not None and back.threshold_p == 0.4
    wide = np.zeros((len(x), len(P.FEATURES)))
    wide[:, :3] = x
    assert np.allclose(back.predict(wide), model.predict_proba(x)[:, 1], atol=1e-9)


def _stump(feature: str, cut: float) -> P.TreeModel:
    """One tree: probability 0.9 above ``cut`` of ``feature``, 0.1 at or below."""
    logit = float(np.log(9.0))
    return P.TreeModel(
        features=P.FEATURES, baseline=0.0, roots=np.array([0]),
        feature=np.array([P.FEATURES.index(feature), 0, 0]), threshold=np.array([cut, 0.0, 0.0]),
        left=np.array([1, 0, 0]), right=np.array([2, 0, 0]),
        nan_left=np.array([True, False, False]), leaf=np.array([False, True, True]),
        value=np.array([0.0, -logit, logit]), threshold_p=0.5,
    )


def test_model_edges_score_every_candidate_pair_with_the_model():
    # identical words and embeddings everywhere: only the people tell the two stories apart
    f = _features([{"talks": 1}] * 6, people=[[0], [0], [0], [1], [1], [1]])
    p = S.StoryParams()
    edges = S.model_edges(f, np.arange(6), p, _stump("ent_person", 0.5))
    assert len(edges) == 15
    assert edges[(0, 1)] == pytest.approx(0.9) and edges[(0, 3)] == pytest.approx(0.1)
    assert S.average_link(6, edges, 0.5) == [[0, 1, 2], [3, 4, 5]]


def test_shipped_model_matches_the_features_this_code_computes():
    assert P.load_model() is not None


def test_reported_years_days_and_quantities_compare_what_documents_name():
    f = _features([{"a": 1}, {"a": 1}, {"a": 1}, {"a": 1}])
    f.years = [frozenset({2008}), frozenset({2008, 2012}), frozenset({2013}), frozenset()]
    f.dates = [np.array([733000.0]), np.array([733003.0, 734000.0]), np.array([735000.0]),
               np.zeros(0)]
    f.quantities = S._unit_rows(sp.csr_matrix([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]))
    ctx, i, j = _all_pairs(f)
    x = P.pair_features(f, ctx, i, j)
    at = {(int(a), int(b)): t for t, (a, b) in enumerate(zip(i, j, strict=True))}
    conflict, shared = _col(x, "year_conflict"), _col(x, "year_shared")
    assert conflict[at[(0, 1)]] == 0.0 and shared[at[(0, 1)]] == 1.0
    assert conflict[at[(0, 2)]] == 1.0 and shared[at[(0, 2)]] == 0.0
    assert conflict[at[(0, 3)]] == 0.0  # no year named: no conflict either
    day = _col(x, "day_gap")
    assert day[at[(0, 1)]] == pytest.approx(np.log1p(3.0))  # the closest pair of days
    assert np.isnan(day[at[(0, 3)]])
    qty = _col(x, "qty_shared")
    assert qty[at[(0, 1)]] == 1.0 and qty[at[(0, 2)]] == 0.0 and qty[at[(1, 2)]] == 1.0


def test_weekdays_named_by_both_documents_agree_or_conflict():
    f = _features([{"a": 1}, {"a": 1}, {"a": 1}, {"a": 1}])
    f.weekdays = [frozenset({2}), frozenset({2, 4}), frozenset({6}), frozenset()]
    ctx, i, j = _all_pairs(f)
    x = P.pair_features(f, ctx, i, j)
    at = {(int(a), int(b)): t for t, (a, b) in enumerate(zip(i, j, strict=True))}
    shared, conflict = _col(x, "weekday_shared"), _col(x, "weekday_conflict")
    assert shared[at[(0, 1)]] == 1.0 and conflict[at[(0, 1)]] == 0.0
    assert shared[at[(0, 2)]] == 0.0 and conflict[at[(0, 2)]] == 1.0
    assert shared[at[(0, 3)]] == 0.0 and conflict[at[(0, 3)]] == 0.0  # none named: unknown


@pytest.mark.model
def test_store_facts_feed_the_pair_features(tmp_path: Path):
    from narrascope.records import DocAnnotation, Document
    from narrascope.store import Store

    text = ("Quake kills 40 in Iran\nA strong earthquake struck southern Iran on 3 March 2012, "
            "killing 40 people, officials said on Sunday.")
    docs = [DocAnnotation(Document(f"doc{i}", f"f{i}.txt", text, published=day), words=20)
            for i, day in enumerate(["2012-03-04", None])]
    with Store(tmp_path) as store:
        store.write_batch(docs, "t")
        # a resolved date (a Sunday) in doc0; an unresolved "on Sunday" in doc1
        for doc, said, value in (("doc0", "yesterday", "2012-03-04"), ("doc1", "on Sunday", None)):
            store.con.execute(
                "INSERT INTO time_expressions (doc_id, idx, start_char, end_char, text, value, "
                "precision, kind) VALUES (?, 0, 0, 9, ?, ?, ?, 'date')",
                [doc, said, value, "day" if value else None])
        f = S.build_features(store)
    assert set(f.entities) == {"PERSON", "ORG", "GPE", "lead"}
    assert f.quantities is not None and f.quantities.shape[0] == 2
    assert f.years == [frozenset({2012}), frozenset()]  # the publication date counts
    assert f.dates[0].tolist() == [S._day("2012-03-04")] and len(f.dates[1]) == 0
    # the resolved day's weekday when dated, the word's when not
    assert f.weekdays == [frozenset({6}), frozenset({6})]


def test_chunked_features_neighbourhood_and_probabilities_equal_one_block():
    """Pairs gathered a few at a time (memory bounded at scale) give the same rows as all
    at once: each feature reads only the pair's two documents and their neighbour lists."""
    rng = np.random.default_rng(3)
    words = ["storm", "harvey", "budget", "vote", "flood", "senate", "rescue", "tax"]
    docs = [{w: int(rng.integers(1, 4)) for w in rng.choice(words, 3, replace=False)}
            for _ in range(9)]
    emb = rng.standard_normal((9, 384)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    f = _features(docs, people=[[int(rng.integers(0, 3))] for _ in range(9)], embed=emb)
    f = replace(f, days=np.array([1.0, 2.0, np.nan, 40.0, 3.0, 1.0, 9.0, np.nan, 5.0]))
    n = len(docs)
    ids = np.arange(n)
    nb = S.neighbours(f.embed, ids, 5, S.StoryParams())
    whole = P.neighbourhood(f, ids, nb, chunk=n)
    bits = P.neighbourhood(f, ids, nb, chunk=2)
    for view in ("emb", "tf"):
        assert bits.background[view] == whole.background[view]
        for d in range(n):
            assert np.array_equal(bits.sorted_sims[view][d], whole.sorted_sims[view][d])
    assert bits.near == whole.near
    i, j = np.triu_indices(n, 1)
    one = P.pair_features(f, whole, i, j, chunk=len(i))
    assert one.shape == (len(i), len(P.FEATURES))
    for chunk in (1, 4, 7):
        assert np.array_equal(P.pair_features(f, bits, i, j, chunk=chunk), one, equal_nan=True)
    model = _stump("emb", 0.0)
    expected = model.predict(one)
    assert len(set(expected.tolist())) == 2  # the stump splits these pairs
    assert np.array_equal(P.pair_probabilities(f, whole, i, j, model, chunk=3), expected)


def test_word_presence_is_counts_above_zero_and_is_not_kept_for_the_corpus():
    f = _features([{"a": 2, "b": 1}, {"b": 3, "c": 1}, {"d": 1}])
    f = replace(f, counts=sp.csr_matrix(f.counts, dtype=np.float32))
    z = f.counts.copy()
    z.data[0] = 0.0  # a stored zero is no word
    for c in (f.counts, z):
        got = P._present(c)
        want = (c.toarray() > 0).astype(np.float32)
        assert (got.toarray() == want).all() and got.nnz == int(want.sum())
        corpus = P._corpus(replace(f, counts=c))
        assert np.array_equal(corpus.own, want @ corpus.idf)
    # what every chunk of pairs reads: no documents x words matrix
    assert not any(isinstance(v, sp.spmatrix) for v in vars(P._corpus(f)).values())
