"""Entity-role features, mention averaging and the grouped cross-validation, on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.annotate.roles import DocView, RoleModel, _side_shares, mention_features
from narrascope.annotate.train_roles import Examples, cross_validate, fit
from narrascope.records import Event, LocalEntity, Quote

pytestmark = pytest.mark.model


def _span(text: str, word: str) -> tuple[int, int]:
    s = text.index(word)
    return s, s + len(word)


def test_harm_done_to_an_entity_marks_it_as_the_patient(nlp) -> None:
    text = "The soldiers brutally attacked Kovar. Protests grew against Lindia."
    view = DocView(nlp(text))
    f = mention_features(view, *_span(text, "Kovar"), 1)
    assert f["patient_neg"] > 0 and "agent_neg" not in f
    g = mention_features(view, *_span(text, "Lindia"), 2)
    assert g["against"] > 0
    assert g["_quoted"] == 0.0 and f["_vader"] < 0


def test_the_agent_of_a_harmful_verb_is_not_its_patient(nlp) -> None:
    text = "Kovar destroyed the village."
    f = mention_features(DocView(nlp(text)), *_span(text, "Kovar"), 1)
    assert f["agent_neg"] > 0 and "patient_neg" not in f


def test_event_targets_count_by_voice_and_sources_are_not_features(nlp) -> None:
    text = 'Lindia shelled Kovar. "They bombed Kovar again," a resident said.'
    ks, ke = _span(text, "Kovar")
    ev = (Event("d", 0, 0, 20, "ASSAULT", "shelled", 7, 14, "shell", source_local_id=2,
                target_local_id=1),
          Event("d", 1, 23, 45, "ASSAULT", "bombed", 28, 34, "bomb", source_local_id=None,
                target_local_id=1, asserted_by="speaker"))
    q0 = text.index("They")
    view = DocView(nlp(text), quotes=(Quote("d", 0, q0, text.index(' again,"') + 7, True),),
                   events=ev)
    f = mention_features(view, ks, ke, 1)
    assert f["tgt:ASSAULT"] == pytest.approx(2 / 3)
    assert f["tgto:ASSAULT"] == pytest.approx(1 / 3) and f["tgtq:ASSAULT"] == pytest.approx(1 / 3)
    src = mention_features(view, *_span(text, "Lindia"), 2)
    assert not any(k.startswith("src") for k in src)
    second = text.index("Kovar again")
    assert mention_features(view, second, second + 5, 1)["_quoted"] == 1.0


def test_side_share_counts_the_quotes_of_those_affiliated_with_an_entity() -> None:
    ents = (LocalEntity("d", 1, "Lindia", "GPE", key="country:LI"),
            LocalEntity("d", 2, "Ana Bel", "PERSON", affiliation="country:LI"),
            LocalEntity("d", 3, "Kovar", "GPE", key="country:KO"))
    quotes = (Quote("d", 0, 0, 30, True, speaker_local_id=2),
              Quote("d", 1, 40, 50, True, speaker_local_id=3),
              Quote("d", 2, 60, 70, True))
    share = _side_shares(ents, quotes)
    assert share[1] == pytest.approx(0.6) and share[2] == pytest.approx(0.6)
    assert share[3] == pytest.approx(0.2)
    assert _side_shares(ents, ()) == {}


def _model() -> RoleModel:
    from narrascope.annotate.technique_features import feature_index

    n = 64
    coef = np.zeros((3, n), np.float32)
    coef[1, feature_index("hurt") % n] = 4.0  # Innocent
    coef[2, feature_index("help") % n] = 4.0  # Protagonist
    fine = np.zeros((2, n), np.float32)
    fine[0, feature_index("hurt") % n] = 1.0
    return RoleModel(n, ("Antagonist", "Innocent", "Protagonist"), coef,
                     np.array([1.0, 0.0, 0.0], np.float32), ("Victim", "Guardian"), fine,
                     np.zeros(2, np.float32), ("Innocent", "Protagonist"))


def test_an_entity_takes_the_role_its_mentions_score_highest_on_average() -> None:
    m = _model()
    assert m.predict([{}])[0] == "Antagonist"
    role, p, fine, cues = m.predict([{"hurt": 1.0}, {}])  # mean: Innocent 2 > Antagonist 1
    assert (role, fine, cues) == ("Innocent", ("Victim",), ["hurt"]) and 0.5 < p < 1
    assert m.predict([{"hurt": 1.0}, {}, {}, {}, {}])[0] == "Antagonist"  # mean 0.8 < 1
    assert m.predict([{"help": 1.0}])[2] == ("Guardian",)


def test_cross_validation_scores_unseen_documents_against_the_majority() -> None:
    rng = np.random.default_rng(1)
    rows, mains, groups = [], [], []
    for d in range(40):
        for _ in range(3):
            role = "Innocent" if rng.random() < 0.3 else "Antagonist"
            rows.append([{"hurt": 1.0} if role == "Innocent" else {"plain": 1.0}])
            mains.append(role)
            groups.append(d)
    from narrascope.annotate.roles import hashed

    x = np.vstack([hashed(r[0], 64) for r in rows])
    ex = Examples(x, rows, mains, [("Victim",) if m == "Innocent" else ("Corrupt",)
                                   for m in mains], np.array(groups))
    out = cross_validate(ex, 5, 1.0)
    assert out["accuracy"] == 1.0 and out["fine_exact_match"] == 1.0
    assert out["majority_baseline"] == pytest.approx(mains.count("Antagonist") / len(mains))
    assert sum(out["confusion"].values()) == len(mains)
    arrays = fit(x, mains, ex.fines, 1.0)
    assert set(arrays["fine_main"]) == {"Innocent", "Antagonist"}
