"""The online stories pass: rows built for a few documents equal the rows of a full build,
and new documents land in the stories a full build with the old stories fixed gives them."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from narrascope.link import stories as S
from narrascope.link.passes import actors_pass
from narrascope.link.story_features import TOKEN_PATTERN, build_features, lead_text
from narrascope.records import DocAnnotation, Document, LocalEntity, Mention
from narrascope.store import Store
from narrascope.store.vectors import vector_array

_TOPICS = [
    ("quake island villages rescue collapsed", "Qeshm"),
    ("budget parliament taxes school funding vote", "Oslo"),
    ("strike railway unions wages talks", "Lyon"),
    ("election ballots turnout candidates recount", "Accra"),
    ("flood river levees evacuated rainfall", "Dhaka"),
]
_FILLER = ["said", "officials", "reported", "people", "city", "local", "week", "report", "according", "morning"]


def _doc(rng: random.Random, i: int, topic: int) -> tuple[DocAnnotation, np.ndarray]:
    words, place = _TOPICS[topic] if topic < len(_TOPICS) else (
        " ".join(f"topic{topic}w{j}" for j in range(6)), f"Place{topic}")
    body = " ".join(rng.choice(words.split() + _FILLER) for _ in range(40))
    text = f"{place} {body} {rng.choice(_FILLER)}{i}."
    doc_id = f"d{i:03d}"
    ents = (LocalEntity(doc_id, 0, place, "GPE", names=(place,)),)
    ments = (Mention(doc_id, 0, 0, len(place), place, "NAME", "GPE", 0, 0),)
    ann = DocAnnotation(Document(doc_id, f"{doc_id}.txt", text, title=f"{place} news {i}"),
                        mentions=ments, entities=ents, words=len(text.split()))
    base = np.random.default_rng(topic).normal(size=384)
    vec = base + np.random.default_rng(1000 + i).normal(size=384) * 0.6
    return ann, (vec / np.linalg.norm(vec)).astype(np.float32)


def _write(store: Store, docs: list[tuple[DocAnnotation, np.ndarray]]) -> None:
    """Store documents with their (synthetic) lead embeddings cached, so no model runs."""
    store.write_batch([a for a, _ in docs], "t")
    hashes = [hashlib.sha1(lead_text(a.doc.text, a.doc.title).encode()).hexdigest()[:16]
              for a, _ in docs]
    store.insert_arrow("doc_vectors", pa.table({
        "doc_id": [a.doc.doc_id for a, _ in docs],
        "vector": vector_array(np.stack([v for _, v in docs])), "text_hash": hashes}),
        on_conflict="replace")
    actors_pass(store)


def _corpus(n: int, seed: int = 11, topics: int = len(_TOPICS)
            ) -> list[tuple[DocAnnotation, np.ndarray]]:
    rng = random.Random(seed)
    return [_doc(rng, i, i % topics) for i in range(n)]


@pytest.mark.parametrize("want", [
    {"d003", "d017", "d029"},  # a few: vocabulary and tokens of the wanted rows only
    {f"d{i:03d}" for i in range(30) if i % 3},  # most (EVERY_SHARE): those of every row
])
def test_rows_built_for_some_documents_equal_those_of_a_full_build(
        tmp_path: Path, want: set[str]) -> None:
    with Store(tmp_path) as st:
        _write(st, _corpus(30))
        full = build_features(st)
        part = build_features(st, want)
    rows = [full.doc_ids.index(d) for d in sorted(want)]
    others = [i for i in range(len(full.doc_ids)) if full.doc_ids[i] not in want]
    assert part.doc_ids == full.doc_ids
    assert np.allclose(part.embed, full.embed)

    def dense(m, vocab=None, idx=rows):  # type: ignore[no-untyped-def]
        return np.asarray(m[idx].todense())

    # same words with the same weights (columns differ: only the wanted rows' words)
    for r in rows:
        a = {full.vocab[c]: v for c, v in zip(full.tfidf[r].indices, full.tfidf[r].data, strict=True)}
        b = {part.vocab[c]: v for c, v in zip(part.tfidf[r].indices, part.tfidf[r].data, strict=True)}
        assert a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-9 for k in a)
    full_df = dict(zip(full.vocab.tolist(), full.df.tolist(), strict=True))  # type: ignore[union-attr]
    assert all(full_df[t] == d for t, d in zip(part.vocab.tolist(), part.df.tolist(), strict=True))  # type: ignore[union-attr]
    for kind in ("GPE", "lead"):
        pa_, fa_ = part.entities[kind], full.entities[kind]
        assert np.allclose((pa_[rows] @ pa_[rows].T).todense(), (fa_[rows] @ fa_[rows].T).todense())
        assert pa_[others].nnz == 0
    assert part.counts[others].nnz == 0 and part.tfidf[others].nnz == 0


@pytest.mark.parametrize("slice_words", [None, 7])
def test_word_counts_match_a_count_vectorizer_fitted_on_the_corpus(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_words: int | None) -> None:
    """Also with the vocabulary grouped in many hash slices (as on a large corpus)."""
    from sklearn.feature_extraction.text import CountVectorizer

    from narrascope.link import story_features

    if slice_words is not None:
        monkeypatch.setattr(story_features, "_VOCAB_SLICE", slice_words)
    docs = _corpus(20)
    with Store(tmp_path) as st:
        _write(st, docs)
        f = build_features(st)
    texts = [a.doc.text for a, _ in sorted(docs, key=lambda d: d[0].doc.doc_id)]
    vec = CountVectorizer(stop_words="english", min_df=1, max_df=0.5,
                          token_pattern=TOKEN_PATTERN)
    counts = vec.fit_transform(texts)
    assert f.vocab.tolist() == vec.get_feature_names_out().tolist()
    assert (abs(counts - f.counts) > 0).nnz == 0


def test_online_run_assigns_as_a_full_build_and_builds_fewer_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _corpus(64)
    first, extra = docs[:60], docs[60:]
    p = S.StoryParams(neighbours=6)
    built: list[int] = []
    real = S.build_features

    def counting(store, want=None, embed=None):  # type: ignore[no-untyped-def]
        built.append(len(want) if want is not None else store.count("documents"))
        return real(store, want, embed)

    monkeypatch.setattr(S, "build_features", counting)
    results = {}
    for name, drift in (("online", S.DRIFT), ("full", 0.0)):
        monkeypatch.setattr(S, "DRIFT", drift)
        with Store(tmp_path / name) as st:
            _write(st, first)
            S.stories_pass(st, p)
            info_before = {r["story_id"]: r for r in st.query("SELECT * FROM story_info")}
            _write(st, extra)
            S.stories_pass(st, p)
            results[name] = (
                st.query("SELECT doc_id, story_id, similarity FROM stories ORDER BY doc_id"),
                {r["story_id"]: r for r in st.query("SELECT * FROM story_info")},
                info_before,
            )
    assert built[0] == 60 and built[2] == 60 and built[3] == 64  # full builds
    assert 0 < built[1] < 64  # the online run built the rows it needs only
    online, full = results["online"], results["full"]
    assert online[0] == full[0]
    joined = {r["story_id"] for r in online[0] if r["doc_id"] in {a.doc.doc_id for a, _ in extra}}
    assert joined & set(online[2])  # some new documents joined existing stories
    assert set(online[1]) == set(full[1])
    for sid, row in online[1].items():
        if sid in joined:  # recomputed: same as the full build's
            for k in ("docs", "label", "terms", "outlets"):
                assert row[k] == full[1][sid][k], k
        else:  # untouched: kept as stored
            assert row == online[2][sid]


def test_past_the_drift_share_the_pass_builds_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _corpus(40)
    built: list[int | None] = []
    real = S.build_features

    def counting(store, want=None, embed=None):  # type: ignore[no-untyped-def]
        built.append(None if want is None else len(want))
        return real(store, want, embed)

    monkeypatch.setattr(S, "build_features", counting)
    p = S.StoryParams(neighbours=6)
    with Store(tmp_path) as st:
        _write(st, docs[:30])
        S.stories_pass(st, p)
        _write(st, docs[30:33])  # 3 of 33 < 20%: online
        S.stories_pass(st, p)
        _write(st, docs[33:40])  # 10 of 40 since the full build > 20%: full
        S.stories_pass(st, p)
        assert st.count("stories") == 40
    assert built[0] is None and built[1] is not None and built[2] is None


def test_pair_model_scores_of_new_documents_are_those_of_a_full_build(tmp_path: Path) -> None:
    model = S._shipped_model()
    if model is None:
        pytest.skip("no shipped pair model")
    docs = _corpus(241, seed=5, topics=120)  # small stories: few rows to build
    p = S.StoryParams(neighbours=12)  # ranks 10+ make the background
    with Store(tmp_path) as st:
        _write(st, docs[:240])
        S.stories_pass(st, p)
        _write(st, docs[240:])
        old = {r["doc_id"]: r["story_id"] for r in st.query("SELECT * FROM stories")}
        full = build_features(st)
        want = S.online_rows(st, full.embed, full.doc_ids, old, p)
        part = build_features(st, want, full.embed)
    assert len(want) < 200
    query = np.array([i for i, d in enumerate(full.doc_ids) if d not in old], dtype=np.int64)
    a, b = S.model_edges(full, query, p, model), S.model_edges(part, query, p, model)
    assert a.keys() == b.keys() and len(a)
    assert all(abs(a[k] - b[k]) < 1e-9 for k in a)


@pytest.mark.parametrize("exact_below", [10_000, 50], ids=["exact", "inverted-file"])
def test_neighbour_memo_gives_the_lists_of_a_fresh_search_and_searches_once(
        monkeypatch: pytest.MonkeyPatch, exact_below: int) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 384)).astype(np.float32)
    x[7] = x[8]  # a tie, as copies of one article give
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    p = S.StoryParams(exact_below=exact_below, cell_size=30, probes=3)
    first, second = np.array([5, 7, 40]), np.array([40, 8, 7, 299, 0])
    want = S.neighbours(x, second, 10, p)
    searched: list[list[int]] = []
    kmeans: list[int] = []
    real_n, real_k = S._neighbours, S._kmeans
    monkeypatch.setattr(S, "_neighbours", lambda x_, q, *a: searched.append(q.tolist())
                        or real_n(x_, q, *a))
    monkeypatch.setattr(S, "_kmeans", lambda *a: kmeans.append(1) or real_k(*a))
    memo = S.NeighbourMemo(x, 10)
    S.neighbours(x, first, 10, p, memo)
    got = S.neighbours(x, second, 10, p, memo)
    assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))
    assert searched == [[5, 7, 40], [0, 8, 299]], "each row searched once"
    assert len(kmeans) == (exact_below < 300), "the cells are made once"
    other = S.neighbours(x.copy(), first, 10, p, memo)  # another matrix: memo not used
    assert searched[-1] == [5, 7, 40] and len(other) == 3


def test_online_run_searches_each_documents_neighbours_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _corpus(64)
    p = S.StoryParams(neighbours=6)
    searched: list[int] = []
    real = S._neighbours
    monkeypatch.setattr(S, "_neighbours", lambda x_, q, *a: searched.extend(q.tolist())
                        or real(x_, q, *a))
    with Store(tmp_path) as st:
        _write(st, docs[:60])
        S.stories_pass(st, p)
        searched.clear()
        _write(st, docs[60:])
        S.stories_pass(st, p)
    assert searched and len(searched) == len(set(searched))


def test_inverted_file_search_equals_gathering_each_querys_candidates() -> None:
    """The cells' rows are copied as contiguous blocks; the lists (order included) are those
    of gathering each query's candidate rows one by one."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(700, 384)).astype(np.float32)
    x[10] = x[11] = x[12]  # ties
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    p = S.StoryParams(exact_below=100, cell_size=40, probes=4)
    query = np.arange(700)
    got = S.neighbours(x, query, 25, p)
    cells, assign = S._kmeans(x, max(2, 700 // p.cell_size))
    members = [np.flatnonzero(assign == c) for c in range(len(cells))]
    for i in query.tolist():
        near = np.argsort(-(cells @ x[i]), kind="stable")[: p.probes]
        cand = np.concatenate([members[c] for c in near])
        cand = cand[cand != i]
        want = cand[np.argsort(-(x[cand] @ x[i]), kind="stable")[:25]]
        assert np.array_equal(got[i], want), i


def test_a_document_back_alone_does_not_take_the_id_its_old_story_keeps() -> None:
    first = S.story_id_of("d001")
    old = {"d002": first, "d003": first, "d009": "s-other"}
    ids = S.story_ids([["d002", "d003"], ["d001"], ["d004", "d009"], ["d005"]], old)
    assert ids[0] == first and ids[2] == "s-other"  # stored stories keep their ids
    assert ids[1] not in {first, "s-other"} and ids[1] == S.story_id_of("d001#1")
    assert ids[3] == S.story_id_of("d005")
    assert len(set(ids)) == 4


def test_online_pass_survives_a_first_document_coming_back_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first document of a stored story loses its row and comes back as a story of
    its own: the pass gives it a fresh id instead of failing on the story's key."""
    docs = _corpus(40)
    p = S.StoryParams(neighbours=6)
    with Store(tmp_path) as st:
        _write(st, docs)
        S.stories_pass(st, p)
        sid, first = st.con.execute(
            "SELECT story_id, min(doc_id) FROM stories GROUP BY story_id "
            "HAVING count(*) > 2 ORDER BY story_id LIMIT 1").fetchone()
        assert sid == S.story_id_of(first)
        st.con.execute("DELETE FROM stories WHERE doc_id = ?", [first])
        real = S.cluster

        def alone(f, p_, existing=None, memo=None):  # type: ignore[no-untyped-def]
            out = [[r for r in rows if f.doc_ids[r] != first]
                   for rows in real(f, p_, existing, memo)]
            return [r for r in out if r] + [[f.doc_ids.index(first)]]

        monkeypatch.setattr(S, "cluster", alone)
        S.stories_pass(st, p)
        rows = dict(st.con.execute("SELECT doc_id, story_id FROM stories").fetchall())
    assert rows[first] != sid and sid in rows.values()
