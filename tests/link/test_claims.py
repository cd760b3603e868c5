"""Claims across outlets: same claim confirmed by structure, verbatim reuse with its origin,
numeric and factual contradictions, coverage gaps."""

from __future__ import annotations

import pytest

from narrascope.link.claim_checks import _align, _tokens
from narrascope.link.claim_lexicon import antonym_hit
from narrascope.link.claims import ClaimRow, comparable, same_claim, story_blocks
from narrascope.records import Claim, DocAnnotation, Document, Quantity, Sentence
from narrascope.store import Store


def crow(key, doc, text, *, pred="declare", polarity=1, subj=(), obj=(), words=(), story="s",
         published=None):
    return ClaimRow(key=key, doc_id=doc, idx=key, start=0, end=len(text), text=text,
                    outlet=f"o-{doc}", published=published, story=story, predicate=pred,
                    polarity=polarity, hedged=False, kind="event", subj=frozenset(subj),
                    obj=frozenset(obj), about=frozenset(subj) | frozenset(obj),
                    stems=frozenset(w[:5] for w in words), words=frozenset(words))


def test_same_claim_rejects_antonymous_predicates_even_when_embeddings_agree():
    a = crow(0, "a", "Spain declared a state of emergency", words=("declare", "state", "emergency"))
    b = crow(1, "b", "Spain lifted the state of emergency", pred="lift",
             words=("lift", "state", "emergency"))
    assert not same_claim(a, b, 0.9)


def test_same_claim_rejects_opposite_polarity_and_clashing_subjects():
    a = crow(0, "a", "x", subj=("es",), words=("sign", "deal"))
    b = crow(1, "b", "y", subj=("es",), polarity=-1, words=("sign", "deal"))
    c = crow(2, "c", "z", subj=("pt",), words=("sign", "deal"))
    assert not same_claim(a, b, 0.9)
    assert not same_claim(a, c, 0.9)
    assert same_claim(a, crow(3, "d", "w", subj=("es",), words=("sign", "deal")), 0.5)


def test_same_claim_lets_a_close_pair_name_its_target_two_ways():
    """"expelled the ambassador of Peru" / "expelled Ana Soto": objects named differently
    join when the cosine is above ACCEPT, not below it; differing doers never join."""
    from narrascope.link.claims import ACCEPT

    a = crow(0, "a", "x", subj=("cl",), obj=("pe",), words=("expel", "ambassador"))
    b = crow(1, "b", "y", subj=("cl",), obj=("soto",), words=("order", "leave"))
    assert same_claim(a, b, ACCEPT + 0.05)
    assert not same_claim(a, b, ACCEPT - 0.05)
    c = crow(2, "c", "z", subj=("ar",), obj=("soto",), words=("order", "leave"))
    assert not same_claim(a, c, ACCEPT + 0.05)


def test_a_denied_claim_contradicts_its_assertion_even_in_one_article():
    """"officials deny that any drone was flying" / "a drone entered its airspace": a
    denial (not a bare negation) of what another claim asserts, in one article or two."""
    from dataclasses import replace

    from narrascope.link.claim_checks import _factual
    from narrascope.link.claims import ACCEPT

    denied = replace(crow(0, "a", "any drone was flying that night", pred="fly", polarity=-1,
                          words=("drone", "fly", "night")), denied=True)
    told = crow(1, "a", "a drone entered its airspace", pred="enter",
                words=("drone", "enter", "airspace"))
    found = _factual(denied, told, ACCEPT + 0.05, False)
    assert found is not None and found[0] == "position"
    assert _factual(denied, told, ACCEPT - 0.05, False) is None
    negated = replace(denied, denied=False)  # "no drone was flying": not a denial
    assert _factual(negated, told, ACCEPT + 0.05, False) is None
    other = crow(2, "b", "troops crossed the river", pred="cross", words=("troop", "cross", "river"))
    assert _factual(denied, other, 0.9, False) is None


def test_antonym_hit_finds_opposites_but_not_shared_words():
    assert antonym_hit({"voluntarily", "leave"}, {"ethnic", "cleansing"}) == (
        "voluntarily", "cleansing")
    assert antonym_hit({"support", "oppose"}, {"oppose"}) is None


def test_story_blocks_are_one_story_each_in_publication_order():
    rows = [crow(i, f"d{i}", "t", story=f"s{i % 3}", published=f"2024-0{3 - i % 3}")
            for i in range(9)]
    blocks = story_blocks(rows)
    assert [sorted({rows[k].story for k in b}) for b in blocks] == [["s2"], ["s1"], ["s0"]]
    assert sorted(k for b in blocks for k in b) == list(range(9))


def test_comparable_keeps_stories_of_two_documents_and_rekeys_them():
    rows = [crow(0, "a", "t", story="lone"), crow(1, "b", "t", story="pair"),
            crow(2, "b", "u", story="pair"), crow(3, "c", "t", story="pair"),
            crow(4, "d", "t", story="one-doc"), crow(5, "d", "u", story="one-doc")]
    kept = comparable(rows)
    assert [(c.doc_id, c.text) for c in kept] == [("b", "t"), ("b", "u"), ("c", "t")]
    assert [c.key for c in kept] == [0, 1, 2]  # keys index the kept list


def test_align_returns_the_copied_stretch_of_two_sentences():
    s1 = "The ministry said the country committed crimes against humanity toward local peoples for many years."
    s2 = "He recalled his country committing crimes against humanity toward local peoples for many years, he added."
    t1, sp1 = _tokens(s1, 0)
    t2, sp2 = _tokens(s2, 100)
    found = _align(("a", t1, sp1), ("b", t2, sp2))
    assert found is not None
    (_, a0, a1), (_, b0, _b1), share = found
    assert s1[a0:a1].startswith("crimes against humanity")
    assert s1[a0:a1].endswith("many years")
    assert b0 >= 100 and share >= 0.5
    assert _align(("a", t1, sp1), ("b", *_tokens("Completely different words here about "
                                                  "the weather in spring today and more", 0))) is None


def _ann(doc_id, text, published, claims=(), quantities=()):
    sents, start = [], 0
    for i, part in enumerate(text.split("\n")):
        sents.append(Sentence(doc_id, i, start, start + len(part)))
        start += len(part) + 1
    doc = Document(doc_id, f"{doc_id}.txt", text, outlet=f"Outlet {doc_id}", published=published)
    return DocAnnotation(doc, sentences=tuple(sents),
                         extras={"claims": tuple(claims), "quantities": tuple(quantities)})


def _claim(doc_id, idx, text, needle, **kw):
    s = text.index(needle)
    return Claim(doc_id, idx, s, s + len(needle), needle, kw.pop("predicate", "kill"), **kw)


@pytest.mark.model
def test_claims_pass_finds_reuse_origin_rising_toll_and_gaps(tmp_path):
    from narrascope.link.claims import claims_pass

    copied = ("The foreign ministry said the neighbouring country committed crimes against "
              "humanity toward local peoples for many long years.")
    t1 = f"Riots have killed four people in the capital.\n{copied}"
    t2 = "Unrest in the capital has left seven people dead.\nAn official said the neighbouring country committed crimes against humanity toward local peoples for many long years, he added."
    t3 = "Four people were killed by rioters in the capital.\nThe weather was fine."
    anns = [
        _ann("a1", t1, "2024-05-02",
             [_claim("a1", 0, t1, "Riots have killed four people in the capital",
                     lemmas=("riot", "kill", "people", "capital"), quantity_idxs=(0,))],
             [Quantity("a1", 0, t1.index("four"), t1.index("four") + 4, "four", 4.0, "deaths",
                       "kill people", date="2024-05-02")]),
        _ann("b2", t2, "2024-07-10",
             [_claim("b2", 0, t2, "Unrest in the capital has left seven people dead",
                     predicate="leave", lemmas=("unrest", "capital", "leave", "people", "dead"),
                     quantity_idxs=(0,))],
             [Quantity("b2", 0, t2.index("seven"), t2.index("seven") + 5, "seven", 7.0,
                       "deaths", "dead people", date="2024-07-10")]),
        _ann("c3", t3, "2024-05-03",
             [_claim("c3", 0, t3, "Four people were killed by rioters in the capital",
                     lemmas=("people", "kill", "rioter", "capital"))]),
    ]
    t4 = "The harbour reopened to cargo ships on Monday morning."
    anns.append(_ann("d4", t4, "2024-05-04", [_claim("d4", 0, t4, t4, predicate="reopen",
                                                     lemmas=("harbour", "reopen", "cargo", "ship"))]))
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch(anns, "test")
        claims_pass(store)
        reuse = store.query("SELECT doc_id, rank, copied_from FROM reuse_passages ORDER BY rank")
        assert [(r["doc_id"], r["rank"]) for r in reuse] == [("a1", 0), ("b2", 1)]
        assert reuse[1]["copied_from"] == "a1"
        contra = store.query("SELECT * FROM contradictions WHERE kind = 'numeric'")
        pairs = {tuple(sorted((r["doc_a"], r["doc_b"]))): r for r in contra}
        assert pairs[("a1", "b2")]["explained_by_time"]
        groups = store.query("SELECT * FROM claim_members ORDER BY doc_id")
        assert {r["doc_id"] for r in groups} >= {"a1", "c3"}
        gaps = store.query("SELECT outlet FROM coverage_gaps")
        assert "Outlet d4" in {r["outlet"] for r in gaps}
        n_vec = store.count("claim_vectors") + store.count("claim_vectors_recent")
        claims_pass(store)  # a re-run embeds nothing new
        assert store.count("claim_vectors") + store.count("claim_vectors_recent") == n_vec


@pytest.mark.model
def test_two_figures_of_one_sentence_pair_give_two_contradictions(tmp_path):
    """Deaths and injured told in the same sentences of two outlets: two numeric
    contradictions with their own ids (the pass used to fail on a duplicate key)."""
    from narrascope.link.claims import claims_pass

    t1 = "The clashes left four people dead and 30 injured in the capital."
    t2 = "The clashes left six people dead and 50 injured in the capital."

    def ann(doc_id, text, published, n_dead, n_hurt, dead_word, hurt_word):
        qs = [Quantity(doc_id, 0, text.index(dead_word), text.index(dead_word) + len(dead_word),
                       dead_word, n_dead, "deaths", "dead people", date=published),
              Quantity(doc_id, 1, text.index(hurt_word), text.index(hurt_word) + len(hurt_word),
                       hurt_word, n_hurt, "injured", "injured", date=published)]
        claim = _claim(doc_id, 0, text, text.rstrip("."), predicate="leave",
                       lemmas=("clash", "leave", "people", "dead", "injure", "capital"),
                       quantity_idxs=(0, 1))
        return _ann(doc_id, text, published, [claim], qs)

    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch([ann("a1", t1, "2024-05-02", 4.0, 30.0, "four", "30"),
                           ann("b2", t2, "2024-05-02", 6.0, 50.0, "six", "50")], "test")
        claims_pass(store)
        rows = store.query("SELECT contra_id, value_a, value_b FROM contradictions "
                           "WHERE kind = 'numeric'")
        assert sorted(sorted((r["value_a"], r["value_b"])) for r in rows) == [[4.0, 6.0],
                                                                            [30.0, 50.0]]
        assert len({r["contra_id"] for r in rows}) == 2


def _antonym_hit_reference(a, b):
    """The lexicon scan antonym_hit's word index must agree with."""
    from narrascope.link.claim_lexicon import ANTONYMS

    for left, right in ANTONYMS:
        for x, y in ((left, right), (right, left)):
            wa, wb = a & x, b & y
            if wa and wb and not (a & y) and not (b & x):
                return min(wa), min(wb)
    return None


def test_antonym_hit_index_agrees_with_a_full_scan():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from narrascope.link.claim_lexicon import ANTONYMS

    vocab = [*sorted({w for left, right in ANTONYMS for w in left | right}), "said", "the", "x"]
    words = st.sets(st.sampled_from(vocab), max_size=8)

    @settings(max_examples=300, deadline=None)
    @given(words, words)
    def check(a, b):
        assert antonym_hit(a, b) == _antonym_hit_reference(a, b)

    check()


def test_lsh_pairs_are_datasketch_candidates():
    """The banded sort proposes exactly the pairs MinHashLSH.query does (other documents)."""
    import duckdb
    import numpy as np
    import pyarrow as pa
    from datasketch import MinHash, MinHashLSH

    from narrascope.link.claim_checks import LSH_THRESHOLD, NUM_PERM, SEED, lsh_pairs

    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(40)]
    base = [list(rng.choice(vocab, 12)) for _ in range(6)]
    texts = [list(base[i % 6]) for i in range(30)]
    for t in texts:  # perturb each copy a little, some a lot
        for _ in range(int(rng.integers(0, 8))):
            t[int(rng.integers(0, len(t)))] = str(rng.choice(vocab))
    keys = [(f"d{i // 2}", i, i + 1) for i in range(len(texts))]
    hashes = []
    for t in texts:
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([" ".join(t[i:i + 3]).encode() for i in range(len(t) - 2)])
        hashes.append(m)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    want = sorted({(min(i, j), max(i, j)) for i, m in enumerate(hashes) for j in lsh.query(m)
                   if i != j and keys[i][0] != keys[j][0]})
    con = duckdb.connect()
    con.register("sents", pa.table({
        "i": list(range(len(keys))), "d": [int(k[0][1:]) for k in keys],
        "sig": [m.hashvalues.astype("<u4").tobytes() for m in hashes]}))
    assert want and lsh_pairs(con, "sents") == want


@pytest.mark.model
def test_sentence_signatures_are_cached_and_follow_the_sentences(tmp_path, monkeypatch):
    from narrascope.link import claim_checks

    def signatures(store):
        claim_checks.update_sentence_signatures(store)
        rows = store.con.execute("SELECT doc_id, start_char, end_char, sig FROM sentence_minhash "
                                 "WHERE sig IS NOT NULL ORDER BY ALL").fetchall()
        return [r[:3] for r in rows], [r[3] for r in rows]

    monkeypatch.setattr(claim_checks, "_HASH_DOCS", 1)  # one document per chunk
    t1 = "One two three four five six seven eight nine ten.\nShort one."
    t2 = "Alpha beta gamma delta epsilon zeta eta theta iota kappa."
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch([_ann("a1", t1, "2024-05-02"), _ann("b2", t2, "2024-05-03")], "v1")
        keys, sigs = signatures(store)
        assert keys == [("a1", 0, t1.index("\n")), ("b2", 0, len(t2))]  # "Short one." too short
        assert [len(s) for s in sigs] == [4 * 64, 4 * 64] and sigs[0] != sigs[1]
        assert store.count("sentence_minhash") == 3  # the short one is remembered as NULL
        assert signatures(store) == (keys, sigs)
        store.con.execute("DELETE FROM sentences WHERE doc_id = 'b2'")  # a sentence goes away
        keys2, _ = signatures(store)
        assert keys2 == keys[:1] and store.count("sentence_minhash") == 2


def _two_story_store(path, extra=()):
    """Four documents in two stories (each with a numeric contradiction), plus ``extra``."""
    from narrascope.link.claims import claims_pass

    def ann(doc_id, text, published, n, word, story):
        q = Quantity(doc_id, 0, text.index(word), text.index(word) + len(word), word, n,
                     "deaths", "dead people", date=published)
        claim = _claim(doc_id, 0, text, text.rstrip("."), predicate="leave",
                       lemmas=("clash", "leave", "people", "dead", story), quantity_idxs=(0,))
        return _ann(doc_id, text, published, [claim], [q]), (doc_id, story)

    made = [ann("a1", "The clashes in the north left four people dead.", "2024-05-02", 4.0, "four", "north"),
            ann("a2", "The clashes in the north left six people dead.", "2024-05-03", 6.0, "six", "north"),
            ann("b1", "The floods in the south left ten people dead.", "2024-05-02", 10.0, "ten", "south"),
            ann("b2", "The floods in the south left twelve people dead.", "2024-05-04", 12.0, "twelve", "south"),
            *(ann(*e) for e in extra)]
    store = Store(path)
    store.write_batch([a for a, _ in made], "test")
    store.replace_tables({"stories": [{"doc_id": d, "story_id": s, "similarity": 1.0,
                                       "run_id": "r"} for _, (d, s) in made]})
    claims_pass(store)
    return store


def _pass_tables(store):
    return {t: store.query(f"SELECT * EXCLUDE ({key}) FROM {t} ORDER BY ALL") for t, key in (
        ("claim_groups", "group_id"), ("claim_members", "group_id"),
        ("contradictions", "contra_id"), ("coverage_gaps", "group_id"))}


@pytest.mark.model
def test_claims_pass_recomputes_only_the_stories_that_changed(tmp_path, monkeypatch):
    """A document joins the south story: the north story's rows are kept as they were (its
    claims are not even read) and every table equals a from-scratch run."""
    import narrascope.link.claims as claims_mod

    extra = [("b3", "The floods in the south left fifteen people dead.", "2024-05-05", 15.0,
              "fifteen", "south")]
    store = _two_story_store(tmp_path / "inc.duckdb")
    north = [r for r in _pass_tables(store)["contradictions"] if r["story_id"] == "north"]
    assert len(north) == 1
    read: list[str] = []
    real = claims_mod.load_claims

    def spy(st, doc_ids=None):
        read.extend(doc_ids or ())
        return real(st, doc_ids)

    monkeypatch.setattr(claims_mod, "load_claims", spy)
    text, published = extra[0][1], extra[0][2]
    q = Quantity("b3", 0, text.index("fifteen"), text.index("fifteen") + 7, "fifteen", 15.0,
                 "deaths", "dead people", date=published)
    store.write_batch([_ann("b3", text, published, [_claim(
        "b3", 0, text, text.rstrip("."), predicate="leave",
        lemmas=("clash", "leave", "people", "dead", "south"), quantity_idxs=(0,))], [q])], "test")
    store.replace_tables({"stories": [*store.query("SELECT * FROM stories"), {
        "doc_id": "b3", "story_id": "south", "similarity": 1.0, "run_id": "r"}]})
    claims_mod.claims_pass(store)
    assert sorted(read) == ["b1", "b2", "b3"]
    incremental = _pass_tables(store)
    store.close()
    monkeypatch.setattr(claims_mod, "load_claims", real)
    fresh = _two_story_store(tmp_path / "full.duckdb", extra)
    assert incremental == _pass_tables(fresh)
    assert len([r for r in incremental["contradictions"] if r["story_id"] == "south"]) == 3
    read.clear()
    monkeypatch.setattr(claims_mod, "load_claims", spy)
    claims_mod.claims_pass(fresh)  # nothing changed: no story is read again
    assert read == []
    fresh.close()


@pytest.mark.model
def test_claims_pass_drops_rows_an_earlier_run_left_for_other_stories(tmp_path):
    """Rows written before per-story fingerprints existed (or for a story since renamed)
    are replaced, never collided with."""
    from narrascope.link.claims import claims_pass

    store = _two_story_store(tmp_path / "s.duckdb")
    before = _pass_tables(store)
    con = store.con
    con.execute("DELETE FROM link_state")
    con.execute("UPDATE claim_groups SET story_id = 'old-' || story_id")
    con.execute("UPDATE contradictions SET story_id = NULL")
    con.execute("INSERT INTO coverage_gaps VALUES ('gone', 'Outlet x', 'cg-gone', 1)")
    claims_pass(store)
    assert _pass_tables(store) == before
    store.close()


def test_reuse_links_pair_claims_of_one_story_only():
    from narrascope.link.claims import group_claims, reuse_links

    # One passage copied into four documents: a and b tell story s1, c and d story s2, and
    # the two stories are compared in one chunk.
    claims = [crow(k, d, "The ministry said the border stays closed.", story=s)
              for k, (d, s) in enumerate([("a", "s1"), ("b", "s1"), ("c", "s2"), ("d", "s2")])]
    reuse = [{"reuse_id": "r1", "doc_id": d, "start_char": 0, "end_char": 20} for d in "abcd"]
    links = reuse_links(claims, reuse)
    assert {frozenset(p) for p in links} == {frozenset((0, 1)), frozenset((2, 3))}
    import numpy as np

    vecs = np.eye(4, dtype=np.float32)  # unrelated by meaning: only the reuse links join them
    groups = group_claims(claims, vecs, links)
    assert sorted(sorted(k for k, _ in g) for g in groups) == [[0, 1], [2, 3]]


def test_claims_pass_frees_a_chunks_claims_before_it_loads_the_next(tmp_path, monkeypatch):
    """Memory follows one chunk of stories: when a chunk's claims are loaded, no claim of
    the chunk before is alive any more."""
    import gc
    import weakref

    import numpy as np

    import narrascope.link.claims as claims_mod

    monkeypatch.setattr(claims_mod, "CHUNK_DOCS", 2)  # one story per chunk
    monkeypatch.setattr(claims_mod, "claim_vectors",
                        lambda st, claims: np.eye(len(claims), 384, dtype=np.float32))
    made: list[weakref.ref] = []
    alive: list[str] = []
    real_load, real_comparable = claims_mod.load_claims, claims_mod.comparable

    def load(st, doc_ids=None):  # type: ignore[no-untyped-def]
        gc.collect()
        alive.extend(r().doc_id for r in made if r() is not None)  # type: ignore[union-attr]
        return real_load(st, doc_ids)

    def comparable(rows):  # type: ignore[no-untyped-def]
        out = real_comparable(rows)
        made.extend(weakref.ref(c) for c in out)
        return out

    monkeypatch.setattr(claims_mod, "load_claims", load)
    monkeypatch.setattr(claims_mod, "comparable", comparable)
    _two_story_store(tmp_path / "s.duckdb").close()
    assert len(made) == 4  # two chunks of two claims
    assert alive == []


def test_story_digest_of_actors_ignores_their_ids_but_not_who_is_who(tmp_path, monkeypatch):
    """The claims pass compares actor ids for equality within a story only, so a story's
    digest of its actors is kept when the corpus actors are renamed (as a re-run's actors
    pass may do) and changes when two of its entities come to stand for one actor, or an
    entity's affiliation starts to resolve."""
    import pyarrow as pa

    import narrascope.link.claims as claims_mod
    from narrascope.link.claims import actor_partition_digests

    store = Store(tmp_path / "s.duckdb")
    con = store.con
    ents = [("a", 0, "Paris", None), ("a", 1, "Darmanin", "gpe:france"), ("b", 0, "France", None),
            ("b", 1, "Walter Jones", None), ("c", 0, "Walter B. Jones", None)]
    con.executemany("INSERT INTO local_entities (doc_id, local_id, canonical, affiliation) "
                    "VALUES (?, ?, ?, ?)", ents)

    def link(assign: dict[tuple[str, int], str], keys: dict[str, str]) -> dict[str, str]:
        con.execute("DELETE FROM entity_actor")
        con.execute("DELETE FROM actors")
        con.executemany("INSERT INTO entity_actor VALUES (?, ?, ?)",
                        [(d, i, a) for (d, i), a in assign.items()])
        con.executemany("INSERT INTO actors (actor_id, key) VALUES (?, ?)",
                        [(a, keys.get(a)) for a in sorted(set(assign.values()))])
        con.register("_g", pa.table({"doc_id": ["a", "b", "c"], "grp": ["s1", "s1", "s2"]}))
        try:
            return actor_partition_digests(store, "_g")
        finally:
            con.unregister("_g")

    base = link({("a", 0): "x1", ("a", 1): "x2", ("b", 0): "x3", ("b", 1): "x4",
                 ("c", 0): "x5"}, {"x3": "gpe:france"})
    renamed = link({("a", 0): "y9", ("a", 1): "y1", ("b", 0): "y2", ("b", 1): "y3",
                    ("c", 0): "y4"}, {"y2": "gpe:france"})
    assert renamed == base
    # "Walter Jones" joins "Walter B. Jones": their stories are told by other documents, so
    # within each story nothing changed.
    joined = link({("a", 0): "x1", ("a", 1): "x2", ("b", 0): "x3", ("b", 1): "x5",
                   ("c", 0): "x5"}, {"x3": "gpe:france"})
    assert joined == base
    # Paris and France become one actor inside story s1: s1 changes, s2 does not.
    merged = link({("a", 0): "x3", ("a", 1): "x2", ("b", 0): "x3", ("b", 1): "x4",
                   ("c", 0): "x5"}, {"x3": "gpe:france"})
    assert merged["s1"] != base["s1"] and merged["s2"] == base["s2"]
    # The affiliation no longer resolves to a corpus actor: Darmanin stops standing for France.
    unresolved = link({("a", 0): "x1", ("a", 1): "x2", ("b", 0): "x3", ("b", 1): "x4",
                       ("c", 0): "x5"}, {})
    assert unresolved["s1"] != base["s1"]
    # read in slices of the stories (one or two entity rows a slice): the same digests
    for rows in (1, 2):
        monkeypatch.setattr(claims_mod, "PARTITION_SLICE", rows)
        assert link({("a", 0): "x1", ("a", 1): "x2", ("b", 0): "x3", ("b", 1): "x4",
                     ("c", 0): "x5"}, {"x3": "gpe:france"}) == base
    store.close()


def test_reuse_partition_keeps_which_passages_are_copies_not_the_group_ids():
    """A new copy elsewhere renames a reuse group (its id digests all its passages): the
    story's view of its own passages is unchanged. A passage that moves to another group,
    or a new passage in the story, changes it."""
    from narrascope.link.claims import reuse_partition

    def p(rid, doc, start, end):
        return {"reuse_id": rid, "doc_id": doc, "start_char": start, "end_char": end}

    story = [p("ru1", "a", 0, 40), p("ru1", "b", 10, 50), p("ru2", "a", 60, 90), p("ru2", "c", 0, 30)]
    renamed = [p("ru9", "b", 10, 50), p("ru7", "c", 0, 30), p("ru9", "a", 0, 40), p("ru7", "a", 60, 90)]
    assert reuse_partition(renamed) == reuse_partition(story)
    moved = [p("ru1", "a", 0, 40), p("ru2", "b", 10, 50), p("ru2", "a", 60, 90), p("ru2", "c", 0, 30)]
    assert reuse_partition(moved) != reuse_partition(story)
    more = [*story, p("ru1", "d", 5, 45)]
    assert reuse_partition(more) != reuse_partition(story)
    assert reuse_partition([]) == []
