"""The report's data builders, asserted on their plain-dict output."""

from __future__ import annotations

import pytest

from narrascope.report import data
from narrascope.store import Store


def test_overview_counts(store: Store) -> None:
    ov = data.overview(store)
    assert ov["counts"]["documents"] == 2
    assert ov["counts"]["quotes"] == 3
    assert ov["counts"]["direct_quotes"] == 2
    assert ov["counts"]["words"] == 65
    assert ov["date_range"] == ["2024-05-16", "2024-07"]
    assert ov["run"] is None


def test_sources_ordered_by_date_with_notes(store: Store) -> None:
    src = data.sources(store)
    assert [s["doc_id"] for s in src] == ["aaa111", "bbb222"]
    a = src[0]
    assert a["encoding"] == "cp1252"
    assert a["notes"] == ["mojibake repaired"]
    assert a["published_precision"] == "day"
    assert (a["mentions"], a["quotes"]) == (5, 2)


def test_actors_count_mentions_per_document_and_outlet(store: Store) -> None:
    by_id = {a["actor_id"]: a for a in data.actors(store)}
    darm = by_id["gerard-darmanin"]
    assert darm["type"] == "PERSON"
    assert darm["aliases"] == ["Darmanin", "French Interior Minister"]
    assert {d["doc_id"]: d["mentions"] for d in darm["documents"]} == {"aaa111": 2, "bbb222": 1}
    assert {o["outlet"] for o in darm["outlets"]} == {"Atlas News", "Caspian <b>News</b>"}
    assert darm["quotes"] == 1
    assert by_id["country-az"]["quotes"] == 0


def test_quotes_grouped_by_resolved_speaker(store: Store) -> None:
    groups = {g["key"]: g for g in data.quotes_by_speaker(store)}
    darm = groups["a:gerard-darmanin"]
    assert darm["resolved"] and darm["name"] == "Gérard Darmanin"
    (q,) = darm["quotes"]
    assert q["text"] == "some separatists made a deal with Azerbaijan"
    assert q["cue"] == "said" and q["direct"] is True
    assert q["sentence"].startswith("French Interior Minister Gérard Darmanin said “some")
    assert q["sentence"].endswith("on Thursday.")
    assert q["anchor"] == "doc-aaa111-q0"
    assert (q["outlet"], q["published"]) == ("Atlas News", "2024-05-16")
    unresolved = groups["t:a source close to the ministry"]
    assert not unresolved["resolved"] and unresolved["actor_id"] is None


def test_quotes_fall_back_to_local_entity_without_links(store: Store) -> None:
    store.replace_actors([], {})
    groups = {g["key"]: g for g in data.quotes_by_speaker(store)}
    assert "t:gérard darmanin" in groups


def test_document_lists_every_span(store: Store) -> None:
    doc = data.document(store, "aaa111")
    text = doc["text"]
    assert [text[m["start"]:m["end"]] for m in doc["mentions"]][:2] == [
        "French Interior Minister Gérard Darmanin", "Gérard Darmanin",
    ]
    assert doc["mentions"][0]["actor"] == "Gérard Darmanin"
    q = doc["quotes"][0]
    assert text[q["speaker_start"]:q["speaker_end"]] == "French Interior Minister Gérard Darmanin"
    assert text[q["cue_start"]:q["cue_end"]] == "said"
    assert doc["body"] == [[0, text.index("Read also")]]


def test_document_unknown_id_raises(store: Store) -> None:
    with pytest.raises(data.DocumentNotFound, match="nope"):
        data.document(store, "nope")
