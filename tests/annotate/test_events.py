"""Events from the parse: type, source/target mentions, negation and modality, who
asserts them, and their date."""

from __future__ import annotations

import pytest

from narrascope.annotate.event_lexicon import EVENT_TYPES, NOUNS, VERBS
from narrascope.annotate.models import load_models
from narrascope.annotate.pipeline import annotate_document
from narrascope.records import Document


def _events(text: str, published: str | None = "2024-05-16"):
    doc = Document("d", "s.txt", text, published=published,
                   published_precision="day" if published else None)
    return annotate_document(doc, load_models()).extras["events"]


def _find(events, typ):
    hits = [e for e in events if e.type == typ]
    assert hits, f"no {typ} in {[(e.type, e.trigger) for e in events]}"
    return hits[0]


def test_event_lexicon_uses_only_known_types():
    assert set(VERBS.values()) <= set(EVENT_TYPES)
    assert set(NOUNS.values()) <= set(EVENT_TYPES)


@pytest.mark.model
@pytest.mark.parametrize(("text", "typ", "source", "target"), [
    ("Germany accused Russia of meddling in the election.", "ACCUSE", "Germany", "Russia"),
    ("Turkey rejected the accusations made by Greece.", "REJECT", "Turkey", "Greece"),
    ("Canada expelled two Chinese diplomats last week.", "EXPEL", "Canada", "Chinese"),
    ("Spain has been supplying weapons to Ukraine.", "SUPPLY", "Spain", "Ukraine"),
    ("Italy deployed troops to Libya.", "DEPLOY", "Italy", "Libya"),
    ("The European Union imposed sanctions on Iran.", "SANCTION", "European Union", "Iran"),
    ("The Baltic Council was created by Estonia in March 2021.", "ESTABLISH", "Estonia",
     "Baltic Council"),
    ("A memorandum was signed between Kenya and Ethiopia on March 3.", "AGREE", "Kenya",
     "Ethiopia"),
    ("Spain declared a state of emergency in Catalonia.", "RESTRICT", "Spain", "Catalonia"),
    ("Brazil called on Argentina to release the prisoners.", "DEMAND", "Brazil", "Argentina"),
    # a command to leave expels the commanded
    ("Spain on Tuesday ordered Morocco's ambassador to leave the country.", "EXPEL", "Spain",
     "ambassador"),
    # the possessor of "decision to ..." does the move
    ("Poland's decision to expel Ivan Petrov, the Russian envoy, angered Moscow.", "EXPEL",
     "Poland", "Ivan Petrov"),
    # "X said it had ...": the pronoun is the speaker
    ("The Norwegian Defence Ministry said it had deployed a brigade to Finnmark.", "DEPLOY",
     "Norwegian Defence Ministry", ""),
    ("The Chilean Army said they had sent a patrol boat to the bay.", "DEPLOY", "Chilean Army", ""),
    ("Peru closed two road crossings on the border.", "RESTRICT", "Peru", ""),
])
def test_events_type_source_target(text, typ, source, target):
    e = _find(_events(text), typ)
    assert source in (e.source_text or "")
    assert target in (e.target_text or "")
    assert e.start <= e.trigger_start < e.trigger_end <= e.end


@pytest.mark.model
@pytest.mark.parametrize(("text", "typ", "negated", "modality"), [
    ("Germany did not accuse Russia of anything.", "ACCUSE", True, "asserted"),
    ("Germany would support Poland in a crisis.", "SUPPORT", False, "possible"),
    ("President Macron pledged to support Ukraine.", "SUPPORT", False, "intended"),
    ("Germany accused Russia of supporting the rebels.", "SUPPORT", False, "alleged"),
])
def test_events_negation_and_modality(text, typ, negated, modality):
    e = _find(_events(text), typ)
    assert (e.negated, e.modality) == (negated, modality)


@pytest.mark.model
def test_events_inside_a_quote_are_asserted_by_the_speaker():
    text = ('Foreign Minister Lavrov said: "Germany supports the rebels in Ukraine." '
            "Germany denied the claim.")
    evs = _events(text)
    sup = _find(evs, "SUPPORT")
    assert sup.asserted_by == "speaker" and sup.quote_idx is not None
    assert _find(evs, "REJECT").asserted_by == "outlet"


@pytest.mark.model
def test_events_denial_targets_whoever_made_the_allegations():
    text = "Poland accused Belarus of staging the crisis. Belarus quickly denied the allegations."
    rej = _find(_events(text), "REJECT")
    assert rej.source_text == "Belarus" and rej.target_text == "Poland"


@pytest.mark.model
def test_events_dates_from_clause_else_publication_else_unknown():
    evs = _events("On Monday, Germany accused Russia of lying. Italy deployed troops to Libya.")
    acc, dep = _find(evs, "ACCUSE"), _find(evs, "DEPLOY")
    assert (acc.date, acc.date_source) == ("2024-05-13", "text")
    assert (dep.date, dep.date_source) == ("2024-05-16", "published")
    undated = _find(_events("On Monday, Germany accused Russia of lying.", None), "ACCUSE")
    assert undated.date is None and undated.date_source is None


@pytest.mark.model
def test_events_without_any_actor_are_dropped():
    assert [e for e in _events("The weather supported the harvest.") if e.type == "SUPPORT"] == []


@pytest.mark.model
@pytest.mark.parametrize("text", [
    "Spain asked Morocco to leave the talks.",  # asking is no command
    "Spain's plan to build a port pleased Morocco.",  # building is no move
    "Peru closed the meeting on Monday.",  # closing a meeting restricts nothing
])
def test_events_no_expel_or_restrict_without_the_pattern(text):
    assert not [e for e in _events(text) if e.type in ("EXPEL", "RESTRICT")]


@pytest.mark.model
def test_events_reported_pronoun_is_not_the_speaker_outside_reported_speech():
    # "it" is not the subject of a clause reported by "said": it does not become the speaker.
    evs = _events("The Chilean Army said so, and it deployed a brigade to Peru.")
    assert all(e.source_text != "Chilean Army" for e in evs if e.type == "DEPLOY")


@pytest.mark.model
def test_events_dateline_subject_and_finite_conjunct_of_a_control_verb():
    text = ("OSLO, May 20 (Reuters) - Norway on Tuesday ordered a Danish diplomat to leave the "
            "country and accused Denmark of violating international law.")
    evs = _events(text)
    assert _find(evs, "EXPEL").source_text == "Norway"  # not the dateline "OSLO"
    accuse = _find(evs, "ACCUSE")
    assert (accuse.source_text, accuse.target_text) == ("Norway", "Denmark")  # not "Danish"


@pytest.mark.model
def test_events_reported_act_takes_the_date_of_its_report():
    e = _find(_events("The Chilean Army said on Monday they had sent a patrol boat to the bay."),
              "DEPLOY")
    assert (e.date, e.date_source) == ("2024-05-13", "text")
    # not the date of a report that is no verb of saying
    e = _find(_events("The Chilean Army was angry on Monday that it had sent troops to Peru."),
              "DEPLOY")
    assert e.date != "2024-05-13"


@pytest.mark.model
@pytest.mark.parametrize(("text", "source", "target"), [
    ("Chile said Peru opened fire on the border post.", "Chile", "Peru"),
    ("Chile has insisted that Peruvian troops attacked first.", "Chile", "Peruvian"),
    ('"Peru attacked our village," said Chilean minister Ana Soto.', "Ana Soto", "Peru"),
])
def test_events_a_reported_attack_by_another_is_an_accusation(text, source, target):
    e = _find(_events(text), "ACCUSE")
    assert source in (e.source_text or "")
    assert target in (e.target_text or "")


@pytest.mark.model
@pytest.mark.parametrize("text", [
    "Chile attacked Peru.",  # told by the outlet, no one accuses
    "Chile said it attacked Peru.",  # an admission, not an accusation
])
def test_events_no_accusation_from_an_unreported_or_own_attack(text):
    assert not [e for e in _events(text) if e.type == "ACCUSE"]
