"""Property tests of the extractors on hostile text: quote marks, dates, numbers, annotation.

The pure text scanners (quote marks, the time-expression grammar, publication dates)
run without the model. The full per-document stage (``annotate_document``: sentences,
mentions, quotes, then every registered component: dates, quantities, events...) runs
with it (``model``): every span of every record lies inside its own document, records
name their own document, batching documents together changes nothing (so spans never
cross documents) and the output is deterministic.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrascope.annotate.quotemarks import find_marked_spans
from narrascope.ingest import IngestOptions
from narrascope.ingest.build import make_document
from narrascope.ingest.feeds import html_fragment_text
from narrascope.records import Document

from ._common import check_annotation, fuzz_settings, hostile_text

QUOTEY = st.lists(
    st.sampled_from(['"', "“", "”", "‘", "’", "'", "«", "»", "„", "said", "she", "\n", "\n\n",
                     "The minister", ".", ",", "\u202e", "مرحبا", " "]),
    max_size=120,
).map("".join)


@fuzz_settings(factor=3)
@given(text=st.one_of(QUOTEY, hostile_text), data=st.data())
def test_quote_marks_spans_stay_inside_the_text_and_range(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    spans = find_marked_spans(text, start, end)
    assert spans == find_marked_spans(text, start, end)
    for s in spans:
        assert start <= s.outer_start <= s.start <= s.end <= s.outer_end <= end, (s, start, end)
        assert s.level in (0, 1)


@fuzz_settings(factor=3)
@given(text=st.one_of(hostile_text, st.lists(st.sampled_from(
    ["3", "May", "2024", "last", "week", "on", "Monday", "mid-", "April", "1990s", "since",
     "-", "/", "12/31/1999", "99", "of", "early", "in", "the", "next", "year", "ago", " "]),
    max_size=60).map(" ".join)))
def test_time_expression_grammar_matches_inside_content_ranges(text: str) -> None:
    dates = pytest.importorskip("narrascope.annotate.dates")
    half = len(text) // 2
    ranges = ((0, half), (half, len(text)))
    for m in dates.find_time_expressions(text, ranges):
        assert any(a <= m.start() <= m.end() <= b for a, b in ranges), (m, ranges)


@fuzz_settings()
@given(value=st.one_of(hostile_text, st.text(max_size=40), st.none()),
       precision=st.sampled_from([None, "day", "month", "year", "bogus"]))
def test_publication_date_parser_never_raises(value: str | None, precision: str | None) -> None:
    dates = pytest.importorskip("narrascope.annotate.dates")
    anchor = dates.parse_published(value, precision)
    assert anchor is None or isinstance(anchor, dates.Anchor)


@fuzz_settings()
@given(fragment=st.one_of(hostile_text, st.text(max_size=300)).map(
    lambda t: "<div>" * 400 + t + "<p><b>" + t))
def test_html_fragment_text_is_deterministic_and_tag_free(fragment: str) -> None:
    text = html_fragment_text(fragment)
    assert text == html_fragment_text(fragment)
    assert "<div>" not in text


# -- the whole per-document stage (needs the model) --------------------------------------

OPTS = IngestOptions()


def _doc(text: str, name: str) -> Document | None:
    d = make_document(text, name, OPTS)
    return d if isinstance(d, Document) else None


ARTICLEY = st.lists(
    st.one_of(
        st.sampled_from([
            "“We will not go back,” said Marta Silva, the union leader.",
            "The minister told reporters on Monday that 1,200 people had left since March.",
            "‘Unbalanced quote, she said.", "He said: “nested ‘inner’ quote” and left.",
            "Police said 3 were killed and dozens injured last week in Paris.",
            "مرحبا بالعالم", "שלום", "\u202eevil\u202c", "\n\n", "\x0c", "\ufeff", "Prices rose 5%.",
            "«Non», a dit le ministre.", "„Ja“, sagte sie.",
        ]),
        hostile_text,
    ),
    min_size=1, max_size=12,
).map(" ".join)


@pytest.fixture(scope="module")
def models():  # type: ignore[no-untyped-def]
    from narrascope.annotate import load_models

    return load_models()


@pytest.mark.model
@fuzz_settings(factor=1, deadline_s=30)
@given(text=ARTICLEY)
def test_annotation_spans_stay_in_their_document_and_are_deterministic(models, text: str) -> None:  # type: ignore[no-untyped-def]
    from narrascope.annotate import annotate_document

    doc = _doc(text, "a.txt")
    if doc is None:
        return
    ann = annotate_document(doc, models)
    check_annotation(ann)
    assert annotate_document(doc, models) == ann


@pytest.mark.model
@fuzz_settings(factor=0.5, deadline_s=60)
@given(texts=st.lists(ARTICLEY, min_size=2, max_size=4))
def test_batched_annotation_equals_one_by_one(models, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    from narrascope.annotate import annotate_document, annotate_documents

    docs = [d for i, t in enumerate(texts) if (d := _doc(t, f"d{i}.txt")) is not None]
    docs = list({d.doc_id: d for d in docs}.values())
    batched = list(annotate_documents(docs, models, batch_size=len(docs) or 1))
    assert [a.doc for a in batched] == docs
    for a in batched:
        check_annotation(a)
    assert batched == [annotate_document(d, models) for d in docs]


@pytest.mark.model
def test_annotation_of_a_long_single_line(models) -> None:  # type: ignore[no-untyped-def]
    from narrascope.annotate import annotate_document

    # ~6,000 characters on one line (slow: annotation time grows faster than linearly
    # with line length, which is what the per-document time limit is for)
    text = " ".join(["“Yes,” she said, and the minister replied 3 times in May 2024."] * 100)
    doc = _doc(text, "long.txt")
    assert doc is not None
    check_annotation(annotate_document(doc, models))
