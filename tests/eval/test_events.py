"""score_events on hand-built gold and predictions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from narrascope.eval.core import Gold, Predictions, PredMention, Span
from narrascope.eval.events import PredEvent, date_right, score_events
from narrascope.records import Actor

DOC = "a.txt"
TEXT = ("On Monday, Minister Kowalski accused Ruritania of meddling. "
        "Ruritania and Freedonia signed a memorandum. The capital denied it.")
KOW = Actor("k", "Jan Kowalski", "PERSON")
RUR = Actor("r", "Ruritania", "GPE")
FRE = Actor("f", "Freedonia", "GPE")


def span(sub: str, after: int = 0) -> Span:
    i = TEXT.index(sub, after)
    return Span(DOC, i, i + len(sub))


def ge(typ: str, source: str, target: str, contains: str, when: str | None = None) -> dict[str, Any]:
    return {"id": f"{typ}-{source}", "type": typ, "source": source, "target": target,
            "when": when, "evidence": [{"doc": DOC, "contains": contains}]}


def gold(events: list[dict[str, Any]], actors: list[dict[str, Any]] | None = None) -> Gold:
    data: dict[str, Any] = {"documents": [{"doc": DOC}], "events": events}
    if actors:
        data["actors"] = actors
    return Gold(Path("g.json"), data)


def pred(mentions: list[PredMention] = ()) -> Predictions:  # type: ignore[assignment]
    return Predictions(texts={DOC: TEXT}, mentions={DOC: list(mentions)},
                       actors={a.actor_id: a for a in (KOW, RUR, FRE)})


def pe(typ: str, sub: str, src: str | None, tgt: str | None, date: str | None = None,
       negated: bool = False) -> PredEvent:
    return PredEvent(span(sub), typ, src, tgt, negated, date)


ACCUSE = ge("ACCUSE", "Jan Kowalski", "Ruritania", "accused Ruritania", "2024-04-29")


def test_events_match_needs_overlap_type_and_actors() -> None:
    g = gold([ACCUSE])
    assert score_events(g, pred(), {DOC: [pe("ACCUSE", "Kowalski accused", "k", "r")]})["recall"] == 1.0
    assert score_events(g, pred(), {DOC: [pe("ACCUSE", "Kowalski accused", "r", "k")]})["recall"] == 0.0
    assert score_events(g, pred(), {DOC: [pe("REJECT", "Kowalski accused", "k", "r")]})["recall"] == 0.0
    assert score_events(g, pred(), {DOC: [pe("ACCUSE", "The capital", "k", "r")]})["recall"] == 0.0
    neg = pe("ACCUSE", "Kowalski accused", "k", "r", negated=True)
    assert score_events(g, pred(), {DOC: [neg]})["recall"] == 0.0


def test_events_actor_right_through_gold_actor_evidence() -> None:
    # the predicted actor's canonical name differs, but its mention covers the gold evidence
    other = Actor("x", "the capital city", "GPE")
    g = gold([ge("REJECT", "Ruritania", "Jan Kowalski", "The capital denied")],
             actors=[{"canonical": "Ruritania", "evidence": [{"doc": DOC, "contains": "The capital"}]}])
    p = pred([PredMention(span("The capital"), "x")])
    p.actors["x"] = other
    assert score_events(g, p, {DOC: [pe("REJECT", "denied", "x", "k")]})["recall"] == 1.0


def test_events_symmetric_types_accept_either_order_and_aliases() -> None:
    g = gold([ge("SIGN", "Ruritania", "Freedonia", "signed a memorandum")])
    r = score_events(g, pred(), {DOC: [pe("AGREE", "Freedonia signed", "f", "r")]})
    assert r["recall"] == 1.0 and r["precision"] == 1.0


def test_events_date_accuracy_to_the_gold_precision() -> None:
    assert date_right("2024-05-16", "2024-05")
    assert not date_right("2024", "2024-05")
    assert not date_right(None, "2024")
    g = gold([ACCUSE, ge("AGREE", "Ruritania", "Freedonia", "signed a memorandum", "2024-04")])
    r = score_events(g, pred(), {DOC: [pe("ACCUSE", "accused", "k", "r", "2024-04-29"),
                                       pe("AGREE", "signed", "r", "f", "2024")]})
    assert r["recall"] == 1.0
    assert r["date_accuracy"] == 0.5
    assert r["wrong_date"] == ["AGREE-Ruritania"]


def test_events_precision_counts_only_gold_annotated_types() -> None:
    g = gold([ACCUSE])
    r = score_events(g, pred(), {DOC: [pe("ACCUSE", "accused", "k", "r"),
                                       pe("SAY", "The capital", "r", None),
                                       pe("SUPPORT", "The capital", "r", "f")]})
    assert (r["predicted"], r["predicted_all"], r["precision"]) == (2, 3, 0.5)
