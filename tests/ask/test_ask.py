"""``ask`` end to end on a hand-built store: shapes, citations, the attributed voice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.ask.conftest import stub_encoder
from typer.testing import CliRunner

from narrascope.ask import Asker, AskOptions, ask
from narrascope.ask.retrieve import match_actors
from narrascope.ask.shapes import recognise
from narrascope.cli import app
from narrascope.errors import OptionInvalid
from narrascope.eval.questions import claim_terms, reporting_voice_violations


@pytest.mark.parametrize(("question", "shape"), [
    ("What is the relationship between Freedonia and Sylvania?", "relationship"),
    ("Can you explain the relationship between A and B please?", "relationship"),
    ("Is there proof of the Sylvania interference mentioned by Minister Firefly?", "proof"),
    ("Do we have evidence that Sylvania hacked the vote?", "proof"),
    ("What would be Sylvania's interest in doing this?", "motive"),
    ("Why would Sylvania interfere?", "motive"),
    ("What did Rufus Firefly say about the elections?", "said"),
    ("When did the border dispute start?", "when"),
    ("Who is Rufus Firefly?", "who"),
    ("Border dispute and trade", "general"),
])
def test_recognise_question_shape(question: str, shape: str) -> None:
    assert recognise(question).shape == shape


def test_recognise_asserter_phrase() -> None:
    s = recognise("Is there proof of the interference mentioned by Minister Firefly?")
    assert s.asserter_phrase == "Minister Firefly"
    assert "interference" in s.terms and "proof" not in s.terms


def test_match_actors_longest_name_and_order(store) -> None:
    found = match_actors(store, "What links Rufus Firefly and Sylvania?")
    assert [a.canonical for a in found] == ["Rufus Firefly", "Sylvania"]


def _cited_everywhere(answer) -> None:
    ids = {c.id for c in answer.citations}
    assert answer.sentences
    for s in answer.sentences:
        assert s.citations and set(s.citations) <= ids


@pytest.mark.parametrize("semantic", [True, False])
def test_proof_answer_attributes_claim_and_reports_denial(store, semantic: bool) -> None:
    q = "Is there proof of the Sylvania interference mentioned by Minister Firefly?"
    answer = ask(store, q, AskOptions(semantic=semantic), encoder=stub_encoder)
    assert answer.shape == "proof"
    _cited_everywhere(answer)
    texts = [s.text for s in answer.sentences]
    assert any("denied the allegations" in t for t in texts)
    assert any("without providing any evidence" in t for t in texts)
    assert "attributed, not established" in texts[-1]
    assert reporting_voice_violations(texts, claim_terms("state the interference as fact")) == []


def test_answer_never_quotes_a_question(store) -> None:
    answer = ask(store, "Is Sylvania to blame for the interference?", encoder=stub_encoder)
    assert all("really to blame?" not in c.text for c in answer.citations)


def test_relationship_answer_cites_both_documents(store) -> None:
    answer = ask(store, "What is the relationship between Freedonia and Sylvania?",
                 encoder=stub_encoder)
    _cited_everywhere(answer)
    assert {c.doc for c in answer.citations} == {"a.txt", "b.txt"}
    assert any("trade agreement" in c.text for c in answer.citations)


def test_citation_spans_index_the_document_text(store) -> None:
    answer = ask(store, "What is the relationship between Freedonia and Sylvania?",
                 encoder=stub_encoder)
    for c in answer.citations:
        text = store.query("SELECT text FROM documents WHERE doc_id = ?", [c.doc_id])[0]["text"]
        assert text[c.start : c.end] == c.text


def test_memory_index_finds_what_sql_finds(store) -> None:
    q = "Is there proof of the Sylvania interference mentioned by Minister Firefly?"
    sql = Asker(store, AskOptions(semantic=False)).ask(q)
    mem = Asker(store, AskOptions(semantic=False, memory_index=True)).ask(q)
    assert [c.text for c in sql.citations] == [c.text for c in mem.citations]


def test_options_reject_unknown_values() -> None:
    with pytest.raises(OptionInvalid):
        AskOptions(shape="gossip")
    with pytest.raises(OptionInvalid):
        AskOptions(llm="magic")


def test_cli_ask_json(store_dir: Path) -> None:
    res = CliRunner().invoke(app, ["ask", "--store", str(store_dir), "--no-semantic", "--json",
                                   "What is the relationship between Freedonia and Sylvania?"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) >= {"question", "shape", "answer", "citations"}
    ids = {c["id"] for c in data["citations"]}
    assert all(s["citations"] and set(s["citations"]) <= ids for s in data["answer"])
    assert {"doc", "outlet", "published", "start", "end", "text"} <= set(data["citations"][0])
