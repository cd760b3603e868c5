"""Named schema migrations, applied in order and recorded in ``_narrascope_migrations``.

An older store file upgrades by running the migrations it has not seen; a store written
by a newer narrascope (one with migrations this code does not know) is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Migration = Callable[[Any], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_documents(con: Any) -> None:
    con.execute("""
        CREATE TABLE documents (
            doc_id VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            line INTEGER,
            title VARCHAR, outlet VARCHAR, url VARCHAR,
            published VARCHAR, published_precision VARCHAR,
            author VARCHAR, encoding VARCHAR,
            text VARCHAR NOT NULL,
            body VARCHAR,               -- JSON list of [start, end] content ranges
            notes VARCHAR[],
            words INTEGER,
            pipeline_version VARCHAR,
            analysed_at TIMESTAMP
        )""")
    con.execute("""
        CREATE TABLE doc_sources (
            source VARCHAR NOT NULL,
            line INTEGER NOT NULL,      -- 0 for a whole file, else the 1-based JSONL line
            doc_id VARCHAR NOT NULL,
            PRIMARY KEY (source, line)
        )""")
    con.execute("""
        CREATE TABLE sentences (
            sid VARCHAR PRIMARY KEY, doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR NOT NULL
        )""")
    con.execute("""
        CREATE TABLE mentions (
            doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR,
            kind VARCHAR, type VARCHAR, local_id INTEGER, sent_idx INTEGER,
            PRIMARY KEY (doc_id, idx)
        )""")
    con.execute("""
        CREATE TABLE local_entities (
            doc_id VARCHAR NOT NULL, local_id INTEGER NOT NULL,
            canonical VARCHAR, type VARCHAR, key VARCHAR,
            names VARCHAR[], titles VARCHAR[], affiliation VARCHAR,
            PRIMARY KEY (doc_id, local_id)
        )""")
    con.execute("""
        CREATE TABLE quotes (
            doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, direct BOOLEAN,
            cue VARCHAR, cue_start INTEGER, cue_end INTEGER,
            speaker_text VARCHAR, speaker_start INTEGER, speaker_end INTEGER,
            speaker_local_id INTEGER,
            sent_start INTEGER, sent_end INTEGER, confidence DOUBLE,
            PRIMARY KEY (doc_id, idx)
        )""")


@migration
def m002_links(con: Any) -> None:
    con.execute("""
        CREATE TABLE actors (
            actor_id VARCHAR PRIMARY KEY, canonical VARCHAR, type VARCHAR, key VARCHAR,
            aliases VARCHAR[], mention_count INTEGER
        )""")
    con.execute("""
        CREATE TABLE entity_actor (
            doc_id VARCHAR NOT NULL, local_id INTEGER NOT NULL, actor_id VARCHAR NOT NULL,
            PRIMARY KEY (doc_id, local_id)
        )""")
    con.execute("""
        CREATE TABLE near_duplicates (
            doc_id VARCHAR NOT NULL, other_doc_id VARCHAR NOT NULL, jaccard DOUBLE,
            PRIMARY KEY (doc_id, other_doc_id)
        )""")


@migration
def m003_runs(con: Any) -> None:
    con.execute("""
        CREATE TABLE runs (
            run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP,
            inputs VARCHAR[], documents INTEGER, analysed INTEGER, reused INTEGER,
            skipped INTEGER, status INTEGER
        )""")
    con.execute("""
        CREATE TABLE skipped (
            run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, line INTEGER,
            code VARCHAR, detail VARCHAR
        )""")
