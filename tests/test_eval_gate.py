"""Accuracy floors: a drop in a pinned score fails CI the same way a crash does.

Floors live in tests/eval_baseline.json, set a little under the measured figures (the
epsilon absorbs platform noise). Raise a floor when a change lifts a score; lowering one
is a decision to write down in the commit message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from narrascope.eval.run import evaluate
from narrascope.pipeline import AnalyzeOptions, analyze

ROOT = Path(__file__).parents[1]
SHARED = Path(os.environ.get("NARRASCOPE_SHARED", ROOT.parent / "shared"))
BASELINE = json.loads((ROOT / "tests" / "eval_baseline.json").read_text(encoding="utf-8"))
EPSILON = BASELINE["epsilon"]

SETS = {
    "seeds": (ROOT / "examples" / "new-caledonia", SHARED / "gold" / "new-caledonia.json"),
    "heldout": (ROOT / "tests" / "heldout" / "corpus", ROOT / "tests" / "heldout" / "gold.json"),
    "heldout2": (ROOT / "tests" / "heldout2" / "corpus", ROOT / "tests" / "heldout2" / "gold.json"),
    "heldout3": (ROOT / "tests" / "heldout3" / "corpus", ROOT / "tests" / "heldout3" / "gold.json"),
    "polnear": (
        SHARED / "data" / "quotes-polnear-train" / "corpus",
        SHARED / "data" / "quotes-polnear-train" / "gold.json",
    ),
}


def _score(name: str, tmp_path: Path) -> dict:
    corpus, gold = SETS[name]
    if not corpus.exists() or not gold.exists():
        pytest.skip(f"{corpus} or {gold} not found")
    workers = 2 if name == "polnear" else 1
    summary = analyze([corpus], tmp_path / name, AnalyzeOptions(workers=workers, report=False))
    assert summary.analysed > 0
    return evaluate(gold, tmp_path / name)["sections"]


def _check(name: str, sections: dict) -> None:
    failures = []
    for section, floors in BASELINE["sets"][name].items():
        for metric, floor in floors.items():
            got = sections[section][metric]
            if got < floor - EPSILON:
                failures.append(f"{name}/{section}/{metric}: {got:.4f} < floor {floor:.4f}")
    assert not failures, "; ".join(failures)


@pytest.mark.model
@pytest.mark.parametrize("name", ["seeds", "heldout", "heldout2", "heldout3"])
def test_eval_gate_small_sets(name: str, tmp_path: Path) -> None:
    _check(name, _score(name, tmp_path))


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.data
def test_eval_gate_polnear(tmp_path: Path) -> None:
    _check("polnear", _score("polnear", tmp_path))
