"""Merging the same event told by several documents, and the actor graph it implies.

Two event mentions are one event when they have the same type and polarity, the same
resolved source and target actors (through ``entity_actor``; either order for symmetric
types such as AGREE), and compatible dates: equal to the precision of the less precise
one, a date inferred from publication counting only to the month, and an unknown date
compatible with any when the two actors have only one such event. Events whose source
or target did not resolve stay on their own. Each group keeps every evidence span and outlet; the actor graph's
edges count the evidence behind each (source, target, type). SAY events are reporting,
not moves, so they are neither grouped nor drawn.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from narrascope.annotate.event_lexicon import SYMMETRIC
from narrascope.store import Store
from narrascope.store.db import in_slice, slice_count

_PREC_LEN = {"day": 10, "week": 10, "month": 7, "season": 7, "year": 4, "decade": 3}
UNGROUPED = frozenset({"SAY"})


@dataclass
class Group:
    """One event, told by one or more documents."""

    type: str
    source: str | None
    target: str | None
    negated: bool
    members: list[Mapping[str, Any]] = field(default_factory=list)
    date: str | None = None
    precision: str | None = None

    @property
    def group_id(self) -> str:
        first = min((m["doc_id"], m["idx"]) for m in self.members)
        raw = f"{self.type}|{self.source}|{self.target}|{self.negated}|{first}"
        return hashlib.sha1(raw.encode()).hexdigest()[:16]


def _effective(row: Mapping[str, Any]) -> str | None:
    """The date as far as it can be trusted: inferred publication dates only to the month."""
    d, prec = row.get("date"), row.get("date_precision")
    if not d:
        return None
    n = _PREC_LEN.get(prec or "", len(d))
    if row.get("date_source") == "published":
        n = min(n, 7)
    return d[:n]


def dates_compatible(a: str | None, b: str | None) -> bool:
    """Equal to the precision of the less precise; unknown is compatible with anything."""
    if not a or not b:
        return True
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def merge_events(rows: Iterable[Mapping[str, Any]]) -> list[Group]:
    """Group event rows (with ``src``/``tgt`` actor ids) into events told across documents.

    Rows need ``doc_id``, ``idx``, ``type``, ``negated``, ``date``, ``date_precision``,
    ``date_source``, ``src`` and ``tgt``. Within a key, the most precisely dated mention
    founds a group, and each other mention joins the first group whose founder's date it
    is compatible with.
    """
    by_key: dict[tuple[Any, ...], list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["type"] in UNGROUPED:
            continue
        by_key[event_key(r)].append(r)
    groups: list[Group] = []
    for key, members in sorted(by_key.items(), key=lambda kv: str(kv[0])):
        groups.extend(merge_key(key, members))
    return groups


def event_key(r: Mapping[str, Any]) -> tuple[str, str | None, str | None, bool]:
    """(type, source, target, negated): the events that may be one; a symmetric type's
    actors in sorted order."""
    src, tgt = r.get("src"), r.get("tgt")
    if r["type"] in SYMMETRIC and src and tgt and tgt < src:
        src, tgt = tgt, src
    return r["type"], src, tgt, bool(r.get("negated"))


def merge_key(key: tuple[str, str | None, str | None, bool],
              members: Sequence[Mapping[str, Any]]) -> list[Group]:
    """The groups of the event rows of one :func:`event_key`."""
    typ, src, tgt, neg = key
    ordered = sorted(members, key=lambda r: (-len(_effective(r) or ""), r["doc_id"], r["idx"]))
    local: list[Group] = []
    for r in ordered:
        eff = _effective(r)
        home = None
        if src is not None and tgt is not None:  # half-resolved events stay apart
            fits = [g for g in local if dates_compatible(g.date, eff)]
            # An undated mention joins a group only when there is no choice to make.
            home = fits[0] if fits and (eff is not None or len(local) == 1) else None
        if home is None:
            home = Group(typ, src, tgt, neg, date=eff, precision=r.get("date_precision"))
            local.append(home)
        home.members.append(r)
    return local


def actor_edges(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """Edges (source, target, type) weighted by evidence, from non-negated groups."""
    acc: dict[tuple[str, str, str], dict[str, Any]] = {}
    for g in groups:
        if g.negated or not g.source or not g.target or g.type in UNGROUPED:
            continue
        e = acc.setdefault((g.source, g.target, g.type), {
            "source_actor_id": g.source, "target_actor_id": g.target, "type": g.type,
            "weight": 0, "n_groups": 0, "docs": set(), "dates": []})
        e["weight"] += len(g.members)
        e["n_groups"] += 1
        e["docs"].update(m["doc_id"] for m in g.members)
        e["dates"].extend(d for m in g.members if (d := _effective(m)))
    out = []
    for e in acc.values():
        dates = sorted(e.pop("dates"))
        e["n_docs"] = len(e.pop("docs"))
        e["first_date"] = dates[0] if dates else None
        e["last_date"] = dates[-1] if dates else None
        out.append(e)
    return sorted(out, key=lambda e: (-e["weight"], e["source_actor_id"], e["target_actor_id"]))


# Event rows in the order of their keys (:func:`event_key`; the same order as sorting
# the keys' ``str``: actor ids are of one length and a missing actor sorts last), so the
# pass holds one key's rows at a time, not every event of the corpus.
# The events with their resolved actors and grouping key, of the documents whose doc_id
# meets {part} (one slice of their hash, or true). entity_actor is joined as a subquery so
# that the slice's filter reaches it: its rows are the hash joins' build side.
_ROWS_SQL = """
SELECT e.doc_id, e.idx, e.type, e.start_char, e.end_char, e.negated, e.modality,
       e.asserted_by, e.date, e.date_precision, e.date_source,
       sa.actor_id AS src, ta.actor_id AS tgt, coalesce(d.outlet, d.source) AS outlet,
       CASE WHEN e.type IN ({symmetric}) AND sa.actor_id > ta.actor_id
            THEN ta.actor_id ELSE sa.actor_id END AS k_src,
       CASE WHEN e.type IN ({symmetric}) AND sa.actor_id > ta.actor_id
            THEN sa.actor_id ELSE ta.actor_id END AS k_tgt,
       coalesce(e.negated, false) AS k_neg
FROM (SELECT * FROM events WHERE {part}) e JOIN documents d USING (doc_id)
LEFT JOIN (SELECT doc_id, local_id, actor_id FROM entity_actor WHERE {part}) sa
  ON sa.doc_id = e.doc_id AND sa.local_id = e.source_local_id
LEFT JOIN (SELECT doc_id, local_id, actor_id FROM entity_actor WHERE {part}) ta
  ON ta.doc_id = e.doc_id AND ta.local_id = e.target_local_id
WHERE e.type NOT IN ({ungrouped})
"""
_ORDER = "ORDER BY type, k_src NULLS LAST, k_tgt NULLS LAST, k_neg, doc_id, idx"
_BATCH = 20_000  # evidence rows written at once
EVENT_SLICE = 500_000  # events joined to their actors at once (_keyed_groups)


def _keyed_groups(store: Store) -> Iterator[Group]:
    """Every group, one key's rows in memory at a time (same groups as :func:`merge_events`).

    The events are joined to their actors in slices of their documents' hash, about
    EVENT_SLICE events a slice, each slice joining only its documents' rows of
    entity_actor, into a temporary table that is then read in key order. On 100,000
    replicated documents (2M events, 3.1M entity rows) the one query joining every event
    to the whole of entity_actor twice ran out of the link passes' 256 MB. The rows and
    their order are the same either way."""
    def quoted(xs: Iterable[str]) -> str:
        return ", ".join("'" + x.replace("'", "''") + "'" for x in sorted(xs)) or "NULL"

    def rows_sql(part: str) -> str:
        return _ROWS_SQL.format(symmetric=quoted(SYMMETRIC), ungrouped=quoted(UNGROUPED),
                                part=part)

    slices = slice_count(store.con, "SELECT count(*) FROM events", EVENT_SLICE)
    if slices == 1:
        rows: Iterable[dict[str, Any]] = store.iter_query(
            f"SELECT * FROM ({rows_sql('true')}) {_ORDER}")
    else:
        # a temporary table of the reading cursor's own connection (the pass writes on the
        # store's as it reads); DuckDB moves it to disk when memory is short
        sqls = [rows_sql(in_slice("doc_id", i, slices)) for i in range(slices)]
        rows = store.iter_query(
            f"SELECT * FROM _event_rows {_ORDER}",
            before=[f"CREATE TEMP TABLE _event_rows AS {sqls[0]}",
                    *(f"INSERT INTO _event_rows {sql}" for sql in sqls[1:])])
    for _, members in groupby(rows, key=lambda r: (r["type"], r["k_src"], r["k_tgt"], r["k_neg"])):
        ms = list(members)
        yield from merge_key(event_key(ms[0]), ms)


def merge_events_pass(store: Store) -> None:
    """Link pass: rewrite ``event_groups``, ``event_evidence`` and ``actor_edges``, writing
    the groups in batches as they are formed (edges are per key, so they are too)."""
    g_rows: list[dict[str, Any]] = []
    ev_rows: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    key_groups: list[Group] = []

    def flush() -> None:
        edges.extend(actor_edges(key_groups))
        key_groups.clear()

    with store.transaction() as con:
        for t in ("event_groups", "event_evidence", "actor_edges"):
            con.execute(f"DELETE FROM {t}")
        last: tuple[Any, ...] | None = None
        for g in _keyed_groups(store):
            if (g.type, g.source, g.target, g.negated) != last:
                flush()
                last = (g.type, g.source, g.target, g.negated)
            key_groups.append(g)
            g_rows.append(_group_row(g))
            ev_rows.extend(_evidence_rows(g))
            if len(ev_rows) >= _BATCH:
                store.insert_rows("event_groups", g_rows)
                store.insert_rows("event_evidence", ev_rows)
                g_rows.clear()
                ev_rows.clear()
        flush()
        store.insert_rows("event_groups", g_rows)
        store.insert_rows("event_evidence", ev_rows)
        edges.sort(key=lambda e: (-e["weight"], e["source_actor_id"], e["target_actor_id"]))
        store.insert_rows("actor_edges", edges)


def _group_row(g: Group) -> dict[str, Any]:
    dates = sorted(d for m in g.members if (d := _effective(m)))
    outlets = sorted({m["outlet"] for m in g.members if m.get("outlet")})
    return {
        "group_id": g.group_id, "type": g.type, "source_actor_id": g.source,
        "target_actor_id": g.target, "negated": g.negated, "date": g.date,
        "date_precision": g.precision if g.date else None,
        "first_date": dates[0] if dates else None, "last_date": dates[-1] if dates else None,
        "n_evidence": len(g.members), "n_docs": len({m["doc_id"] for m in g.members}),
        "outlets": outlets,
    }


def _evidence_rows(g: Group) -> list[dict[str, Any]]:
    gid = g.group_id
    return [{
        "group_id": gid, "doc_id": m["doc_id"], "event_idx": m["idx"],
        "start_char": m["start_char"], "end_char": m["end_char"], "outlet": m.get("outlet"),
        "date": m.get("date"), "date_precision": m.get("date_precision"),
        "asserted_by": m.get("asserted_by"), "modality": m.get("modality"),
    } for m in g.members]
