"""B-cubed scoring of story clusters."""

from __future__ import annotations

import json

import pytest

from narrascope.eval.core import Predictions, load_gold
from narrascope.eval.stories import bcubed, gold_story_of, score_stories


def test_bcubed_perfect_clustering_scores_one():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed(gold, {"a": "x", "b": "x", "c": "y"})["f1"] == 1.0


def test_bcubed_everything_in_one_cluster_has_full_recall_low_precision():
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    s = bcubed(gold, {k: 0 for k in gold})
    assert s["recall"] == 1.0
    assert s["precision"] == pytest.approx(0.5)


def test_bcubed_hand_computed_example():
    # gold {a,b,c} {d}; pred {a,b} {c,d}
    s = bcubed({"a": 1, "b": 1, "c": 1, "d": 2}, {"a": 0, "b": 0, "c": 1, "d": 1})
    assert s["precision"] == pytest.approx((1 + 1 + 0.5 + 0.5) / 4, abs=1e-4)
    assert s["recall"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4, abs=1e-4)


def test_bcubed_unpredicted_documents_count_as_singletons():
    s = bcubed({"a": 1, "b": 1}, {})
    assert s["precision"] == 1.0
    assert s["recall"] == 0.5


def test_score_stories_without_store_treats_all_as_singletons(tmp_path):
    p = tmp_path / "g.json"
    p.write_text(json.dumps({"stories": [{"id": "s1", "docs": ["x.txt", "y.txt"]},
                                         {"id": "s2", "docs": ["z.txt"]}]}))
    gold = load_gold(p)
    assert gold_story_of(gold) == {"x.txt": "s1", "y.txt": "s1", "z.txt": "s2"}
    pred = Predictions(texts={"x.txt": "", "y.txt": "", "z.txt": ""})
    out = score_stories(gold, pred)
    assert out["gold"] == 2
    assert out["predicted"] == 3
    assert out["recall"] == pytest.approx(2 / 3, abs=1e-4)
