"""Tables that make re-runs incremental: stored MinHash signatures and LSH band keys, and
the fingerprints of what each cross-document pass last read.

A document's signature depends only on its text, and ``doc_id`` is a hash of that text, so a
stored signature stays valid for as long as the document is in the store: a re-run computes
signatures (and near-duplicate candidates) for new documents only.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

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


def _drop_primary_key(con: Any, table: str) -> None:
    """Rebuild ``table`` without its primary key (its key columns stay NOT NULL)."""
    row = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?", [table]).fetchone()
    if row is None:
        return
    keys = [c for (cols,) in con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name = ? AND constraint_type = 'PRIMARY KEY'", [table]).fetchall()
        for c in cols]
    if not keys:
        return
    sql = re.sub(r",\s*PRIMARY KEY\s*\([^)]*\)", "", row[0])
    sql = re.sub(r"\s+PRIMARY KEY\b", "", sql)
    sql, n = re.subn(r"^CREATE TABLE\s+\S+?\s*\(", f"CREATE TABLE _nokey_{table}(", sql)
    if n != 1 or "PRIMARY KEY" in sql:
        raise RuntimeError(f"cannot rewrite the definition of {table} without its key: "
                           f"{row[0]!r}")
    con.execute(sql)
    con.execute(f"INSERT INTO _nokey_{table} SELECT * FROM {table}")
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE _nokey_{table} RENAME TO {table}")
    for col in keys:
        con.execute(f'ALTER TABLE {table} ALTER COLUMN "{col}" SET NOT NULL')


@migration
def m025_unindexed_bulk_tables(con: Any) -> None:
    for table in _UNINDEXED:
        _drop_primary_key(con, table)


# ``entity_actor`` (document entity -> corpus actor) is rewritten whole by the actors pass,
# which runs again whenever the documents change. Its key's index lives in DuckDB's memory
# and cannot spill: on 100,000 replicated documents, replacing its 3.1M rows in one
# transaction (the old keys kept until the commit beside the new) ran the pass out of the
# link passes' 256 MB, and it ran again under the store's 1 GB. Every reader joins the whole
# table (hash joins) and the pass writes one row per entity by construction, so nothing
# needs the key.
@migration
def m027_entity_actor_unindexed(con: Any) -> None:
    _drop_primary_key(con, "entity_actor")


# ``fts_sentences`` (which sentences the full-text index holds) gets one row per sentence
# when the index is built whole. Its key's index lives in DuckDB's memory and cannot spill:
# inserting 3.5M sentence ids (about 100,000 documents) into it ran out of the link passes'
# 256 MB, as a bare insert of 3.5M synthetic ids does (without the key: 1.1 s, 166 MB RSS).
# store/fts.py reads it with hash joins only and deletes a sentence's row before it writes it
# again, so nothing needs the key.
@migration
def m028_fts_sentences_unindexed(con: Any) -> None:
    _drop_primary_key(con, "fts_sentences")


# The link tables that grow with the corpus lose their keys too. A pass writes them whole
# for the stories (events) it recomputes, after deleting those stories' rows, so nothing
# needs the key to stay unique; readers join them or filter a story's rows. Their keys'
# indexes stay in DuckDB's memory once written, and it cannot evict them: on 100,000
# replicated documents (1.9M claim members, 1.3M coverage gaps, 0.6M claim groups, event
# groups and event evidence) DuckDB held 105 MB of them after the claims pass, and the
# framing pass and the full-text index then ran out of the link passes' 256 MB.
_UNINDEXED_LINK = ("claim_groups", "claim_members", "coverage_gaps", "event_groups",
                   "event_evidence")


@migration
def m029_link_tables_unindexed(con: Any) -> None:
    for table in _UNINDEXED_LINK:
        _drop_primary_key(con, table)


# ``claim_vectors`` stores each vector as the raw bytes of 384 little-endian float32
# (``store.vectors.VECTOR_BYTES``), not as ``FLOAT[384]``. DuckDB compresses a FLOAT column
# (ALPRD for embeddings) and decompresses every row it scans, also the rows a join then drops:
# the claims pass's chunk lookup (a join of the table with a chunk's text hashes) spent 2.6 s
# on one core to fetch 15,000 of 400,000 stored vectors, 0.02 s of it finding them; as BLOB,
# which DuckDB stores uncompressed, the same lookup took 0.09 s. The lookup runs once per
# chunk of 500 documents over a table that grows with the corpus, so it was quadratic in the
# corpus. An append's checkpoint (the keyed table's last row group is rewritten) and ask's
# lookups by key got faster too (0.33-0.49 -> 0.20 s and 26 -> 9 ms at 400,000 rows). The
# values are the same float32, bit for bit.
#
# The table is rebuilt with its key: stores migrated by m025 as it briefly was (it also took
# claim_vectors' key) regain it, keeping one row per hash.
@migration
def m026_claim_vectors_as_bytes(con: Any) -> None:
    from narrascope.store.vectors import VECTOR_BYTES, blob_array, read_vectors

    con.execute("CREATE TABLE _m026_claim_vectors (text_hash VARCHAR PRIMARY KEY, "
                f"vector BLOB NOT NULL CHECK (octet_length(vector) = {VECTOR_BYTES}))")
    con.execute("CREATE TEMP TABLE _m026_keys AS SELECT text_hash, min(rowid) AS r "
                "FROM claim_vectors GROUP BY text_hash")
    (last,) = con.execute("SELECT coalesce(max(rowid), -1) FROM claim_vectors").fetchone()
    step = 100_000  # rows converted at a time: memory stays bounded on a large store
    for lo in range(0, last + 1, step):
        keys, mat = read_vectors(
            con, "SELECT c.text_hash, c.vector FROM claim_vectors c JOIN _m026_keys k "
            "ON c.rowid = k.r WHERE c.rowid BETWEEN ? AND ?", [lo, lo + step - 1],
            key="text_hash")
        if keys:
            con.register("_m026_batch", pa.table({"text_hash": pa.array(keys, pa.string()),
                                                 "vector": blob_array(mat)}))
            con.execute("INSERT INTO _m026_claim_vectors SELECT * FROM _m026_batch")
            con.unregister("_m026_batch")
    con.execute("DROP TABLE _m026_keys")
    con.execute("DROP TABLE claim_vectors")
    con.execute("ALTER TABLE _m026_claim_vectors RENAME TO claim_vectors")


# Claim vectors the last runs embedded, before they join ``claim_vectors``
# (store/vectors.py: ``add_claim_vectors``). An append to ``claim_vectors`` makes DuckDB
# write its primary key's index whole at the next checkpoint: 0.18-0.21 s of the 4.6 s
# re-run of 400 AllSides articles plus 4 (240 new vectors, 26,000 stored), and 0.3 s at
# 2M stored keys, on every re-run. An append to this unkeyed table costs its checkpoint
# 0.02 s; its rows move to the keyed table, in one transaction, once they are more than
# ``RECENT_SHARE`` of it, so a lookup's scan of it stays small.
@migration
def m030_claim_vectors_recent(con: Any) -> None:
    from narrascope.store.vectors import VECTOR_BYTES

    con.execute("CREATE TABLE claim_vectors_recent (text_hash VARCHAR NOT NULL, "
                f"vector BLOB NOT NULL CHECK (octet_length(vector) = {VECTOR_BYTES}))")
