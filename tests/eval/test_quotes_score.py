"""score_quotes on hand-built gold and predictions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narrascope.eval.core import Gold, Predictions, PredMention, PredQuote, Span
from narrascope.eval.quotes import score_quotes
from narrascope.records import Actor

DOC = "a.txt"
TEXT = "Anna Berg said the bridge will reopen. “It is safe,” she added. The council said nothing."
#        0         1         2         3         4         5         6         7         8


def span(sub: str, doc: str = DOC) -> Span:
    i = TEXT.index(sub)
    return Span(doc, i, i + len(sub))


def gold(quotes: list[dict[str, Any]], actors: list[dict[str, Any]] | None = None) -> Gold:
    data: dict[str, Any] = {"documents": [{"doc": DOC}], "quotes": quotes}
    if actors is not None:
        data["actors"] = actors
    return Gold(Path("g.json"), data)


def gq(content: str, speaker: str, mention: str | None = None, direct: bool = False) -> dict[str, Any]:
    q: dict[str, Any] = {"doc": DOC, "contains": content, "speaker": speaker, "direct": direct}
    if mention is not None:
        q["speaker_mention"] = {"doc": DOC, "contains": mention}
    return q


def pred(quotes: list[PredQuote], mentions: list[PredMention] = (), actors: list[Actor] = ()) -> Predictions:  # type: ignore[assignment]
    return Predictions(
        texts={DOC: TEXT, "other.txt": "x"},
        mentions={DOC: list(mentions)},
        quotes={DOC: quotes},
        actors={a.actor_id: a for a in actors},
    )


BERG = Actor("a:0", "Anna Berg", "PERSON")
COUNCIL = Actor("a:1", "council", "ORG")


def test_speaker_right_by_speaker_span_overlap() -> None:
    g = gold([gq("the bridge will reopen", "Anna Berg", mention="Anna Berg")])
    p = pred([PredQuote(span("bridge will"), False, span("Berg"), None)])
    assert score_quotes(g, p)["f1"] == 1.0


def test_speaker_right_by_actor_mention_overlap() -> None:
    # predicted speaker span is the pronoun; gold names the speaker elsewhere
    g = gold([gq("It is safe", "Anna Berg", mention="Anna Berg", direct=True)])
    p = pred(
        [PredQuote(span("It is safe"), True, span("she"), "a:0")],
        mentions=[PredMention(span("Anna Berg"), "a:0")],
        actors=[BERG],
    )
    s = score_quotes(g, p)
    assert (s["precision"], s["recall"], s["recall_direct"]) == (1.0, 1.0, 1.0)


def test_speaker_right_by_canonical_name() -> None:
    g = gold([gq("It is safe", "anna  BERG", direct=True)])
    p = pred([PredQuote(span("It is safe"), True, None, "a:0")], actors=[BERG])
    assert score_quotes(g, p)["recall"] == 1.0


def test_speaker_right_by_gold_actor_evidence() -> None:
    # the gold canonical is spelt differently, but the gold actors section ties it
    # to a span that a mention of the predicted actor overlaps
    actors = [{"canonical": "Anna Bergová", "evidence": [{"doc": DOC, "contains": "Anna Berg said"}]}]
    g = gold([gq("It is safe", "Anna Bergová", direct=True)], actors)
    p = pred(
        [PredQuote(span("It is safe"), True, None, "a:0")],
        mentions=[PredMention(span("Anna Berg"), "a:0")],
        actors=[BERG],
    )
    assert score_quotes(g, p)["f1"] == 1.0


def test_wrong_speaker_counts_for_content_only() -> None:
    g = gold([gq("It is safe", "Anna Berg", mention="Anna Berg", direct=True)])
    p = pred(
        [PredQuote(span("It is safe"), True, span("council"), "a:1")],
        mentions=[PredMention(span("council"), "a:1")],
        actors=[COUNCIL],
    )
    s = score_quotes(g, p)
    assert (s["precision"], s["recall"]) == (0.0, 0.0)
    assert s["content"]["recall"] == 1.0
    assert s["speaker_accuracy"] == 0.0


def test_no_content_overlap_is_a_miss_even_with_right_speaker() -> None:
    g = gold([gq("It is safe", "Anna Berg", mention="Anna Berg")])
    p = pred([PredQuote(span("said nothing"), False, span("Anna Berg"), None)])
    s = score_quotes(g, p)
    assert (s["precision"], s["recall"], s["gold"], s["predicted"]) == (0.0, 0.0, 1, 1)


def test_overlap_matching_is_independent_on_each_side() -> None:
    # one long prediction covers two gold quotes of the same speaker: both found,
    # and the single prediction is correct once
    g = gold([
        gq("the bridge will reopen", "Anna Berg", mention="Anna Berg"),
        gq("It is safe", "Anna Berg", mention="she", direct=True),
    ])
    p = pred(
        [PredQuote(span("the bridge will reopen. “It is safe"), False, span("she"), "a:0")],
        mentions=[PredMention(span("Anna Berg"), "a:0"), PredMention(span("she"), "a:0")],
    )
    s = score_quotes(g, p)
    assert (s["precision"], s["recall"], s["predicted"], s["gold"]) == (1.0, 1.0, 1, 2)


def test_predictions_in_documents_the_gold_does_not_cover_are_ignored() -> None:
    g = gold([gq("It is safe", "Anna Berg", mention="she")])
    p = pred([PredQuote(span("It is safe"), True, span("she"), None)])
    p.quotes["other.txt"] = [PredQuote(Span("other.txt", 0, 1), True, None, None)]
    s = score_quotes(g, p)
    assert s["predicted"] == 1 and s["precision"] == 1.0


def test_gold_quote_in_missing_document_is_not_counted() -> None:
    q = gq("It is safe", "Anna Berg")
    q["doc"] = "absent.txt"
    s = score_quotes(gold([q]), pred([]))
    assert s["gold"] == 0 and s["missing_docs"] == 1


@pytest.mark.parametrize("n_pred", [0, 2])
def test_empty_sides_do_not_divide_by_zero(n_pred: int) -> None:
    quotes = [PredQuote(span("said nothing"), False, None, None)] * n_pred
    s = score_quotes(gold([]), pred(quotes))
    assert s["f1"] == 0.0 and s["gold"] == 0 and s["predicted"] == n_pred
