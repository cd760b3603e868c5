"""Named schema migrations, applied in order and recorded in ``_narrascope_migrations``.

An older store file upgrades by running the migrations it has not seen; a store written
by a newer narrascope (one with migrations this code does not know) is refused.

Each pipeline feature keeps its tables in its own module (``schema_events.py``, ...),
listed in ``MIGRATION_MODULES``; migrations run in the order of their names (``m004_...``).
Tables filled per document (deleted and rewritten when a document is re-analysed) are
declared with ``per_doc_table``; their rows come from ``DocAnnotation.extras[table]``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Migration = Callable[[Any], None]
_MIGRATIONS: dict[str, Migration] = {}
# Tables keyed by doc_id that write_batch replaces per document (documents itself aside).
PER_DOC_TABLES: list[str] = ["sentences", "mentions", "local_entities", "quotes"]

MIGRATION_MODULES = (
    "narrascope.store.schema",
    "narrascope.store.schema_events",
    "narrascope.store.schema_framing",
    "narrascope.store.schema_claims",
    "narrascope.store.schema_ask",
    "narrascope.store.schema_scale",
)


def migration(fn: Migration) -> Migration:
    _MIGRATIONS[fn.__name__] = fn
    return fn


def per_doc_table(*names: str) -> None:
    """Declare tables whose rows belong to one document (they have a ``doc_id`` column)."""
    for n in names:
        if n not in PER_DOC_TABLES:
            PER_DOC_TABLES.append(n)


def all_migrations() -> list[tuple[str, Migration]]:
    """Every known migration, sorted by name, after importing the feature modules."""
    for mod in MIGRATION_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
    return sorted(_MIGRATIONS.items())


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
