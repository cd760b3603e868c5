"""Tables that make re-runs incremental: stored MinHash signatures and LSH band keys, and
the fingerprints of what each cross-document pass last read.

A document's signature depends only on its text, and ``doc_id`` is a hash of that text, so a
stored signature stays valid for as long as the document is in the store: a re-run computes
signatures (and near-duplicate candidates) for new documents only.
"""

from __future__ import annotations

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
