"""Scoring techniques (span overlap + label) and framing (role accuracy, fine roles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from narrascope.eval.core import Gold
from narrascope.eval.framing import same_label, score_framing, score_techniques
from narrascope.eval.run import predictions_from_store
from narrascope.records import (
    Actor,
    DocAnnotation,
    Document,
    EntityRole,
    LocalEntity,
    Mention,
    Technique,
)
from narrascope.store import Store

TEXT = ("Officials called it a smear campaign.\n"
        "The so-called regime of President Aliyev replied that Paris should remember its past.")


def _store(tmp_path: Path) -> Store:
    doc = Document(doc_id="x1", source="a.txt", text=TEXT, outlet="O")
    smear = TEXT.index("smear campaign")
    regime = TEXT.index("so-called regime")
    aliyev = TEXT.index("President Aliyev")
    paris = TEXT.index("Paris")
    ann = DocAnnotation(
        doc,
        mentions=(Mention("x1", 0, aliyev, aliyev + 16, "President Aliyev", "NAME", "PERSON", 1, 1),
                  Mention("x1", 1, paris, paris + 5, "Paris", "CAPITAL", "GPE", 2, 1)),
        entities=(LocalEntity("x1", 1, "Ilham Aliyev", "PERSON"), LocalEntity("x1", 2, "France", "GPE")),
        extras={
            "techniques": (
                Technique("x1", 0, smear, smear + 14, "Loaded_Language", 0.9),
                Technique("x1", 1, regime, regime + 16, "Doubt", 0.5),  # gold says Name_Calling
                Technique("x1", 2, 0, 10, "Slogans", 0.3),  # matches nothing
            ),
            "roles": (
                EntityRole("x1", 1, "Ilham Aliyev", "Antagonist", 0.8, ("Tyrant",)),
                EntityRole("x1", 2, "France", "Protagonist", 0.6, ("Guardian",)),
            ),
        },
    )
    st = Store(tmp_path / "s")
    st.write_batch([ann], "test")
    st.record_sources([("a.txt", 0, "x1")])
    st.replace_actors([Actor("aliyev", "Ilham Aliyev", "PERSON"), Actor("fr", "France", "GPE")],
                      {("x1", 1): "aliyev", ("x1", 2): "fr"})
    return st


def _gold(data: dict[str, Any]) -> Gold:
    return Gold(Path("g.json"), data)


def _pred(tmp_path: Path):  # type: ignore[no-untyped-def]
    st = _store(tmp_path)
    pred = predictions_from_store(st)
    st.close()
    return pred


def test_techniques_match_by_overlap_and_same_label(tmp_path: Path) -> None:
    pred = _pred(tmp_path)
    gold = _gold({"techniques": [
        {"technique": "Loaded_Language", "doc": "a.txt", "contains": "a smear campaign"},
        {"technique": "Name_Calling-Labeling", "doc": "a.txt", "contains": "so-called regime"},
    ]})
    s = score_techniques(gold, pred)
    assert (s["gold"], s["predicted"]) == (2, 3)
    assert s["recall"] == 0.5  # the Doubt prediction overlaps but has the wrong label
    assert s["precision"] == round(1 / 3, 4)
    assert s["by_label"]["Loaded_Language"] == {"gold": 1, "found": 1}


def test_techniques_paragraph_gold_span_matches_prediction_inside_it(tmp_path: Path) -> None:
    pred = _pred(tmp_path)
    para = TEXT.split("\n")[1]
    gold = _gold({"techniques": [{"technique": "Doubt", "doc": "a.txt", "contains": para}]})
    assert score_techniques(gold, pred)["recall"] == 1.0


def test_framing_resolves_entity_by_name_or_mention_and_scores_fine_roles(tmp_path: Path) -> None:
    pred = _pred(tmp_path)
    gold = _gold({"framing": [
        {"doc": "a.txt", "entity": "ilham aliyev", "role": "Antagonist", "fine_roles": ["Tyrant"]},
        {"doc": "a.txt", "entity": "the French state", "role": "Antagonist",
         "mention": {"doc": "a.txt", "contains": "Paris"}, "fine_roles": ["Instigator"]},
        {"doc": "a.txt", "entity": "Nobody", "role": "Innocent"},
    ]})
    s = score_framing(gold, pred)
    assert (s["correct"], s["gold"], s["found"]) == (1, 3, 2)
    assert s["accuracy"] == round(1 / 3, 4)
    assert s["fine_exact_match"] == 0.5


def test_technique_labels_match_their_short_semeval_names() -> None:
    assert same_label("False_Dilemma", "False_Dilemma-No_Choice")
    assert same_label("Loaded_Language", "Loaded_Language")
    assert not same_label("Appeal_to_Hypocrisy", "Whataboutism")
    assert not same_label("Appeal_to_Fear-Prejudice", "Appeal_to_Authority")
