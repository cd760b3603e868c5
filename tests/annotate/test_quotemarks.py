"""Quotation-mark pairing: pure string processing, no model."""

from __future__ import annotations

import pytest

from narrascope.annotate.quotemarks import find_marked_spans, paragraphs


def quoted(text: str) -> list[tuple[str, int]]:
    return [(text[m.start : m.end], m.level) for m in find_marked_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "we will win," and left.', [("we will win,", 0)]),
        ("“We will win,” she said.", [("We will win,", 0)]),
        ("The mayor said: « We stay here. »", [("We stay here.", 0)]),
        ("''It is over,'' he told aides.", [("It is over,", 0)]),
        ("Two: “one” and “two” here.", [("one", 0), ("two", 0)]),
        # apostrophes are not quote marks
        ("The leaders’ meeting didn’t end.", []),
    ],
)
def test_quotemarks_pairs_each_style(text: str, expected: list[tuple[str, int]]) -> None:
    assert quoted(text) == expected


def test_quotemarks_nested_single_quotes_inside_double() -> None:
    text = "“The chairman told us, ‘Nothing will change before the vote,’ and we believed him,” she said."
    got = quoted(text)
    assert got[0][1] == 0 and got[0][0].startswith("The chairman")
    assert ("Nothing will change before the vote,", 1) in got


def test_quotemarks_unbalanced_paragraph_is_skipped_not_fatal() -> None:
    text = "He said “this never closes.\n\nThe next paragraph has “a proper quote” in it."
    assert quoted(text) == [("a proper quote", 0)]


def test_quotemarks_stray_closing_mark_skips_paragraph() -> None:
    assert quoted("They described it as ” shame “ at the time.") == []


def test_quotemarks_multi_paragraph_quote_continues() -> None:
    text = "“First part of the speech.\n\n“Second part ends it,” the premier said."
    spans = find_marked_spans(text)
    assert [text[m.start : m.end] for m in spans] == ["First part of the speech.", "Second part ends it,"]
    assert spans[0].open_end and spans[0].group == spans[1].group >= 0


def test_quotemarks_open_quote_without_continuation_is_dropped() -> None:
    text = "“This one never closes.\n\nPlain text follows here."
    assert quoted(text) == []


def test_paragraphs_trim_and_skip_blank_lines() -> None:
    text = "  one  \n\n\ntwo\r\nthree"
    assert [text[s:e] for s, e in paragraphs(text)] == ["one", "two", "three"]
