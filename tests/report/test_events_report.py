"""Timeline and actor graph: built from the stored events, drawn as inline SVG whose marks
link to the evidence, with article text escaped."""

from __future__ import annotations

from pathlib import Path

from narrascope.link.events import merge_events_pass
from narrascope.records import Actor, DocAnnotation, Document, Event, LocalEntity, Mention
from narrascope.report.events import actor_graph, timeline
from narrascope.report.render import write_report
from narrascope.store import Store

EVIL = "<script>alert(1)</script>"


def _ann(doc_id: str, text: str, published: str, date: str) -> DocAnnotation:
    a, b = text.index("Ruritania"), text.index("Freedonia")
    doc = Document(doc_id, f"{doc_id}.txt", text, outlet=f"Outlet {doc_id}", published=published,
                   published_precision="day")
    mentions = (Mention(doc_id, 0, a, a + 9, "Ruritania", "NAME", "GPE", 0, 0),
                Mention(doc_id, 1, b, b + 9, "Freedonia", "NAME", "GPE", 1, 0))
    ents = (LocalEntity(doc_id, 0, "Ruritania", "GPE"), LocalEntity(doc_id, 1, "Freedonia", "GPE"))
    ev = Event(doc_id, 0, 0, len(text), "ACCUSE", "accused", a + 10, a + 17, "accuse",
               source_text="Ruritania", source_start=a, source_end=a + 9, source_local_id=0,
               target_text="Freedonia", target_start=b, target_end=b + 9, target_local_id=1,
               date=date, date_precision="day", date_source="text", sent_idx=0)
    return DocAnnotation(doc, mentions=mentions, entities=ents, extras={"events": (ev,)})


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "s")
    store.write_batch([
        _ann("d1", f"Ruritania accused Freedonia of meddling {EVIL}.", "2024-05-16", "2024-05-13"),
        _ann("d2", "Ruritania accused Freedonia on Monday.", "2024-05-14", "2024-05-13"),
    ], "test")
    store.replace_actors([Actor("R", "Ruritania", "GPE"), Actor("F", "Freedonia", "GPE")],
                         {("d1", 0): "R", ("d1", 1): "F", ("d2", 0): "R", ("d2", 1): "F"})
    merge_events_pass(store)
    return store


def test_timeline_merges_outlets_and_links_marks_to_evidence(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        t = timeline(store)
    assert t is not None
    (mark,) = t["marks"]
    assert mark["href"] in ("#doc-d1-m0", "#doc-d2-m0")
    (ev,) = t["events"]
    assert (ev["type"], ev["source"], ev["target"], ev["n_evidence"]) == ("ACCUSE", "Ruritania", "Freedonia", 2)
    assert sorted(ev["outlets"]) == ["Outlet d1", "Outlet d2"]


def test_actor_graph_edge_weight_and_links(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        g = actor_graph(store)
    assert g is not None
    (edge,) = g["edges"]
    assert (edge["source"], edge["target"], edge["weight"]) == ("Ruritania", "Freedonia", 2)
    assert edge["href"].startswith("#doc-d")
    assert {n["href"] for n in g["nodes"]} == {"#actor-R", "#actor-F"}


def test_report_draws_svg_and_escapes_article_text(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        html = write_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'aria-label="Event timeline"' in html and 'aria-label="Actor graph"' in html
    assert '<a href="#doc-d' in html
    assert EVIL not in html and "&lt;script&gt;" in html


def test_empty_store_has_no_timeline_or_graph(tmp_path: Path) -> None:
    with Store(tmp_path / "e") as store:
        assert timeline(store) is None and actor_graph(store) is None
