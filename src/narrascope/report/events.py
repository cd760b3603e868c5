"""Report builders for the events stage: a plotted timeline and an actor graph.

Both return plain geometry and text (no markup): the partials draw inline SVG from it,
so article text stays autoescaped. Every mark links to its evidence: the anchor of the
source mention in the article (``doc-<doc_id>-m<idx>``), else the article
(``doc-<doc_id>``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

from narrascope.store import Store

COLORS = {
    "ACCUSE": "#c92a2a", "REJECT": "#e8590c", "DEMAND": "#f08c00", "THREATEN": "#a61e4d",
    "PROTEST": "#862e9c", "AGREE": "#2b8a3e", "SUPPORT": "#37b24d", "COOPERATE": "#0ca678",
    "ESTABLISH": "#1098ad", "EXPEL": "#d6336c", "SANCTION": "#5f3dc4", "RESTRICT": "#364fc7",
    "DEPLOY": "#495057", "ASSAULT": "#000000", "SUPPLY": "#1c7ed6", "MEET": "#74b816",
}
WIDTH, LANE, LEFT, TOP = 860, 26, 90, 24



def _as_date(value: str | None) -> date | None:
    """Midpoint-free start of an ISO prefix ("2024", "2024-05", "2024-05-16")."""
    if not value or len(value) < 4 or not value[:4].isdigit():
        return None
    y = int(value[:4])
    m = int(value[5:7]) if len(value) >= 7 else 1
    d = int(value[8:10]) if len(value) >= 10 else 1
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _evidence(store: Store) -> dict[str, list[dict[str, Any]]]:
    rows = store.query("""
        SELECT v.group_id, v.doc_id, v.event_idx, v.start_char, v.end_char, v.outlet,
               v.date, v.asserted_by, v.modality, e.date_source, e.trigger, e.source_text, e.target_text,
               substr(d.text, v.start_char + 1, v.end_char - v.start_char) AS text,
               d.source, d.published,
               (SELECT min(m.idx) FROM mentions m WHERE m.doc_id = e.doc_id
                  AND m.start_char = e.source_start) AS mention_idx
        FROM event_evidence v JOIN events e ON e.doc_id = v.doc_id AND e.idx = v.event_idx
        JOIN documents d ON d.doc_id = v.doc_id
        ORDER BY v.group_id, d.published NULLS LAST, v.doc_id, v.event_idx""")
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        anchor = (f"doc-{r['doc_id']}-m{r['mention_idx']}" if r["mention_idx"] is not None
                  else f"doc-{r['doc_id']}")
        text = r["text"] or ""
        out[r["group_id"]].append({
            "doc_id": r["doc_id"], "href": f"#{anchor}", "doc_href": f"#doc-{r['doc_id']}",
            "outlet": r["outlet"] or r["source"], "text": text[:300] + ("…" if len(text) > 300 else ""),
            "date": r["date"], "asserted_by": r["asserted_by"], "modality": r["modality"],
            "dated_by_publication": r["date_source"] == "published",
        })
    return out


def _groups(store: Store) -> list[dict[str, Any]]:
    if not store.has_table("event_groups"):
        return []
    ev = _evidence(store)
    rows = store.query("""
        SELECT g.*, a.canonical AS source_name, b.canonical AS target_name
        FROM event_groups g
        LEFT JOIN actors a ON a.actor_id = g.source_actor_id
        LEFT JOIN actors b ON b.actor_id = g.target_actor_id
        ORDER BY g.date NULLS LAST, g.type, g.group_id""")
    out = []
    for r in rows:
        items = ev.get(r["group_id"], [])
        if not items:
            continue
        out.append({
            "group_id": r["group_id"], "type": r["type"], "color": COLORS.get(r["type"], "#868e96"),
            "source": r["source_name"], "target": r["target_name"],
            "source_actor_id": r["source_actor_id"], "target_actor_id": r["target_actor_id"],
            "negated": bool(r["negated"]), "date": r["date"], "n_evidence": r["n_evidence"],
            "n_docs": r["n_docs"], "outlets": list(r["outlets"] or []), "evidence": items,
        })
    return out


def timeline(store: Store) -> dict[str, Any] | None:
    """Events told across outlets, on a time axis with one lane per event type.

    Returns ``{"width", "height", "lanes", "ticks", "marks", "events", "undated"}``;
    each mark has x/y/r, a colour, a tooltip and the href of its first evidence. None
    when no event was found.
    """
    groups = [g for g in _groups(store) if not g["negated"]]
    if not groups:
        return None
    dated = [(g, d) for g in groups if (d := _as_date(g["date"])) is not None]
    undated = [g for g in groups if _as_date(g["date"]) is None]
    types = sorted({g["type"] for g, _ in dated}, key=lambda t: list(COLORS).index(t)
                   if t in COLORS else 99)
    lanes = [{"type": t, "y": TOP + i * LANE + LANE // 2, "color": COLORS.get(t, "#868e96")}
             for i, t in enumerate(types)]
    y_of = {lane["type"]: lane["y"] for lane in lanes}
    height = TOP + len(types) * LANE + 30
    marks, ticks = [], []
    if dated:
        lo = min(d for _, d in dated).toordinal() - 15
        hi = max(d for _, d in dated).toordinal() + 15
        span = max(hi - lo, 1)

        def x(d: date) -> float:
            return round(LEFT + (d.toordinal() - lo) / span * (WIDTH - LEFT - 20), 1)

        for g, d in dated:
            who = f"{g['source'] or '?'} → {g['target'] or '?'}"
            marks.append({
                "x": x(d), "y": y_of[g["type"]], "r": round(4 + 3 * math.sqrt(g["n_evidence"] - 1), 1),
                "color": g["color"], "href": g["evidence"][0]["href"],
                "title": f"{g['date']} {g['type']}: {who} ({g['n_evidence']} evidence, "
                         f"{len(g['outlets'])} outlets)",
                "group_id": g["group_id"],
            })
        first, last = date.fromordinal(lo), date.fromordinal(hi)
        step = max(1, (last.year * 12 + last.month - first.year * 12 - first.month) // 8)
        m = first.year * 12 + first.month  # first month boundary after the start
        while m <= last.year * 12 + last.month - 1:
            d = date(m // 12, m % 12 + 1, 1)
            if d >= first:
                ticks.append({"x": x(d), "label": d.strftime("%Y-%m")})
            m += step
    return {"width": WIDTH, "height": height, "left": LEFT, "lanes": lanes, "ticks": ticks,
            "marks": marks, "events": [g for g, _ in dated], "undated": undated}


def actor_graph(store: Store) -> dict[str, Any] | None:
    """Who accuses, supports, sanctions whom: actors on a circle, one arrow per
    (source, target, type) weighted by evidence, each linking to its evidence.
    None when there are no edges."""
    if not store.has_table("actor_edges"):
        return None
    edges = store.query("""
        SELECT e.*, a.canonical AS source_name, a.type AS source_type,
               b.canonical AS target_name, b.type AS target_type
        FROM actor_edges e JOIN actors a ON a.actor_id = e.source_actor_id
        JOIN actors b ON b.actor_id = e.target_actor_id
        ORDER BY e.weight DESC, e.source_actor_id, e.target_actor_id, e.type LIMIT 80""")
    if not edges:
        return None
    groups = {g["group_id"]: g for g in _groups(store)}
    first_ev: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for g in groups.values():
        if not g["negated"]:
            first_ev[(g["source_actor_id"], g["target_actor_id"], g["type"])].extend(g["evidence"])
    degree: dict[str, int] = defaultdict(int)
    names: dict[str, tuple[str, str]] = {}
    for e in edges:
        degree[e["source_actor_id"]] += e["weight"]
        degree[e["target_actor_id"]] += e["weight"]
        names[e["source_actor_id"]] = (e["source_name"], e["source_type"])
        names[e["target_actor_id"]] = (e["target_name"], e["target_type"])
    order = sorted(degree, key=lambda a: (-degree[a], names[a][0] or ""))
    size, cx, cy = 640, 320, 300
    rad = 220 if len(order) > 2 else 120
    pos = {}
    nodes = []
    for i, a in enumerate(order):
        ang = 2 * math.pi * i / len(order) - math.pi / 2
        px, py = round(cx + rad * math.cos(ang), 1), round(cy + rad * math.sin(ang), 1)
        pos[a] = (px, py)
        nodes.append({"actor_id": a, "name": names[a][0], "type": names[a][1], "x": px, "y": py,
                      "r": round(6 + 2.5 * math.sqrt(degree[a]), 1), "href": f"#actor-{a}",
                      "anchor_x": "start" if px >= cx else "end",
                      "label_x": round(px + (12 if px >= cx else -12), 1)})
    pair_count: dict[tuple[str, str], int] = defaultdict(int)
    out_edges = []
    for e in edges:
        (x1, y1), (x2, y2) = pos[e["source_actor_id"]], pos[e["target_actor_id"]]
        k = pair_count[(e["source_actor_id"], e["target_actor_id"])]
        pair_count[(e["source_actor_id"], e["target_actor_id"])] += 1
        # Curve each parallel edge a little further so several types between two actors
        # stay separately clickable; the same bend sign keeps A->B and B->A apart.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1.0
        bend = 18 + 16 * k
        qx, qy = round(mx - dy / norm * bend, 1), round(my + dx / norm * bend, 1)
        ev = first_ev.get((e["source_actor_id"], e["target_actor_id"], e["type"]), [])
        out_edges.append({
            "path": f"M{x1},{y1} Q{qx},{qy} {x2},{y2}", "type": e["type"],
            "color": COLORS.get(e["type"], "#868e96"), "width": round(1 + 1.5 * math.log2(1 + e["weight"]), 1),
            "weight": e["weight"], "n_docs": e["n_docs"], "source": e["source_name"],
            "target": e["target_name"], "href": ev[0]["href"] if ev else f"#actor-{e['target_actor_id']}",
            "title": f"{e['source_name']} —{e['type']}→ {e['target_name']}: {e['weight']} evidence "
                     f"in {e['n_docs']} documents", "evidence": ev[:6],
        })
    legend = sorted({e["type"] for e in out_edges})
    return {"size": size, "height": 600, "nodes": nodes, "edges": out_edges,
            "legend": [{"type": t, "color": COLORS.get(t, "#868e96")} for t in legend]}
