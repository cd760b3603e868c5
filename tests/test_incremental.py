"""Re-runs do only the new work: near-duplicates hash only new documents and give the pairs a
full run would; the actor pass is skipped when its inputs are unchanged."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from narrascope.ingest.dedup import NearDuplicateIndex
from narrascope.link import passes
from narrascope.link.neardup import update_near_duplicates
from narrascope.records import DocAnnotation, Document, LocalEntity, Mention
from narrascope.store import Store

EXAMPLES = Path(__file__).parents[1] / "examples" / "new-caledonia"
_VOCAB = [f"w{i}" for i in range(400)]


def _text(rng: random.Random, n: int = 400) -> str:
    return " ".join(rng.choice(_VOCAB) for _ in range(n)) + "."


def _edit(rng: random.Random, text: str, changes: int) -> str:
    """A near-copy: ``changes`` words replaced (wire copy with small edits)."""
    words = text.split()
    for i in rng.sample(range(len(words)), changes):
        words[i] = rng.choice(_VOCAB)
    return " ".join(words)


def _ann(doc_id: str, text: str, names: tuple[str, ...] = ()) -> DocAnnotation:
    doc = Document(doc_id=doc_id, source=f"{doc_id}.txt", text=text)
    ents = tuple(LocalEntity(doc_id, i, n, "PERSON", names=(n,)) for i, n in enumerate(names))
    ments = tuple(Mention(doc_id, i, 0, 2, text[:2], "NAME", "PERSON", i, 0)
                  for i in range(len(names)))
    return DocAnnotation(doc=doc, mentions=ments, entities=ents, words=len(text.split()))


def _full_pairs(docs: dict[str, str]) -> set[tuple[str, str, float]]:
    """What indexing every text in doc_id order with NearDuplicateIndex reports."""
    index = NearDuplicateIndex()
    return {(d, other, round(float(j), 4))
            for d in sorted(docs) for other, j in index.add(d, docs[d])}


def _stored_pairs(st: Store) -> set[tuple[str, str, float]]:
    return {tuple(r) for r in st.con.execute(
        "SELECT doc_id, other_doc_id, jaccard FROM near_duplicates").fetchall()}


def test_near_duplicates_rerun_hashes_only_new_documents_and_matches_a_full_run(
    tmp_path: Path,
) -> None:
    rng = random.Random(7)
    docs = {f"d{i:02d}": _text(rng) for i in range(12)}
    docs["d30"] = _edit(rng, docs["d03"], 2)  # near-copies of earlier documents
    docs["d31"] = _edit(rng, docs["d10"], 3)
    docs["d32"] = ""  # no words: matches nothing
    with Store(tmp_path) as st:
        st.write_batch([_ann(k, v) for k, v in docs.items()], "v1")
        assert update_near_duplicates(st) == len(docs)
        first = _stored_pairs(st)
        assert first == _full_pairs(docs)
        assert {p[:2] for p in first} >= {("d30", "d03"), ("d31", "d10")}

        # 1 new near-copy that sorts before its original, 1 unrelated new document.
        new = {"a00": _edit(rng, docs["d07"], 2), "z99": _text(rng)}
        st.write_batch([_ann(k, v) for k, v in new.items()], "v1")
        assert update_near_duplicates(st) == 2  # only the new documents were hashed
        docs |= new
        assert _stored_pairs(st) == _full_pairs(docs)
        assert ("d07", "a00") in {p[:2] for p in _stored_pairs(st)}
        assert update_near_duplicates(st) == 0
        assert _stored_pairs(st) == _full_pairs(docs)


def test_actor_pass_is_skipped_when_inputs_are_unchanged_and_rerun_when_they_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from narrascope.link import actors as actors_mod

    calls: list[int] = []
    real = actors_mod.link_entities

    def counting(ents, counts):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(ents, counts)

    monkeypatch.setattr(actors_mod, "link_entities", counting)
    # the skip is run_passes' (link/state.py fingerprints); run the actors pass alone
    monkeypatch.setattr(passes, "PASSES", tuple(p for p in passes.PASSES if p.name == "actors"))
    with Store(tmp_path) as st:
        st.write_batch([_ann("a", "x y", ("Ada Lovelace",)),
                        _ann("b", "x y", ("Ada Lovelace", "Alan Turing"))], "v1")
        passes.run_passes(st)
        before = st.query("SELECT * FROM actors ORDER BY actor_id")
        passes.run_passes(st)
        assert len(calls) == 1
        assert st.query("SELECT * FROM actors ORDER BY actor_id") == before
        ada = [a for a in before if a["canonical"] == "Ada Lovelace"]
        assert len(ada) == 1 and ada[0]["mention_count"] == 2

        st.write_batch([_ann("c", "x y", ("Alan Turing",))], "v1")
        passes.run_passes(st)
        assert len(calls) == 2
        turing = st.query("SELECT mention_count FROM actors WHERE canonical = 'Alan Turing'")
        assert turing == [{"mention_count": 2}]


def test_local_entities_come_with_their_mention_counts_and_shared_strings(tmp_path: Path) -> None:
    with Store(tmp_path) as st:
        ann = _ann("a", "x y", ("Ada Lovelace", "Alan Turing"))
        extra = Mention("a", 2, 0, 1, "x", "PRON", "PERSON", 0, 0)
        st.write_batch([DocAnnotation(ann.doc, mentions=(*ann.mentions, extra),
                                      entities=ann.entities),
                        _ann("b", "x y", ("Alan Turing", "Ada Lovelace"))], "v1")
        ents, counts = st.local_entities_with_counts()
    assert [(e.doc_id, e.local_id, e.canonical) for e in ents] == [
        ("a", 0, "Ada Lovelace"), ("a", 1, "Alan Turing"), ("b", 0, "Alan Turing"), ("b", 1, "Ada Lovelace")]
    assert list(counts) == [2, 1, 1, 1]
    assert ents[1].names is ents[2].names and ents[0].doc_id is ents[1].doc_id


@pytest.mark.parametrize("batch", [100_000, 2], ids=["one-batch", "batches-of-2"])
def test_local_entities_read_in_arrow_batches_equal_the_rows_and_share_across_batches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    from narrascope.store import db

    monkeypatch.setattr(db, "_ENTITY_BATCH", batch)
    ents_in = [
        LocalEntity("a", 0, "Azerbaijan", "GPE", key="country:AZ", names=("Azerbaijan", "Baku")),
        LocalEntity("a", 1, "Ilham Aliyev", "PERSON", names=("Ilham Aliyev", "Aliyev"),
                    titles=("president",), affiliation="country:AZ"),
        LocalEntity("a", 2, "the ministry", "ORG"),  # no key, names, titles or affiliation
        LocalEntity("b", 0, "Ilham Aliyev", "PERSON", names=("Ilham Aliyev", "Aliyev"),
                    titles=("president",), affiliation="country:AZ"),
        LocalEntity("b", 1, "Azerbaijan", "GPE", key="country:AZ", names=("Azerbaijan",)),
        LocalEntity("c", 0, "Azerbaijan", "GPE", key="country:AZ", names=("Azerbaijan", "Baku")),
    ]
    anns = []
    for doc_id in "abc":
        mine = tuple(e for e in ents_in if e.doc_id == doc_id)
        ments = tuple(Mention(doc_id, k, 0, 1, "x", "NAME", e.type, e.local_id, 0)
                      for k, e in enumerate(mine))
        anns.append(DocAnnotation(Document(doc_id, f"{doc_id}.txt", "x y"), mentions=ments,
                                  entities=mine))
    with Store(tmp_path) as st:
        st.write_batch(anns, "v1")
        ents, counts = st.local_entities_with_counts()
    assert ents == ents_in and list(counts) == [1] * 6
    assert ents[1].names is ents[3].names and ents[0].names is ents[5].names
    assert ents[0].key is ents[4].key is ents[1].affiliation
    assert ents[2].names == () and ents[2].key is None and ents[2].affiliation is None


@pytest.mark.model
@pytest.mark.slow
def test_rerun_with_one_new_file_analyses_only_it_and_equals_a_fresh_run(tmp_path: Path) -> None:
    from narrascope.pipeline import AnalyzeOptions, analyze

    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    held = sorted(p for p in corpus.glob("*.txt"))[-1]
    held_text = held.read_text(encoding="utf-8")
    held.unlink()
    opts = AnalyzeOptions(report=False)
    analyze([corpus], tmp_path / "inc", opts)
    held.write_text(held_text, encoding="utf-8")
    rerun = analyze([corpus], tmp_path / "inc", opts)
    assert (rerun.analysed, rerun.reused) == (1, 4)
    analyze([corpus], tmp_path / "fresh", opts)
    for table in ("actors", "entity_actor", "near_duplicates"):
        with Store.open(tmp_path / "inc") as a, Store.open(tmp_path / "fresh") as b:
            sql = f"SELECT * FROM {table} ORDER BY ALL"
            assert a.query(sql) == b.query(sql), table
    # the full-text index was updated in place on the re-run, rebuilt on the fresh run
    with Store.open(tmp_path / "inc") as a, Store.open(tmp_path / "fresh") as b:
        words = [r["w"] for r in b.query(
            "SELECT DISTINCT lower(split_part(text, ' ', 2)) AS w FROM sentences "
            "WHERE length(text) > 20 ORDER BY w LIMIT 8")]
        assert words
        for q in [*words, "New Caledonia"]:
            assert a.search(q, limit=30) == b.search(q, limit=30), q
