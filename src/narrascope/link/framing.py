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
from collections import defaultdict
from typing import Any

import pyarrow as pa

from narrascope.store import Store

UNKNOWN_OUTLET = "unknown outlet"
MAX_EXAMPLES = 5


def _outlet(v: str | None) -> str:
    return v or UNKNOWN_OUTLET


def framing_rows(store: Store) -> list[dict[str, Any]]:
    """The rows of ``outlet_framing`` computed from the per-document tables."""
    words: dict[str, int] = defaultdict(int)
    docs_of: dict[str, int] = defaultdict(int)
    for r in store.iter_query("SELECT outlet, coalesce(words, 0) AS words FROM documents"):
        words[_outlet(r["outlet"])] += int(r["words"])
        docs_of[_outlet(r["outlet"])] += 1
    rows: list[dict[str, Any]] = []
    tech: dict[tuple[str, str], dict[str, Any]] = {}
    for r in store.iter_query(
        "SELECT d.outlet, t.doc_id, t.label, t.start_char, t.end_char, t.quoted, t.confidence "
        "FROM techniques t JOIN documents d USING (doc_id) "
        "ORDER BY t.confidence DESC, t.doc_id, t.start_char"
    ):
        o = _outlet(r["outlet"])
        acc = tech.setdefault((o, r["label"]), {"count": 0, "quoted": 0, "docs": set(), "ex": []})
        if r["quoted"]:
            acc["quoted"] += 1
            continue
        acc["count"] += 1
        acc["docs"].add(r["doc_id"])
        if len(acc["ex"]) < MAX_EXAMPLES:
            acc["ex"].append([r["doc_id"], r["start_char"], r["end_char"]])
    for (o, label), acc in sorted(tech.items()):
        w = words[o]
        rows.append(_row(o, "technique", label, label, len(acc["docs"]), w, acc["count"],
                         quoted_count=acc["quoted"],
                         per_1000_words=round(acc["count"] * 1000 / w, 4) if w else None,
                         examples=json.dumps(acc["ex"])))
    actors: dict[tuple[str, str], dict[str, Any]] = {}
    for r in store.iter_query(
        "SELECT d.outlet, r.doc_id, r.role, r.voice, r.evidence_starts, r.evidence_ends, "
        "ea.actor_id, a.canonical FROM roles r JOIN documents d USING (doc_id) "
        "JOIN entity_actor ea ON ea.doc_id = r.doc_id AND ea.local_id = r.local_id "
        "JOIN actors a ON a.actor_id = ea.actor_id ORDER BY r.doc_id, r.local_id"
    ):
        acc = actors.setdefault((_outlet(r["outlet"]), r["actor_id"]), {
            "name": r["canonical"], "roles": defaultdict(int), "docs": set(), "ex": [],
            "tone_r": [], "tone_q": []})
        if r["voice"] != "reporting":
            continue  # a role only quotes give is the quoted voices', not the outlet's
        acc["roles"][r["role"]] += 1
        acc["docs"].add(r["doc_id"])
        starts, ends = r["evidence_starts"] or [], r["evidence_ends"] or []
        if starts and len(acc["ex"]) < MAX_EXAMPLES:
            acc["ex"].append([r["doc_id"], int(starts[0]), int(ends[0])])
    for r in store.iter_query(
        "SELECT d.outlet, t.voice, t.mean, t.sentences, ea.actor_id FROM tone t "
        "JOIN documents d USING (doc_id) "
        "JOIN entity_actor ea ON ea.doc_id = t.doc_id AND ea.local_id = t.local_id"
    ):
        found = actors.get((_outlet(r["outlet"]), r["actor_id"]))
        if found is not None:
            found["tone_r" if r["voice"] == "reporting" else "tone_q"].append(
                (float(r["mean"]), int(r["sentences"])))
    for (o, actor_id), acc in sorted(actors.items()):
        if not acc["docs"]:
            continue
        roles = acc["roles"]
        top = max(sorted(roles), key=lambda k: roles[k])
        rows.append(_row(
            o, "actor", actor_id, acc["name"], len(acc["docs"]), words[o], len(acc["docs"]),
            protagonist=roles.get("Protagonist", 0), antagonist=roles.get("Antagonist", 0),
            innocent=roles.get("Innocent", 0), top_role=top,
            tone_reporting=_weighted(acc["tone_r"]), tone_quoted=_weighted(acc["tone_q"]),
            examples=json.dumps(acc["ex"]),
        ))
    return rows


def _weighted(vals: list[tuple[float, int]]) -> float | None:
    n = sum(k for _, k in vals)
    return round(sum(v * k for v, k in vals) / n, 4) if n else None


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
