"""The report's framing section: outlet x actor and outlet x technique heatmaps, with evidence.

Built from ``outlet_framing`` (the link pass) and the per-document ``techniques`` table.
Cells carry their colour (from a matplotlib colormap), the numbers, and a link to the
first evidence span's document; the heatmaps themselves are drawn as inline SVG by the
``_framing.html`` partial, so every label passes through jinja's autoescaping (actor
names come from article text and are untrusted).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from narrascope.store import Store

MAX_ACTORS = 15
MAX_EXAMPLES = 40
ROLE_LETTER = {"Protagonist": "P", "Antagonist": "A", "Innocent": "I"}


def _hex(rgba: tuple[float, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(255 * c) for c in rgba[:3]))


def _color(cmap: str, x: float) -> str:
    from matplotlib import colormaps

    return _hex(colormaps[cmap](max(0.0, min(1.0, x))))



def framing(store: Store) -> dict[str, Any]:
    """Heatmap cells and example spans; empty dict when nothing was found (section hidden)."""
    if not store.has_table("outlet_framing"):
        return {}
    rows = store.query("SELECT * FROM outlet_framing ORDER BY outlet, kind, subject")
    if not rows:
        return {}
    outlets = sorted({r["outlet"] for r in rows})
    words = {r["outlet"]: r["words"] for r in rows}
    tech = [r for r in rows if r["kind"] == "technique"]
    labels = sorted({r["subject"] for r in tech},
                    key=lambda s: -sum(r["count"] for r in tech if r["subject"] == s))
    vmax = max((r["per_1000_words"] or 0.0 for r in tech), default=0.0) or 1.0
    tcells = []
    for r in tech:
        ex = json.loads(r["examples"] or "[]")
        tcells.append({
            "row": outlets.index(r["outlet"]), "col": labels.index(r["subject"]),
            "value": r["per_1000_words"] or 0.0, "count": r["count"],
            "quoted": r["quoted_count"] or 0,
            "color": _color("Oranges", 0.1 + 0.9 * (r["per_1000_words"] or 0.0) / vmax),
            "doc_id": ex[0][0] if ex else None,
            "title": f"{r['outlet']} · {r['subject']}: {r['count']} in own voice "
                     f"({(r['per_1000_words'] or 0):.2f} per 1,000 words), "
                     f"{r['quoted_count'] or 0} in quotes",
        })
    actor_rows = [r for r in rows if r["kind"] == "actor"]
    weight: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for r in actor_rows:
        weight[r["subject"]] += r["documents"]
        names[r["subject"]] = r["label"]
    actors = sorted(weight, key=lambda a: (-weight[a], names[a]))[:MAX_ACTORS]
    acells = []
    for r in actor_rows:
        if r["subject"] not in actors:
            continue
        ex = json.loads(r["examples"] or "[]")
        tone = r["tone_reporting"]
        acells.append({
            "row": outlets.index(r["outlet"]), "col": actors.index(r["subject"]),
            "role": r["top_role"], "letter": ROLE_LETTER.get(r["top_role"], "?"),
            "protagonist": r["protagonist"], "antagonist": r["antagonist"],
            "innocent": r["innocent"], "tone": tone, "tone_quoted": r["tone_quoted"],
            "color": _color("RdBu", 0.5 + 0.5 * tone) if tone is not None else "#eeeeee",
            "doc_id": ex[0][0] if ex else None,
            "title": f"{r['outlet']} · {r['label']}: Protagonist {r['protagonist']}, "
                     f"Antagonist {r['antagonist']}, Innocent {r['innocent']} "
                     f"(reporting voice); tone {_fmt(tone)} reporting, "
                     f"{_fmt(r['tone_quoted'])} in quotes",
        })
    return {
        "outlets": [{"name": o, "words": words[o]} for o in outlets],
        "techniques": {"labels": labels, "cells": tcells, "max": round(vmax, 3)},
        "actors": {"names": [names[a] for a in actors], "ids": actors, "cells": acells},
        "examples": _examples(store),
    }


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.2f}"


def _examples(store: Store) -> list[dict[str, Any]]:
    """The most confident techniques with their text, for reading next to the heatmap."""
    out = []
    for r in store.query(
        "SELECT t.doc_id, t.label, t.start_char, t.end_char, t.confidence, t.reason, t.quoted, "
        "d.outlet, substr(d.text, t.start_char + 1, t.end_char - t.start_char) AS text "
        "FROM techniques t JOIN documents d USING (doc_id) "
        "ORDER BY t.quoted, t.confidence DESC, t.doc_id, t.start_char LIMIT ?", [MAX_EXAMPLES]
    ):
        text = r["text"] or ""
        out.append({**r, "text": text if len(text) <= 300 else text[:297] + "…"})
    return out
