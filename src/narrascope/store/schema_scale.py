"""Tables that make re-runs incremental: stored MinHash signatures and LSH band keys, and
the fingerprints of what each cross-document pass last read.

A document's signature depends only on its text, and ``doc_id`` is a hash of that text, so a
stored signature stays valid for as long as the document is in the store: a re-run computes
signatures (and near-duplicate candidates) for new documents only.
"""

from __future__ import annotations

import re
from typing import Any

from narrascope.store.schema import migration


@migration
def m020_link_state(con: Any) -> None:
    con.execute("""
        CREATE TABLE doc_minhash (
            doc_id VARCHAR PRIMARY KEY,
            params VARCHAR NOT NULL,    -- shingling/MinHash/LSH settings the row was made with
            sig BLOB                    -- uint32 hash values; NULL for a text without words
        )""")
    con.execute("""
        CREATE TABLE doc_lsh_bands (
            doc_id VARCHAR NOT NULL, band SMALLINT NOT NULL, key BLOB NOT NULL
        )""")
    con.execute("""
        CREATE TABLE link_state (
            pass VARCHAR PRIMARY KEY,
            fingerprint VARCHAR NOT NULL  -- digest of the pass's input tables when it last ran
        )""")


@migration
def m022_fts_sentences(con: Any) -> None:
    # The (sid, hash(text)) pairs the full-text index holds (store/fts.py), so a re-run
    # indexes only the sentences it has not indexed yet.
    con.execute("CREATE TABLE fts_sentences (sid VARCHAR PRIMARY KEY, h UBIGINT NOT NULL)")


@migration
def m023_doc_terms(con: Any) -> None:
    # Word counts per document for the stories pass (link/story_features.py): written once
    # per document, so a re-run re-tokenises no stored text. A row with the empty term marks
    # a counted document (one without words has only that row).
    con.execute("CREATE TABLE doc_terms (doc_id VARCHAR NOT NULL, term VARCHAR NOT NULL, "
                "n INTEGER NOT NULL)")


# The bulk tables without primary keys. DuckDB keeps a primary key in an ART index that it
# writes out again at each checkpoint after the table changes, with the row groups the
# appends touched: on a 400-document AllSides store, adding 4 documents made the checkpoint
# at close rewrite 139 blocks (35 MB) of ``claim_vectors`` and ~40 of the per-document
# tables, 0.9 s of a 7 s re-run, and the file grew by 79 MB. The keys guarded nothing the
# writers do not: a document's rows are deleted before its new rows go in (Store.write_batch),
# and claim vectors and sentence signatures are inserted only for keys not yet stored. The
# key columns stay NOT NULL. ``documents``, the small link tables, ``sentences`` and
# ``claim_vectors`` keep their keys: ask looks sentences up by ``sid`` (1.5 ms with the key,
# 36 ms without, for 20 of the 943,300 sentences of 20,000 documents) and claim vectors by
# text hash (ask's p50 went 73 -> 94 ms on 400 AllSides articles without that key), so a
# re-run still rewrites the last row group of ``claim_vectors`` at its checkpoint.
_UNINDEXED = ("mentions", "local_entities", "quotes", "time_expressions",
              "quantities", "events", "techniques", "roles", "tone", "claims",
              "sentence_minhash")


@migration
def m025_unindexed_bulk_tables(con: Any) -> None:
    for table in _UNINDEXED:
        row = con.execute(
            "SELECT sql FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ?", [table]).fetchone()
        if row is None:
            continue
        keys = [c for (cols,) in con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE database_name = current_database() AND schema_name = 'main' "
            "AND table_name = ? AND constraint_type = 'PRIMARY KEY'", [table]).fetchall()
            for c in cols]
        if not keys:
            continue
        sql = re.sub(r",\s*PRIMARY KEY\s*\([^)]*\)", "", row[0])
        sql = re.sub(r"\s+PRIMARY KEY\b", "", sql)
        sql, n = re.subn(r"^CREATE TABLE\s+\S+?\s*\(", f"CREATE TABLE _m025_{table}(", sql)
        if n != 1 or "PRIMARY KEY" in sql:
            raise RuntimeError(f"m025: cannot rewrite the definition of {table}: {row[0]!r}")
        con.execute(sql)
        con.execute(f"INSERT INTO _m025_{table} SELECT * FROM {table}")
        con.execute(f"DROP TABLE {table}")
        con.execute(f"ALTER TABLE _m025_{table} RENAME TO {table}")
        for col in keys:
            con.execute(f'ALTER TABLE {table} ALTER COLUMN "{col}" SET NOT NULL')
