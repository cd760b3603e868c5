"""Techniques, roles and tone components on hand-written news sentences."""

from __future__ import annotations

import pytest

from narrascope.annotate.components import Context
from narrascope.annotate.roles import assign_roles
from narrascope.annotate.roles import load_model as roles_model
from narrascope.annotate.technique_features import LABELS, doc_features, feature_index, to_matrix
from narrascope.annotate.techniques import detect, load_model, tu_quoque
from narrascope.annotate.tone import actor_tone
from narrascope.records import Document, LocalEntity, Mention, Quote, Sentence

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("The minister accused Paris of meddling. He replied that the French leader should "
         "not forget that his country committed crimes in Algeria.",
         "his country committed crimes in Algeria"),
        ("Critics condemned the decision. The spokesman recalled the history of their "
         "government committing atrocities in the region.",
         "their government committing atrocities in the region"),
    ],
)
def test_tu_quoque_finds_a_reply_that_turns_to_the_accusers_past(nlp, text: str, expect: str) -> None:
    hits = list(tu_quoque(nlp(text)))
    assert len(hits) == 1
    start, end, _, why = hits[0]
    assert expect in text[start:end]
    assert "accuser's own past" in why


@pytest.mark.parametrize(
    "text",
    [
        "His country committed to cutting emissions by 2030, the minister said.",
        "Their government reported crimes fell by ten percent last year.",
    ],
)
def test_tu_quoque_ignores_plain_reports(nlp, text: str) -> None:
    assert list(tu_quoque(nlp(text))) == []


def test_feature_hashing_is_stable_and_in_range() -> None:
    assert feature_index("w:regime") == feature_index("w:regime")
    assert 0 <= feature_index("w:regime") < 2**18


def test_doc_features_mark_quotes_questions_and_repetition(nlp) -> None:
    text = 'Is this a so-called election?\nHe said: "a rigged election, a rigged election."'
    sdoc = nlp(text)
    quote = (text.index("a rigged"), text.index('."') + 1)
    units = doc_features(sdoc, [quote])
    assert units[0].feats.get("question") == 1.0
    assert units[0].feats.get("cue:doubt", 0) > 0
    assert units[-1].feats["_inq"] > 0.5
    assert units[-1].feats["_rep"] > 0
    assert to_matrix(units).shape[0] == len(units)


needs_model = pytest.mark.skipif(load_model() is None, reason="techniques model not trained")


@needs_model
def test_detect_finds_loaded_language_on_a_charged_phrase_not_on_wire_copy(nlp) -> None:
    charged = ("These disgusting traitors and their corrupt puppet regime are destroying our "
               "great nation with their evil lies! Wake up!")
    wire = ("The central bank kept its main interest rate at 4.5 percent on Thursday, "
            "in line with forecasts. The decision was taken by a vote of seven to two.")
    found = list(detect(nlp(charged), "d"))
    labels = {t.label for t in found}
    assert labels & {"Loaded_Language", "Name_Calling-Labeling"}
    assert all(t.label in LABELS for t in found)
    for t in found:
        assert t.sent_start <= t.start < t.end <= t.sent_end
        assert 0 < t.confidence <= 1 and t.reason
    assert list(detect(nlp(wire), "w")) == []


TONE_TEXT = ("Mayor Anne Dubois opened a wonderful new hospital on Monday.\n"
             'Marc Petit said: "Dubois is a disgusting liar who destroyed this city."\n')


def _ctx(sdoc=None) -> Context:  # type: ignore[no-untyped-def]
    text = TONE_TEXT
    s1 = text.index("\n") + 1
    q0 = text.index("Dubois is")
    q1 = text.index('city."') + 5
    doc = Document(doc_id="t1", source="t.txt", text=text)
    return Context(
        doc=doc, sdoc=sdoc,
        sentences=(Sentence("t1", 0, 0, s1 - 1), Sentence("t1", 1, s1, len(text) - 1)),
        mentions=(Mention("t1", 0, 6, 17, "Anne Dubois", "NAME", "PERSON", 1, 0),
                  Mention("t1", 1, s1, s1 + 10, "Marc Petit", "NAME", "PERSON", 2, 1),
                  Mention("t1", 2, q0, q0 + 6, "Dubois", "NAME", "PERSON", 1, 1)),
        entities=(LocalEntity("t1", 1, "Anne Dubois", "PERSON"),
                  LocalEntity("t1", 2, "Marc Petit", "PERSON")),
        quotes=(Quote("t1", 0, q0, q1, True, "said", speaker_local_id=2),),
    )


def test_tone_keeps_the_reporting_voice_apart_from_quotes() -> None:
    tone = {(t.entity, t.voice): t for t in actor_tone(_ctx())}
    assert tone[("Anne Dubois", "reporting")].mean > 0.3
    assert tone[("Anne Dubois", "quoted")].mean < -0.3
    quoted = tone[("Anne Dubois", "quoted")]
    assert TONE_TEXT[quoted.start : quoted.end].startswith("Dubois is a disgusting liar")
    # the speaker's own sentence, with the quoted words cut out, is neutral
    assert tone[("Marc Petit", "reporting")].mean == 0.0


@pytest.mark.skipif(roles_model() is None, reason="roles model not trained")
def test_roles_judge_from_the_reporting_voice_and_keep_the_quoted_role_apart(nlp) -> None:
    roles = {r.entity: r for r in assign_roles(_ctx(nlp(TONE_TEXT)))}
    r = roles["Anne Dubois"]
    assert (r.voice, r.evidence_starts, r.evidence_ends) == ("reporting", (6,), (17,))
    assert r.quoted_role in ("Protagonist", "Antagonist", "Innocent")
    assert r.role in ("Protagonist", "Antagonist", "Innocent") and 0 < r.confidence <= 1
