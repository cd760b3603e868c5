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

import hashlib
import json
import logging
import math
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from narrascope.store import Store
from narrascope.store.db import in_slice, slice_count

LOGGER = logging.getLogger(__name__)
UNKNOWN_OUTLET = "unknown outlet"
MAX_EXAMPLES = 5
TONE_SLICE = 1_000_000  # tone rows sorted at once (_tone)
ROLE_SLICE = 1_000_000  # role rows grouped at once (_roles)


def _outlet(v: str | None) -> str:
    return v or UNKNOWN_OUTLET


def _first_examples(span: str, order: str) -> str:
    """SQL aggregate: the first :data:`MAX_EXAMPLES` spans of a group in ``order`` (a list
    of at most that many, not of every row of the group: a popular actor's group holds
    thousands of rows, and an ordered ``list`` of them all is kept in memory, unspilled)."""
    return f"arg_min({span}, ({order}), {MAX_EXAMPLES})"


# confidence descending (unknown last), then place: the examples a reader sees first
_TECHNIQUE_EXAMPLES = _first_examples(
    "[t.doc_id, t.start_char::VARCHAR, t.end_char::VARCHAR]",
    "t.confidence IS NULL, -coalesce(t.confidence, 0), t.doc_id, t.start_char, t.end_char")
_ROLE_EXAMPLES = _first_examples(
    "[r.doc_id, r.evidence_starts[1]::VARCHAR, r.evidence_ends[1]::VARCHAR]",
    "r.doc_id, r.local_id")


def framing_rows(store: Store, outlets: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The rows of ``outlet_framing`` computed from the per-document tables, for every
    outlet or, with ``outlets`` (names as :func:`_outlet` gives them), for those only.

    DuckDB groups and counts; Python only shapes one row per (outlet, subject). Evidence
    lists are ordered in SQL (their first few only), and tone means are summed with
    :func:`math.fsum` (exactly rounded, so in whatever order the values come), so equal
    tables give equal rows, to the last digit."""
    con = store.con
    # the documents of the wanted outlets (a parameter, not a registered relation: _tone
    # reads on a cursor of its own, which does not see the connection's registrations)
    doc_rel, params = ("documents", []) if outlets is None else (
        f"(SELECT * FROM documents WHERE list_contains(?::VARCHAR[], "
        f"coalesce(outlet, '{UNKNOWN_OUTLET}')))", [list(outlets)])
    words = {_outlet(o): int(w) for o, w in con.execute(
        "SELECT outlet, sum(coalesce(words, 0)) FROM documents GROUP BY outlet").fetchall()}
    rows: list[dict[str, Any]] = []
    for o, label, count, quoted, docs, ex in con.execute(
        "SELECT d.outlet, t.label, count(*) FILTER (NOT coalesce(t.quoted, false)), "
        "count(*) FILTER (coalesce(t.quoted, false)), "
        "count(DISTINCT t.doc_id) FILTER (NOT coalesce(t.quoted, false)), "
        + _TECHNIQUE_EXAMPLES + " FILTER (NOT coalesce(t.quoted, false)) "
        f"FROM techniques t JOIN {doc_rel} d USING (doc_id) GROUP BY d.outlet, t.label",
        params).fetchall():
        w = words.get(_outlet(o), 0)
        rows.append(_row(_outlet(o), "technique", label, label, int(docs), w, int(count),
                         quoted_count=int(quoted),
                         per_1000_words=round(count * 1000 / w, 4) if w else None,
                         examples=_examples(ex)))
    tone = _tone(con, doc_rel, params)
    for o, actor_id, name, docs, roles, ex in _roles(con, doc_rel, params):
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


def _roles(con: Any, docs: str = "documents", params: Sequence[Any] = ()
           ) -> Iterator[tuple[Any, ...]]:
    """Per (outlet, actor): the actor's name, the documents and the histogram of the roles
    casting it in the reporting voice (a role only quotes give is the quoted voices', not
    the outlet's), and the first evidence spans. Grouped in slices of the actors' hash,
    each about ROLE_SLICE rows: a group is one actor's, so it lies in one slice. On
    100,000 replicated documents the whole grouping at once ran out of the link passes'
    256 MB and ran again under 512 MB."""
    slices = slice_count(con, "SELECT count(*) FROM roles", ROLE_SLICE)
    for i in range(slices):
        yield from con.execute(
            "SELECT d.outlet, ea.actor_id, any_value(a.canonical), count(DISTINCT r.doc_id), "
            "histogram(r.role), "
            + _ROLE_EXAMPLES + " FILTER (len(r.evidence_starts) > 0) "
            f"FROM roles r JOIN {docs} d USING (doc_id) "
            "JOIN entity_actor ea ON ea.doc_id = r.doc_id AND ea.local_id = r.local_id "
            "JOIN actors a ON a.actor_id = ea.actor_id WHERE r.voice = 'reporting' "
            f"AND {in_slice('ea.actor_id', i, slices)} "
            "GROUP BY d.outlet, ea.actor_id", list(params)).fetchall()


def _tone(con: Any, docs: str = "documents", params: Sequence[Any] = ()
          ) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """Per (outlet, actor): the mean tone towards the actor in the reporting voice and in
    quotes, weighted by sentences. Rows stream sorted by group (DuckDB sorts on disk when
    it must) and are summed one group at a time with :func:`math.fsum`, which is exact, so
    the result does not depend on the order of a group's rows."""
    out: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    # in slices of the actors' hash, each about TONE_SLICE rows: on 100,000 replicated
    # documents sorting all of them at once ran out of the link passes' 256 MB
    slices = slice_count(con, "SELECT count(*) FROM tone", TONE_SLICE)
    cur = con.cursor()
    try:
        for i in range(slices):
            cur.execute(
                "SELECT d.outlet, ea.actor_id, t.voice = 'reporting' AS own, t.mean, t.sentences "
                f"FROM tone t JOIN {docs} d USING (doc_id) "
                "JOIN entity_actor ea ON ea.doc_id = t.doc_id AND ea.local_id = t.local_id "
                f"WHERE {in_slice('ea.actor_id', i, slices)} "
                "ORDER BY d.outlet NULLS LAST, ea.actor_id", list(params))
            _sum_tone(cur, out)
    finally:
        cur.close()
    return out


def _sum_tone(cur: Any, out: dict[tuple[str, str], tuple[float | None, float | None]]) -> None:
    """Add to ``out`` the groups of the sorted rows ``cur`` reads (see :func:`_tone`)."""
    key: tuple[Any, str] | None = None
    vals: dict[bool, tuple[list[float], list[int]]] = {}

    def flush() -> None:
        if key is not None:
            rv, rn = vals.get(True, ([], []))
            qv, qn = vals.get(False, ([], []))
            out[(_outlet(key[0]), key[1])] = (_weighted(rv, rn), _weighted(qv, qn))

    while rows := cur.fetchmany(10_000):
        for o, actor, own, mean, sentences in rows:
            if (o, actor) != key:
                flush()
                key, vals = (o, actor), {}
            v, n = vals.setdefault(bool(own), ([], []))
            v.append(mean)
            n.append(sentences)
    flush()


def _examples(spans: list[list[str]] | None) -> str:
    """Up to :data:`MAX_EXAMPLES` ``[doc_id, start, end]`` evidence spans, as JSON."""
    return json.dumps([[d, int(s), int(e)] for d, s, e in (spans or [])[:MAX_EXAMPLES]])


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


_STATE = "framing:outlet:"


def outlet_fingerprints(store: Store) -> dict[str, str]:
    """Per outlet, a digest of everything :func:`framing_rows` reads about its documents
    (their word counts, techniques, roles and tone, the corpus actor and its name for each
    of their entities) and of the link code: equal digests give equal rows."""
    from narrascope.link.state import grouped_digests, link_code_digest

    con = store.con
    con.execute("CREATE OR REPLACE TEMP VIEW _outlet_docs AS SELECT doc_id, "
                f"coalesce(outlet, '{UNKNOWN_OUTLET}') AS grp FROM documents")
    try:
        parts = [
            grouped_digests(store, "_outlet_docs", "documents", columns="t.doc_id, t.words"),
            grouped_digests(store, "_outlet_docs", "techniques"),
            grouped_digests(store, "_outlet_docs", "roles"),
            grouped_digests(store, "_outlet_docs", "tone"),
            grouped_digests(
                store, "_outlet_docs",
                "(SELECT ea.doc_id, ea.local_id, ea.actor_id, a.canonical FROM entity_actor ea "
                "JOIN actors a USING (actor_id))",
                columns="t.doc_id, t.local_id, t.actor_id, t.canonical"),
        ]
    finally:
        con.execute("DROP VIEW IF EXISTS _outlet_docs")
    code = link_code_digest()
    return {o: hashlib.sha1("|".join([*(p.get(o, "0:0") for p in parts), code]).encode()
                            ).hexdigest() for o in parts[0]}


def framing_pass(store: Store) -> None:
    """The ``framing`` link pass: the rows of ``outlet_framing`` of every outlet whose
    inputs changed since the pass last ran (:func:`outlet_fingerprints`); the rows of the
    others are kept, and those of outlets no longer in the store dropped. A re-run that
    adds documents of a few outlets recomputes those (and the outlets naming an actor the
    actors pass renamed). Rows and fingerprints are written in one transaction."""
    from narrascope.link.state import changed_groups, forget_groups, remember_groups

    prints = outlet_fingerprints(store)
    todo, kept = changed_groups(store, _STATE, prints)
    todo.sort()
    con = store.con
    con.register("_kept_outlets", pa.table({"outlet": pa.array(kept, pa.string())}))
    try:
        rows = framing_rows(store, todo) if todo else []
        with store.transaction():
            con.execute("DELETE FROM outlet_framing WHERE outlet NOT IN "
                        "(SELECT outlet FROM _kept_outlets)")
            forget_groups(store, _STATE, kept)
            store.insert_rows("outlet_framing", rows)
            remember_groups(store, _STATE, {o: prints[o] for o in todo})
    finally:
        con.unregister("_kept_outlets")
    LOGGER.info("framing pass: %d of %d outlets recomputed (%d kept), %d rows",
                len(todo), len(prints), len(kept), len(rows))
