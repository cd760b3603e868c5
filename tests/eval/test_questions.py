"""Scoring ``questions``: gold evidence cited, uncited sentences, the must_not voice check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.ask.conftest import store_dir  # noqa: F401  (fixture)

from narrascope.eval.questions import claim_terms, reporting_voice_violations
from narrascope.eval.run import evaluate


@pytest.mark.parametrize(("sentence", "violates"), [
    ("Sylvania interfered in the Freedonia elections.", True),
    ("The interference began in 2029 through fake accounts.", True),
    ("Daily Post reports: “Sylvania interfered in the elections.”", False),
    ("Firefly accuses Sylvania of interference.", False),
    ("The alleged interference is attributed, not established.", False),
    ("There is no evidence of interference.", False),
    ("Sylvania and Freedonia signed a trade agreement.", False),
])
def test_reporting_voice_check(sentence: str, violates: bool) -> None:
    terms = claim_terms("state the interference as established fact")
    assert terms == {"interf"}
    assert bool(reporting_voice_violations([sentence], terms)) is violates


def test_eval_scores_questions_on_store(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    gold = {
        "documents": [{"doc": "a.txt"}, {"doc": "b.txt"}],
        "questions": [
            {"question": "Is there proof of the Sylvania interference mentioned by Minister Firefly?",
             "good_answer_cites_at_least": 2,
             "must_not": "state the interference as established fact",
             "evidence": [{"doc": "a.txt", "contains": "without providing any evidence"},
                          {"doc": "a.txt", "contains": "Sylvania denied the allegations"},
                          {"doc": "b.txt", "contains": "a border dispute"}]},
        ],
    }
    p = tmp_path / "gold.json"
    p.write_text(json.dumps(gold), encoding="utf-8")
    res = evaluate(p, store_dir)["sections"]["questions"]
    assert res["total"] == 1 and res["passed"] == 1
    assert res["uncited_sentences"] == 0
    assert res["must_not_violations"] == 0
    assert res["items"][0]["gold_cited"] >= 2
