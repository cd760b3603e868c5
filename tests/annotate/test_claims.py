"""Claims from the parse: reporting wrappers dropped, the quoted speaker as asserter,
negation and hedges, links to quantities."""

from __future__ import annotations

import pytest

from narrascope.annotate.models import load_models
from narrascope.annotate.pipeline import annotate_document
from narrascope.records import Document


def _claims(text: str):
    doc = Document("d", "s.txt", text, published="2024-05-16", published_precision="day")
    return annotate_document(doc, load_models()).extras["claims"]


def _with(claims, needle):
    hits = [c for c in claims if needle in c.text]
    assert hits, f"no claim with {needle!r} in {[c.text for c in claims]}"
    return min(hits, key=lambda c: len(c.text))


@pytest.mark.model
def test_claims_drop_reporting_wrapper_and_keep_its_content_as_speaker_claim():
    text = 'Interior Minister Gerald Martin said: "Some separatists made a deal with Russia."'
    claims = _claims(text)
    c = _with(claims, "made a deal with Russia")
    assert c.asserted_by == "speaker" and c.quote_idx is not None
    assert not any(cl.predicate == "say" for cl in claims)


@pytest.mark.model
def test_claims_mark_negation_denial_and_hedges():
    neg = _with(_claims("Germany did not send troops to Poland last week."), "send troops")
    assert neg.polarity == -1 and neg.negated
    denied = _with(_claims("Turkey denied that Ankara supplied weapons to Syrian rebels."), "supplied")
    assert denied.polarity == -1
    hedged = _with(_claims("Officials accused Iran of allegedly arming the militia in Syria."),
                   "arming")
    assert hedged.hedged


@pytest.mark.model
def test_claims_link_quantities_and_name_subject_actors():
    c = _with(_claims("Riots in Nairobi have killed four people."), "killed four people")
    assert c.kind == "number" and c.quantity_idxs
    assert c.asserted_by == "outlet"
    said = _with(_claims("Riots in Nairobi have killed four people, police said on Monday."),
                 "killed four people")
    assert said.asserted_by == "speaker"


@pytest.mark.model
def test_claims_skip_questions():
    assert _claims("Did Canada expel two Chinese diplomats last week?") == ()


@pytest.mark.model
def test_claims_drop_a_denial_wrapper_and_keep_the_denied_clause():
    claims = _claims("Chilean officials deny that any aircraft was flying over the lake that night.")
    c = _with(claims, "aircraft was flying")
    assert c.polarity == -1
    assert not any(cl.predicate == "deny" for cl in claims)
    kept = _with(_claims("Chilean officials denied the report."), "denied the report")
    assert kept.predicate == "deny"


@pytest.mark.model
def test_claims_keep_a_short_clause_with_a_verb_and_its_object():
    claims = _claims("Police said the ferry changed course and struck the patrol boat.")
    assert _with(claims, "struck the patrol boat").predicate == "strike"
