"""The DuckDB store: migrations, batch transactions, idempotent rewrites, FTS."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from narrascope.errors import StoreMissing, StoreVersionMismatch
from narrascope.records import (
    Actor,
    DocAnnotation,
    Document,
    LocalEntity,
    Mention,
    Quote,
    Sentence,
)
from narrascope.store import Store
from narrascope.store.schema import all_migrations


def _ann(doc_id: str, text: str) -> DocAnnotation:
    doc = Document(doc_id=doc_id, source=f"{doc_id}.txt", text=text, outlet="Wire")
    first = text.index(".") + 1
    return DocAnnotation(
        doc=doc,
        sentences=(Sentence(doc_id, 0, 0, first), Sentence(doc_id, 1, first + 1, len(text))),
        mentions=(Mention(doc_id, 0, 0, 5, text[:5], "NAME", "PERSON", 0, 0),),
        entities=(LocalEntity(doc_id, 0, text[:5], "PERSON", names=(text[:5],)),),
        quotes=(Quote(doc_id, 0, first + 1, len(text), True, speaker_local_id=0),),
        words=len(text.split()),
    )


def test_store_migrations_recorded_in_order(tmp_path: Path) -> None:
    with Store(tmp_path) as st:
        assert st.applied_migrations() == [n for n, _ in all_migrations()]


def test_store_open_missing_raises(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing):
        Store.open(tmp_path / "nothing")


def test_store_refuses_newer_schema(tmp_path: Path) -> None:
    Store(tmp_path).close()
    con = duckdb.connect(str(tmp_path / "narrascope.duckdb"))
    con.execute("INSERT INTO _narrascope_migrations VALUES ('m999_future', now())")
    con.close()
    with pytest.raises(StoreVersionMismatch):
        Store(tmp_path)


def test_store_rewrite_same_batch_is_idempotent(tmp_path: Path) -> None:
    anns = [_ann("a1", "Alice spoke. She said it was fine."), _ann("b2", "Bobby ran. Then he left.")]
    with Store(tmp_path) as st:
        st.write_batch(anns, "v1")
        before = {t: st.count(t) for t in ("documents", "sentences", "mentions", "quotes")}
        st.write_batch(anns, "v1")
        after = {t: st.count(t) for t in ("documents", "sentences", "mentions", "quotes")}
    assert before == after == {"documents": 2, "sentences": 4, "mentions": 2, "quotes": 2}


def test_store_failed_batch_leaves_previous_rows(tmp_path: Path) -> None:
    good = _ann("a1", "Alice spoke. She said it was fine.")
    with Store(tmp_path) as st:
        st.write_batch([good], "v1")
        # The same document twice: its second documents row breaks the primary key, so the
        # insert fails inside the transaction, after a1's old rows were deleted.
        bad = _ann("c3", "Carol wrote. Text follows here.")
        with pytest.raises(duckdb.Error):
            st.write_batch([good, bad, bad], "v2")
        rows = st.query("SELECT doc_id, pipeline_version FROM documents ORDER BY doc_id")
    assert rows == [{"doc_id": "a1", "pipeline_version": "v1"}]


def test_store_sentence_text_is_slice_of_document(tmp_path: Path) -> None:
    ann = _ann("a1", "Alice spoke. She said it was fine.")
    with Store(tmp_path) as st:
        st.write_batch([ann], "v1")
        rows = st.query("SELECT start_char, end_char, text FROM sentences ORDER BY idx")
    for r in rows:
        assert ann.doc.text[r["start_char"] : r["end_char"]] == r["text"]


def test_store_fts_finds_sentence(tmp_path: Path) -> None:
    with Store(tmp_path) as st:
        st.write_batch([_ann("a1", "Alice spoke. Ministers accused the neighbours.")], "v1")
        st.build_fts()
        hits = st.search("accusing minister")
    assert hits and hits[0]["text"].startswith("Ministers accused")


def test_store_replace_actors_replaces_everything(tmp_path: Path) -> None:
    with Store(tmp_path) as st:
        st.replace_actors([Actor("x", "X", "PERSON")], {("a1", 0): "x"})
        st.replace_actors([Actor("y", "Y", "ORG", aliases=("Y Corp",))], {("a1", 0): "y"})
        assert st.query("SELECT actor_id, aliases FROM actors") == [
            {"actor_id": "y", "aliases": ["Y Corp"]}
        ]
        assert st.count("entity_actor") == 1


def test_store_replace_actors_writes_only_the_rows_that_differ(tmp_path: Path) -> None:
    def rows(st: Store, table: str) -> dict[tuple[object, ...], int]:
        """Each row's values -> its rowid (a row deleted and written again gets a new one)."""
        cur = st.con.execute(f"SELECT rowid, * FROM {table}")
        return {tuple(tuple(v) if isinstance(v, list) else v for v in r[1:]): r[0]
                for r in cur.fetchall()}

    with Store(tmp_path) as st:
        x, y = Actor("x", "X", "PERSON", mention_count=2), Actor("y", "Y", "ORG")
        st.replace_actors([x, y], {("a1", 0): "x", ("a1", 1): "y", ("a2", 0): "x"})
        actors, links = rows(st, "actors"), rows(st, "entity_actor")
        # y gains a mention and a2's entity moves to it; a3 is new; x is as it was
        y2 = Actor("y", "Y", "ORG", mention_count=1)
        st.replace_actors([x, y2], {("a1", 0): "x", ("a1", 1): "y", ("a2", 0): "y",
                                    ("a3", 0): "x"})
        actors2, links2 = rows(st, "actors"), rows(st, "entity_actor")
        assert set(links2) == {("a1", 0, "x"), ("a1", 1, "y"), ("a2", 0, "y"), ("a3", 0, "x")}
        assert len(actors2) == 2 and ("y", "Y", "ORG", None, (), 1) in actors2
        # the unchanged rows are the very rows written the first time
        assert links2[("a1", 0, "x")] == links[("a1", 0, "x")]
        assert links2[("a1", 1, "y")] == links[("a1", 1, "y")]
        key_x = ("x", "X", "PERSON", None, (), 2)
        assert actors2[key_x] == actors[key_x]


def test_store_writes_and_replaces_extra_per_doc_tables(tmp_path: Path) -> None:
    from dataclasses import dataclass

    from narrascope.store.schema import PER_DOC_TABLES, per_doc_table

    @dataclass(frozen=True)
    class Thing:
        doc_id: str
        start: int
        end: int
        label: str

    per_doc_table("things_test")
    try:
        with Store(tmp_path) as st:
            st.con.execute(
                "CREATE TABLE things_test (doc_id VARCHAR, start_char INT, end_char INT, label VARCHAR)"
            )
            base = _ann("a1", "Alice spoke. She said it was fine.")
            first = DocAnnotation(doc=base.doc, extras={"things_test": (Thing("a1", 0, 5, "x"),
                                                                         Thing("a1", 6, 9, "y"))})
            st.write_batch([first], "v1")
            assert st.count("things_test") == 2
            again = DocAnnotation(doc=base.doc, extras={"things_test": (Thing("a1", 0, 5, "z"),)})
            st.write_batch([again], "v2")
            assert st.query("SELECT start_char, end_char, label FROM things_test") == [
                {"start_char": 0, "end_char": 5, "label": "z"}
            ]
    finally:
        PER_DOC_TABLES.remove("things_test")


def test_memory_limit_is_bounded_and_configurable(tmp_path, monkeypatch):
    from narrascope.errors import OptionInvalid
    from narrascope.store.db import MEMORY_ENV

    with Store(tmp_path / "a.duckdb") as st:
        limit = st.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.endswith("MiB") and float(limit.split()[0]) < 1024  # 1GB, not 80% of RAM
    monkeypatch.setenv(MEMORY_ENV, "2GB")
    with Store(tmp_path / "b.duckdb") as st:
        assert st.con.execute("SELECT current_setting('memory_limit')").fetchone()[0].startswith("1.8")
    monkeypatch.setenv(MEMORY_ENV, "lots")
    with pytest.raises(OptionInvalid, match=MEMORY_ENV):
        Store(tmp_path / "c.duckdb")


def test_insert_arrow_is_one_transaction_by_column_name(tmp_path):
    import pyarrow as pa

    with Store(tmp_path / "a.duckdb") as st:
        st.con.execute("CREATE TABLE t (k VARCHAR PRIMARY KEY, v INTEGER)")
        st.insert_arrow("t", pa.table({"v": [1, 2], "k": ["a", "b"]}))  # order by name
        with pytest.raises(duckdb.Error):  # "a" again: the whole batch is rolled back
            st.insert_arrow("t", pa.table({"k": ["c", "a"], "v": [3, 9]}))
        assert st.query("SELECT k, v FROM t ORDER BY k") == [{"k": "a", "v": 1}, {"k": "b", "v": 2}]
        st.insert_arrow("t", pa.table({"k": ["a", "c"], "v": [9, 3]}), on_conflict="ignore")
        st.insert_arrow("t", pa.table({"k": ["b"], "v": [7]}), on_conflict="replace")
        assert [r["v"] for r in st.query("SELECT v FROM t ORDER BY k")] == [1, 7, 3]


def test_iter_query_streams_the_rows_query_returns(tmp_path: Path) -> None:
    with Store(tmp_path) as st:
        st.con.execute("CREATE TABLE t AS SELECT range AS i, 'x' || range AS s FROM range(25)")
        sql = "SELECT i, s FROM t WHERE i >= ? ORDER BY i"
        assert list(st.iter_query(sql, [3], chunk=4)) == st.query(sql, [3])
        assert len(st.query(sql, [3])) == 22


def test_bulk_tables_lose_their_keys_and_keep_their_rows(tmp_path: Path, monkeypatch) -> None:
    """m025: a store written before it keeps every row, the bulk tables lose their primary
    keys (DuckDB rewrites a keyed table's index at each checkpoint after an append) but
    not the NOT NULL of the key columns, and a re-written document does not double."""
    import narrascope.store.db as db

    older = [(n, fn) for n, fn in all_migrations() if n < "m025"]
    monkeypatch.setattr(db, "all_migrations", lambda: older)
    anns = [_ann("a1", "Alice spoke. She said it was fine."), _ann("b2", "Bobby ran. Then he left.")]
    tables = ("documents", "sentences", "mentions", "local_entities", "quotes")
    with Store(tmp_path) as st:
        st.write_batch(anns, "v1")
        rows = {t: st.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
        keyed = _keyed_tables(st)
    assert {"mentions", "quotes"} <= keyed
    monkeypatch.undo()
    with Store(tmp_path) as st:
        assert "m025_unindexed_bulk_tables" in st.applied_migrations()
        assert {t: st.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == rows
        keyed = _keyed_tables(st)
        assert {"documents", "sentences", "claim_vectors"} <= keyed
        assert not keyed & {"mentions", "local_entities", "quotes", "claims",
                            "sentence_minhash", "tone", "roles"}
        with pytest.raises(duckdb.ConstraintException):
            st.con.execute("INSERT INTO quotes (doc_id, idx, start_char, end_char) "
                           "VALUES (NULL, 0, 0, 1)")
        st.write_batch(anns, "v1")
        assert {t: st.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables if t != "documents"
                } == {t: rows[t] for t in tables if t != "documents"}


def _keyed_tables(st: Store) -> set[str]:
    """The tables of ``st`` that have a primary key."""
    return {r[0] for r in st.con.execute(
        "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    ).fetchall()}


def test_entity_actor_loses_its_key_and_keeps_its_rows(tmp_path: Path, monkeypatch) -> None:
    """m027: the actors pass's table keeps its rows and NOT NULL columns without the key,
    and a second actors pass writes the same rows, not twice as many."""
    import narrascope.store.db as db
    from narrascope.link.passes import actors_pass

    older = [(n, fn) for n, fn in all_migrations() if n < "m027"]
    monkeypatch.setattr(db, "all_migrations", lambda: older)
    anns = [_ann("a1", "Alice spoke. She said it was fine."), _ann("b2", "Bobby ran. Then he left.")]
    with Store(tmp_path) as st:
        st.write_batch(anns, "v1")
        actors_pass(st)
        rows = st.query("SELECT * FROM entity_actor ORDER BY ALL")
    assert rows
    monkeypatch.undo()
    with Store(tmp_path) as st:
        assert "m027_entity_actor_unindexed" in st.applied_migrations()
        assert st.query("SELECT * FROM entity_actor ORDER BY ALL") == rows
        keyed = _keyed_tables(st)
        assert "entity_actor" not in keyed and "actors" in keyed
        with pytest.raises(duckdb.ConstraintException):
            st.con.execute("INSERT INTO entity_actor VALUES ('a1', NULL, 'x')")
        actors_pass(st)
        assert st.query("SELECT * FROM entity_actor ORDER BY ALL") == rows


def test_fts_sentences_loses_its_key_and_keeps_its_rows(tmp_path: Path, monkeypatch) -> None:
    """m028: the full-text index's list of sentences keeps its rows without the key, and
    the index is still brought up to date in place, one row per sentence."""
    import narrascope.store.db as db
    from narrascope.store.fts import update_fts

    older = [(n, fn) for n, fn in all_migrations() if n < "m028"]
    monkeypatch.setattr(db, "all_migrations", lambda: older)
    with Store(tmp_path) as st:
        st.write_batch([_ann(f"a{i}", f"Alice spoke {i}. She said it was fine.")
                        for i in range(8)], "v1")
        update_fts(st)
        rows = st.query("SELECT * FROM fts_sentences ORDER BY ALL")
    assert len(rows) == 16
    monkeypatch.undo()
    with Store(tmp_path) as st:
        assert "m028_fts_sentences_unindexed" in st.applied_migrations()
        assert st.query("SELECT * FROM fts_sentences ORDER BY ALL") == rows
        keyed = _keyed_tables(st)
        assert "fts_sentences" not in keyed
        st.write_batch([_ann("b2", "Bobby ran. Then he left.")], "v1")
        assert update_fts(st) == (2, 0)  # appended, not rebuilt
        assert st.count("fts_sentences") == st.count("sentences") == 18


def test_size_bytes_reads_decimal_and_binary_units() -> None:
    from narrascope.store.db import size_bytes

    assert size_bytes("256MB") == 256 * 10**6
    assert size_bytes("1GiB") == 2**30
    assert size_bytes("1.5 GB") == 1_500_000_000
    with pytest.raises(ValueError):
        size_bytes("lots")


def test_drop_cache_gives_cached_blocks_back_and_keeps_the_limit_set(tmp_path: Path) -> None:
    with Store(tmp_path) as st:
        st.con.execute("CREATE TABLE big AS SELECT range AS i, md5(range::VARCHAR) AS s "
                       "FROM range(3000000)")
    with Store(tmp_path) as st:  # blocks read from disk are what DuckDB keeps cached
        con = st.con
        st.set_memory_limit("200MB")
        con.execute("SELECT count(*), sum(length(s)), sum(i) FROM big").fetchall()

        def used() -> int:
            row = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
            return int(row[0]) if row and row[0] else 0

        before = used()
        st.drop_cache(above=before)  # holds no more than that: kept
        st.drop_cache()  # ~50 MB, under three quarters of the 200 MB limit: kept
        kept = used()
        st.drop_cache(above=16 * 2**20)
        after = used()
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert before > 40 * 2**20  # the scan left the table's blocks cached
    assert kept == before
    assert after <= 16 * 2**20 < before
    assert limit is not None and limit[0].startswith("190.7")  # 200 MB, as set


def test_drop_cache_leaves_rows_not_yet_checkpointed_in_memory(tmp_path: Path) -> None:
    """Rows written since the last checkpoint are not cache: evicting them would only write
    them to the temporary directory, to be read back at the checkpoint."""
    with Store(tmp_path) as st:
        con = st.con
        con.execute("SET checkpoint_threshold = '1GB'")  # no automatic checkpoint here
        for t in range(30):
            con.execute(f"CREATE TABLE fresh{t} AS SELECT range AS i, md5(range::VARCHAR) AS s, "
                        "range / 3 AS f FROM range(10)")
        con.execute("CHECKPOINT")
        for t in range(30):  # a re-run's few documents: DuckDB takes fresh blocks for them
            con.execute(f"INSERT INTO fresh{t} SELECT range, md5(range::VARCHAR), range / 3 "
                        "FROM range(50)")

        def usage(tag: str) -> int:
            row = con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
                              "WHERE tag = ?", [tag]).fetchone()
            return int(row[0]) if row else 0

        fresh = usage("IN_MEMORY_TABLE")
        assert fresh > 32 * 2**20  # more than the 16 MB an eviction leaves
        st.drop_cache(above=24 * 2**20)  # the blocks read hold less than that
        assert usage("IN_MEMORY_TABLE") == fresh
        assert con.execute("SELECT count(*) FROM fresh29").fetchone() == (60,)


def test_link_tables_that_grow_with_the_corpus_have_no_key(tmp_path: Path) -> None:
    """m029: their keys' indexes stayed in DuckDB's memory after the passes wrote them."""
    with Store(tmp_path) as st:
        assert "m029_link_tables_unindexed" in st.applied_migrations()
        keyed = _keyed_tables(st)
        assert not keyed & {"claim_groups", "claim_members", "coverage_gaps", "event_groups",
                            "event_evidence"}
        assert {"contradictions", "reuse_passages", "stories", "actors"} <= keyed
