"""Story clustering: sparse average-link, splitting similar events, the incremental pass."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from narrascope.link import stories as S
from narrascope.records import DocAnnotation, Document
from narrascope.store import Store


def test_average_link_merges_above_threshold_only():
    edges = {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.7, (3, 4): 0.6, (2, 3): 0.1}
    assert S.average_link(5, edges, 0.5) == [[0, 1, 2], [3, 4]]
    assert S.average_link(5, edges, 0.65) == [[0, 1, 2], [3], [4]]


def test_average_link_counts_missing_pairs_as_zero():
    # 2 is close to 0 but has no edge to 1: average to {0,1} is 0.9/2 < 0.5
    edges = {(0, 1): 0.95, (0, 2): 0.9}
    assert S.average_link(3, edges, 0.5) == [[0, 1], [2]]


def test_average_link_never_merges_two_fixed_clusters():
    edges = {(0, 2): 0.9, (1, 3): 0.9, (0, 1): 0.9, (2, 3): 0.9, (0, 3): 0.9, (1, 2): 0.9,
             (4, 0): 0.9, (4, 1): 0.9}
    out = S.average_link(5, edges, 0.5, fixed=[[0, 1], [2, 3]])
    assert [0, 1, 4] in out
    assert [2, 3] in out


def _features(counts: list[dict[str, int]]) -> S.DocFeatures:
    vocab = sorted({w for c in counts for w in c})
    m = sp.csr_matrix(
        [[c.get(w, 0) for w in vocab] for c in counts], dtype=np.float64
    )
    n = len(counts)
    return S.DocFeatures(
        doc_ids=[f"d{i}" for i in range(n)],
        embed=np.tile(np.eye(1, 384, dtype=np.float32), (n, 1)),
        tfidf=S._unit_rows(m), counts=m, actors=sp.csr_matrix((n, 1)),
        days=np.full(n, np.nan), vocab=np.array(vocab, dtype=object),
    )


def test_split_separates_two_events_that_share_topic_words():
    fight = {"klitschko": 3, "heavyweight": 2, "title": 2, "round": 1}
    docs = [{**fight, "rahman": 2, "mannheim": 1, "seventh": 1} for _ in range(4)]
    docs += [{**fight, "thompson": 2, "bern": 1, "sixth": 1} for _ in range(4)]
    docs[1]["arena"] = 1
    docs[5]["belts"] = 1
    parts = S.split_in_two(_features(docs), range(8), S.StoryParams())
    assert sorted(parts) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_split_keeps_a_single_event_together():
    base = {"quake": 3, "iran": 2, "island": 2, "qeshm": 2}
    # every document tells a different 3 of the same 5 details
    details = list(combinations(["killed", "injured", "magnitude", "villages", "rescue"], 3))
    docs = [{**base, **dict.fromkeys(d, 1)} for d in details[:8]]
    assert S.split_in_two(_features(docs), range(8), S.StoryParams()) == [list(range(8))]


def test_date_gap_lowers_similarity_only_when_both_dates_known():
    f = _features([{"a": 1}, {"a": 1}, {"a": 1}])
    f.days = np.array([0.0, 100.0, np.nan])
    p = S.StoryParams()
    s = S.pair_similarity(f, np.array([0, 0]), np.array([1, 2]), p)
    assert s[0] == pytest.approx(s[1] - p.date_penalty)


def test_inverted_file_neighbours_agree_with_exact_on_clustered_data():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(20, 16))
    x = np.repeat(centres, 30, axis=0) + 0.05 * rng.normal(size=(600, 16))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    q = np.arange(0, 600, 37)
    exact = S.neighbours(x, q, 5, S.StoryParams())
    ivf = S.neighbours(x, q, 5, S.StoryParams(exact_below=10, cell_size=40, probes=4))
    hits = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(exact, ivf, strict=True)])
    assert hits > 0.9


# -- the pass, end to end (needs the MiniLM packages) ----------------------------------------
QUAKE = ("Earthquake hits Iranian island\nA strong earthquake struck the island of Qeshm in "
         "southern Iran on Sunday, killing {n} people and damaging villages, officials said.")
BUDGET = ("Parliament passes budget\nLawmakers in Oslo approved the national budget on "
          "Thursday after a {n}-hour debate over fuel taxes and school funding.")


def _ann(i: int, template: str, n: int) -> DocAnnotation:
    text = template.format(n=n)
    return DocAnnotation(Document(f"doc{i:02d}", f"f{i:02d}.txt", text), words=len(text.split()))


@pytest.mark.model
def test_stories_pass_groups_by_story_and_keeps_ids_when_documents_join(tmp_path: Path):
    with Store(tmp_path) as store:
        store.write_batch([_ann(0, QUAKE, 5), _ann(1, QUAKE, 7), _ann(2, BUDGET, 12),
                           _ann(3, BUDGET, 14)], "t")
        S.stories_pass(store)
        first = {r["doc_id"]: r["story_id"] for r in store.query("SELECT * FROM stories")}
        assert first["doc00"] == first["doc01"] != first["doc02"] == first["doc03"]
        assert store.count("doc_vectors") == 4
        # leads are embedded with the shipped form of the encoder (the pair model's)
        from narrascope.annotate.embed import encode
        from narrascope.link.story_features import lead_text
        from narrascope.store.vectors import read_vectors

        _, mat = read_vectors(store.con, "SELECT doc_id, vector FROM doc_vectors "
                             "WHERE doc_id = 'doc02'", key="doc_id")
        lead = lead_text(BUDGET.format(n=12), None)
        assert np.allclose(mat[0], encode([lead], quantized=False)[0], atol=1e-6)
        assert not np.allclose(mat[0], encode([lead])[0], atol=1e-3)
        info = store.query("SELECT * FROM story_info ORDER BY story_id")
        assert [r["docs"] for r in info] == [2, 2]
        store.write_batch([_ann(4, QUAKE, 9)], "t")
        S.stories_pass(store)
        second = {r["doc_id"]: r["story_id"] for r in store.query("SELECT * FROM stories")}
        assert {k: second[k] for k in first} == first
        assert second["doc04"] == first["doc00"]


@pytest.mark.parametrize("seed", range(12))
def test_average_link_per_component_equals_one_run_over_the_graph(seed):
    """``average_link_arrays`` clusters one component of the strong edges at a time (so
    only that component's edges are Python objects): same clusters as ``average_link``
    over the whole graph, weak edges across components, fixed clusters and ties included."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    m = int(rng.integers(0, 4 * n))
    pairs = {(min(x, y), max(x, y)) for x, y in rng.integers(0, n, size=(m, 2)) if x != y}
    keys = sorted(pairs, key=lambda k: rng.random())  # any order: it is kept
    vals = np.round(rng.random(len(keys)), 1)  # coarse values: ties happen
    edges = dict(zip(keys, vals.tolist(), strict=True))
    perm = rng.permutation(n).tolist()
    fixed = [sorted(perm[:3]), sorted(perm[3:5])] if seed % 2 and n >= 5 else []
    a = np.array([k[0] for k in keys], dtype=np.int64)
    b = np.array([k[1] for k in keys], dtype=np.int64)
    for threshold in (0.3, 0.5, 0.75):
        want = S.average_link(n, edges, threshold, fixed)
        assert S.average_link_arrays(n, a, b, vals, threshold, fixed) == want


def test_top_terms_are_those_of_sorting_every_columns_sum():
    """``_top_terms`` sums only the columns a story uses; the terms and their order must be
    those of the dense sort over the whole vocabulary (ties included)."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        n, width = int(rng.integers(1, 25)), int(rng.integers(1, 300))
        dense = rng.random((n, width)) < rng.choice([0.01, 0.05, 0.3])
        values = np.round(rng.random((n, width)), 1) + 0.1  # coarse: many tied sums
        m = sp.csr_matrix(np.where(dense, values, 0.0))
        sums = np.asarray(m.sum(axis=0)).ravel()
        want = [int(i) for i in np.argsort(-sums, kind="stable")[:8] if sums[i] > 0]
        assert S._top_terms(m, 8) == want
    assert S._top_terms(sp.csr_matrix((3, 5)), 8) == []
