"""Numeric claims: value, what they count (normalised so outlets compare), and their date."""

from __future__ import annotations

import pytest

from narrascope.annotate.dates import time_expressions
from narrascope.annotate.quantities import quantities
from narrascope.records import Document, Sentence


def _run(nlp, text: str, published: str | None = "2024-05-16"):
    doc = Document("d", "s", text, published=published, published_precision="day")
    sdoc = nlp(text)
    sents = tuple(Sentence("d", i, s.start_char, s.end_char) for i, s in enumerate(sdoc.sents))
    times = tuple(time_expressions(doc, sdoc, sents))
    return quantities("d", sdoc, sents, times, (), (published, "day" if published else None))


@pytest.mark.model
@pytest.mark.parametrize(("text", "want"), [
    ("Riots have killed four people in the capital.", ("four", 4.0, "deaths")),
    ("The violence resulted in seven deaths.", ("seven", 7.0, "deaths")),
    ("Seven people have died in the unrest.", ("Seven", 7.0, "deaths")),
    ("Hundreds have been injured in the clashes.", ("Hundreds", 200.0, "injured")),
    ("Kanaks make up about 40% of the population.", ("40", 40.0, "percent")),
    ("The contract was worth $2.5 million.", ("2.5 million", 2_500_000.0, "USD")),
    ("Police arrested 200 rioters overnight.", ("200", 200.0, "arrested")),
    ("Voters must have lived there for 10 years.", ("10", 10.0, "year")),
    ("The fighting near the border has claimed seven lives.", ("seven", 7.0, "deaths")),
    ("Eleven Ukrainians were butchered in their sleep.", ("Eleven", 11.0, "deaths")),
    ("Firefighters saved seven lives on Friday.", ("seven", 7.0, "life")),
])
def test_quantities_value_and_unit(nlp, text, want):
    got = [(q.text, q.value, q.unit) for q in _run(nlp, text)]
    assert want in got


@pytest.mark.model
def test_quantities_keep_qualifier_and_approximation(nlp):
    (q,) = _run(nlp, "At least 12 people were killed.")
    assert (q.value, q.unit, q.qualifier) == (12.0, "deaths", "at least")
    (h,) = _run(nlp, "Thousands were displaced.")
    assert h.approximate


@pytest.mark.model
def test_quantities_date_from_sentence_else_publication(nlp):
    qs = _run(nlp, "On Monday, three people were killed. Today five people have died.")
    assert [(q.value, q.date) for q in qs] == [(3.0, "2024-05-13"), (5.0, "2024-05-16")]
    (u,) = _run(nlp, "Six people were killed.", published=None)
    assert u.date is None


@pytest.mark.model
def test_quantities_skip_years_and_dates(nlp):
    assert _run(nlp, "In 2023, on May 2, nothing was counted.") == []


@pytest.mark.model
def test_quantities_count_occurrences_of_the_verb_as_a_running_total(nlp):
    from narrascope.link.claim_lexicon import cumulative

    (q,) = _run(nlp, "Coast guards have stopped trawlers 14 times since March.")
    assert q.unit == "times stop" and cumulative(q.unit)
    assert not cumulative("time") and cumulative("deaths") and not cumulative("percent")


@pytest.mark.model
def test_quantities_stated_as_of_now_hold_at_publication(nlp):
    (now,) = _run(nlp, "The attack on Sunday has now claimed nine lives.")
    assert (now.unit, now.date) == ("deaths", "2024-05-16")
    (then,) = _run(nlp, "The attack on Sunday killed nine people.")
    assert then.unit == "deaths" and then.date == "2024-05-12"
