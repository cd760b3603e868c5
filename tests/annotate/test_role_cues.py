"""Role cues from the parse (who does harm, who suffers it, who helps) and the victim rule,
on hand-made sentences."""

from __future__ import annotations

from collections import Counter

import pytest

from narrascope.annotate.components import Context
from narrascope.annotate.role_cues import mention_cues
from narrascope.annotate.roles import DocView, assign_roles, load_model, mention_features, victim
from narrascope.records import Document, LocalEntity, Mention, Sentence

pytestmark = pytest.mark.model


def _cues(nlp, text: str, word: str) -> Counter[str]:
    doc = nlp(text)
    s = text.index(word)
    span = doc.char_span(s, s + len(word), alignment_mode="expand")
    assert span is not None
    return mention_cues(span)


@pytest.mark.parametrize(("text", "word", "cue"), [
    ("Kovar invaded the northern provinces last spring.", "Kovar", "harm_agent"),
    ("The villages were shelled by Kovar overnight.", "Kovar", "harm_agent"),
    ("Kovar's invasion of Lindia began in March.", "Kovar", "harm_agent"),
    ("Kovar's invasion of Lindia began in March.", "Lindia", "harm_patient"),
    ("Soldiers attacked Lindia at dawn.", "Lindia", "harm_patient"),
    ("Lindia was attacked at dawn.", "Lindia", "harm_patient"),
    ("The war against Lindia has lasted two years.", "Lindia", "harm_patient"),
    ("Lindia suffered heavy losses in the winter.", "Lindia", "suffer"),
    ("Marn helped the wounded.", "Marn", "help_agent"),
    ("The council sent aid to Lindia.", "Lindia", "helped"),
    ("The ceasefire was mediated by Marn.", "Marn", "help_agent"),
])
def test_a_mention_gets_the_cue_its_clause_gives_it(nlp, text: str, word: str, cue: str) -> None:
    assert _cues(nlp, text, word)[cue] == 1


def test_the_agent_of_harm_is_not_its_victim_and_negation_gives_no_cue(nlp) -> None:
    c = _cues(nlp, "Kovar attacked Lindia.", "Kovar")
    assert c["harm_agent"] == 1 and c["harm_patient"] == 0
    assert not _cues(nlp, "Kovar did not attack the town.", "Kovar")


def test_a_coordinated_subject_shares_the_verb(nlp) -> None:
    assert _cues(nlp, "Marn and Tesk defended the border.", "Tesk")["help_agent"] == 1


def test_entity_cues_are_compared_with_the_other_entities_of_the_document(nlp) -> None:
    text = "Kovar shelled Lindia. Kovar also bombed Tesk. Lindia suffered."
    sdoc = nlp(text)
    ments = []
    for i, (word, lid) in enumerate((("Kovar", 1), ("Lindia", 2), ("Kovar", 1), ("Tesk", 3),
                                     ("Lindia", 2))):
        s = text.index(word, ments[-1].end if ments else 0)
        ments.append(Mention("d", i, s, s + len(word), word, "name", "GPE", lid,
                             sum(1 for st in sdoc.sents if st.start_char <= s) - 1))
    ents = (LocalEntity("d", 1, "Kovar", "GPE"), LocalEntity("d", 2, "Lindia", "GPE"),
            LocalEntity("d", 3, "Tesk", "GPE"))
    view = DocView(sdoc, entities=ents, mentions=tuple(ments))
    k = mention_features(view, 0, 5, 1)
    assert k["share_harm_agent"] == 1.0 and "share_harm_patient" not in k
    lindia = ments[1]
    f = mention_features(view, lindia.start, lindia.end, 2)
    assert f["share_harm_patient"] == pytest.approx(0.5) and f["ent_suffer"] > 0


def test_the_victim_rule_needs_harm_suffered_and_none_done() -> None:
    assert victim([{"harm_patient": 1 / 3}, {}])
    assert victim([{"tgt:ASSAULT": 1 / 3}])
    assert not victim([{"harm_patient": 1 / 3}, {"harm_agent": 1 / 3}])
    assert not victim([{"ent_harm_agent": 1 / 3, "suffer": 1 / 3}])
    assert not victim([{"agent_neg": 1.0}])


@pytest.mark.skipif(load_model() is None, reason="roles model not trained")
def test_the_component_casts_the_victim_of_harm_as_innocent(nlp) -> None:
    text = "Soldiers from Kovar shelled Lindia overnight. Lindia suffered heavy losses."
    sdoc = nlp(text)
    spans = [("Kovar", 1), ("Lindia", 2), ("Lindia", 2)]
    ments, at = [], 0
    for i, (word, lid) in enumerate(spans):
        s = text.index(word, at)
        at = s + len(word)
        ments.append(Mention("t", i, s, at, word, "NAME", "GPE", lid, int(s > 40)))
    ctx = Context(Document(doc_id="t", source="t.txt", text=text), sdoc,
                  (Sentence("t", 0, 0, 44), Sentence("t", 1, 46, len(text))), tuple(ments),
                  (LocalEntity("t", 1, "Kovar", "GPE"), LocalEntity("t", 2, "Lindia", "GPE")),
                  ())
    roles = {r.entity: r for r in assign_roles(ctx)}
    assert roles["Lindia"].role == "Innocent" and roles["Lindia"].voice == "reporting"
    assert roles["Kovar"].role != "Innocent"
