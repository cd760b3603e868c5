"""Tables of the cross-outlet stage: document vectors and story clusters (claims come later).

``doc_vectors`` caches one sentence-embedding per document (title + lead), keyed by a hash
of the embedded text, so a re-run embeds only new or changed documents. It is filled by the
stories link pass, not per document, so it is not a ``per_doc_table``.

``stories`` assigns each document to one story; ``story_info`` holds what a reader needs to
recognise a story (label, top terms, time span, outlets) and the centroid new documents
are compared with when they join later runs.
"""

from __future__ import annotations

from typing import Any

from narrascope.store.schema import migration, per_doc_table


@migration
def m006_stories(con: Any) -> None:
    con.execute("""
        CREATE TABLE doc_vectors (
            doc_id VARCHAR PRIMARY KEY,
            vector FLOAT[384] NOT NULL,
            text_hash VARCHAR NOT NULL
        )""")
    con.execute("""
        CREATE TABLE stories (
            doc_id VARCHAR PRIMARY KEY,
            story_id VARCHAR NOT NULL,
            similarity DOUBLE,          -- to the rest of its story when it joined (1.0 = alone)
            run_id VARCHAR              -- the pass that assigned it (older = earlier run)
        )""")
    con.execute("""
        CREATE TABLE story_info (
            story_id VARCHAR PRIMARY KEY,
            label VARCHAR,              -- title of the document closest to the centroid
            terms VARCHAR[],            -- top TF-IDF terms of the story
            docs INTEGER,
            outlets VARCHAR[],
            first_published VARCHAR,
            last_published VARCHAR,
            centroid FLOAT[384]
        )""")


# --- claims (per document) and what the claims pass finds across documents ---------------
# ``claim_vectors`` caches one embedding per distinct claim text (keyed by its hash), so a
# re-run embeds only claims it has not seen. The other tables are rewritten by the pass.
per_doc_table("claims")


@migration
def m008_claims(con: Any) -> None:
    con.execute("""
        CREATE TABLE claims (
            doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR,
            predicate VARCHAR, kind VARCHAR, sent_idx INTEGER,
            head_start INTEGER, head_end INTEGER, polarity INTEGER, negated BOOLEAN,
            hedged BOOLEAN, asserted_by VARCHAR, quote_idx INTEGER, asserter_local_id INTEGER,
            subject_local_ids INTEGER[], object_local_ids INTEGER[], about_local_ids INTEGER[],
            event_idxs INTEGER[], quantity_idxs INTEGER[], lemmas VARCHAR[],
            checkworthy DOUBLE, subject_text VARCHAR,
            PRIMARY KEY (doc_id, idx)
        )""")
    con.execute("""
        CREATE TABLE claim_vectors (
            text_hash VARCHAR PRIMARY KEY, vector FLOAT[384] NOT NULL
        )""")
    con.execute("""
        CREATE TABLE claim_groups (
            group_id VARCHAR PRIMARY KEY, story_id VARCHAR, label VARCHAR,
            n_claims INTEGER, n_docs INTEGER, outlets VARCHAR[], cohesion DOUBLE
        )""")
    con.execute("""
        CREATE TABLE claim_members (
            group_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, claim_idx INTEGER NOT NULL,
            start_char INTEGER, end_char INTEGER, outlet VARCHAR, published VARCHAR,
            similarity DOUBLE,          -- to the group's closest other member
            PRIMARY KEY (doc_id, claim_idx)
        )""")
    con.execute("""
        CREATE TABLE reuse_passages (
            reuse_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            published VARCHAR, outlet VARCHAR,
            rank INTEGER,               -- 0 = the likely origin (earliest published)
            copied_from VARCHAR,        -- doc_id of the earlier passage it best matches
            similarity DOUBLE,          -- share of its tokens aligned with that passage
            PRIMARY KEY (reuse_id, doc_id, start_char)
        )""")
    con.execute("""
        CREATE TABLE contradictions (
            contra_id VARCHAR PRIMARY KEY, story_id VARCHAR, kind VARCHAR,
            doc_a VARCHAR, claim_a INTEGER, start_a INTEGER, end_a INTEGER,
            doc_b VARCHAR, claim_b INTEGER, start_b INTEGER, end_b INTEGER,
            score DOUBLE, reasons VARCHAR[], explained_by_time BOOLEAN,
            value_a DOUBLE, value_b DOUBLE, date_a VARCHAR, date_b VARCHAR
        )""")
    con.execute("""
        CREATE TABLE coverage_gaps (
            story_id VARCHAR, outlet VARCHAR NOT NULL, group_id VARCHAR NOT NULL,
            n_outlets INTEGER,          -- how many other outlets report the claim
            PRIMARY KEY (outlet, group_id)
        )""")


# ``sentence_minhash`` caches the MinHash signature of each sentence's word 3-shingles for
# the verbatim-reuse check (NULL for sentences too short to compare), so a re-run hashes
# only new sentences. Filled by the claims link pass, which also drops rows whose sentence
# is gone or whose hashing parameters changed; not a per-document table, since it is not
# written with its document.


@migration
def m021_sentence_minhash(con: Any) -> None:
    con.execute("""
        CREATE TABLE sentence_minhash (
            doc_id VARCHAR NOT NULL, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            params VARCHAR NOT NULL,    -- shingle size, permutations, seed of the signature
            sig BLOB,                   -- NUM_PERM uint32 little-endian, NULL when too short
            PRIMARY KEY (doc_id, start_char, end_char)
        )""")


# The verbatim-reuse index, so a re-run compares only its new sentences (link/claim_checks.py):
# ``sentence_lsh`` holds the LSH band keys of every hashed sentence (one row per band; a
# sentence with band 0 is indexed) and ``reuse_edges`` every candidate pair of sentences
# whose alignment passed, with the copied spans. A new sentence is looked up by its band
# keys and inserted; pairs of two indexed sentences never change. No primary keys: DuckDB
# rewrites the last row group of an indexed table at every checkpoint after an append.


@migration
def m024_reuse_index(con: Any) -> None:
    con.execute("""
        CREATE TABLE sentence_lsh (
            doc_id VARCHAR NOT NULL, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            band SMALLINT NOT NULL, key BLOB NOT NULL   -- the band's hash values, as bytes
        )""")
    con.execute("""
        CREATE TABLE reuse_edges (
            -- the two sentences, a before b in (doc_id, start_char) order
            doc_a VARCHAR NOT NULL, start_a INTEGER NOT NULL, end_a INTEGER NOT NULL,
            doc_b VARCHAR NOT NULL, start_b INTEGER NOT NULL, end_b INTEGER NOT NULL,
            -- the copied spans in each, and the share of the shorter one aligned
            span_a_start INTEGER NOT NULL, span_a_end INTEGER NOT NULL,
            span_b_start INTEGER NOT NULL, span_b_end INTEGER NOT NULL,
            share DOUBLE NOT NULL
        )""")
