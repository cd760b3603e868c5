"""Actor mentions and local grouping on hand-written sentences."""

from __future__ import annotations

import itertools

import pytest

from narrascope.annotate.entities import extract_entities
from narrascope.annotate.gazetteer import load_gazetteer
from narrascope.annotate.places import PlaceIndex, is_demonym_of
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


# --- places the gazetteer does not know -------------------------------------------------


@pytest.mark.parametrize(
    ("word", "place", "expected"),
    [("Velonian", "Velonia", True), ("Velonians", "Velonia", True), ("Kosovan", "Kosovo", True),
     ("Tarvese", "Tarva", True), ("Artsakhi", "Artsakh", True),
     ("Velonia", "Velonia", False), ("Velonian", "Velo", False), ("Christian", "Chrome", False)],
)
def test_demonym_morphology(word, place, expected):
    assert is_demonym_of(word, place) is expected


def test_place_index_demonym_is_unique_and_knows_plural():
    idx = PlaceIndex()
    idx.add("Velonia", "place:velonia")
    assert idx.demonym("Velonian") == ("place:velonia", False)
    assert idx.demonym("Velonians") == ("place:velonia", True)
    assert idx.demonym("Velonia") is None and idx.demonym("velonian") is None


@pytest.mark.model
def test_unknown_place_demonym_and_capital_by_apposition(nlp):
    text = ("Voters in Mirelia elected a new parliament. The Mirelian capital, Sondra, was calm, "
            "and Sondra later said it would reject the findings. Mirelians celebrated.")
    mentions, ents = _run(nlp, text)
    place = _entity_of(mentions, ents, "Mirelia")
    assert place.key == "place:mirelia" and place.canonical == "Mirelia"
    linked = [m for m in mentions if m.text in ("Mirelian", "Sondra")]
    assert len(linked) == 3 and all(m.local_id == place.local_id for m in linked)
    people = next(m for m in mentions if m.text == "Mirelians")
    assert people.local_id != place.local_id  # a plural demonym is the people, as for known states


@pytest.mark.model
def test_capital_of_pattern_makes_the_owner_a_place(nlp):
    text = ("Talks were held in Lutzow, capital of Ostravia. On Friday Lutzow accused its "
            "neighbour of lying. Ostravian officials agreed.")
    mentions, ents = _run(nlp, text)
    place = _entity_of(mentions, ents, "Ostravia")
    assert place.type == "GPE" and place.key == "place:ostravia"
    lut = [m for m in mentions if m.text == "Lutzow"]
    assert len(lut) == 1 and lut[0].kind == "CAPITAL" and lut[0].local_id == place.local_id
    dem = next(m for m in mentions if m.text == "Ostravian")
    assert dem.local_id == place.local_id


@pytest.mark.model
def test_unknown_capital_of_known_country(nlp):
    mentions, ents = _run(nlp, "Delegates met in Karsk, the Georgian capital, where Karsk denied the report.")
    karsk = [m for m in mentions if m.text == "Karsk"]
    assert karsk and all(ents[m.local_id].key == "country:GE" for m in karsk)
    assert "Karsk" in ents[karsk[0].local_id].names  # so "Karsk" in another document links too


# --- title-only mentions ------------------------------------------------------------------


def test_title_denotes_needs_the_institutional_qualifier():
    g = load_gazetteer()
    congress = parse_title("the President of Congress", g)
    head = parse_title("President of Velonia", g)
    assert congress is not None and head is not None
    assert not congress.denotes(head)
    anyone = parse_title("the president", g)
    assert anyone is not None and anyone.denotes(head)
    envoy = parse_title("the organisation's special envoy", g)
    assert envoy == parse_title("special envoy", g)
    leader = parse_title("the majority leader", g)
    senate = parse_title("Senate Majority Leader", g)
    assert leader is not None and senate is not None and leader.denotes(senate)


@pytest.mark.model
def test_title_only_president_of_congress_is_not_head_of_state(nlp):
    text = ("President Maria Ostrova of Velonia spoke first. "
            "Later, the President of Congress rejected her plan.")
    mentions, ents = _run(nlp, text)
    pres = _entity_of(mentions, ents, "Ostrova")
    congress = next(m for m in mentions if m.kind == "TITLE")
    assert congress.local_id != pres.local_id


@pytest.mark.model
def test_title_only_goes_to_named_holder_of_that_title(nlp):
    text = ("UN special envoy Maria Costa arrived on Monday. "
            "The organisation's special envoy said talks would resume.")
    mentions, ents = _run(nlp, text)
    envoy = _entity_of(mentions, ents, "Costa")
    later = next(m for m in mentions if m.kind == "TITLE")
    assert later.local_id == envoy.local_id
    text = ("Foreign Minister Jonas Berg met Interior Minister Lea Holm. "
            "The foreign minister later said the talks had failed.")
    mentions, ents = _run(nlp, text)
    later = next(m for m in mentions if m.kind == "TITLE")
    assert later.local_id == _entity_of(mentions, ents, "Berg").local_id


# --- headline noise -----------------------------------------------------------------------


@pytest.mark.model
def test_title_case_headline_is_not_an_org(nlp):
    text = "Kenya Rejects Ugandan Claims of Meddling in Border Vote\n\nThe ministry said so."
    mentions, ents = _run(nlp, text)
    assert not any(ents[m.local_id].type == "ORG" and len(m.text.split()) > 2 for m in mentions)
    keys = {ents[m.local_id].key for m in mentions}
    assert {"country:KE", "country:UG"} <= keys


@pytest.mark.model
def test_names_do_not_end_in_whitespace(nlp):
    text = "A statement came from the Foreign Ministry of Kenya   \n\nIt was short."
    _, ents = _run(nlp, text)
    assert all(n == n.strip() for e in ents.values() for n in (e.canonical, *e.names))


@pytest.mark.model
def test_name_with_its_own_demonym_is_a_place(nlp):
    # The tagger calls the invented country an ORG and its demonym a PERSON; the demonym
    # occurring beside the name shows that both are the place.
    text = ("Tarvenia expels Ostrovan envoy after border clash. Ostrova must answer for the lives "
            "of our people, the minister said. Ostrova closed two road crossings on Monday. "
            "Ostrovan troops fired after a Tarvenian drone crossed into Ostrovan airspace.")
    mentions, by_id = _run(nlp, text)
    ostrova = {m.local_id for m in mentions if m.text.startswith("Ostrov")}
    assert len(ostrova) == 1
    ent = by_id[ostrova.pop()]
    assert ent.type == "GPE" and ent.key == "place:ostrova"
    assert sum(m.text == "Ostrova" for m in mentions) == 2


@pytest.mark.model
def test_name_found_once_is_found_again(nlp):
    text = "Senator Hilde Marrow opened the session. Marrow left Velo on Wednesday."
    second = text.index("Marrow left")
    assert not any(e.start_char == second for e in nlp(text).ents)  # the tagger misses it
    mentions, _ = _run(nlp, text)
    marrow = [m for m in mentions if "Marrow" in m.text]
    assert [m.start for m in marrow][-1] == second
    assert len({m.local_id for m in marrow}) == 1


@pytest.mark.model
def test_plural_demonym_as_subject_is_the_state(nlp):
    text = ("Ostrova closed the border. For now, the Ostrovans say they have the radar tracks, "
            "and the Armenians say nothing. Eleven Ostrovans were killed.")
    mentions, by_id = _run(nlp, text)
    says = [m for m in mentions if m.text == "Ostrovans" and text[m.end : m.end + 4] == " say"]
    assert says and by_id[says[0].local_id].key == "place:ostrova"
    assert _entity_of(mentions, by_id, "Armenians").key == "country:AM"
    killed = [m for m in mentions if m.text == "Ostrovans" and text[m.end : m.end + 5] == " were"]
    assert killed and by_id[killed[0].local_id].type == "NORP"  # the people, not the state


def test_norm_folds_letters_unicode_does_not_decompose():
    from narrascope.annotate.gazetteer import norm

    assert norm("Đoković") == norm("Djokovic") == "djokovic"
    assert norm("Łódź") == "lodz" and norm("Søren Ærø") == "soren aero"


@pytest.mark.model
def test_demonym_police_is_an_institution_of_that_country(nlp):
    mentions, ents = _run(nlp, "Kenyan police arrested the driver on Friday.")
    police = _entity_of(mentions, ents, "police")
    assert police.type == "ORG" and police.affiliation == "country:KE"
    assert any(m.text == "Kenyan police" for m in mentions)


@pytest.mark.model
def test_institution_head_alone_joins_the_one_longer_name(nlp):
    text = ("The African Union Commission met in Addis Ababa on Monday. "
            "The Commission later issued a statement on the vote.")
    mentions, ents = _run(nlp, text)
    long_ = _entity_of(mentions, ents, "African Union Commission")
    short = [m for m in mentions if m.text == "Commission"]
    assert short and all(m.local_id == long_.local_id for m in short)


@pytest.mark.model
def test_definite_institution_noun_refers_to_the_latest_org_with_that_word(nlp):
    text = ("Kenya's Foreign Ministry summoned the envoy. The Nairobi Peace Group met later. "
            "The ministry said talks would go on, and the group agreed.")
    mentions, ents = _run(nlp, text)
    ministry = _entity_of(mentions, ents, "Foreign Ministry")
    group = _entity_of(mentions, ents, "Nairobi Peace Group")
    nominal = {m.text: m.local_id for m in mentions if m.kind == "NOMINAL"}
    assert nominal == {"The ministry": ministry.local_id, "the group": group.local_id}
    _, alone = _run(nlp, "The ministry said talks would go on.")
    assert not alone  # no earlier name: nothing to refer to
