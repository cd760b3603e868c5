"""Data builders for the pages of the web UI (one dict per page, JSON twin included).

Like :mod:`narrascope.report.data`, every builder is a pure function of the store that
returns JSON-safe data. The web UI renders them with the report's templates and serves
them as ``*.json``.

Later pipeline stages (events, roles, techniques, claims, contradictions) add their own
tables while this module is written, so those tables are read *defensively*: a missing
table gives an empty section, and evidence is found by column names (``doc_id`` +
``start_char``/``end_char``, with a shared prefix or suffix such as ``a_doc_id``/
``a_start_char`` for pairs), because every finding in narrascope carries a document and
a character span.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

from narrascope.errors import DocumentNotFound
from narrascope.registry import load_target
from narrascope.report.data import (
    _DOC_COLUMNS,
    _QUOTE_SQL,
    EXTRA_SECTIONS,
    _actor_type,
    _aliases,
    _plain,
    _quote_item,
)
from narrascope.store import Store

# Tables the core pipeline owns; the document view draws them itself.
CORE_SPAN_TABLES = frozenset({"sentences", "mentions", "quotes"})
#: tables that may mention an actor, read when they exist (built by later stages)
ACTOR_TABLES = ("events", "event_groups", "roles", "outlet_framing", "tone", "claims",
                "techniques")
#: column names that name what a row of an optional table is (first one present wins)
LABEL_COLUMNS = ("technique", "label", "event_type", "type", "role", "main_role", "kind",
                 "name", "text")


class ActorNotFound(DocumentNotFound):
    """An actor id asked for is not in the store (a 404 in the web UI)."""


# -- generic access to optional tables ----------------------------------------------
def table_columns(store: Store, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a ``main`` table, in table order ({} when absent)."""
    rows = store.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    )
    return {r["column_name"]: r["data_type"] for r in rows}


def user_tables(store: Store) -> list[str]:
    """Every data table of the store, sorted; internal (``_*``) and FTS index tables excluded."""
    rows = store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [r["table_name"] for r in rows if not r["table_name"].startswith("_")]


def table_rows(store: Store, table: str, limit: int = 500) -> list[dict[str, Any]]:
    """Rows of an optional table in a deterministic order, with their evidence; [] if absent."""
    cols = table_columns(store, table)
    if not cols:
        return []
    order = ", ".join(f'"{c}"' for c in cols if not cols[c].endswith("[]") and "STRUCT" not in cols[c])
    sql = f'SELECT * FROM "{table}"' + (f" ORDER BY {order}" if order else "") + f" LIMIT {int(limit)}"
    out = []
    for r in store.query(sql):
        row = _plain(r)
        out.append({"row": row, "label": row_label(row), "evidence": evidence_of(row)})
    return out


def row_label(row: dict[str, Any]) -> str | None:
    for c in LABEL_COLUMNS:
        v = row.get(c)
        if isinstance(v, str) and v:
            return v
    return None


def _residual(col: str, word: str, tail: str) -> str | None:
    """``a_start_char`` -> ``a`` for word ``start``; None when ``word`` is not a token."""
    tokens = col.lower().split("_")
    if word not in tokens:
        return None
    i = tokens.index(word)
    drop = {i, i + 1} if i + 1 < len(tokens) and tokens[i + 1] == tail else {i}
    return "_".join(t for j, t in enumerate(tokens) if j not in drop)


def evidence_of(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Every (doc_id, start, end) span a row points to, found by its column names.

    Handles ``doc_id/start_char/end_char``, prefixed or suffixed pairs (``a_doc_id`` with
    ``a_start_char``, ``doc_id_b`` with ``start_b``) and list columns of span objects
    (``evidence: [{doc_id, start, end}]``).
    """
    docs: dict[str, str] = {}
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for col, val in row.items():
        if isinstance(val, list):
            for item in val:
                if isinstance(item, dict):
                    out.extend(evidence_of(item))
            continue
        if isinstance(val, str):
            key = _residual(col, "doc", "id")
            if key is not None:
                docs.setdefault(key, val)
        elif isinstance(val, int) and not isinstance(val, bool):
            for word, target in (("start", starts), ("end", ends)):
                key = _residual(col, word, "char")
                if key is not None:
                    target.setdefault(key, val)
    for key, doc_id in docs.items():
        if key in starts and key in ends and ends[key] >= starts[key]:
            out.append({"doc_id": doc_id, "start": starts[key], "end": ends[key], "role": key})
    return out


# -- sections registered by later stages ---------------------------------------------
def section(store: Store, key: str) -> dict[str, Any] | None:
    """The report section ``key`` (see ``EXTRA_SECTIONS``) if its stage exists and has data."""
    for k, title, target, partial in EXTRA_SECTIONS:
        if k != key:
            continue
        build = load_target(target)
        data = build(store) if build else None
        return {"key": k, "title": title, "partial": partial, "data": data} if data else None
    return None


def tables_page(store: Store, title: str, tables: tuple[str, ...], key: str) -> dict[str, Any]:
    """A page made of registered sections plus the raw rows of the tables behind them.

    Shown as-is while a stage has no report builder yet; each row links to its evidence.
    """
    sections = [s for k in _SECTION_KEYS.get(key, ()) if (s := section(store, k))]
    raw = {t: table_rows(store, t) for t in tables if store.has_table(t)}
    return {"key": key, "title": title, "sections": sections,
            "tables": {t: rows for t, rows in raw.items() if rows},
            "missing": [t for t in tables if t not in raw]}


_SECTION_KEYS = {"timeline": ("timeline",), "graph": ("actor_graph",),
                 "claims": ("claims", "stories"), "techniques": ("framing",)}


# -- actors ------------------------------------------------------------------------
def actor(store: Store, actor_id: str) -> dict[str, Any]:
    """One actor: names seen, mentions per outlet and document, quotes, and rows of later
    tables (events, roles, tone, claims) that refer to it. Raises ActorNotFound."""
    rows = store.query("SELECT * FROM actors WHERE actor_id = ?", [actor_id])
    if not rows:
        raise ActorNotFound(f"no actor {actor_id!r} in store {store.path}; see /actors")
    a = _plain(rows[0])
    mentions = store.query(
        "SELECT m.doc_id, m.idx, m.start_char, m.end_char, m.text, m.kind, d.outlet, d.title, "
        "d.source, d.published, d.published_precision FROM mentions m JOIN entity_actor ea "
        "ON m.doc_id = ea.doc_id AND m.local_id = ea.local_id JOIN documents d "
        "ON d.doc_id = m.doc_id WHERE ea.actor_id = ? "
        "ORDER BY d.published IS NULL, d.published, m.doc_id, m.start_char",
        [actor_id],
    )
    forms: Counter[str] = Counter(" ".join(m["text"].split()) for m in mentions if m["text"])
    kinds: Counter[str] = Counter(m["kind"] or "NAME" for m in mentions)
    docs: dict[str, dict[str, Any]] = {}
    outlets: Counter[str] = Counter()
    for m in mentions:
        d = docs.setdefault(m["doc_id"], {
            "doc_id": m["doc_id"], "outlet": m["outlet"], "title": m["title"] or m["source"],
            "published": m["published"], "published_precision": m["published_precision"],
            "mentions": 0, "first": [m["start_char"], m["end_char"]]})
        d["mentions"] += 1
        outlets[m["outlet"] or "(unknown outlet)"] += 1
    quotes = _actor_quotes(store, actor_id)
    q_outlets: Counter[str] = Counter(q["outlet"] or "(unknown outlet)" for q in quotes)
    related = {t: rs for t in ACTOR_TABLES if (rs := rows_about_actor(store, t, actor_id))}
    return {
        "actor_id": a["actor_id"],
        "canonical": a["canonical"],
        "type": _actor_type(a["type"]),
        "key": a["key"],
        "aliases": _aliases(a["canonical"], a["aliases"] or []),
        "mention_count": len(mentions),
        "surface_forms": [{"text": t, "count": n} for t, n in
                          sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))],
        "mention_kinds": dict(sorted(kinds.items())),
        "outlets": [{"outlet": o, "mentions": n, "quotes": q_outlets.get(o, 0)}
                    for o, n in sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))],
        "documents": list(docs.values()),
        "quotes": quotes,
        "related": related,
    }


def _actor_quotes(store: Store, actor_id: str) -> list[dict[str, Any]]:
    rows = store.query(_QUOTE_SQL + " WHERE ea.actor_id = ? ORDER BY q.doc_id, q.start_char",
                       [actor_id])
    ids = sorted({r["doc_id"] for r in rows})
    if not ids:
        return []
    docs = {d["doc_id"]: d for d in store.query(
        f"SELECT {_DOC_COLUMNS}, text FROM documents WHERE doc_id IN ({', '.join('?' * len(ids))})",
        ids)}
    out = []
    for r in rows:
        d = docs.get(r["doc_id"])
        if d is not None:
            out.append(_quote_item(r, d["text"], _plain({k: v for k, v in d.items() if k != "text"})))
    out.sort(key=lambda q: (q["published"] is None, q["published"] or "", q["doc_id"], q["start"]))
    return out


def rows_about_actor(store: Store, table: str, actor_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """Rows of an optional table naming the actor: an ``*actor*`` column equal to its id, or
    a ``*local_id`` column (with ``doc_id``) linked to it through ``entity_actor``."""
    cols = table_columns(store, table)
    if not cols:
        return []
    conds, params = [], []
    for c, typ in cols.items():
        if "actor" in c.lower() and typ == "VARCHAR":
            conds.append(f't."{c}" = ?')
            params.append(actor_id)
        elif "actor" in c.lower() and typ == "VARCHAR[]":
            conds.append(f'list_contains(t."{c}", ?)')
            params.append(actor_id)
        elif c.lower().endswith("local_id") and "doc_id" in cols:
            conds.append(f'EXISTS (SELECT 1 FROM entity_actor ea WHERE ea.doc_id = t.doc_id '
                         f'AND ea.local_id = t."{c}" AND ea.actor_id = ?)')
            params.append(actor_id)
    if not conds:
        return []
    rows = store.query(f'SELECT * FROM "{table}" t WHERE {" OR ".join(conds)} LIMIT {int(limit)}',
                       params)
    out = [{"row": _plain(r), "label": row_label(_plain(r)), "evidence": evidence_of(_plain(r))}
           for r in rows]
    out.sort(key=lambda x: repr(sorted(x["row"].items())))
    return out


def actor_list(store: Store) -> list[dict[str, Any]]:
    """All actors with counts, as :func:`narrascope.report.data.actors` builds them."""
    from narrascope.report.data import actors

    return actors(store)


# -- outlets side by side -------------------------------------------------------------
def outlets(store: Store) -> list[dict[str, Any]]:
    """One column per outlet: its documents, who it mentions and quotes, and its technique
    counts per 1,000 words when the techniques table exists."""
    docs = store.query(
        "SELECT doc_id, coalesce(outlet, '(unknown outlet)') AS outlet, title, source, published, "
        "published_precision, words FROM documents ORDER BY outlet, published, doc_id")
    by: dict[str, dict[str, Any]] = {}
    for d in docs:
        o = by.setdefault(d["outlet"], {"outlet": d["outlet"], "documents": [], "words": 0,
                                        "quotes": 0, "direct": 0, "actors": [], "speakers": [],
                                        "techniques": []})
        o["documents"].append(_plain(d))
        o["words"] += int(d["words"] or 0)
    for r in store.query(
        "SELECT coalesce(d.outlet, '(unknown outlet)') AS outlet, count(*) AS n, "
        "count(*) FILTER (WHERE q.direct) AS direct FROM quotes q JOIN documents d USING (doc_id) "
        "GROUP BY 1"):
        by[r["outlet"]].update(quotes=int(r["n"]), direct=int(r["direct"]))
    for r in store.query(
        "SELECT coalesce(d.outlet, '(unknown outlet)') AS outlet, a.actor_id, a.canonical, a.type, "
        "count(*) AS n FROM mentions m JOIN entity_actor ea ON m.doc_id = ea.doc_id AND "
        "m.local_id = ea.local_id JOIN actors a ON a.actor_id = ea.actor_id JOIN documents d "
        "ON d.doc_id = m.doc_id GROUP BY ALL ORDER BY outlet, n DESC, a.canonical"):
        if len(by[r["outlet"]]["actors"]) < 8:
            by[r["outlet"]]["actors"].append({"actor_id": r["actor_id"], "name": r["canonical"],
                                              "type": _actor_type(r["type"]), "mentions": int(r["n"])})
    for r in store.query(
        "SELECT coalesce(d.outlet, '(unknown outlet)') AS outlet, ea.actor_id, "
        "coalesce(a.canonical, q.speaker_text) AS name, count(*) AS n FROM quotes q "
        "JOIN documents d USING (doc_id) LEFT JOIN entity_actor ea ON ea.doc_id = q.doc_id "
        "AND ea.local_id = q.speaker_local_id LEFT JOIN actors a ON a.actor_id = ea.actor_id "
        "WHERE coalesce(a.canonical, q.speaker_text) IS NOT NULL "
        "GROUP BY ALL ORDER BY outlet, n DESC, name"):
        if len(by[r["outlet"]]["speakers"]) < 6:
            by[r["outlet"]]["speakers"].append({"actor_id": r["actor_id"], "name": r["name"],
                                                "quotes": int(r["n"])})
    for t in techniques_by_outlet(store)["outlets"]:
        if t["outlet"] in by:
            by[t["outlet"]]["techniques"] = t["techniques"]
    return sorted(by.values(), key=lambda o: (-len(o["documents"]), o["outlet"]))


def techniques_by_outlet(store: Store) -> dict[str, Any]:
    """Technique counts and rates per 1,000 words per outlet, with example spans.

    Empty (``labels == []``) until the techniques table exists.
    """
    cols = table_columns(store, "techniques")
    label = next((c for c in LABEL_COLUMNS if c in cols), None)
    if not cols or "doc_id" not in cols or label is None:
        return {"labels": [], "outlets": [], "available": bool(cols)}
    words = {r["outlet"]: int(r["w"] or 0) for r in store.query(
        "SELECT coalesce(outlet, '(unknown outlet)') AS outlet, sum(words) AS w FROM documents "
        "GROUP BY 1")}
    rows = store.query(
        f'SELECT coalesce(d.outlet, \'(unknown outlet)\') AS outlet, t."{label}" AS label, '
        "count(*) AS n FROM techniques t JOIN documents d USING (doc_id) GROUP BY ALL "
        "ORDER BY outlet, label")
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        counts[r["outlet"]][str(r["label"])] = int(r["n"])
    labels = sorted({lab for c in counts.values() for lab in c})
    out = []
    for o in sorted(words):
        w = words[o] or 1
        out.append({"outlet": o, "words": words[o], "techniques": [
            {"label": lab, "count": counts[o].get(lab, 0),
             "per_1k": round(1000 * counts[o].get(lab, 0) / w, 2)} for lab in labels]})
    top = max((t["per_1k"] for o in out for t in o["techniques"]), default=0.0)
    return {"labels": labels, "outlets": out, "max_per_1k": top, "available": True,
            "examples": table_rows(store, "techniques", limit=200)}


# -- document view -----------------------------------------------------------------
def doc_annotations(store: Store, doc_id: str) -> list[dict[str, Any]]:
    """Spans that later stages stored for one document (events, techniques, claims, ...).

    Any table with ``doc_id`` and a span is drawn, labelled by its first label-like column,
    so a new stage's findings show up in the document view without touching the web UI.
    """
    out: list[dict[str, Any]] = []
    for t in user_tables(store):
        if t in CORE_SPAN_TABLES:
            continue
        cols = table_columns(store, t)
        if "doc_id" not in cols or not {"start_char", "end_char"} <= set(cols):
            continue
        for r in store.query(f'SELECT * FROM "{t}" WHERE doc_id = ? ORDER BY start_char, end_char',
                             [doc_id]):
            row = _plain(r)
            out.append({"table": t, "label": row_label(row) or t, "start": row["start_char"],
                        "end": row["end_char"]})
    return out


# -- search ------------------------------------------------------------------------
_WORD = re.compile(r"\w{2,}", re.UNICODE)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ies", "es", "ed", "s", "ly")


def _stem(word: str) -> str:
    """A crude English stem, only to mark query words in hits ("rejects" ~ "rejected")."""
    w = word.casefold()
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[: -len(suf)]
    return w


def search(store: Store, q: str, limit: int = 30) -> dict[str, Any]:
    """BM25 search over sentences; each hit carries its document, outlet and the query
    words' offsets inside the sentence, so the page can mark them without HTML in data."""
    q = q.strip()
    if not q:
        return {"q": q, "results": []}
    hits = store.search(q, limit=limit)
    ids = sorted({h["doc_id"] for h in hits})
    meta = {d["doc_id"]: _plain(d) for d in store.query(
        f"SELECT doc_id, outlet, title, source, published, published_precision FROM documents "
        f"WHERE doc_id IN ({', '.join('?' * len(ids))})", ids)} if ids else {}
    stems = {_stem(w) for w in _WORD.findall(q)}
    out = []
    for h in hits:
        text = h["text"]
        marks = [[m.start(), m.end()] for m in _WORD.finditer(text) if _stem(m.group()) in stems]
        out.append({**_plain(h), "score": round(float(h["score"]), 4), "marks": marks,
                    **{k: v for k, v in meta.get(h["doc_id"], {}).items() if k != "doc_id"}})
    return {"q": q, "results": out}


# -- fallback plots (used until the events stage provides its own) -------------------
def cooccurrence_graph(store: Store, top: int = 14) -> dict[str, Any]:
    """Actors mentioned in the same sentence, as nodes on a circle and weighted edges.

    Not a who-does-what-to-whom graph (that needs events); it shows who appears with whom,
    each edge linking to the sentences that support it.
    """
    rows = store.query(
        "SELECT DISTINCT m.doc_id, m.sent_idx, ea.actor_id FROM mentions m JOIN entity_actor ea "
        "ON m.doc_id = ea.doc_id AND m.local_id = ea.local_id ORDER BY 1, 2, 3")
    actors = {r["actor_id"]: r for r in store.query("SELECT actor_id, canonical, type FROM actors")}
    sent: dict[tuple[str, int], list[str]] = defaultdict(list)
    for r in rows:
        sent[(r["doc_id"], r["sent_idx"])].append(r["actor_id"])
    weight: Counter[str] = Counter()
    pair: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for key, ids in sorted(sent.items()):
        weight.update(ids)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                pair[(a, b) if a < b else (b, a)].append(key)
    nodes_ids = [a for a, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    n = len(nodes_ids)
    nodes: list[dict[str, Any]] = []
    for i, a in enumerate(nodes_ids):
        ang = 2 * math.pi * i / max(n, 1) - math.pi / 2
        nodes.append({"actor_id": a, "name": actors[a]["canonical"] if a in actors else a,
                      "type": _actor_type(actors[a]["type"] if a in actors else None),
                      "sentences": weight[a], "x": round(360 + 250 * math.cos(ang), 1),
                      "y": round(290 + 230 * math.sin(ang), 1),
                      "r": round(6 + 14 * math.sqrt(weight[a] / max(weight.values())), 1)})
    pos = {nd["actor_id"]: nd for nd in nodes}
    edges: list[dict[str, Any]] = []
    for (a, b), keys in sorted(pair.items()):
        if a in pos and b in pos:
            edges.append({"a": a, "b": b, "weight": len(keys),
                          "x1": pos[a]["x"], "y1": pos[a]["y"], "x2": pos[b]["x"], "y2": pos[b]["y"],
                          "sentences": [{"doc_id": d, "sent_idx": s} for d, s in keys[:20]]})
    edges.sort(key=lambda e: (-e["weight"], e["a"], e["b"]))
    return {"nodes": nodes, "edges": edges,
            "max_weight": max((e["weight"] for e in edges), default=1)}


def document_timeline(store: Store) -> dict[str, Any]:
    """Documents placed on their publication dates (x: date, one row per outlet)."""
    docs = store.query(
        "SELECT d.doc_id, coalesce(d.outlet, '(unknown outlet)') AS outlet, d.title, d.source, "
        "d.published, d.published_precision, (SELECT count(*) FROM quotes q WHERE q.doc_id = d.doc_id)"
        " AS quotes FROM documents d ORDER BY d.published, outlet, d.doc_id")
    dated = [_plain(d) for d in docs if d["published"]]
    undated = [_plain(d) for d in docs if not d["published"]]
    if not dated:
        return {"items": [], "undated": undated, "outlets": []}
    from datetime import date

    def day(p: str) -> date:
        parts = [int(x) for x in p[:10].split("-")] + [1, 1]
        return date(parts[0], max(1, min(parts[1], 12)), max(1, min(parts[2], 28)))

    days = [day(d["published"]) for d in dated]
    lo, hi = min(days), max(days)
    span = max((hi - lo).days, 1)
    outlet_rows = sorted({d["outlet"] for d in dated})
    for d, dd in zip(dated, days, strict=True):
        d["x"] = round(180 + 640 * (dd - lo).days / span, 1)
        d["y"] = 30 + 34 * outlet_rows.index(d["outlet"])
    return {"items": dated, "undated": undated, "outlets": outlet_rows,
            "start": lo.isoformat(), "end": hi.isoformat(), "height": 60 + 34 * len(outlet_rows)}


__all__ = [
    "ActorNotFound",
    "actor",
    "actor_list",
    "cooccurrence_graph",
    "document_timeline",
    "evidence_of",
    "outlets",
    "rows_about_actor",
    "search",
    "section",
    "table_columns",
    "table_rows",
    "tables_page",
    "techniques_by_outlet",
    "user_tables",
]
