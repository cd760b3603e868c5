"""Merging one event told by several documents, and the actor graph's edges."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize("event_slice", [500_000, 7, 1])
def test_pass_streams_keys_and_stores_what_merging_all_rows_gives(tmp_path, monkeypatch,
                                                                   event_slice):
    """The pass reads the events one key at a time in SQL order and writes in batches; the
    stored groups, evidence and edges (rows and their order) are those of merge_events
    over every row at once, whether the events are joined to their actors at once or in
    slices of the documents (7 events a slice: several documents' events each; 1: one
    slice per event)."""
    from narrascope.link import events
    from narrascope.records import Actor, DocAnnotation, Document, Event, LocalEntity
    from narrascope.store import Store

    names = ["Ruritania", "Freedonia", "Sylvania"]
    cases = [  # (type, source, target, negated, date)
        ("ACCUSE", 0, 1, False, "2024-05-13"), ("ACCUSE", 0, 1, False, None),
        ("MEET", 1, 0, False, "2024-05"), ("MEET", 0, 1, False, "2024-05-02"),
        ("ACCUSE", 0, 1, True, None), ("ACCUSE", 0, None, False, "2024-05-01"),
        ("SAY", 0, 1, False, None), ("MEET", 2, 1, False, None), ("ACCUSE", None, 2, False, None),
        ("ACCUSE", 0, 1, False, "2024-04-29"), ("SUPPLY", 2, 0, False, "2024"),
    ]
    anns = []
    for d in range(6):
        doc_id = f"d{d}"
        text = " ".join(names) + " met and accused."
        doc = Document(doc_id, f"{doc_id}.txt", text, outlet=f"Outlet {d % 3}",
                       published=f"2024-05-{10 + d}", published_precision="day")
        ents = tuple(LocalEntity(doc_id, i, n, "GPE") for i, n in enumerate(names))
        evs = tuple(Event(doc_id, k, 0, 5, typ, "x", 0, 1, "x", source_local_id=s,
                          target_local_id=t, negated=neg, date=date,
                          date_precision="day" if date and len(date) == 10 else None,
                          date_source="text" if date else None)
                    for k, (typ, s, t, neg, date) in enumerate(cases[d:] + cases[:d]))
        anns.append(DocAnnotation(doc, entities=ents, extras={"events": evs}))
    monkeypatch.setattr(events, "_BATCH", 3)
    monkeypatch.setattr(events, "EVENT_SLICE", event_slice)
    with Store(tmp_path / "s") as store:
        store.write_batch(anns, "test")
        store.replace_actors([Actor(f"a{i:012d}", n, "GPE") for i, n in enumerate(names)],
                             {(f"d{d}", i): f"a{i:012d}" for d in range(6) for i in range(3)})
        events.merge_events_pass(store)
        rows = store.query(
            "SELECT e.*, e.start_char, sa.actor_id AS src, ta.actor_id AS tgt, "
            "coalesce(d.outlet, d.source) AS outlet FROM events e JOIN documents d USING (doc_id) "
            "LEFT JOIN entity_actor sa ON sa.doc_id = e.doc_id AND sa.local_id = e.source_local_id "
            "LEFT JOIN entity_actor ta ON ta.doc_id = e.doc_id AND ta.local_id = e.target_local_id "
            "ORDER BY random()")
        groups = events.merge_events(rows)
        assert len(groups) > 5 and any(len(g.members) > 2 for g in groups)
        want = {
            "event_groups": [events._group_row(g) for g in groups],
            "event_evidence": [r for g in groups for r in events._evidence_rows(g)],
            "actor_edges": events.actor_edges(groups),
        }
        for table, rows_want in want.items():
            got = store.query(f"SELECT * FROM {table}")
            assert [{k: r[k] for k in w} for r, w in zip(got, rows_want, strict=True)] == rows_want
