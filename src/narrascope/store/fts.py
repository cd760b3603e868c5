"""Keep the BM25 full-text index over ``sentences`` up to date without rebuilding it.

Why: DuckDB's FTS extension has no incremental update, and ``create_fts_index`` re-tokenises
every sentence (seconds per thousand articles): on a large store that is most of a re-run
that added a handful of documents. The index is plain tables (``fts_main_sentences.docs``,
``terms``, ``dict``, ``stats``), so new sentences are tokenised with the index's own
``tokenize`` macro, stemmer and stop words and appended, sentences that left the store are
taken out, and the document frequencies and statistics are corrected.

Same index as a rebuild, up to numbering: every sentence has the same terms and length,
every term the same document frequency, the statistics are equal, so every BM25 score is
equal (``tests/store/test_fts.py`` checks it against ``create_fts_index``). Ids differ
(``docid`` and ``termid`` are appended, a rebuild numbers them afresh) and stay unique.

``fts_sentences`` (schema_scale.py) lists the ``(sid, text hash)`` pairs the index holds,
so a sentence whose text changed under the same id is replaced. A change touching more than
``REBUILD_SHARE`` of the sentences, or an index without that list, is rebuilt whole.
"""

from __future__ import annotations

import logging

import duckdb

from narrascope.store.db import Store, _load_extension

LOGGER = logging.getLogger(__name__)
REBUILD_SHARE = 0.25
_S = "fts_main_sentences"


def _has_index(store: Store) -> bool:
    row = store.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'stats'",
        [_S]).fetchone()
    return bool(row and row[0])


def rebuild_fts(store: Store) -> None:
    """Build the index from scratch and record which sentences it holds."""
    store.build_fts()
    with store.transaction() as con:
        con.execute("DELETE FROM fts_sentences")
        con.execute("INSERT INTO fts_sentences SELECT sid, hash(text) FROM sentences")


def update_fts(store: Store) -> tuple[int, int]:
    """Bring the index in line with ``sentences``; returns (sentences added, removed), or
    (-1, -1) when it was rebuilt whole."""
    con = store.con
    _load_extension(con, "fts")
    tracked = con.execute("SELECT count(*) FROM fts_sentences").fetchone()
    total = con.execute("SELECT count(*) FROM sentences").fetchone()
    n_tracked, n_total = (tracked[0] if tracked else 0), (total[0] if total else 0)
    if not _has_index(store) or (n_tracked == 0 and n_total > 0):
        rebuild_fts(store)
        return -1, -1
    con.execute("CREATE OR REPLACE TEMP TABLE _fts_add AS SELECT s.sid, hash(s.text) AS h "
                "FROM sentences s ANTI JOIN fts_sentences f ON f.sid = s.sid "
                "AND f.h = hash(s.text)")
    con.execute("CREATE OR REPLACE TEMP TABLE _fts_del AS SELECT f.sid FROM fts_sentences f "
                "ANTI JOIN sentences s ON f.sid = s.sid AND f.h = hash(s.text)")
    added = _count(store, "_fts_add")
    removed = _count(store, "_fts_del")
    if added + removed > REBUILD_SHARE * max(n_total, 1):
        rebuild_fts(store)
        return -1, -1
    if added or removed:
        with store.transaction() as tx:
            _remove(tx)
            _add(tx)
            tx.execute(f"DELETE FROM {_S}.dict WHERE df = 0")
            tx.execute(f"DELETE FROM {_S}.stats")
            # as create_fts_index computes them
            tx.execute(f"INSERT INTO {_S}.stats SELECT count(docs.docid), "
                       f"sum(docs.len) / count(docs.len) FROM {_S}.docs AS docs")
            # a sentence whose text changed is in both: its old row goes first (no key)
            tx.execute("DELETE FROM fts_sentences WHERE sid IN (SELECT sid FROM _fts_del)")
            tx.execute("INSERT INTO fts_sentences SELECT sid, h FROM _fts_add")
    con.execute("DROP TABLE IF EXISTS _fts_add")
    con.execute("DROP TABLE IF EXISTS _fts_del")
    LOGGER.info("fts: %d sentences added, %d removed (index updated in place)", added, removed)
    return added, removed


def _count(store: Store, table: str) -> int:
    row = store.con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _remove(con: duckdb.DuckDBPyConnection) -> None:
    """Take out the sentences of ``_fts_del`` and of ``_fts_add`` (replaced under their id)."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _fts_gone AS SELECT docid FROM {_S}.docs WHERE name IN "
        "(SELECT sid FROM _fts_del UNION SELECT sid FROM _fts_add)")
    con.execute(
        f"UPDATE {_S}.dict SET df = df - g.n FROM (SELECT termid, count(DISTINCT docid) AS n "
        f"FROM {_S}.terms WHERE docid IN (SELECT docid FROM _fts_gone) GROUP BY termid) g "
        f"WHERE {_S}.dict.termid = g.termid")
    con.execute(f"DELETE FROM {_S}.terms WHERE docid IN (SELECT docid FROM _fts_gone)")
    con.execute(f"DELETE FROM {_S}.docs WHERE docid IN (SELECT docid FROM _fts_gone)")
    con.execute("DROP TABLE _fts_gone")


def _add(con: duckdb.DuckDBPyConnection) -> None:
    """Tokenise the sentences of ``_fts_add`` as ``create_fts_index`` does and append them."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _fts_docs AS SELECT "
        f"(SELECT coalesce(max(docid), -1) FROM {_S}.docs) + row_number() OVER (ORDER BY a.sid) "
        "AS docid, a.sid AS name FROM _fts_add a")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _fts_words AS "
        f"SELECT d.docid, stem(w.w, 'english') AS term FROM "
        f"(SELECT sid, unnest({_S}.tokenize(text)) AS w FROM sentences "
        f" WHERE sid IN (SELECT sid FROM _fts_add)) w "
        f"JOIN _fts_docs d ON d.name = w.sid "
        f"WHERE w.w IS NOT NULL AND len(w.w) > 0 AND w.w NOT IN (SELECT sw FROM {_S}.stopwords)")
    con.execute(
        f"INSERT INTO {_S}.dict SELECT "
        f"(SELECT coalesce(max(termid), -1) FROM {_S}.dict) + row_number() OVER (ORDER BY term), "
        f"term, 0 FROM (SELECT DISTINCT term FROM _fts_words "
        f"WHERE term NOT IN (SELECT term FROM {_S}.dict))")
    con.execute(
        f"INSERT INTO {_S}.terms (docid, fieldid, termid) SELECT w.docid, 0, d.termid "
        f"FROM _fts_words w JOIN {_S}.dict d ON d.term = w.term")
    con.execute(
        f"UPDATE {_S}.dict SET df = df + g.n FROM (SELECT term, count(DISTINCT docid) AS n "
        f"FROM _fts_words GROUP BY term) g WHERE {_S}.dict.term = g.term")
    con.execute(
        f"INSERT INTO {_S}.docs (docid, name, len) SELECT d.docid, d.name, "
        f"(SELECT count(*) FROM _fts_words w WHERE w.docid = d.docid) FROM _fts_docs d")
    con.execute("DROP TABLE _fts_docs")
    con.execute("DROP TABLE _fts_words")
