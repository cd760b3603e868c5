"""find_quotes on hand-written news sentences (needs the packaged spaCy model)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from narrascope.records import Document, Quote

pytestmark = pytest.mark.model


@dataclass
class Found:
    content: str
    direct: bool
    cue: str | None
    speaker: str | None
    entity: str | None


def find(text: str) -> list[Found]:
    from narrascope.annotate import annotate_document, load_models

    ann = annotate_document(Document(doc_id="t", source="t.txt", text=text), load_models())
    names = {e.local_id: e.canonical for e in ann.entities}
    out = []
    for q in ann.quotes:
        assert isinstance(q, Quote)
        assert 0 <= q.start < q.end <= len(text)
        assert q.sent_start <= q.start and q.end <= q.sent_end
        out.append(
            Found(
                text[q.start : q.end],
                q.direct,
                q.cue,
                q.speaker_text,
                names.get(q.speaker_local_id) if q.speaker_local_id is not None else None,
            )
        )
    return out


def one(text: str, content_part: str) -> Found:
    hits = [f for f in find(text) if content_part in f.content]
    assert hits, f"no quote containing {content_part!r} in {find(text)!r}"
    return hits[0]


# (text, a part of the content, direct, cue, a part of the speaker phrase)
CASES = [
    pytest.param(
        "“We will rebuild the bridge by spring,” Mayor Anna Lindqvist said on Tuesday.",
        "rebuild the bridge", True, "said", "Lindqvist", id="direct-then-name-said",
    ),
    pytest.param(
        "“Prices will keep rising,” said Tomas Berg, an economist at Nordbank.",
        "Prices will keep rising", True, "said", "Tomas Berg", id="direct-inverted-said-name",
    ),
    pytest.param(
        "The finance minister said: “Nobody is above the law.”",
        "Nobody is above the law", True, "said", "minister", id="colon-then-quote",
    ),
    pytest.param(
        "Senator Maria Okafor said that the budget would be cut next year.",
        "the budget would be cut", False, "said", "Maria Okafor", id="reported-said-that",
    ),
    pytest.param(
        "According to the health ministry, three hospitals were closed on Monday.",
        "three hospitals were closed", False, "According to", "ministry", id="according-to",
    ),
    pytest.param(
        "A senior diplomat told reporters that the talks had stalled over fishing rights.",
        "the talks had stalled", False, "told", "diplomat", id="told-x-that",
    ),
    pytest.param(
        "The price of grain will double this winter, the farmers' union warned.",
        "price of grain will double", False, "warned", "union", id="inverted-reported",
    ),
    pytest.param(
        "The mayor said: « We stay here until the water goes down. »",
        "We stay here", True, "said", "mayor", id="guillemets",
    ),
    pytest.param(
        "Okafor said the reform was “a betrayal of working families” and vowed to fight it.",
        "betrayal of working families", False, "said", "Okafor", id="mixed-quote-in-reported",
    ),
]


@pytest.mark.parametrize(("text", "part", "direct", "cue", "speaker"), CASES)
def test_quotes_patterns(text: str, part: str, direct: bool, cue: str, speaker: str) -> None:
    f = one(text, part)
    assert f.direct is direct
    assert f.cue is not None and f.cue.lower() == cue.lower()
    assert f.speaker is not None and speaker in f.speaker


def test_quotes_pronoun_speaker_resolves_to_recent_person() -> None:
    f = one("Carlos Mendes arrived late. “The roads were flooded,” he said.", "roads were flooded")
    assert f.speaker == "he"
    assert f.entity is not None and "Mendes" in f.entity


def test_quotes_paragraph_of_only_quotation_inherits_speaker() -> None:
    text = (
        "Helena Park, the committee chair, said the plan was sound.\n\n"
        "“We studied it for two years and the numbers work.”"
    )
    f = one(text, "studied it for two years")
    assert f.direct and f.cue is None
    assert f.entity is not None and "Park" in f.entity


def test_quotes_statement_read_resolves_to_issuing_organisation() -> None:
    text = (
        "The Ministry of Transport issued a statement on Friday. "
        "“All flights will resume on Monday,” the statement read."
    )
    f = one(text, "All flights will resume")
    assert f.speaker == "the statement"
    assert f.entity is not None and "Transport" in f.entity


def test_quotes_nested_quote_gets_its_own_speaker() -> None:
    text = (
        "“During the meeting, the chairman said, ‘Nothing will change before the vote,’ "
        "and we believed him,” union leader Rosa Díaz said."
    )
    found = find(text)
    inner = [f for f in found if f.content.startswith("Nothing will change")]
    assert inner and inner[0].speaker is not None and "chairman" in inner[0].speaker
    outer = [f for f in found if "we believed him" in f.content]
    assert outer and outer[0].speaker is not None and "Díaz" in outer[0].speaker


def test_quotes_multi_paragraph_quotation_shares_its_speaker() -> None:
    text = (
        "Premier Jonas Vik spoke for an hour.\n\n"
        "“The first part of the speech covered the harbour.\n\n"
        "“The second part ends it,” Vik said."
    )
    found = find(text)
    first = [f for f in found if "covered the harbour" in f.content]
    assert first and first[0].entity is not None and "Vik" in first[0].entity


def test_quotes_headline_name_colon_quote() -> None:
    f = one("Minister Jonas Vik: “We will not give up the port”\n\nMore text follows.", "give up the port")
    assert f.direct and f.speaker is not None and "Vik" in f.speaker


def test_quotes_headline_name_colon_words_without_marks() -> None:
    f = one("Senator Maria Okafor: The bridge tax is dead\n\nThe senator spoke on Monday.", "bridge tax is dead")
    assert not f.direct and f.cue is None and f.speaker is not None and "Okafor" in f.speaker


def test_quotes_transcript_turns_are_their_speakers_words() -> None:
    text = (
        "SMITH: I think the vote was fair and we will accept it.\n\n"
        "JONES: We will not accept it at all.\n\n"
        "SMITH: Then we will see you in court."
    )
    f = one(text, "see you in court")
    assert f.speaker == "SMITH"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Update: The road to the harbour is open again.\n\nMore text.", id="update-label"),
        pytest.param("He said: the road to the harbour is open again.", id="verb-in-label"),
    ],
)
def test_quotes_colon_label_that_names_nobody_is_no_speaker(text: str) -> None:
    assert [f for f in find(text) if f.cue is None] == []


def test_quotes_split_quotation_is_one_quote() -> None:
    text = "“We are ready,” said coach Lena Ortiz. “The team has trained all winter.”"
    found = [f for f in find(text) if f.direct]
    assert len(found) == 1
    assert found[0].content.startswith("We are ready") and found[0].content.endswith("all winter.")


@pytest.mark.parametrize(
    "text",
    [
        "He said “this quotation never closes.\n\nThe next paragraph is plain.",
        "”Backwards marks“ confuse “everyone.",
        "“",
        "",
        "\n\n\n",
    ],
)
def test_quotes_unbalanced_marks_do_not_crash(text: str) -> None:
    found = find(text)
    assert all(not f.direct for f in found)


def test_quotes_are_deterministic() -> None:
    text = "“We will win,” Anna Lindqvist said. She added that the count was fair."
    assert find(text) == find(text)


# -- precision: what is not a quote --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("The mayor criticised the governor at the rally on Friday.", id="criticise-target"),
        pytest.param("Opposition leaders blamed Ruritania.", id="blame-target"),
        pytest.param("The party, which supports Elbonia, lost two seats.", id="support-target"),
    ],
)
def test_quotes_actor_object_is_target_not_content(text: str) -> None:
    assert [f for f in find(text) if not f.direct] == []


def test_quotes_phase_verb_with_a_verb_complement_is_not_a_cue() -> None:
    assert [f.cue for f in find("Although peace was promised in public, Armenia began to re-arm.")] == []


def test_quotes_phase_verb_leaves_the_speech_verb_it_governs() -> None:
    f = one("Minister Jonas Vik began to argue that the port should be sold.", "the port should be sold")
    assert f.cue == "argue" and f.speaker is not None and "Vik" in f.speaker


def test_quotes_relative_pronoun_without_a_named_antecedent_shows_the_antecedent() -> None:
    f = one("The plan was rejected by loyalist elected officials, who described it as a disgrace.", "disgrace")
    assert f.speaker == "loyalist elected officials, who"


def test_quotes_relative_pronoun_with_a_named_antecedent_is_that_entity() -> None:
    f = one("The plan was praised by Senator Maria Okafor, who described it as a triumph.", "triumph")
    assert f.speaker == "who" and f.entity is not None and "Okafor" in f.entity


def test_quotes_finding_reported_in_a_poll_is_the_polls() -> None:
    f = one("In a CBS News poll last month, Senator Okafor had a six-point lead over her rival.", "six-point lead")
    assert not f.direct and f.cue == "In" and f.speaker is not None and "poll" in f.speaker


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Senator Okafor rose in the polls after the debate.", id="in-the-polls"),
        pytest.param("In a new report, the ministry said the port would close.", id="verb-is-the-cue"),
    ],
)
def test_quotes_in_phrase_that_is_no_source(text: str) -> None:
    assert [f for f in find(text) if f.cue == "In" or f.cue == "in"] == []


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param("OSLO, Aug. 24 (UPI) — A spokesman for the campaign called the report outrageous.",
                     "A spokesman", id="second-subject"),
        pytest.param("CLEVELAND, July 19 (UPI) — Former Attorney General Michael Mukasey told the convention "
                     "that the server should disqualify her.", "Mukasey", id="apposition"),
    ],
)
def test_quotes_dateline_is_not_the_speaker(text: str, speaker: str) -> None:
    found = [f for f in find(text) if not f.direct]
    assert found and all(f.speaker is not None and speaker in f.speaker for f in found)


def test_quotes_show_title_after_a_possessive_is_nobodys_words() -> None:
    text = "Speaking on Channel Nine’s “Morning Desk,” Senator Maria Okafor said the bridge tax was dead."
    assert [f for f in find(text) if f.direct] == []
    assert one(text, "bridge tax").speaker == "Senator Maria Okafor"


def test_quotes_accuse_x_of_y_keeps_the_charge() -> None:
    f = one("The minister accused Ruritania of funding the protests in the north.", "funding the protests")
    assert not f.direct and f.speaker is not None and "minister" in f.speaker


def test_quotes_abstract_noun_is_not_a_speaker() -> None:
    text = "The decision, which angered farmers, announced the closure of three mills."
    assert [f for f in find(text) if f.speaker and "decision" in f.speaker] == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Can you explain to me why the ferry was cancelled?", id="addressed-reader"),
        pytest.param("Hello Marta, thank you for the article!", id="greeting-vocative"),
    ],
)
def test_quotes_reader_and_vocative_are_not_speakers(text: str) -> None:
    assert find(text) == []


def test_quotes_scare_quote_inside_reported_speech_is_not_its_own_quote() -> None:
    text = "The general claimed that the rebels used “terror” against the villagers of the valley."
    found = find(text)
    assert len(found) == 1 and not found[0].direct and "terror" in found[0].content


def test_quotes_subheadline_takes_speaker_of_paraphrasing_paragraph() -> None:
    text = (
        "Harbour workers went on strike, union leader Petra Holm said on Monday.\n\n"
        "“The port will stay closed until wages rise”\n\n"
        "Speaking to reporters, transport minister Jonas Eklund said that the port will stay "
        "closed until wages rise.\n"
    )
    f = one(text, "The port will stay closed until wages rise")
    assert f.direct and f.entity is not None and "Eklund" in f.entity


def test_quotes_scare_quote_in_narration_is_nobodys() -> None:
    text = (
        "“We will win the vote,” Anna Lindqvist said on Monday.\n\n"
        "The campaign's so-called “reset” began in May, weeks after the primary."
    )
    assert [f for f in find(text) if "reset" in f.content] == []
    assert one(text, "We will win the vote").entity is not None


def test_quotes_quoted_title_is_not_a_quote() -> None:
    text = (
        "“Nobody reads the footnotes,” the historian Pavel Moraru said.\n\n"
        "His book, titled “The Long Winter of the Northern Provinces,” sold well last year."
    )
    assert [f for f in find(text) if "Long Winter" in f.content] == []


def test_quotes_markup_attributes_are_not_quotes() -> None:
    text = (
        "“Thank you all,” Lindqvist said.\n\n"
        '<tweet tweet-id="721695114943442946"><tweet/> and <a href="page">more</a>.'
    )
    found = find(text)
    assert [f for f in found if "721695114943442946" in f.content or f.content == "page"] == []


def test_quotes_quotation_paragraph_after_a_named_subject_is_theirs() -> None:
    text = (
        "Marta Kovac, the senator who chairs the budget committee, did not hold back on Friday.\n\n"
        "“This budget is a disgrace and everyone in this chamber knows it.”"
    )
    f = one(text, "This budget is a disgrace")
    assert f.direct and f.cue is None
    assert f.entity is not None and "Kovac" in f.entity


@pytest.mark.parametrize(
    ("text", "not_content"),
    [
        pytest.param("The union published a statement on Friday.", "a statement", id="published-a-statement"),
        pytest.param("Okafor made these remarks at a dinner in the capital.", "these remarks", id="made-remarks"),
        pytest.param("Commenting on the topic, Senator Okafor left the room.", "the topic", id="commenting-on-topic"),
        pytest.param("“We will win,” the mayor told a rally in the harbour district.", "a rally", id="told-hearer"),
    ],
)
def test_quotes_vehicle_hearer_and_pointer_are_not_content(text: str, not_content: str) -> None:
    assert [f for f in find(text) if not f.direct and f.content.startswith(not_content)] == []


def test_quotes_told_hearer_keeps_the_direct_quote() -> None:
    f = one("“We will win,” the mayor told a rally in the harbour district.", "We will win")
    assert f.direct and f.cue == "told" and f.speaker is not None and "mayor" in f.speaker


def test_quotes_as_x_told_y_reports_the_main_clause() -> None:
    text = "As the retired general Stefan Ionescu told this newspaper, no serious army answers a drone with mortars."
    f = one(text, "no serious army answers")
    assert not f.direct and f.cue == "told" and f.speaker is not None and "Ionescu" in f.speaker


def test_quotes_common_noun_speaker_takes_the_apposed_name() -> None:
    text = "Their chief negotiator, Elena Sorokina, calls the offer “an insult to the workers”."
    f = one(text, "an insult to the workers")
    assert f.speaker is not None and "Sorokina" in f.speaker
    assert f.entity is not None and "Sorokina" in f.entity


def test_quotes_published_by_names_the_source() -> None:
    text = (
        "The mill closed two lines last year, according to figures published by the "
        "Ministry of Industry of Ruritania."
    )
    f = one(text, "closed two lines")
    assert f.speaker is not None and "Ministry of Industry" in f.speaker


def test_quotes_an_event_is_not_a_speaker() -> None:
    text = "The explosion at the depot claimed seven lives and showed the world how fragile the truce was."
    assert [f for f in find(text) if f.speaker and "explosion" in f.speaker] == []
