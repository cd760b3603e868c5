"""The LLM rewrite is kept only when every sentence still cites the composed answer."""

from __future__ import annotations

from narrascope.ask.llm import checked_rewrite, parse_cited
from narrascope.records import Answer, AnswerSentence, Citation


class FakeBackend:
    name = "fake"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.prompts: list[str] = []

    def complete(self, system: str, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.reply


def _answer() -> Answer:
    cits = (Citation(1, "d1", "a.txt", 0, 10, "X said Y."), Citation(2, "d2", "b.txt", 5, 20, "Z denied."))
    return Answer("q?", "proof", (AnswerSentence("A reports: “X said Y.”", (1,)),
                                  AnswerSentence("B reports: “Z denied.”", (2,))), cits)


def test_rewrite_kept_when_every_sentence_cites() -> None:
    fake = FakeBackend("X says Y, according to A [1]. Z denies it [2].")
    out = checked_rewrite(fake, _answer())
    assert out.backend == "fake"
    assert [s.citations for s in out.sentences] == [(1,), (2,)]
    assert out.sentences[0].text == "X says Y, according to A."
    assert "[1] a.txt" in fake.prompts[0] or "X said Y." in fake.prompts[0]


def test_rewrite_dropped_when_a_sentence_is_uncited() -> None:
    a = _answer()
    assert checked_rewrite(FakeBackend("X says Y [1]. So it is true."), a) == a


def test_rewrite_dropped_when_citing_an_unknown_id() -> None:
    a = _answer()
    assert checked_rewrite(FakeBackend("X says Y [7]."), a) == a


def test_rewrite_dropped_when_backend_fails() -> None:
    class Broken:
        name = "broken"

        def complete(self, system: str, prompt: str) -> str:
            raise TimeoutError("no answer")

    a = _answer()
    assert checked_rewrite(Broken(), a) == a


def test_parse_cited_accepts_grouped_markers() -> None:
    out = parse_cited("Both happened [1, 2].", {1, 2})
    assert out is not None and out[0].citations == (1, 2)
