"""Sanity checks for the held-out gold file (tests/heldout/gold.json).

These tests check the gold file against its own corpus only; they never run the pipeline.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
GOLD_PATH = HERE / "gold.json"

SECTIONS = (
    "corpus",
    "about",
    "documents",
    "actors",
    "quotes",
    "events",
    "same_claim",
    "contradictions",
    "techniques",
    "framing",
    "questions",
)
EVENT_TYPES = {
    "ACCUSE",
    "REJECT",
    "AGREE",
    "ESTABLISH",
    "RESTRICT",
    "EXPEL",
    "SUPPORT",
    "DEPLOY",
    "SUPPLY",
}
ROLES = {"Protagonist", "Antagonist", "Innocent"}
TECHNIQUES = {
    "Loaded_Language",
    "Name_Calling-Labeling",
    "Appeal_to_Hypocrisy",
    "Exaggeration-Minimisation",
    "Doubt",
    "Appeal_to_Fear-Prejudice",
    "Flag_Waving",
    "Appeal_to_Authority",
    "Repetition",
    "Slogans",
    "Causal_Oversimplification",
    "False_Dilemma",
    "Questioning_the_Reputation",
    "Guilt_by_Association",
    "Red_Herring",
    "Straw_Man",
    "Whataboutism",
    "Conversation_Killer",
    "Obfuscation-Vagueness-Confusion",
    "Appeal_to_Popularity",
    "Appeal_to_Values",
    "Consequential_Oversimplification",
}
# A quote speaker that is not a named person or organisation is marked "(unnamed)".
UNNAMED = re.compile(r"\(unnamed\)\s*$")


@pytest.fixture(scope="module")
def gold() -> dict[str, Any]:
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


def _evidence(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every dict carrying both "doc" and "contains", anywhere in the gold file."""
    if isinstance(node, dict):
        if "doc" in node and "contains" in node:
            yield path, node
        for key, value in node.items():
            yield from _evidence(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _evidence(value, f"{path}[{i}]")


def _docs_named(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("doc"), str):
            yield node["doc"]
        if isinstance(node.get("docs"), list):
            yield from node["docs"]
        for value in node.values():
            yield from _docs_named(value)
    elif isinstance(node, list):
        for value in node:
            yield from _docs_named(value)


def test_gold_has_all_sections(gold: dict[str, Any]) -> None:
    missing = [key for key in SECTIONS if key not in gold]
    assert not missing, f"gold.json lacks sections {missing}"


def test_corpus_has_three_styles(texts: dict[str, str]) -> None:
    for prefix in ("wire_", "broadsheet_", "partisan_"):
        assert any(name.startswith(prefix) for name in texts), f"no {prefix}*.txt in corpus"


def test_articles_are_short(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        words = len(text.split())
        assert 350 <= words <= 600, f"{name} has {words} words"


def test_every_named_doc_exists(gold: dict[str, Any], texts: dict[str, str]) -> None:
    named = set(_docs_named(gold))
    assert named, "gold names no documents"
    assert named <= set(texts), f"unknown documents: {sorted(named - set(texts))}"
    listed = {d["doc"] for d in gold["documents"]}
    assert listed == set(texts), "documents section must list every corpus file"


def test_every_evidence_is_an_exact_substring(gold: dict[str, Any], texts: dict[str, str]) -> None:
    items = list(_evidence(gold))
    assert len(items) > 100
    bad = []
    for path, item in items:
        text = texts.get(item["doc"])
        needle = item["contains"]
        if text is None or not needle or needle not in text:
            bad.append(f"{path}: {item['doc']}: {needle!r}")
            continue
        if "start" in item:
            start = item["start"]
            if text[start : start + len(needle)] != needle:
                bad.append(f"{path}: start {start} does not point at {needle!r}")
    assert not bad, "evidence not found:\n" + "\n".join(bad)


def test_sources_csv_matches_corpus(texts: dict[str, str]) -> None:
    with (CORPUS / "sources.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["file", "outlet", "url", "published", "title"]
        rows = list(reader)
    assert {row["file"] for row in rows} == set(texts)
    dated = [row for row in rows if row["published"]]
    assert len(dated) == len(rows) - 1, "exactly one document is left undated"
    for row in dated:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["published"]), row


def test_quote_speakers_are_actors(gold: dict[str, Any]) -> None:
    canonical = {a["canonical"] for a in gold["actors"]}
    missing = sorted(
        {
            q["speaker"]
            for q in gold["quotes"]
            if not UNNAMED.search(q["speaker"]) and q["speaker"] not in canonical
        }
    )
    assert not missing, f"quote speakers missing from actors: {missing}"
    for q in gold["quotes"]:
        assert isinstance(q["direct"], bool), q


def test_actors_are_well_formed(gold: dict[str, Any]) -> None:
    names = [a["canonical"] for a in gold["actors"]]
    assert len(names) == len(set(names)), "duplicate canonical actor"
    for actor in gold["actors"]:
        assert actor["type"] in {"PERSON", "ORG", "GPE", "NORP", "LOC"}, actor["canonical"]
        assert actor["evidence"], actor["canonical"]


def test_no_span_belongs_to_two_actors(gold: dict[str, Any], texts: dict[str, str]) -> None:
    spans = []
    for actor in gold["actors"]:
        for item in actor["evidence"]:
            text = texts[item["doc"]]
            start = item.get("start", text.find(item["contains"]))
            spans.append((item["doc"], start, start + len(item["contains"]), actor["canonical"]))
    clashes = [
        (a, b)
        for i, a in enumerate(spans)
        for b in spans[i + 1 :]
        if a[0] == b[0] and a[3] != b[3] and a[1] < b[2] and b[1] < a[2]
    ]
    assert not clashes, f"overlapping mentions of different actors: {clashes}"


def test_events_frames_and_techniques_use_known_labels(gold: dict[str, Any]) -> None:
    canonical = {a["canonical"] for a in gold["actors"]}
    for event in gold["events"]:
        assert event["type"] in EVENT_TYPES, event["id"]
        assert event["source"] in canonical, event["id"]
        assert event["target"] in canonical, event["id"]
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", event["when"]), event["id"]
        assert event["evidence"], event["id"]
    for frame in gold["framing"]:
        assert frame["role"] in ROLES, frame
        assert frame["entity"] in canonical, frame
    for tech in gold["techniques"]:
        assert tech["technique"] in TECHNIQUES, tech


def test_claims_and_contradictions_span_documents(gold: dict[str, Any]) -> None:
    ids = [c["id"] for c in gold["same_claim"]] + [c["id"] for c in gold["contradictions"]]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for claim in gold["same_claim"]:
        assert len({e["doc"] for e in claim["evidence"]}) >= 2, claim["id"]
    assert any(c.get("verbatim_reuse") for c in gold["same_claim"])
    for contra in gold["contradictions"]:
        assert len(contra["evidence"]) == 2, contra["id"]
    assert any(c.get("explained_by_time") for c in gold["contradictions"])


def test_questions(gold: dict[str, Any]) -> None:
    assert 1 <= len(gold["questions"]) <= 2
    for question in gold["questions"]:
        assert question["good_answer_cites_at_least"] <= len(question["evidence"])
