"""Tables of the framing stage: per-document techniques, roles and tone; outlet comparison.

``techniques``, ``roles`` and ``tone`` are filled per document by the annotate components
of the same names (rows replaced when a document is re-analysed). ``outlet_framing`` is
rebuilt by the ``framing`` link pass from them: one row per outlet and subject (an actor
or a technique), so the report's heatmaps are a plain SELECT.
"""

from __future__ import annotations

from typing import Any

from narrascope.store.schema import migration, per_doc_table

per_doc_table("techniques", "roles", "tone")


@migration
def m005_framing(con: Any) -> None:
    con.execute("""
        CREATE TABLE techniques (
            doc_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            label VARCHAR NOT NULL, confidence DOUBLE, reason VARCHAR,
            sent_start INTEGER, sent_end INTEGER, quoted BOOLEAN,
            PRIMARY KEY (doc_id, idx)
        )""")
    con.execute("""
        CREATE TABLE roles (
            doc_id VARCHAR NOT NULL, local_id INTEGER NOT NULL, entity VARCHAR,
            role VARCHAR NOT NULL, confidence DOUBLE, fine_roles VARCHAR[],
            voice VARCHAR, quoted_role VARCHAR,
            evidence_starts INTEGER[], evidence_ends INTEGER[], reason VARCHAR,
            PRIMARY KEY (doc_id, local_id)
        )""")
    con.execute("""
        CREATE TABLE tone (
            doc_id VARCHAR NOT NULL, local_id INTEGER NOT NULL, entity VARCHAR,
            voice VARCHAR NOT NULL, sentences INTEGER, mean DOUBLE,
            negative INTEGER, positive INTEGER, start_char INTEGER, end_char INTEGER,
            PRIMARY KEY (doc_id, local_id, voice)
        )""")
    # kind = 'actor' (subject = actor_id, label = its name) or 'technique' (subject = the
    # SemEval label). count: techniques in the outlet's own voice / documents giving the
    # actor a role in the reporting voice; quoted_count: techniques inside quotes.
    # examples: JSON list of [doc_id, start, end] evidence spans.
    con.execute("""
        CREATE TABLE outlet_framing (
            outlet VARCHAR NOT NULL, kind VARCHAR NOT NULL, subject VARCHAR NOT NULL,
            label VARCHAR, documents INTEGER, words INTEGER,
            count INTEGER, quoted_count INTEGER, per_1000_words DOUBLE,
            protagonist INTEGER, antagonist INTEGER, innocent INTEGER,
            tone_reporting DOUBLE, tone_quoted DOUBLE,
            top_role VARCHAR, examples VARCHAR,
            PRIMARY KEY (outlet, kind, subject)
        )""")
