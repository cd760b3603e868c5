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


def test_memory_index_matches_sql_with_embedding_rerank(store) -> None:
    q = "What is the relationship between Freedonia and Sylvania?"
    sql = Asker(store, AskOptions(), encoder=stub_encoder).ask(q)
    mem = Asker(store, AskOptions(memory_index=True), encoder=stub_encoder).ask(q)
    assert sql.citations and [c.text for c in sql.citations] == [c.text for c in mem.citations]


def test_memory_actor_sentences_rank_by_actors_then_preferred_documents(store) -> None:
    from narrascope.ask.index import MemoryIndex

    mem = MemoryIndex.load(store)
    both = mem.actor_sentences(["act0", "act1"], 10, set())
    # sentences naming Freedonia *and* Sylvania come before those naming one of them
    assert both[:3] == [("da", 0), ("da", 1), ("db", 0)]
    assert set(both[3:]) == {("da", 2), ("db", 1), ("db", 2)}
    # among sentences with the same number of actors, documents BM25 found come first
    one = mem.actor_sentences(["act1"], 10, {"db"})
    assert [d for d, _ in one] == ["db", "db", "db", "da", "da", "da"]
    assert mem.actor_sentences(["act1"], 2, {"db"}) == one[:2]


def test_rerank_uses_stored_claim_vectors_and_encodes_only_the_best(store, monkeypatch) -> None:
    import numpy as np

    from narrascope.ask.retrieve import Passage, Retriever

    calls: list[list[str]] = []

    def enc(texts):
        calls.append(list(texts))
        return stub_encoder(texts)

    r = Retriever(store, enc, encode_k=1)
    q = "border dispute"
    qv = stub_encoder([q])[0]
    ps = [Passage(f"d:{i}", "d", i, 0, 10, t) for i, t in enumerate(
        ["a border dispute flared", "trade talks resumed", "weather was fine today"])]
    stored_vec = stub_encoder(["border dispute"])  # a claim of sentence 1 says this
    monkeypatch.setattr(r, "claim_vectors", lambda head: {"d:1": stored_vec, "d:2": stored_vec * 0})
    r._rerank(enc, ps, q, 1)
    # the question is encoded, then only the single best candidate (d:1, by its claim)
    assert calls[0] == [q] and calls[1] == ["trade talks resumed"]
    assert ps[1].cos == pytest.approx(float(stub_encoder(["trade talks resumed"])[0] @ qv))
    assert ps[2].cos == 0.0  # stored (zero) vector used as is
    # no claim vector and not encoded: the mean of the claim cosines (1.0 and 0.0)
    assert ps[0].cos == pytest.approx(np.mean([float(stored_vec[0] @ qv), 0.0]))


@pytest.mark.model
def test_stored_claim_vectors_of_another_encoder_are_not_compared(tmp_path) -> None:
    """ask's default encoder compares a question with stored claim vectors only when the
    store says they are its own (store.vectors); an injected encoder is trusted as before."""
    import numpy as np

    from narrascope.annotate.embed import encoder_id
    from narrascope.ask.retrieve import Passage, Retriever
    from narrascope.link.claims import text_hash
    from narrascope.link.state import reset_vectors
    from narrascope.store import Store
    from narrascope.store.vectors import add_claim_vectors

    vec = np.zeros((1, 384), np.float32)
    vec[0, 0] = 1.0
    with Store(tmp_path) as st:
        st.con.execute("INSERT INTO claims (doc_id, idx, start_char, end_char, text, sent_idx) "
                       "VALUES ('d', 0, 0, 10, 'a border dispute', 1)")
        add_claim_vectors(st, [text_hash("a border dispute")], vec)
        head = [Passage("d:1", "d", 1, 0, 10, "a border dispute flared")]
        for made_by, used in (("another-encoder", False), (encoder_id(), True)):
            reset_vectors(st, {"claim_vectors": made_by})
            if not st.count("claim_vectors"):
                add_claim_vectors(st, [text_hash("a border dispute")], vec)
            r = Retriever(st)
            assert r.encoder() is not None and r._encoder_id == encoder_id()
            got = r.claim_vectors(head)
            assert (set(got) == {"d:1"}) is used
            if used:
                assert np.array_equal(got["d:1"], vec)
            assert set(Retriever(st, stub_encoder).claim_vectors(head)) == {"d:1"}
