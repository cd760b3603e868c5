"""Report data for the stories section: each story with its documents, outlets and dates.

A builder is a pure function of the store (STYLE.md §10): ``report.json`` holds the dict,
``_stories.html`` renders it. Only stories of two or more documents are listed (a corpus of
one story per document has nothing to show); article text is returned raw, never escaped.
"""

from __future__ import annotations

from typing import Any

import duckdb

from narrascope.store import Store


def stories(store: Store) -> dict[str, Any] | None:
    """Stories of 2+ documents, largest first, each with label, terms, span and documents."""
    try:
        info = store.query(
            "SELECT story_id, label, terms, docs, outlets, first_published, last_published "
            "FROM story_info WHERE docs >= 2 ORDER BY docs DESC, first_published, story_id"
        )
        docs = store.query(
            "SELECT s.story_id, s.doc_id, s.similarity, d.title, d.outlet, d.published, "
            "d.source, substr(d.text, 1, 160) AS lead FROM stories s "
            "JOIN documents d USING (doc_id) "
            "ORDER BY s.story_id, d.published NULLS LAST, d.source, s.doc_id"
        )
    except duckdb.CatalogException:  # store from before the stories pass
        return None
    if not info:
        return None
    by_story: dict[str, list[dict[str, Any]]] = {}
    for d in docs:
        by_story.setdefault(d["story_id"], []).append(
            {
                "doc_id": d["doc_id"],
                "anchor": f"doc-{d['doc_id']}",
                "title": d["title"] or " ".join((d["lead"] or "").split()),
                "outlet": d["outlet"],
                "published": d["published"],
                "source": d["source"],
                "similarity": round(float(d["similarity"]), 3)
                if d["similarity"] is not None else None,
            }
        )
    total = sum(1 for _ in docs)
    singles = total - sum(int(s["docs"]) for s in info)
    return {
        "count": len(info),
        "documents": total,
        "single_documents": singles,
        "stories": [
            {
                "story_id": s["story_id"],
                "anchor": f"story-{s['story_id']}",
                "label": s["label"],
                "terms": list(s["terms"] or []),
                "size": int(s["docs"]),
                "outlets": list(s["outlets"] or []),
                "first_published": s["first_published"],
                "last_published": s["last_published"],
                "documents": by_story.get(s["story_id"], []),
            }
            for s in info
        ],
    }
