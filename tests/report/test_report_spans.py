"""Flattening overlapping spans into segments."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from narrascope.report.spans import Span, quote_context, segments


def test_segments_give_overlaps_the_classes_of_both() -> None:
    segs = segments("abcdefgh", [Span(1, 5, ("x",)), Span(3, 7, ("y",), anchor="Y")])
    assert [(s.text, s.classes) for s in segs] == [
        ("a", []), ("bc", ["x"]), ("de", ["x", "y"]), ("fg", ["y"]), ("h", []),
    ]
    assert [s.anchors for s in segs] == [[], [], ["Y"], [], []]


def test_segments_nested_span_link_prefers_higher_rank() -> None:
    segs = segments("ab cd", [Span(0, 5, ("m",), href="#outer", rank=-5),
                              Span(3, 5, ("m",), href="#inner", rank=-2)])
    assert [(s.text, s.href) for s in segs] == [("ab ", "#outer"), ("cd", "#inner")]


def test_segments_clip_bad_spans_and_keep_empty_anchors() -> None:
    segs = segments("abc", [Span(-4, 99, ("x",)), Span(2, 2, ("z",), anchor="Z"), Span(3, 1, ("w",))])
    assert "".join(s.text for s in segs) == "abc"
    assert all(s.classes == ["x"] for s in segs)
    assert ["Z"] in [s.anchors for s in segs]


@given(
    st.text(min_size=0, max_size=40),
    st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45), st.sampled_from("abc")), max_size=8),
)
def test_segments_partition_text_and_cover_exactly(text: str, raw: list[tuple[int, int, str]]) -> None:
    spans = [Span(s, e, (c,)) for s, e, c in raw]
    segs = segments(text, spans)
    assert "".join(s.text for s in segs) == text
    pos = 0
    for seg in segs:
        if seg.text:
            expected = {c for s, e, c in raw if max(0, s) <= pos and min(e, len(text)) >= pos + len(seg.text)}
            assert set(seg.classes) == expected
        pos += len(seg.text)


def _quote(sentence: str, quoted: str, direct: bool = True) -> dict[str, object]:
    start = sentence.index(quoted)
    return {"sentence": sentence, "sent_start": 100, "start": 100 + start,
            "end": 100 + start + len(quoted), "direct": direct}


def test_quote_context_marks_the_quote_in_its_sentence() -> None:
    segs = quote_context(_quote("Aliyev declared “we will support you”, in Baku.", "we will support you"))
    assert [(s.text, s.classes) for s in segs] == [
        ("Aliyev declared “", []), ("we will support you", ["q", "qd"]), ("”, in Baku.", []),
    ]


def test_quote_context_is_empty_when_the_sentence_is_the_quote() -> None:
    assert quote_context(_quote("“We will support you.”", "We will support you.")) == []


def test_quote_context_shortens_long_sentences() -> None:
    quoted = " ".join(["word"] * 100)
    sentence = "x " * 300 + "he said " + quoted + " and " + "y " * 300
    segs = quote_context(_quote(sentence, quoted))
    text = "".join(s.text for s in segs)
    assert text.startswith("…") and text.endswith("…") and " … " in text
    assert len(text) < 600
    assert [s.classes for s in segs] == [[], ["q", "qd"], []]
