"""The actors scorer on hand-built predictions."""

from __future__ import annotations

from pathlib import Path

from narrascope.eval.actors import score_actors
from narrascope.eval.core import Gold, Predictions, PredMention, Span

TEXT = "Ann Lee spoke. Lee left. Bob Ray came. Ray stayed."


def _gold():
    ev = lambda s: {"doc": "a.txt", "contains": s}  # noqa: E731
    return Gold(Path("g.json"), {"actors": [
        {"canonical": "Ann Lee", "evidence": [ev("Ann Lee"), ev("Lee left")]},
        {"canonical": "Bob Ray", "evidence": [ev("Bob Ray"), ev("Ray stayed")]},
    ]})


def _pred(ids):
    spans = [(0, 7), (15, 18), (25, 32), (39, 42)]
    return Predictions(texts={"a.txt": TEXT}, mentions={"a.txt": [
        PredMention(Span("a.txt", s, e), i) for (s, e), i in zip(spans, ids, strict=True)]})


def test_actors_perfect_linking():
    r = score_actors(_gold(), _pred(["A", "A", "B", "B"]))
    assert r == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "gold": 2, "predicted": 2}


def test_actors_merged_actors_lose_precision():
    r = score_actors(_gold(), _pred(["A", "A", "A", "A"]))
    assert r["predicted"] == 6 and r["precision"] == round(2 / 6, 4) and r["recall"] == 1.0


def test_actors_unlinked_and_none_ids():
    r = score_actors(_gold(), _pred(["A", None, "B", "C"]))
    assert r["predicted"] == 0 and r["recall"] == 0.0 and r["gold"] == 2


def test_actors_identical_spans_are_skipped():
    gold = Gold(Path("g.json"), {"actors": [{"canonical": "X", "evidence": [
        {"doc": "a.txt", "contains": "Ann Lee"}, {"doc": "a.txt", "contains": "Ann Lee"}]}]})
    r = score_actors(gold, _pred(["A", "A", "B", "B"]))
    assert r["gold"] == 0 and r["predicted"] == 0


def test_actors_phrase_with_two_names_takes_the_supported_actor():
    text = "Rome said no. Rome and Oslo met. Oslo agreed."
    ev = lambda s: {"doc": "a.txt", "contains": s}  # noqa: E731
    gold = Gold(Path("g.json"), {"actors": [
        {"canonical": "Italy", "evidence": [ev("Rome said no"), ev("Rome and Oslo met")]},
        {"canonical": "Norway", "evidence": [ev("and Oslo met"), ev("Oslo agreed")]},
    ]})
    spans = [(0, 4, "IT"), (14, 18, "IT"), (23, 27, "NO"), (33, 37, "NO")]
    pred = Predictions(texts={"a.txt": text}, mentions={"a.txt": [
        PredMention(Span("a.txt", s, e), a) for s, e, a in spans]})
    r = score_actors(gold, pred)
    assert r["recall"] == 1.0 and r["precision"] == 1.0
    # A system that links neither name of the phrase to Italy gets no credit for it.
    wrong = Predictions(texts={"a.txt": text}, mentions={"a.txt": [
        PredMention(Span("a.txt", s, e), "X" if i == 1 else a)
        for i, (s, e, a) in enumerate(spans)]})
    assert score_actors(gold, wrong)["recall"] < 1.0


def test_actors_lone_phrase_takes_the_name_other_actors_do_not_claim():
    # "Oslo" has a single evidence phrase that also names Romeville: with no support from
    # its own group, it takes the candidate the other gold actor does not already claim,
    # even though the other name overlaps the phrase more.
    text = "Romeville said no. Romeville agreed. Talks from Oslo and Romeville."
    ev = lambda s: {"doc": "a.txt", "contains": s}  # noqa: E731
    gold = Gold(Path("g.json"), {"actors": [
        {"canonical": "Italy", "evidence": [ev("Romeville said no"), ev("Romeville agreed")]},
        {"canonical": "Norway", "evidence": [ev("Talks from Oslo and Romeville")]},
    ]})
    starts = [0, 19, text.index("Romeville.")]
    spans = [(s, s + 9, "IT") for s in starts] + [(text.index("Oslo"), text.index("Oslo") + 4, "NO")]
    pred = Predictions(texts={"a.txt": text}, mentions={"a.txt": [
        PredMention(Span("a.txt", s, e), a) for s, e, a in spans]})
    r = score_actors(gold, pred)
    assert r["precision"] == 1.0 and r["predicted"] == 1
