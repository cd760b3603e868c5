"""Merging one event told by several documents, and the actor graph's edges."""

from __future__ import annotations

from narrascope.link.events import actor_edges, dates_compatible, merge_events


def row(doc, idx, typ="ACCUSE", src="fr", tgt="az", date=None, prec=None, source="text",
        negated=False):
    return {"doc_id": doc, "idx": idx, "type": typ, "src": src, "tgt": tgt, "date": date,
            "date_precision": prec, "date_source": source if date else None,
            "negated": negated, "start_char": 0, "end_char": 5, "outlet": f"outlet-{doc}"}


def test_dates_compatible_to_the_coarser_precision():
    assert dates_compatible("2024-05-16", "2024-05")
    assert dates_compatible("2024", "2024-05-16")
    assert not dates_compatible("2024-04-29", "2024-05-16")
    assert dates_compatible(None, "2024-05-16")


def test_merge_same_event_across_documents():
    groups = merge_events([
        row("a", 0, date="2024-05-16", prec="day"),
        row("b", 3, date="2024-05", prec="month"),
        row("c", 1, date="2024-04-29", prec="day"),  # an earlier accusation: its own event
    ])
    sizes = sorted((g.date, len(g.members)) for g in groups)
    assert sizes == [("2024-04-29", 1), ("2024-05-16", 2)]


def test_merge_keeps_types_polarity_and_directions_apart():
    groups = merge_events([
        row("a", 0), row("b", 0, typ="SUPPORT"), row("c", 0, negated=True),
        row("d", 0, src="az", tgt="fr"),
    ])
    assert len(groups) == 4


def test_merge_symmetric_types_ignore_direction():
    groups = merge_events([row("a", 0, typ="AGREE", src="x", tgt="y"),
                           row("b", 0, typ="AGREE", src="y", tgt="x")])
    assert len(groups) == 1 and len(groups[0].members) == 2


def test_merge_publication_dates_only_count_to_the_month():
    groups = merge_events([row("a", 0, date="2024-05-02", prec="day", source="published"),
                           row("b", 0, date="2024-05-16", prec="day", source="published")])
    assert len(groups) == 1


def test_merge_half_resolved_events_and_say_stay_apart():
    groups = merge_events([row("a", 0, tgt=None), row("b", 0, tgt=None),
                           row("c", 0, typ="SAY"), row("d", 0, typ="SAY")])
    assert len(groups) == 2 and all(len(g.members) == 1 for g in groups)


def test_actor_edges_weighted_by_evidence():
    groups = merge_events([row("a", 0, date="2024-05-16", prec="day"), row("b", 0),
                           row("c", 0, date="2024-04-29", prec="day"),
                           row("d", 0, negated=True), row("e", 0, tgt=None)])
    (edge,) = actor_edges(groups)
    assert (edge["source_actor_id"], edge["target_actor_id"], edge["type"]) == ("fr", "az", "ACCUSE")
    # the undated mention cannot choose between two dated accusations: its own group
    assert (edge["weight"], edge["n_groups"], edge["n_docs"]) == (3, 3, 3)
    assert (edge["first_date"], edge["last_date"]) == ("2024-04-29", "2024-05-16")
