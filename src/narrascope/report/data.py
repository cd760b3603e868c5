"""Plain, JSON-serialisable dicts built from a store: the data behind every report page.

Each builder is a pure function of the store's contents. The single-file report renders
them with jinja2, ``report.json`` is their ``json.dumps``, and the web UI serves the same
dicts at ``*.json`` and renders them with the same templates (STYLE.md §10).

Everything here is raw data: article text is returned as-is (never pre-escaped), and
offsets are character offsets into ``documents.text`` (``[start, end)``, 0-based).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from narrascope.errors import DocumentNotFound
from narrascope.registry import load_target
from narrascope.store import Store

ACTOR_TYPES = ("PERSON", "ORG", "GPE", "NORP", "GROUP", "OTHER")
UNATTRIBUTED = "Unattributed"



# -- helpers ---------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """Turn DuckDB values (datetimes, tuples) into JSON-safe ones."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _actor_type(value: str | None) -> str:
    """Known actor types only: the type ends up in CSS class names."""
    return value if value in ACTOR_TYPES else "OTHER"


def _slug(text: str) -> str:
    """A stable, id-safe token for an arbitrary string (used for speaker-group anchors)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)



def _body_ranges(raw: str | None, length: int) -> list[list[int]]:
    try:
        ranges = json.loads(raw) if raw else []
    except ValueError:
        ranges = []
    return [[int(s), int(e)] for s, e in ranges] or [[0, length]]


def _slice(text: str, start: int | None, end: int | None) -> str | None:
    if start is None or end is None:
        return None
    return text[max(start, 0) : max(end, 0)]


# -- overview --------------------------------------------------------------------------
def overview(store: Store) -> dict[str, Any]:
    """Corpus counts, date range, outlets and the latest run (with its skipped inputs)."""
    counts = {t: store.count(t) for t in ("documents", "sentences", "mentions", "actors")}
    q = store.query(
        "SELECT count(*) AS quotes, count(*) FILTER (WHERE direct) AS direct, "
        "count(*) FILTER (WHERE speaker_text IS NOT NULL OR speaker_local_id IS NOT NULL) "
        "AS attributed FROM quotes"
    )[0]
    d = store.query(
        "SELECT coalesce(sum(words), 0) AS words, min(published) AS first, "
        "max(published) AS last, count(DISTINCT outlet) AS outlets, "
        "count(*) FILTER (WHERE published IS NULL) AS undated FROM documents"
    )[0]
    versions = [
        r["pipeline_version"]
        for r in store.query(
            "SELECT DISTINCT pipeline_version FROM documents "
            "WHERE pipeline_version IS NOT NULL ORDER BY 1"
        )
    ]
    runs = store.query(
        "SELECT run_id, started_at, finished_at, inputs, documents, analysed, reused, "
        "skipped, status FROM runs ORDER BY started_at DESC LIMIT 1"
    )
    run: dict[str, Any] | None = None
    if runs:
        run = _plain(runs[0])
        run["skipped_inputs"] = _plain(
            store.query(
                "SELECT source, line, code, detail FROM skipped WHERE run_id = ? "
                "ORDER BY source, line",
                [runs[0]["run_id"]],
            )
        )
    return {
        "counts": {
            **counts,
            "words": int(d["words"]),
            "outlets": int(d["outlets"]),
            "undated": int(d["undated"]),
            "quotes": int(q["quotes"]),
            "direct_quotes": int(q["direct"]),
            "reported_quotes": int(q["quotes"]) - int(q["direct"]),
            "attributed_quotes": int(q["attributed"]),
        },
        "date_range": [d["first"], d["last"]] if d["first"] else None,
        "pipeline_versions": versions,
        "run": run,
    }


# -- sources ---------------------------------------------------------------------------
_DOC_COLUMNS = (
    "doc_id, source, line, title, outlet, url, published, published_precision, author, "
    "encoding, notes, words, pipeline_version, analysed_at, length(text) AS chars"
)
_DOC_ORDER = "published IS NULL, published, outlet, source, line, doc_id"


def _doc_meta(row: dict[str, Any]) -> dict[str, Any]:
    meta = _plain(row)
    meta["notes"] = list(meta.get("notes") or [])
    meta["anchor"] = f"doc-{row['doc_id']}"
    return meta


def sources(store: Store) -> list[dict[str, Any]]:
    """Every document's metadata, ordered by publication date (undated last).

    Each item also counts its mentions and quotes and lists its near-duplicates.
    """
    rows = store.query(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY {_DOC_ORDER}")
    mentions = {
        r["doc_id"]: r["n"]
        for r in store.query("SELECT doc_id, count(*) AS n FROM mentions GROUP BY doc_id")
    }
    quotes = {
        r["doc_id"]: r["n"]
        for r in store.query("SELECT doc_id, count(*) AS n FROM quotes GROUP BY doc_id")
    }
    dups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.query("SELECT doc_id, other_doc_id, jaccard FROM near_duplicates"):
        dups[r["doc_id"]].append({"doc_id": r["other_doc_id"], "jaccard": r["jaccard"]})
        dups[r["other_doc_id"]].append({"doc_id": r["doc_id"], "jaccard": r["jaccard"]})
    out = []
    for r in rows:
        meta = _doc_meta(r)
        meta["mentions"] = int(mentions.get(r["doc_id"], 0))
        meta["quotes"] = int(quotes.get(r["doc_id"], 0))
        meta["near_duplicates"] = sorted(dups.get(r["doc_id"], []), key=lambda x: x["doc_id"])
        out.append(meta)
    return out


# -- actors ----------------------------------------------------------------------------
def _aliases(canonical: str | None, aliases: Iterable[str]) -> list[str]:
    """Aliases other than the canonical name, without case-only variants (first spelling wins)."""
    seen = {(canonical or "").casefold()}
    out = []
    for a in aliases:
        if a and a.casefold() not in seen:
            seen.add(a.casefold())
            out.append(a)
    return out


def actors(store: Store) -> list[dict[str, Any]]:
    """Corpus-wide actors, most mentioned first, with per-document and per-outlet counts."""
    rows = store.query(
        "SELECT actor_id, canonical, type, key, aliases, mention_count FROM actors"
    )
    per_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.query(
        "SELECT ea.actor_id, m.doc_id, d.outlet, d.published, count(*) AS n "
        "FROM mentions m JOIN entity_actor ea ON m.doc_id = ea.doc_id AND m.local_id = ea.local_id "
        "JOIN documents d ON d.doc_id = m.doc_id "
        "GROUP BY ea.actor_id, m.doc_id, d.outlet, d.published "
        "ORDER BY ea.actor_id, d.published IS NULL, d.published, m.doc_id"
    ):
        per_doc[r["actor_id"]].append(
            {"doc_id": r["doc_id"], "outlet": r["outlet"], "mentions": int(r["n"])}
        )
    quoted = {
        r["actor_id"]: int(r["n"])
        for r in store.query(
            "SELECT ea.actor_id, count(*) AS n FROM quotes q JOIN entity_actor ea "
            "ON q.doc_id = ea.doc_id AND q.speaker_local_id = ea.local_id GROUP BY ea.actor_id"
        )
    }
    out = []
    for r in rows:
        docs = per_doc.get(r["actor_id"], [])
        outlets: dict[str, int] = defaultdict(int)
        for d in docs:
            outlets[d["outlet"] or "(unknown outlet)"] += d["mentions"]
        found = sum(d["mentions"] for d in docs)
        out.append(
            {
                "actor_id": r["actor_id"],
                "anchor": f"actor-{r['actor_id']}",
                "canonical": r["canonical"],
                "type": _actor_type(r["type"]),
                "key": r["key"],
                "aliases": _aliases(r["canonical"], r["aliases"] or []),
                "mention_count": int(r["mention_count"] if r["mention_count"] is not None else found),
                "documents": docs,
                "outlets": [
                    {"outlet": k, "mentions": v}
                    for k, v in sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                "quotes": quoted.get(r["actor_id"], 0),
            }
        )
    out.sort(key=lambda a: (-a["mention_count"], -len(a["documents"]), str(a["canonical"])))
    return out


# -- quotes ----------------------------------------------------------------------------
_QUOTE_SQL = """
    SELECT q.doc_id, q.idx, q.start_char, q.end_char, q.direct, q.cue, q.cue_start, q.cue_end,
           q.speaker_text, q.speaker_start, q.speaker_end, q.speaker_local_id,
           q.sent_start, q.sent_end, q.confidence,
           ea.actor_id, a.canonical AS actor_name, a.type AS actor_type,
           le.canonical AS local_name, le.type AS local_type
    FROM quotes q
    LEFT JOIN entity_actor ea ON ea.doc_id = q.doc_id AND ea.local_id = q.speaker_local_id
    LEFT JOIN actors a ON a.actor_id = ea.actor_id
    LEFT JOIN local_entities le ON le.doc_id = q.doc_id AND le.local_id = q.speaker_local_id
"""


def _quote_spans(r: dict[str, Any]) -> dict[str, Any]:
    """The fields of a quote row that every view shows: its anchor, spans, cue and speaker."""
    return {
        "idx": r["idx"],
        "anchor": f"doc-{r['doc_id']}-q{r['idx']}",
        "start": r["start_char"],
        "end": r["end_char"],
        "direct": bool(r["direct"]),
        "cue": r["cue"],
        "cue_start": r["cue_start"],
        "cue_end": r["cue_end"],
        "speaker_text": r["speaker_text"],
        "speaker_start": r["speaker_start"],
        "speaker_end": r["speaker_end"],
    }


def _quote_item(r: dict[str, Any], text: str, meta: dict[str, Any]) -> dict[str, Any]:
    sent_start, sent_end = r["sent_start"], r["sent_end"]
    if sent_start is None or sent_end is None or sent_end <= sent_start:
        sent_start, sent_end = r["start_char"], r["end_char"]
    return {
        "doc_id": r["doc_id"],
        **_quote_spans(r),
        "text": _slice(text, r["start_char"], r["end_char"]),
        "speaker_local_id": r["speaker_local_id"],
        "actor_id": r["actor_id"],
        "sentence": _slice(text, sent_start, sent_end),
        "sent_start": sent_start,
        "sent_end": sent_end,
        "confidence": r["confidence"],
        "source": meta["source"],
        "outlet": meta["outlet"],
        "title": meta["title"],
        "published": meta["published"],
        "published_precision": meta["published_precision"],
    }


def _speaker_key(r: dict[str, Any]) -> tuple[str, str, str | None, str, bool]:
    """(group key, display name, actor_id, type, resolved) for one quote row.

    A quote whose speaker is linked to a corpus actor groups under that actor; one with only
    a local entity (linking not run) or only speaker text groups by the name, case-folded,
    so the same unresolved speaker across documents still lands in one group.
    """
    if r["actor_id"] is not None:
        name = r["actor_name"] or r["speaker_text"] or r["actor_id"]
        return f"a:{r['actor_id']}", name, r["actor_id"], _actor_type(r["actor_type"]), True
    name = r["local_name"] or r["speaker_text"]
    if name and name.strip():
        name = " ".join(name.split())
        return f"t:{name.casefold()}", name, None, _actor_type(r["local_type"]), False
    return "none", UNATTRIBUTED, None, "OTHER", False


def quotes_by_speaker(store: Store) -> list[dict[str, Any]]:
    """Quotes grouped by speaker: linked actors first-class, unresolved speakers by name.

    Groups are ordered by number of quotes (unattributed quotes last); each quote carries
    its text, the sentence it came from, its source document and offsets.
    """
    rows = store.query(_QUOTE_SQL + " ORDER BY q.doc_id, q.start_char, q.idx")
    if not rows:
        return []
    doc_ids = sorted({r["doc_id"] for r in rows})
    texts: dict[str, str] = {}
    metas: dict[str, dict[str, Any]] = {}
    for d in store.query(
        f"SELECT {_DOC_COLUMNS}, text FROM documents WHERE doc_id IN ({_placeholders(len(doc_ids))})",
        doc_ids,
    ):
        texts[d["doc_id"]] = d.pop("text")
        metas[d["doc_id"]] = d
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        meta = metas.get(r["doc_id"])
        if meta is None:
            continue
        key, name, actor_id, typ, resolved = _speaker_key(r)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {
                "key": key,
                "anchor": f"speaker-{_slug(key)}",
                "name": name,
                "actor_id": actor_id,
                "actor_anchor": f"actor-{actor_id}" if actor_id else None,
                "type": typ,
                "resolved": resolved,
                "quotes": [],
            }
        g["quotes"].append(_quote_item(r, texts[r["doc_id"]], meta))
    out = list(groups.values())
    for g in out:
        g["quotes"].sort(
            key=lambda q: (q["published"] is None, q["published"] or "", q["doc_id"], q["start"])
        )
        g["count"] = len(g["quotes"])
        g["direct"] = sum(q["direct"] for q in g["quotes"])
        g["outlets"] = sorted({q["outlet"] or "(unknown outlet)" for q in g["quotes"]})
    out.sort(key=lambda g: (g["key"] == "none", not g["resolved"], -g["count"], g["name"].casefold()))
    return out


# -- documents -------------------------------------------------------------------------
def _load_documents(store: Store, doc_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    where, params = "", list(doc_ids or [])
    if doc_ids is not None:
        if not doc_ids:
            return []
        where = f"WHERE doc_id IN ({_placeholders(len(doc_ids))})"
    docs = store.query(
        f"SELECT {_DOC_COLUMNS}, text, body FROM documents {where} ORDER BY {_DOC_ORDER}", params
    )
    if not docs:
        return []
    sub = "" if doc_ids is None else f"WHERE {{t}}.doc_id IN ({_placeholders(len(params))})"

    def rows(sql: str, alias: str) -> Iterable[dict[str, Any]]:
        return store.query(sql.format(where=sub.format(t=alias)), params)

    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in rows(
        "SELECT m.doc_id, m.idx, m.start_char AS start, m.end_char AS \"end\", m.text, m.kind, "
        "m.type, m.local_id, m.sent_idx, ea.actor_id, a.canonical AS actor, "
        "le.canonical AS local_canonical "
        "FROM mentions m "
        "LEFT JOIN entity_actor ea ON ea.doc_id = m.doc_id AND ea.local_id = m.local_id "
        "LEFT JOIN actors a ON a.actor_id = ea.actor_id "
        "LEFT JOIN local_entities le ON le.doc_id = m.doc_id AND le.local_id = m.local_id "
        "{where} ORDER BY m.doc_id, m.start_char, m.idx",
        "m",
    ):
        doc_id = m.pop("doc_id")
        m["type"] = _actor_type(m["type"])
        local = m.pop("local_canonical")
        m["actor"] = m["actor"] or local or m["text"]
        m["anchor"] = f"doc-{doc_id}-m{m['idx']}"
        mentions[doc_id].append(m)
    quotes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows(_QUOTE_SQL + " {where} ORDER BY q.doc_id, q.start_char, q.idx", "q"):
        _, name, actor_id, typ, resolved = _speaker_key(r)
        quotes[r["doc_id"]].append(
            {
                **_quote_spans(r),
                "speaker": name,
                "speaker_type": typ,
                "actor_id": actor_id,
                "resolved": resolved,
                "sent_start": r["sent_start"],
                "sent_end": r["sent_end"],
                "confidence": r["confidence"],
            }
        )
    out = []
    for d in docs:
        text = d.pop("text")
        doc_mentions = mentions.get(d["doc_id"], [])
        body = _body_ranges(d.pop("body"), len(text))
        item = _doc_meta(d)
        item.update(
            text=text,
            body=body,
            mentions=doc_mentions,
            quotes=quotes.get(d["doc_id"], []),
            actors=_doc_actors(doc_mentions),
        )
        out.append(item)
    return out


def _doc_actors(mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who a document mentions, most mentioned first (unlinked entities by local name)."""
    found: dict[str, dict[str, Any]] = {}
    for m in mentions:
        key = m["actor_id"] or f"local:{m['local_id']}"
        a = found.setdefault(
            key,
            {"actor_id": m["actor_id"], "name": m["actor"], "type": m["type"], "mentions": 0},
        )
        a["mentions"] += 1
    return sorted(found.values(), key=lambda a: (-a["mentions"], str(a["name"]).casefold()))


def document(store: Store, doc_id: str) -> dict[str, Any]:
    """One document: metadata, its full text, and every annotation span over that text.

    ``mentions`` carry the linked actor; ``quotes`` carry cue and speaker spans; ``actors``
    counts the mentions of each actor in this document. Raises
    :class:`DocumentNotFound` for an unknown id.
    """
    docs = _load_documents(store, [doc_id])
    if not docs:
        raise DocumentNotFound(f"no document {doc_id!r} in store {store.path}; see `narrascope report`")
    return docs[0]


def documents(store: Store) -> list[dict[str, Any]]:
    """Every document as :func:`document` builds it, in source-table order (bulk queries)."""
    return _load_documents(store, None)


# -- everything ------------------------------------------------------------------------
# Sections that later pipeline stages add to the report: (key, title, "module:builder",
# partial template). A builder takes the store and returns a JSON-safe dict or list; the
# partial renders it as ``section`` (with ``section_key``/``section_title``). A stage whose
# module is not there yet, or whose tables are empty, contributes nothing.
EXTRA_SECTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("timeline", "Timeline", "narrascope.report.events:timeline", "_timeline.html"),
    ("actor_graph", "Actor graph", "narrascope.report.events:actor_graph", "_graph.html"),
    ("framing", "Framing", "narrascope.report.framing:framing", "_framing.html"),
    ("claims", "Claims across outlets", "narrascope.report.claims:claims", "_claims.html"),
    ("stories", "Stories", "narrascope.report.stories:stories", "_stories.html"),
)


def extra_sections(store: Store) -> list[dict[str, Any]]:
    """Build the registered extra sections that have something to show."""
    out: list[dict[str, Any]] = []
    for key, title, target, partial in EXTRA_SECTIONS:
        build = load_target(target)
        data = build(store) if build else None
        if data:
            out.append({"key": key, "title": title, "partial": partial, "data": data})
    return out


def report_data(store: Store) -> dict[str, Any]:
    """The whole report as one dict: what ``report.json`` holds and ``report.html`` renders."""
    return {
        "overview": overview(store),
        "sources": sources(store),
        "actors": actors(store),
        "quotes_by_speaker": quotes_by_speaker(store),
        "extra_sections": extra_sections(store),
        "documents": documents(store),
    }


__all__ = [
    "DocumentNotFound",
    "actors",
    "document",
    "documents",
    "overview",
    "quotes_by_speaker",
    "report_data",
    "sources",
]
