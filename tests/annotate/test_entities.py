"""Actor mentions and local grouping on hand-written sentences."""

from __future__ import annotations

import itertools

import pytest

from narrascope.annotate.entities import extract_entities
from narrascope.annotate.gazetteer import load_gazetteer
from narrascope.annotate.titles import org_key, parse_title
from narrascope.records import Document


def _run(nlp, text):
    doc = Document("d", "d.txt", text)
    mentions, ents = extract_entities(nlp(text), doc)
    by_id = {e.local_id: e for e in ents}
    return mentions, by_id


def _entity_of(mentions, by_id, surface):
    m = next(m for m in mentions if surface in m.text)
    return by_id[m.local_id]


@pytest.mark.parametrize(
    ("word", "code"),
    [("Azerbaijani", "AZ"), ("Armenian", "AM"), ("French", "FR"), ("Nigerian", "NG"),
     ("Mexican", "MX"), ("Polish", "PL"), ("Chinese", "CN"), ("Israeli", "IL")],
)
def test_gazetteer_demonyms_from_morphology(word, code):
    assert load_gazetteer().demonym(word) == (code, False)


def test_gazetteer_capitals_and_countries():
    g = load_gazetteer()
    assert g.capital("Baku") == "AZ" and g.capital("Paris") == "FR"
    assert g.country("the Russian Federation") == "RU" and g.country("Russia") == "RU"


def test_titles_normalise_word_order():
    g = load_gazetteer()
    a = parse_title("the Minister of the Interior of France", g)
    b = parse_title("French Interior Minister", g)
    assert a == b
    assert not parse_title("the foreign minister", g).conflicts(parse_title("minister", g))
    assert parse_title("the foreign minister", g).conflicts(parse_title("interior minister", g))


def test_org_key_foreign_ministry_forms():
    g = load_gazetteer()
    keys = {org_key(t, g)[0] for t in ("Ministry of Foreign Affairs of Kenya", "Kenya's Foreign Ministry",
                                       "the Kenyan Foreign Ministry")}
    assert keys == {"org:KE:foreign ministry"}


@pytest.mark.model
def test_surname_joins_full_name(nlp):
    mentions, _ents = _run(nlp, "Angela Merkel arrived in Lisbon on Monday. Later, Merkel met the press.")
    names = [m for m in mentions if "Merkel" in m.text]
    assert len(names) == 2 and names[0].local_id == names[1].local_id


@pytest.mark.model
def test_title_attached_and_resolved_later(nlp):
    text = ("Kenyan Foreign Minister Musalia Mudavadi criticised the plan on Tuesday. "
            "The Kenyan foreign minister said talks would continue.")
    mentions, ents = _run(nlp, text)
    person = _entity_of(mentions, ents, "Mudavadi")
    assert "kenyan foreign minister" in person.titles
    assert person.affiliation == "country:KE"
    later = next(m for m in mentions if m.kind == "TITLE")
    assert later.local_id == person.local_id


@pytest.mark.model
def test_capital_demonym_and_country_share_key(nlp):
    text = ("Kenya rejected the report. Nairobi said the claims were false, "
            "and Kenyan officials called them insulting.")
    mentions, ents = _run(nlp, text)
    keys = {ents[m.local_id].key for m in mentions if m.text in ("Kenya", "Nairobi", "Kenyan")}
    assert keys == {"country:KE"}
    assert {m.kind for m in mentions if m.text in ("Nairobi", "Kenyan")} == {"CAPITAL", "DEMONYM"}


@pytest.mark.model
def test_capital_as_location_is_not_an_actor(nlp):
    mentions, _ = _run(nlp, "The summit took place in Nairobi last week.")
    assert not any(m.text == "Nairobi" for m in mentions)


@pytest.mark.model
def test_org_with_city_name_is_not_the_country(nlp):
    text = "The Nairobi Peace Forum (NPF) met on Friday. The NPF later issued a statement."
    mentions, ents = _run(nlp, text)
    org = _entity_of(mentions, ents, "Nairobi Peace Forum")
    assert org.key != "country:KE" and org.type == "ORG"
    acr = [m for m in mentions if m.text == "NPF"]
    assert acr and all(m.local_id == org.local_id and m.kind == "ACRONYM" for m in acr)


@pytest.mark.model
def test_title_only_without_named_holder_stays_title(nlp):
    mentions, ents = _run(nlp, "The President of Kenya said the vote was fair.")
    m = next(m for m in mentions if m.kind == "TITLE")
    e = ents[m.local_id]
    assert e.names == () and e.affiliation == "country:KE"


@pytest.mark.model
def test_mentions_do_not_nest(nlp):
    text = "Kenya's Foreign Ministry said that Kenyan President William Ruto would travel."
    mentions, _ = _run(nlp, text)
    spans = sorted((m.start, m.end) for m in mentions)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
