"""Sanity checks for the third held-out gold file (tests/heldout3/gold.json).

Reuses the checks of tests/heldout/test_gold_valid.py, pointed at this folder, plus a few
checks specific to this set. It never runs the pipeline.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
_BASE_FILE = HERE.parent / "heldout" / "test_gold_valid.py"

# Load a private copy of the first set's checks and point it at this folder. A fresh module
# object is used so that the original tests/heldout module (if collected in the same session)
# keeps its own paths.
_spec = importlib.util.spec_from_file_location("_heldout3_base_checks", _BASE_FILE)
assert _spec is not None and _spec.loader is not None
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
_base.HERE = HERE
_base.CORPUS = HERE / "corpus"
_base.GOLD_PATH = HERE / "gold.json"

# fixtures
gold = _base.gold
texts = _base.texts

# the shared checks (all but the sources.csv check: this set dates every document, see below)
test_gold_has_all_sections = _base.test_gold_has_all_sections
test_corpus_has_three_styles = _base.test_corpus_has_three_styles
test_articles_are_short = _base.test_articles_are_short
test_every_named_doc_exists = _base.test_every_named_doc_exists
test_every_evidence_is_an_exact_substring = _base.test_every_evidence_is_an_exact_substring
test_quote_speakers_are_actors = _base.test_quote_speakers_are_actors
test_actors_are_well_formed = _base.test_actors_are_well_formed
test_no_span_belongs_to_two_actors = _base.test_no_span_belongs_to_two_actors
test_events_frames_and_techniques_use_known_labels = (
    _base.test_events_frames_and_techniques_use_known_labels
)
test_claims_and_contradictions_span_documents = _base.test_claims_and_contradictions_span_documents
test_questions = _base.test_questions


# checks specific to this set
def test_sources_csv_dates_every_document(gold: dict[str, Any], texts: dict[str, str]) -> None:
    with (_base.CORPUS / "sources.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["file", "outlet", "url", "published", "title"]
        rows = list(reader)
    assert {row["file"] for row in rows} == set(texts)
    dates = [row["published"] for row in rows]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates), dates
    assert len(set(dates)) == len(dates), "publication dates must differ"
    published = {d["doc"]: d["published"] for d in gold["documents"]}
    assert published == {row["file"]: row["published"] for row in rows}
    for row in rows:
        assert texts[row["file"]].splitlines()[0] == row["title"], row["file"]


def test_articles_are_long_enough(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        assert len(text.split()) >= 450, name


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


def test_time_explanations_follow_dates(gold: dict[str, Any]) -> None:
    published = {d["doc"]: d["published"] for d in gold["documents"]}
    flags = [c["explained_by_time"] for c in gold["contradictions"] if "explained_by_time" in c]
    assert True in flags and False in flags, "one numeric pair explained by time, one not"
    for contra in gold["contradictions"]:
        if contra.get("explained_by_time"):
            dates = [published[e["doc"]] for e in contra["evidence"]]
            assert all(dates) and len(set(dates)) == 2, contra["id"]


def test_person_names_are_annotated_everywhere(gold: dict[str, Any], texts: dict[str, str]) -> None:
    """Every occurrence of a person's listed name form is covered by one of that person's spans."""
    missed = []
    for actor in gold["actors"]:
        if actor["type"] != "PERSON":
            continue
        by_doc: dict[str, list[tuple[int, int]]] = {}
        for item in actor["evidence"]:
            by_doc.setdefault(item["doc"], []).append(
                (item["start"], item["start"] + len(item["contains"]))
            )
        for item in actor["evidence"]:
            form = item["contains"]
            if not form[:1].isupper() or form.split()[0] in {"The", "the"}:
                continue
            text = texts[item["doc"]]
            for m in re.finditer(re.escape(form), text):
                if not any(s <= m.start() and m.end() <= e for s, e in by_doc[item["doc"]]):
                    missed.append((actor["canonical"], item["doc"], m.start()))
    assert not missed, f"name occurrences left unannotated: {missed}"
