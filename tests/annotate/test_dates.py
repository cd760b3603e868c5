"""Time expressions resolved against the publication date: weekdays by tense, month and
year boundaries, precision, and articles with no date."""

from __future__ import annotations

import pytest

from narrascope.annotate.dates import (
    _GRAMMAR,
    Anchor,
    parse_published,
    resolve_match,
    time_expressions,
)
from narrascope.records import Document, Sentence


def resolve(text: str, published: str | None, tense: str = "past") -> tuple[str | None, str | None]:
    m = _GRAMMAR.search(text)
    assert m is not None, text
    anchor = parse_published(published)
    r = resolve_match(m.groupdict(), m.lastgroup or "", anchor, tense)
    return r.value, r.precision


@pytest.mark.parametrize(("text", "published", "tense", "want"), [
    # a past-tense weekday is the most recent such day on/before publication
    ("on Monday", "2024-05-02", "past", ("2024-04-29", "day")),
    ("on Tuesday", "2024-05-02", "past", ("2024-04-30", "day")),
    ("on Thursday", "2024-05-02", "past", ("2024-05-02", "day")),
    # "this Thursday" is that day of the publication week, whatever the tense
    ("This Thursday morning", "2024-05-16", "past", ("2024-05-16", "day")),
    ("this Friday", "2024-05-16", "future", ("2024-05-17", "day")),
    # future weekday: the next one
    ("on Friday", "2024-05-16", "future", ("2024-05-17", "day")),
    ("on Monday", "2024-05-13", "future", ("2024-05-20", "day")),
    # across a month and a year boundary
    ("on Friday", "2024-03-02", "past", ("2024-03-01", "day")),
    ("on Saturday", "2024-03-01", "past", ("2024-02-24", "day")),
    ("on Friday", "2024-01-02", "past", ("2023-12-29", "day")),
    ("December 30", "2024-01-02", "past", ("2023-12-30", "day")),
    ("last December", "2024-07-15", "past", ("2023-12", "month")),
    ("last December", "2024-12-20", "past", ("2023-12", "month")),
    ("last January", "2024-01-02", "past", ("2023-01", "month")),
    ("in October", "2024-05-02", "past", ("2023-10", "month")),
    ("in January", "2024-05-02", "past", ("2024-01", "month")),
    ("last month", "2024-01-10", "past", ("2023-12", "month")),
    ("next year", "2024-12-31", "future", ("2025", "year")),
    ("yesterday", "2024-03-01", "past", ("2024-02-29", "day")),
    ("April 18", "2024-05-02", "past", ("2024-04-18", "day")),
    ("in mid-April", "2024-05-16", "past", ("2024-04", "month")),
    ("in July 2023", "2024-05-16", "past", ("2023-07", "month")),
    ("in 2023", "2024-05-16", "past", ("2023", "year")),
    ("May 2, 2024", None, "past", ("2024-05-02", "day")),
])
def test_dates_resolve_relative_to_publication(text, published, tense, want):
    assert resolve(text, published, tense) == want


def test_dates_week_starts_on_monday_for_this_weekday():
    # Sunday 2024-05-19: "this Monday" is the Monday of that week, not the next one.
    assert resolve("this Monday", "2024-05-19") == ("2024-05-13", "day")


@pytest.mark.parametrize("text", ["on Monday", "last December", "yesterday", "3 days ago",
                                  "next week", "April 18"])
def test_dates_without_publication_date_resolve_to_nothing_with_a_reason(text):
    m = _GRAMMAR.search(text)
    r = resolve_match(m.groupdict(), m.lastgroup or "", None, "past")
    assert r.value is None
    assert r.reason


def test_dates_absolute_dates_resolve_without_publication_date():
    assert resolve("in July 2023", None) == ("2023-07", "month")
    assert resolve("in 2023", None) == ("2023", "year")


def test_dates_month_precision_publication_cannot_give_a_weekday():
    m = _GRAMMAR.search("on Friday")
    r = resolve_match(m.groupdict(), "weekday", Anchor(parse_published("2024-07").day, "month"),
                      "past")
    assert r.value is None and "month" in (r.reason or "")


def test_dates_durations_keep_their_length():
    m = _GRAMMAR.search("for 10 years")
    r = resolve_match(m.groupdict(), m.lastgroup or "", parse_published("2024-05-16"), "past")
    assert (r.kind, r.duration, r.approximate) == ("duration", "P10Y", True)
    m = _GRAMMAR.search("for weeks")
    assert resolve_match(m.groupdict(), m.lastgroup or "", None, "past").duration == "PW"


@pytest.mark.model
def test_dates_component_uses_tense_and_drops_modal_may(nlp):
    text = ("Officials met on Monday. They will meet again on Monday. "
            "It may rain in May. No date here.")
    doc = Document("d", "s", text, published="2024-05-16", published_precision="day")
    sdoc = nlp(text)
    sents = tuple(Sentence("d", i, s.start_char, s.end_char) for i, s in enumerate(sdoc.sents))
    got = [(t.text, t.value) for t in time_expressions(doc, sdoc, sents)]
    assert got == [("on Monday", "2024-05-13"), ("on Monday", "2024-05-20"), ("in May", "2024-05")]
    assert [t.sent_idx for t in time_expressions(doc, sdoc, sents)] == [0, 1, 2]


@pytest.mark.model
def test_dates_component_on_undated_article_says_why(nlp):
    text = "The minister spoke on Monday, in July 2023."
    doc = Document("d", "s", text)
    sdoc = nlp(text)
    sents = (Sentence("d", 0, 0, len(text)),)
    got = {t.text: (t.value, t.reason) for t in time_expressions(doc, sdoc, sents)}
    assert got["on Monday"] == (None, "article has no publication date")
    assert got["July 2023"][0] == "2023-07"


def test_dates_in_plus_bare_unit_is_not_a_time_expression():
    m = _GRAMMAR.search("in weeks")
    r = resolve_match(m.groupdict(), m.lastgroup or "", parse_published("2024-05-16"), "past")
    assert r.reason == "not a time expression"


@pytest.mark.parametrize("text", ["April 31", "February 30", "31 June"])
def test_dates_impossible_day_resolves_to_nothing(text):
    # No year has these days: resolution must say so instead of crashing the document.
    assert resolve(text, "2024-05-02") == (None, None)


@pytest.mark.parametrize(("text", "published", "want"), [
    # calendar years, not 365-day steps: 1,000 of those would drift by 242 days
    ("1,000 years ago", "2024-01-02", ("1024", "year")),
    ("10,000,000 years ago", "2024-05-16", (None, None)),  # before year 1: unresolved
    ("2500 years ago", "2024-05-16", (None, None)),
    ("three decades ago", "2024-05-16", ("1994", "year")),
    ("two weeks ago", "2024-05-16", ("2024-05-02", "day")),
])
def test_ago_uses_calendar_years_and_never_overflows(
        text: str, published: str, want: tuple[str | None, str | None]) -> None:
    assert resolve(text, published) == want


def test_expression_outside_the_calendar_is_unresolved_not_an_error() -> None:
    m = _GRAMMAR.search("the next year")
    assert m is not None
    r = resolve_match(m.groupdict(), m.lastgroup or "", parse_published("9999-06-01"), "past")
    assert r.value is None and r.reason == "outside the calendar range"
