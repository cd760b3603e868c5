"""The full-text index updated in place equals one built from scratch (up to id numbering)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from narrascope.records import DocAnnotation, Document, Sentence
from narrascope.store import Store
from narrascope.store.fts import rebuild_fts, update_fts

_TEXT = ("the ministers met in Velonia on Tuesday and agreed to cut fuel taxes while "
         "protesters gathered outside parliament running banners about prices 2024 "
         "Noumea élection café strikes continued")
_WORDS = tuple(_TEXT.split())


def _ann(doc_id: str, sentences: list[str]) -> DocAnnotation:
    text = " ".join(sentences)
    sents, pos = [], 0
    for i, s in enumerate(sentences):
        sents.append(Sentence(doc_id, i, pos, pos + len(s)))
        pos += len(s) + 1
    return DocAnnotation(doc=Document(doc_id=doc_id, source=f"{doc_id}.txt", text=text),
                         sentences=tuple(sents), words=len(text.split()))


def _doc(rng: random.Random, doc_id: str) -> DocAnnotation:
    sents = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 12))) + "."
             for _ in range(rng.randint(1, 5))]
    return _ann(doc_id, sents)


def _logical(st: Store) -> dict[str, Any]:
    """The index by names instead of ids: what BM25 reads."""
    s = "fts_main_sentences"
    terms = sorted(st.con.execute(
        f"SELECT docs.name, d.term, count(*) FROM {s}.terms t JOIN {s}.docs docs USING (docid) "
        f"JOIN {s}.dict d USING (termid) GROUP BY ALL").fetchall())
    return {
        "docs": sorted(st.con.execute(f"SELECT name, len FROM {s}.docs").fetchall()),
        "dict": sorted(st.con.execute(f"SELECT term, df FROM {s}.dict").fetchall()),
        "stats": st.con.execute(f"SELECT num_docs, avgdl FROM {s}.stats").fetchall(),
        "terms": terms,
        "ids_unique": st.con.execute(
            f"SELECT count(DISTINCT docid) = count(*) FROM {s}.docs").fetchone(),
    }


def _scores(st: Store, q: str) -> list[tuple[str, float]]:
    return [(r["sid"], round(r["score"], 9)) for r in st.search(q, limit=50)]


def test_fts_update_in_place_equals_a_rebuild(tmp_path: Path) -> None:
    rng = random.Random(3)
    docs = [_doc(rng, f"d{i:02d}") for i in range(20)]
    with Store(tmp_path / "inc") as inc, Store(tmp_path / "fresh") as fresh:
        inc.write_batch(docs, "v1")
        assert update_fts(inc) == (-1, -1)  # no index yet: built whole
        assert update_fts(inc) == (0, 0)
        # new documents (one with new words), one removed, one re-analysed with new text
        extra = [_doc(rng, "d90"), _ann("d91", ["Zorblat quux élection.", "fuel"])]
        changed = _ann("d03", ["Ministers resigned over fuel prices."])
        inc.write_batch([*extra, changed], "v1")
        inc.con.execute("DELETE FROM sentences WHERE doc_id = 'd07'")
        added, removed = update_fts(inc)
        assert (added, removed) == (
            sum(len(a.sentences) for a in (*extra, changed)),
            len(docs[7].sentences) + len(docs[3].sentences))
        fresh.write_batch([d for d in docs if d.doc.doc_id not in ("d03", "d07")], "v1")
        fresh.write_batch([*extra, changed], "v1")
        rebuild_fts(fresh)
        assert _logical(inc) == _logical(fresh)
        for q in ("fuel prices", "zorblat", "election", "ministers parliament", "cafe"):
            assert _scores(inc, q) == _scores(fresh, q), q
        assert _scores(inc, "zorblat")[0][0].startswith("d91")
        # one row per sentence, with its text's hash: the re-analysed one's old row went
        assert inc.query("SELECT sid, h FROM fts_sentences ORDER BY sid") == inc.query(
            "SELECT sid, hash(text) AS h FROM sentences ORDER BY sid")


def test_fts_large_change_rebuilds_whole(tmp_path: Path) -> None:
    rng = random.Random(5)
    with Store(tmp_path) as st:
        st.write_batch([_doc(rng, f"d{i}") for i in range(4)], "v1")
        update_fts(st)
        st.write_batch([_doc(rng, f"e{i}") for i in range(8)], "v1")
        assert update_fts(st) == (-1, -1)
        assert st.count("fts_sentences") == st.count("sentences")
