"""The verbatim-reuse index (link/claim_checks.py: ``sentence_lsh``, ``reuse_edges``) is
updated run after run and gives what building it from scratch gives: the same candidate
pairs as LSH over every sentence at once (:func:`lsh_pairs`), the same aligned pairs and
the same ``reuse_passages`` rows."""

from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.link import claim_checks
from narrascope.link.claim_checks import lsh_pairs, update_reuse_index, verbatim_reuse
from narrascope.records import DocAnnotation, Document, Sentence
from narrascope.store import Store

_VOCAB = [f"w{i}" for i in range(60)]
Key = tuple[str, int, int]


def _sentence(rng: random.Random) -> list[str]:
    return [rng.choice(_VOCAB) for _ in range(rng.randint(9, 16))]


def _corpus(seed: int) -> dict[str, list[list[str]]]:
    """Documents as lists of tokenised sentences: random ones, a few too short to hash,
    and copies of other documents' sentences with a word or two changed (or many)."""
    rng = random.Random(seed)
    docs: dict[str, list[list[str]]] = {}
    for i in range(24):
        sents = [_sentence(rng) for _ in range(rng.randint(3, 6))]
        sents.append(["short", "one"])
        if docs:
            for _ in range(rng.randint(0, 3)):
                src = rng.choice(list(docs.values()))
                copy = list(rng.choice(src))
                for _ in range(rng.choice([0, 1, 2, 6])):
                    copy[rng.randrange(len(copy))] = rng.choice(_VOCAB)
                sents.insert(rng.randrange(len(sents) + 1), copy)
        docs[f"{rng.choice('abcdefgh')}{i:02d}"] = sents
    return docs


def _ann(doc_id: str, sents: list[list[str]]) -> DocAnnotation:
    text = "\n".join(" ".join(s) + "." for s in sents)
    out, start = [], 0
    for i, part in enumerate(text.split("\n")):
        out.append(Sentence(doc_id, i, start, start + len(part)))
        start += len(part) + 1
    doc = Document(doc_id, f"{doc_id}.txt", text, outlet=f"Outlet {doc_id[0]}",
                   published=f"2024-05-{1 + int(doc_id[1:]) % 28:02d}")
    return DocAnnotation(doc, sentences=tuple(out))


def _state(store: Store) -> tuple[list[tuple], list[tuple], list[tuple]]:
    rows = verbatim_reuse(store)
    passages = sorted((tuple(r[k] for k in sorted(r)) for r in rows), key=repr)
    edges = store.con.execute("SELECT * FROM reuse_edges ORDER BY ALL").fetchall()
    bands = store.con.execute("SELECT * FROM sentence_lsh ORDER BY ALL").fetchall()
    return passages, edges, bands


def _scratch_pairs(store: Store) -> set[tuple[Key, Key]]:
    """Candidate pairs of LSH over every hashed sentence at once, as sentence keys."""
    con = store.con
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _all AS SELECT "
        "(row_number() OVER (ORDER BY doc_id, start_char) - 1)::INTEGER AS i, "
        "(dense_rank() OVER (ORDER BY doc_id))::INTEGER AS d, doc_id, start_char, end_char, sig "
        "FROM sentence_minhash WHERE sig IS NOT NULL")
    key = {r[0]: (r[1], r[2], r[3]) for r in con.execute(
        "SELECT i, doc_id, start_char, end_char FROM _all").fetchall()}
    pairs = {(key[i], key[j]) for i, j in lsh_pairs(con, "_all")}
    con.execute("DROP TABLE _all")
    return pairs


def _fresh(path: Path, docs: dict[str, list[list[str]]]) -> Store:
    store = Store(path)
    store.write_batch([_ann(k, v) for k, v in docs.items()], "v1")
    return store


@pytest.mark.parametrize("bulk", [False, True], ids=["chunked", "bulk"])
def test_reuse_index_updated_run_after_run_equals_one_built_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool,
) -> None:
    """Both ways of looking new sentences up: chunk by chunk against the index, and (for
    many new sentences) all inserted, then band by band (``_bulk_lookup``)."""
    monkeypatch.setattr(claim_checks, "_INDEX_SENTS", 7)  # pairs across chunks, too
    monkeypatch.setattr(claim_checks, "_BULK_SENTS", 0 if bulk else 10**9)
    monkeypatch.setattr(claim_checks, "_ALIGN_PAIRS", 5)  # candidate pairs paged, too
    used = []
    for name in ("_bulk_lookup", "_index_chunk"):
        real = getattr(claim_checks, name)
        monkeypatch.setattr(claim_checks, name,
                            lambda *a, _r=real, _n=name: used.append(_n) or _r(*a))
    docs = _corpus(11)
    names = sorted(docs)
    first = {k: docs[k] for k in names if int(k[1:]) < 16}
    later = {k: docs[k] for k in names if int(k[1:]) >= 16}
    # the later documents copy earlier ones, and some sort before them
    assert later and any(k < max(first) for k in later)

    with Store(tmp_path / "inc") as inc:
        inc.write_batch([_ann(k, v) for k, v in first.items()], "v1")
        claim_checks.update_sentence_signatures(inc)
        compared = set(update_reuse_index(inc))
        assert compared == _scratch_pairs(inc)
        with _fresh(tmp_path / "f1", first) as f1:
            assert _state(inc) == _state(f1)

        inc.write_batch([_ann(k, v) for k, v in later.items()], "v1")
        claim_checks.update_sentence_signatures(inc)
        new = update_reuse_index(inc)
        # only pairs with a new sentence were looked up; with the earlier ones, all of LSH's
        assert new and all(a[0] in later or b[0] in later for a, b in new)
        assert compared.isdisjoint(new)
        assert compared | set(new) == _scratch_pairs(inc)
        assert update_reuse_index(inc) == []  # nothing new: nothing compared
        with _fresh(tmp_path / "f2", docs) as f2:
            want = _state(f2)
            assert _state(inc) == want
        passages, edges, _ = want
        assert edges and len({r[1] for r in passages}) > 3  # reuse across many documents
        assert any(e[0] in later for e in edges) and any(e[0] in first for e in edges)

        # a document goes: its sentences leave the index and their pairs with them
        gone = names[3]
        for t in ("sentences", "documents"):
            inc.con.execute(f"DELETE FROM {t} WHERE doc_id = ?", [gone])
        rest = {k: v for k, v in docs.items() if k != gone}
        with _fresh(tmp_path / "f3", rest) as f3:
            assert _state(inc) == _state(f3)
    assert ("_bulk_lookup" in used) == bulk and ("_index_chunk" in used) != bulk


def test_reuse_index_is_rebuilt_when_its_settings_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _corpus(5)
    with _fresh(tmp_path / "a", docs) as a:
        before = _state(a)
        monkeypatch.setattr(claim_checks, "MIN_SHARE", 0.9)  # stricter alignment
        after = _state(a)
        with _fresh(tmp_path / "b", docs) as b:
            assert after == _state(b)
    assert len(after[1]) < len(before[1])  # the stored pairs were not kept


def test_reuse_index_frees_each_chunks_band_keys_before_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The index is updated in one transaction; a chunk's band keys (an Arrow table) must
    not live until its commit, or memory follows the corpus instead of the chunk."""
    import pyarrow as pa

    monkeypatch.setattr(claim_checks, "_INDEX_SENTS", 7)
    held: list[int] = []  # Arrow bytes allocated when each chunk starts
    made: list[int] = []  # bytes of each chunk's band keys, while they are in use
    real_chunk, real_bands = claim_checks._index_chunk, claim_checks._insert_bands

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        gc.collect()  # what is still reachable, not what waits for a collection
        held.append(pa.total_allocated_bytes())
        return real_chunk(*args, **kwargs)

    def sizing(*args, **kwargs):  # type: ignore[no-untyped-def]
        before = pa.total_allocated_bytes()
        out = real_bands(*args, **kwargs)
        made.append(pa.total_allocated_bytes() - before)
        return out

    monkeypatch.setattr(claim_checks, "_index_chunk", counting)
    monkeypatch.setattr(claim_checks, "_insert_bands", sizing)
    # no alignment (and no reuse_edges insert, whose rows are small): band keys only
    monkeypatch.setattr(claim_checks, "_align_pairs", lambda store, pairs: [])
    with _fresh(tmp_path / "s", _corpus(11)) as store:
        claim_checks.update_sentence_signatures(store)
        start = pa.total_allocated_bytes()
        assert update_reuse_index(store)
    assert len(held) > 5 and len(made) == len(held) and min(made) > 0
    # Nothing kept from chunk to chunk: at most about one chunk's worth is ever found still
    # allocated when a chunk starts (DuckDB may let go of the last one a moment late, in
    # some runs), never the growing sum of the chunks before it.
    assert max(held) - start <= 2 * max(made) < sum(made) / 2, (start, held, made)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sets(st.binary(min_size=1, max_size=12), min_size=1, max_size=30),
                min_size=1, max_size=12))
def test_sentence_signatures_are_minhashs_own(sets: list[set[bytes]]) -> None:
    """claim_checks.signatures computes many sets at once: each row must be the signature
    datasketch's MinHash gives that set alone."""
    from datasketch import MinHash

    got = claim_checks.signatures([sorted(s) for s in sets])
    assert got.shape == (len(sets), claim_checks.NUM_PERM)
    for row, s in zip(got, sets, strict=True):
        mh = MinHash(num_perm=claim_checks.NUM_PERM, seed=claim_checks.SEED)
        mh.update_batch(list(s))
        assert row.tobytes() == mh.hashvalues.tobytes()
