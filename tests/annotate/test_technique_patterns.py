"""Shape patterns of persuasion techniques, on hand-written sentences (no training data)."""

from __future__ import annotations

import pytest

from narrascope.annotate.technique_features import doc_features
from narrascope.annotate.technique_patterns import PatternHit, sentence_patterns
from narrascope.annotate.techniques import PATTERN_CONFIDENCE, STANDALONE_PATTERNS, detect

pytestmark = pytest.mark.model


def hits(nlp, text: str) -> list[PatternHit]:
    return [h for s in nlp(text).sents for h in sentence_patterns(s)]


def names(nlp, text: str) -> set[str]:
    return {h.name for h in hits(nlp, text)}


@pytest.mark.parametrize(("text", "name", "label"), [
    ("The so-called peace plan would hand the valley to the militias.", "doubt_so_called",
     "Doubt"),
    ("Can we really trust a word the ministry says?", "doubt_question", "Doubt"),
    ("The party's leaders cannot be trusted with the budget.", "reputation",
     "Questioning_the_Reputation"),
    ("The governor has a long track record of broken promises.", "reputation",
     "Questioning_the_Reputation"),
    ("Prices rose solely because of the new tax.", "causal_single",
     "Causal_Oversimplification"),
    ("If we do nothing now, they will destroy our country.", "fear_conditional",
     "Appeal_to_Fear-Prejudice"),
    ("We must act before it is too late.", "fear_urgency", "Appeal_to_Fear-Prejudice"),
    ("Jobs for our workers first!", "slogan_exclaimed", "Slogans"),
    ("They condemn the raid. But what about the bombing they ordered last spring?",
     "whatabout", "Whataboutism"),
    ("The council applies double standards to its own members.", "hypocrisy",
     "Appeal_to_Hypocrisy"),
    ("There is no alternative to the reform.", "dilemma", "False_Dilemma-No_Choice"),
    ("There is nothing to discuss with the rebels.", "killer", "Conversation_Killer"),
    ("Their “experts” got it wrong again.", "doubt_scare_quotes", "Doubt"),
])
def test_pattern_finds_its_shape(nlp, text: str, name: str, label: str) -> None:
    found = [h for h in hits(nlp, text) if h.name == name]
    assert found, f"{name} in {text!r}"
    h = found[0]
    assert h.label == label
    assert 0 <= h.start < h.end <= len(text)
    assert h.reason.startswith("pattern:")


def test_so_called_span_reaches_its_noun(nlp) -> None:
    text = "The so-called peace plan would hand the valley to the militias."
    h = next(h for h in hits(nlp, text) if h.name == "doubt_so_called")
    assert text[h.start : h.end] == "so-called peace plan"


@pytest.mark.parametrize("text", [
    "The ministry said on Tuesday that talks would resume in Geneva next week.",
    "Officials asked whether the report could be trusted before publishing it.",
    "She said the agency would review what she called its “red lines”.",
    "One reason for the delay was the weather, the airline said.",
    "If the rain continues, the river will rise by Thursday.",
    "Thank you!",
    "The bridge was built in 1932 and repaired in 2004.",
])
def test_neutral_sentences_fire_no_standalone_pattern(nlp, text: str) -> None:
    assert not names(nlp, text) & STANDALONE_PATTERNS


def test_patterns_are_classifier_features(nlp) -> None:
    sdoc = nlp("The so-called peace plan failed. Talks resume on Monday.")
    units = doc_features(sdoc)
    assert units[0].feats["pat:doubt_so_called"] == 1.0
    assert units[0].feats["patlabel:Doubt"] == 1.0
    assert not any(k.startswith("pat") for k in units[1].feats)


def test_standalone_pattern_is_reported_with_confidence_and_reason(nlp) -> None:
    text = ("The ministry published its figures on Monday. "
            "The opposition says the minister cannot be trusted with the budget.")
    found = [t for t in detect(nlp(text), "d") if t.label == "Questioning_the_Reputation"]
    assert len(found) == 1
    t = found[0]
    assert text[t.start : t.end] == "cannot be trusted"
    assert t.confidence == PATTERN_CONFIDENCE
    assert "credibility" in t.reason
    assert t.sent_start == text.index("The opposition")
