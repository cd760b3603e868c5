"""Sanity checks for the second held-out gold file (tests/heldout2/gold.json).

Reuses every check of tests/heldout/test_gold_valid.py, pointed at this folder, plus a few
checks specific to this set. It never runs the pipeline.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
_BASE_FILE = HERE.parent / "heldout" / "test_gold_valid.py"

# Load a private copy of the first set's checks and point it at this folder. A fresh module
# object is used so that the original tests/heldout module (if collected in the same session)
# keeps its own paths.
_spec = importlib.util.spec_from_file_location("_heldout2_base_checks", _BASE_FILE)
assert _spec is not None and _spec.loader is not None
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
_base.HERE = HERE
_base.CORPUS = HERE / "corpus"
_base.GOLD_PATH = HERE / "gold.json"

# fixtures
gold = _base.gold
texts = _base.texts

# the shared checks
test_gold_has_all_sections = _base.test_gold_has_all_sections
test_corpus_has_three_styles = _base.test_corpus_has_three_styles
test_articles_are_short = _base.test_articles_are_short
test_every_named_doc_exists = _base.test_every_named_doc_exists
test_every_evidence_is_an_exact_substring = _base.test_every_evidence_is_an_exact_substring
test_sources_csv_matches_corpus = _base.test_sources_csv_matches_corpus
test_quote_speakers_are_actors = _base.test_quote_speakers_are_actors
test_actors_are_well_formed = _base.test_actors_are_well_formed
test_no_span_belongs_to_two_actors = _base.test_no_span_belongs_to_two_actors
test_events_frames_and_techniques_use_known_labels = (
    _base.test_events_frames_and_techniques_use_known_labels
)
test_claims_and_contradictions_span_documents = _base.test_claims_and_contradictions_span_documents
test_questions = _base.test_questions


# checks specific to this set
def test_every_evidence_has_a_start(gold: dict[str, Any]) -> None:
    missing = [item["contains"] for _, item in _base._evidence(gold) if "start" not in item]
    assert not missing, f"evidence without start: {missing}"


def test_quotes_and_frames_carry_optional_fields(gold: dict[str, Any]) -> None:
    for q in gold["quotes"]:
        assert "speaker_mention" in q, q
        assert q["speaker_mention"]["doc"] == q["doc"], q
    for frame in gold["framing"]:
        assert frame["mention"]["doc"] == frame["doc"], frame
        assert frame["fine_roles"], frame


def test_one_story_with_all_documents(gold: dict[str, Any], texts: dict[str, str]) -> None:
    assert len(gold["stories"]) == 1
    assert set(gold["stories"][0]["docs"]) == set(texts)


def test_explained_by_time_pair_is_dated(gold: dict[str, Any]) -> None:
    published = {d["doc"]: d["published"] for d in gold["documents"]}
    for contra in gold["contradictions"]:
        if contra.get("explained_by_time"):
            dates = [published[e["doc"]] for e in contra["evidence"]]
            assert all(dates) and len(set(dates)) == 2, contra["id"]
