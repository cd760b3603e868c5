"""Scale-test stores: documents repeated under new ids, dates moved, letters permuted."""

from __future__ import annotations

import dataclasses
import string
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from tests.link.test_stories_online import _corpus, _write

from narrascope.link import stories as S
from narrascope.link.passes import actors_pass
from narrascope.link.state import ENCODER_STATE, vectors_match
from narrascope.records import Sentence
from narrascope.scale.replicate import (
    ALPHABET,
    letter_permutation,
    new_doc_id,
    replicate_store,
    rotation,
)
from narrascope.store import Store
from narrascope.store.vectors import read_vectors


def _source(path: Path) -> None:
    docs = []
    for a, v in _corpus(30):
        first = a.doc.text.index(" ")
        sents = (Sentence(a.doc.doc_id, 0, 0, first), Sentence(a.doc.doc_id, 1, first + 1,
                                                               len(a.doc.text)))
        day = int(a.doc.doc_id[1:]) % 28 + 1
        doc = dataclasses.replace(a.doc, published=f"2024-02-{day:02d}")
        docs.append((dataclasses.replace(a, doc=doc, sentences=sents), v))
    with Store(path) as st:
        _write(st, docs)
        S.stories_pass(st)


def test_permutation_and_rotation_are_per_replica_and_keep_what_they_must():
    assert letter_permutation(0) == ALPHABET
    p = letter_permutation(3)
    assert sorted(p[:26]) == list(string.ascii_lowercase) and p[26:] == p[:26].upper()
    assert p != letter_permutation(4) and p != ALPHABET
    q = rotation(2, 16)
    assert np.allclose(q @ q.T, np.eye(16)) and not np.allclose(q, rotation(3, 16))
    assert new_doc_id("abc", 0) == "abc" and new_doc_id("abc", 1) != new_doc_id("abc", 2)


def test_replicated_store_holds_k_copies_the_passes_see_as_new_stories(tmp_path: Path):
    _source(tmp_path / "src")
    with Store(tmp_path / "src") as src:  # the encoder its vectors are of goes with them
        src.con.execute("INSERT INTO link_state VALUES (?, 'enc-X'), (?, 'enc-Y')",
                        [ENCODER_STATE + "doc_vectors", ENCODER_STATE + "claim_vectors"])
    out = replicate_store(tmp_path / "src", tmp_path / "dst", 3)
    assert out["documents"] == 90 and out["sentences"] == 180 and out["doc_vectors"] == 90
    with Store.open(tmp_path / "src") as src:
        docs = {r["doc_id"]: r for r in src.query("SELECT * FROM documents")}
        n_stories = src.count("story_info")
        src_vec = dict(zip(*read_vectors(src.con, "SELECT doc_id, vector FROM doc_vectors",
                                         key="doc_id"), strict=True))
    with Store(tmp_path / "dst") as st:
        rows = {r["doc_id"]: r for r in st.query("SELECT * FROM documents")}
        assert len(rows) == 90
        for d, orig in docs.items():
            assert rows[d]["text"] == orig["text"]  # replica 0 is the source as it was
            for r in (1, 2):
                new = rows[new_doc_id(d, r)]
                table = str.maketrans(ALPHABET, letter_permutation(r))
                assert new["text"] == orig["text"].translate(table) != orig["text"]
                assert new["source"] == f"{orig['source']}#replica{r}"
                moved = date.fromisoformat(orig["published"]) + timedelta(days=28 * r)
                assert new["published"] == moved.isoformat()
        # every row that carries an id carries the new one; offsets still cut the text
        for sid, d, idx, s, e, text in st.con.execute(
                "SELECT sid, doc_id, idx, start_char, end_char, text FROM sentences").fetchall():
            assert sid == f"{d}:{idx}" and rows[d]["text"][s:e] == text
        assert st.con.execute("SELECT count(DISTINCT doc_id) FROM mentions").fetchone()[0] == 90
        # embeddings: the same cosines inside a replica, none shared across replicas
        ids, mat = read_vectors(st.con, "SELECT doc_id, vector FROM doc_vectors", key="doc_id")
        vec = dict(zip(ids, mat, strict=True))
        a, b = sorted(docs)[:2]
        for r in (1, 2):
            x, y = vec[new_doc_id(a, r)], vec[new_doc_id(b, r)]
            assert float(x @ y) == pytest.approx(float(src_vec[a] @ src_vec[b]), abs=1e-5)
            assert abs(float(x @ src_vec[a])) < 0.5
        assert vectors_match(st, "doc_vectors", "enc-X")
        assert vectors_match(st, "claim_vectors", "enc-Y")
        actors_pass(st)
        S.stories_pass(st)  # embeddings cached: no model runs
        members = st.query("SELECT story_id, list(doc_id) AS docs FROM stories GROUP BY 1")
        # about three times the stories (word weights change with the corpus: not exactly)
        assert abs(st.count("story_info") - 3 * n_stories) <= max(1, 3 * n_stories // 5)
    replica = {new_doc_id(d, r): r for d in docs for r in range(3)}
    for m in members:  # no story mixes replicas
        assert len({replica[d] for d in m["docs"]}) == 1
