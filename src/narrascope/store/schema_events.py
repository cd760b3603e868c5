"""Tables of the events stage: time expressions, quantities, events (per document) and
the cross-document event groups, their evidence, and the actor graph's edges.

Per-document tables take their columns from the records' fields (``start``/``end`` stored
as ``start_char``/``end_char``); the link pass ``merge_events_pass`` rewrites the rest.
"""

from __future__ import annotations

from typing import Any

from narrascope.store.schema import migration, per_doc_table

per_doc_table("time_expressions", "quantities", "events")


@migration
def m004_events(con: Any) -> None:
    con.execute("""
        CREATE TABLE time_expressions (
            doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR,
            value VARCHAR, precision VARCHAR, approximate BOOLEAN, kind VARCHAR,
            duration VARCHAR, reason VARCHAR, sent_idx INTEGER,
            PRIMARY KEY (doc_id, idx)
        )""")
    con.execute("""
        CREATE TABLE quantities (
            doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR,
            value DOUBLE, unit VARCHAR, what VARCHAR, kind VARCHAR, qualifier VARCHAR,
            approximate BOOLEAN, date VARCHAR, date_precision VARCHAR, time_idx INTEGER,
            sent_idx INTEGER, quote_idx INTEGER,
            PRIMARY KEY (doc_id, idx)
        )""")
    con.execute("""
        CREATE TABLE events (
            doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            type VARCHAR NOT NULL, trigger VARCHAR, trigger_start INTEGER, trigger_end INTEGER,
            lemma VARCHAR,
            source_text VARCHAR, source_start INTEGER, source_end INTEGER, source_local_id INTEGER,
            target_text VARCHAR, target_start INTEGER, target_end INTEGER, target_local_id INTEGER,
            location_text VARCHAR, location_start INTEGER, location_end INTEGER,
            negated BOOLEAN, modality VARCHAR, asserted_by VARCHAR, asserter_local_id INTEGER,
            quote_idx INTEGER,
            date VARCHAR, date_precision VARCHAR, date_approximate BOOLEAN, date_source VARCHAR,
            time_idx INTEGER, sent_idx INTEGER, confidence DOUBLE,
            PRIMARY KEY (doc_id, idx)
        )""")
    con.execute("""
        CREATE TABLE event_groups (
            group_id VARCHAR PRIMARY KEY, type VARCHAR NOT NULL,
            source_actor_id VARCHAR, target_actor_id VARCHAR,
            negated BOOLEAN, date VARCHAR, date_precision VARCHAR,
            first_date VARCHAR, last_date VARCHAR,
            n_evidence INTEGER, n_docs INTEGER, outlets VARCHAR[]
        )""")
    con.execute("""
        CREATE TABLE event_evidence (
            group_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, event_idx INTEGER NOT NULL,
            start_char INTEGER, end_char INTEGER, outlet VARCHAR, date VARCHAR,
            date_precision VARCHAR, asserted_by VARCHAR, modality VARCHAR,
            PRIMARY KEY (doc_id, event_idx)
        )""")
    con.execute("""
        CREATE TABLE actor_edges (
            source_actor_id VARCHAR NOT NULL, target_actor_id VARCHAR NOT NULL,
            type VARCHAR NOT NULL, weight INTEGER, n_groups INTEGER, n_docs INTEGER,
            first_date VARCHAR, last_date VARCHAR,
            PRIMARY KEY (source_actor_id, target_actor_id, type)
        )""")
