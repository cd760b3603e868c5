"""Within-document coreference of descriptions, groups and state metonymy, on hand-written sentences."""

from __future__ import annotations

import pytest

from narrascope.annotate.entities import extract_entities
from narrascope.records import Document

pytestmark = pytest.mark.model


def _run(nlp, text):
    mentions, ents = extract_entities(nlp(text), Document("d", "d.txt", text))
    return mentions, {e.local_id: e for e in ents}


def _ids(mentions, surface):
    return {m.local_id for m in mentions if m.text == surface}


def test_definite_description_refers_to_the_named_place_by_its_head_word(nlp):
    text = ("Boats crowded the Gulf of Tarsel on Monday. Officials said the gulf was calm, "
            "and fishing in this gulf resumed.")
    mentions, ents = _run(nlp, text)
    gulf = next(m for m in mentions if m.text == "Gulf of Tarsel")
    assert ents[gulf.local_id].type == "OTHER"
    assert _ids(mentions, "the gulf") == {gulf.local_id}
    assert _ids(mentions, "this gulf") == {gulf.local_id}


def test_definite_description_refers_to_an_acronym_long_form(nlp):
    text = ("The ministers set up a Joint Water Review Board (JWRB) on Friday. "
            "Critics said the board would change nothing.")
    mentions, _ = _run(nlp, text)
    acronym = next(m for m in mentions if m.text == "JWRB")
    assert _ids(mentions, "the board") == {acronym.local_id}


def test_description_with_an_anaphoric_adjective_refers_back(nlp):
    text = ("Delegates formed the Coastal Safety Group in March. The new group met in May.")
    mentions, _ = _run(nlp, text)
    named = next(m for m in mentions if "Coastal Safety Group" in m.text)
    assert _ids(mentions, "The new group") == {named.local_id}


def test_description_without_a_matching_name_proposes_nothing(nlp):
    # No earlier name has the word; a description with another modifier is another body;
    # a description before the name cannot point back to it.
    text = ("The board met on Monday. The Harbour Board said the regional board disagreed. "
            "Fishing in the bay went on.")
    mentions, _ = _run(nlp, text)
    texts = {m.text for m in mentions if m.kind == "NOMINAL"}
    assert not texts & {"The board", "the regional board", "the bay"}


def test_group_noun_mentions_form_one_group_actor(nlp):
    text = ("Police boarded the trawler and detained its five crew members on Sunday. "
            "Its crew were taken to the port, where the crew spent the night.")
    mentions, ents = _run(nlp, text)
    crew = [m for m in mentions if m.text in ("crew members", "crew")]
    assert len(crew) == 3
    assert len({m.local_id for m in crew}) == 1
    assert ents[crew[0].local_id].type == "GROUP"
    assert ents[crew[0].local_id].key is None  # a described group never links across documents


def test_group_nouns_keep_nationalities_and_generic_plurals_apart(nlp):
    text = ("Five Danish fishermen were held on Monday. Later three Norwegian fishermen were held. "
            "Fishermen are often at risk. The protesters left.")
    mentions, _ = _run(nlp, text)
    fishermen = [m for m in mentions if m.text == "fishermen"]
    assert len(fishermen) == 2  # the bare generic plural proposes nothing
    assert fishermen[0].local_id != fishermen[1].local_id
    assert not _ids(mentions, "Fishermen")
    # a definite group noun with no earlier group still opens one
    assert _ids(mentions, "protesters")


@pytest.mark.parametrize(
    ("text", "surface"),
    [("The raid was ordered by a government in Zagreb. Croatia denied it.", "government in Zagreb"),
     ("Croatia rejected the ruling. The Croats say the border is theirs.", "Croats")],
)
def test_state_metonymy_is_that_country(nlp, text, surface):
    # a state noun placed in a capital; a plural people speaking for the state
    mentions, ents = _run(nlp, text)
    m = next(m for m in mentions if m.text == surface)
    assert ents[m.local_id].key == "country:HR"
    assert m.local_id == next(m for m in mentions if m.text == "Croatia").local_id


def test_state_noun_placed_in_a_non_capital_town_is_not_a_country(nlp):
    text = "The talks with the government ended in Smallville on Friday."
    mentions, _ = _run(nlp, text)
    assert not any("government" in m.text for m in mentions)


def test_plural_people_not_speaking_for_a_state_stay_people(nlp):
    text = "Croatia rejected the ruling. Eleven Croats were injured in the storm."
    mentions, _ = _run(nlp, text)
    croatia = next(m for m in mentions if m.text == "Croatia").local_id
    assert all(m.local_id != croatia for m in mentions if "Croats" in m.text)


def test_personal_pronoun_refers_to_the_one_person_just_mentioned(nlp):
    text = "Maria Kessler chaired the meeting on Monday. She said the vote would be held in May."
    mentions, _ = _run(nlp, text)
    she = next(m for m in mentions if m.text == "She")
    assert she.kind == "PRON"
    assert she.local_id == next(m for m in mentions if m.text == "Maria Kessler").local_id
    assert [m.idx for m in mentions] == list(range(len(mentions)))


def test_personal_pronoun_with_two_candidates_or_none_is_left_alone(nlp):
    text = ("Maria Kessler met John Ostrander on Monday. He said the vote would be held in May. "
            "The weather was cold. The next day it rained, and he stayed home.")
    mentions, _ = _run(nlp, text)
    assert not [m for m in mentions if m.kind == "PRON"]


def test_country_owning_a_title_keeps_its_own_mention(nlp):
    text = "Slovenia summoned Croatia's ambassador on Monday. Croatia did not reply."
    mentions, ents = _run(nlp, text)
    owner = next(m for m in mentions if m.text == "Croatia")
    assert ents[owner.local_id].key == "country:HR"
    title = next(m for m in mentions if m.kind == "TITLE")
    assert title.text == "ambassador" and title.local_id != owner.local_id
    assert ents[title.local_id].affiliation == "country:HR"


def test_capital_receiving_a_transfer_is_the_state_but_a_destination_is_not(nlp):
    given = "Croatia wants the bay. We will never hand the bay to Zagreb."
    mentions, _ = _run(nlp, given)
    assert [m.kind for m in mentions if m.text == "Zagreb"] == ["CAPITAL"]
    travel = "Croatia wants the bay. The ministers flew to Zagreb on Monday."
    mentions, _ = _run(nlp, travel)
    assert not [m for m in mentions if m.text == "Zagreb"]


def test_bare_institution_noun_refers_to_the_named_institution(nlp):
    text = "The Velonian Parliament met on Monday. The bill now goes back to parliament."
    mentions, _ = _run(nlp, text)
    named = next(m for m in mentions if "Parliament" in m.text)
    assert _ids(mentions, "parliament") == {named.local_id}
    _, alone = _run(nlp, "The bill now goes back to parliament.")
    assert not alone


def test_the_country_refers_to_the_one_state_just_mentioned(nlp):
    text = "Moldova held elections on Sunday. Turnout in the country was low."
    mentions, _ = _run(nlp, text)
    country = next(m for m in mentions if m.text == "the country")
    assert country.local_id == next(m for m in mentions if m.text == "Moldova").local_id


def test_the_country_with_two_states_in_view_is_left_alone(nlp):
    text = "Slovenia ordered a Croatian diplomat to leave the country on Tuesday."
    mentions, _ = _run(nlp, text)
    assert not [m for m in mentions if m.text == "the country"]
