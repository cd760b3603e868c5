"""Outlet comparison: how each outlet frames each actor, and which techniques it uses.

Reads the per-document ``roles``, ``tone`` and ``techniques`` tables and rebuilds
``outlet_framing``:

- ``kind='actor'``: per outlet and corpus actor, how many documents cast it as
  Protagonist / Antagonist / Innocent in the outlet's own (reporting) voice, and the mean
  sentence tone towards it in the reporting voice and in quotes, kept apart;
- ``kind='technique'``: per outlet and technique, the count in the outlet's own voice per
  1,000 words of that outlet (``quoted_count`` counts those inside quotes apart), so
  outlets of different sizes compare.

Every row keeps up to five evidence spans (``examples``) for click-through.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pyarrow as pa

from narrascope.store import Store

UNKNOWN_OUTLET = "unknown outlet"
MAX_EXAMPLES = 5


def _outlet(v: str | None) -> str:
    return v or UNKNOWN_OUTLET


def framing_rows(store: Store) -> list[dict[str, Any]]:
    """The rows of ``outlet_framing`` computed from the per-document tables.

    DuckDB groups and counts; Python only shapes one row per (outlet, subject). Evidence
    lists are ordered in SQL, and tone means are summed with :func:`math.fsum` (exactly
    rounded, so in whatever order the values come), so equal tables give equal rows, to
    the last digit."""
    con = store.con
    words = {_outlet(o): int(w) for o, w in con.execute(
        "SELECT outlet, sum(coalesce(words, 0)) FROM documents GROUP BY outlet").fetchall()}
    rows: list[dict[str, Any]] = []
    for o, label, count, quoted, docs, ex in con.execute(
        "SELECT d.outlet, t.label, count(*) FILTER (NOT coalesce(t.quoted, false)), "
        "count(*) FILTER (coalesce(t.quoted, false)), "
        "count(DISTINCT t.doc_id) FILTER (NOT coalesce(t.quoted, false)), "
        "list([t.doc_id, t.start_char::VARCHAR, t.end_char::VARCHAR] "
        "     ORDER BY t.confidence DESC, t.doc_id, t.start_char) "
        "     FILTER (NOT coalesce(t.quoted, false)) "
        "FROM techniques t JOIN documents d USING (doc_id) GROUP BY d.outlet, t.label"
    ).fetchall():
        w = words.get(_outlet(o), 0)
        rows.append(_row(_outlet(o), "technique", label, label, int(docs), w, int(count),
                         quoted_count=int(quoted),
                         per_1000_words=round(count * 1000 / w, 4) if w else None,
                         examples=_examples(ex)))
    # (mean, sentences) pairs, unordered: fsum rounds their weighted sum exactly, in any order
    tone: dict[tuple[str, str], tuple[float | None, float | None]] = {
        (_outlet(o), actor): (_weighted(*_unzip(rep)), _weighted(*_unzip(quoted)))
        for o, actor, rep, quoted in con.execute(
            "SELECT d.outlet, ea.actor_id, "
            "list({'m': t.mean, 'n': t.sentences}) FILTER (t.voice = 'reporting'), "
            "list({'m': t.mean, 'n': t.sentences}) FILTER (t.voice IS DISTINCT FROM 'reporting') "
            "FROM tone t JOIN documents d USING (doc_id) "
            "JOIN entity_actor ea ON ea.doc_id = t.doc_id AND ea.local_id = t.local_id "
            "GROUP BY d.outlet, ea.actor_id"
        ).fetchall()
    }
    # A role only quotes give is the quoted voices', not the outlet's: reporting voice only.
    for o, actor_id, name, docs, roles, ex in con.execute(
        "SELECT d.outlet, ea.actor_id, any_value(a.canonical), count(DISTINCT r.doc_id), "
        "histogram(r.role), "
        "list([r.doc_id, r.evidence_starts[1]::VARCHAR, r.evidence_ends[1]::VARCHAR] "
        "     ORDER BY r.doc_id, r.local_id) FILTER (len(r.evidence_starts) > 0) "
        "FROM roles r JOIN documents d USING (doc_id) "
        "JOIN entity_actor ea ON ea.doc_id = r.doc_id AND ea.local_id = r.local_id "
        "JOIN actors a ON a.actor_id = ea.actor_id WHERE r.voice = 'reporting' "
        "GROUP BY d.outlet, ea.actor_id"
    ).fetchall():
        o = _outlet(o)
        top = max(sorted(roles), key=lambda k: roles[k])
        tone_r, tone_q = tone.get((o, actor_id), (None, None))
        rows.append(_row(
            o, "actor", actor_id, name, int(docs), words.get(o, 0), int(docs),
            protagonist=roles.get("Protagonist", 0), antagonist=roles.get("Antagonist", 0),
            innocent=roles.get("Innocent", 0), top_role=top,
            tone_reporting=tone_r, tone_quoted=tone_q, examples=_examples(ex),
        ))
    rows.sort(key=lambda r: (r["kind"] != "technique", r["outlet"], r["subject"]))
    return rows


def _examples(spans: list[list[str]] | None) -> str:
    """Up to :data:`MAX_EXAMPLES` ``[doc_id, start, end]`` evidence spans, as JSON."""
    return json.dumps([[d, int(s), int(e)] for d, s, e in (spans or [])[:MAX_EXAMPLES]])


def _unzip(pairs: list[dict[str, Any]] | None) -> tuple[list[float], list[int]]:
    return [p["m"] for p in pairs or ()], [p["n"] for p in pairs or ()]


def _weighted(means: list[float] | None, counts: list[int] | None) -> float | None:
    n = sum(counts or ())
    if not n:
        return None
    return round(math.fsum(v * k for v, k in zip(means or (), counts or (), strict=True)) / n, 4)


def _row(outlet: str, kind: str, subject: str, label: str, documents: int, words: int,
         count: int, **extra: Any) -> dict[str, Any]:
    row = {"outlet": outlet, "kind": kind, "subject": subject, "label": label,
           "documents": documents, "words": words, "count": count, "quoted_count": None,
           "per_1000_words": None, "protagonist": None, "antagonist": None, "innocent": None,
           "tone_reporting": None, "tone_quoted": None, "top_role": None, "examples": "[]"}
    row.update(extra)
    return row


_SCHEMA = pa.schema([
    ("outlet", pa.string()), ("kind", pa.string()), ("subject", pa.string()),
    ("label", pa.string()), ("documents", pa.int32()), ("words", pa.int32()),
    ("count", pa.int32()), ("quoted_count", pa.int32()), ("per_1000_words", pa.float64()),
    ("protagonist", pa.int32()), ("antagonist", pa.int32()), ("innocent", pa.int32()),
    ("tone_reporting", pa.float64()), ("tone_quoted", pa.float64()),
    ("top_role", pa.string()), ("examples", pa.string()),
])


def framing_pass(store: Store) -> None:
    """Rebuild ``outlet_framing`` (the ``framing`` link pass)."""
    rows = framing_rows(store)
    store.replace_tables({"outlet_framing": pa.Table.from_pylist(rows, schema=_SCHEMA)})
