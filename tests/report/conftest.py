"""A tiny hand-built store: two articles, linked actors, overlapping spans, hostile text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from narrascope.records import Actor, DocAnnotation, Document, LocalEntity, Mention, Quote, Sentence
from narrascope.store import Store

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_LINK = '<a href="javascript:alert(1)">click</a>'


def _span(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    start = text.index(needle, after)
    return start, start + len(needle)


def _doc_a() -> DocAnnotation:
    text = (
        f"Darmanin Accuses Baku {EVIL_SCRIPT}\n\n"
        "French Interior Minister Gérard Darmanin said “some separatists made a deal with "
        "Azerbaijan” on Thursday.\n"
        f"Azerbaijan's Foreign Ministry said the claims were cheap accusations {EVIL_IMG}.\n"
        "Read also: more news"
    )
    doc = Document(
        doc_id="aaa111", source="a.txt", text=text, title=f"Darmanin {EVIL_SCRIPT}",
        outlet="Atlas News", url="javascript:alert(1)", published="2024-05-16",
        published_precision="day", encoding="cp1252", notes=("mojibake repaired",),
        body=((0, text.index("Read also")),),
    )
    s1 = _span(text, "French Interior Minister Gérard Darmanin said")[0]
    s1_end = text.index("Thursday.") + len("Thursday.")
    s2 = text.index("Azerbaijan's Foreign Ministry")
    s2_end = text.index(".\nRead") + 1
    q1 = _span(text, "some separatists made a deal with Azerbaijan")
    name = _span(text, "Gérard Darmanin")
    title = _span(text, "French Interior Minister Gérard Darmanin")  # nests `name`
    az_in_quote = _span(text, "Azerbaijan", q1[0])  # a mention inside the quote
    ministry = _span(text, "Azerbaijan's Foreign Ministry")
    az_in_ministry = _span(text, "Azerbaijan", s2)  # overlaps the ministry mention
    q2 = _span(text, f"the claims were cheap accusations {EVIL_IMG}")
    said1 = _span(text, "said", name[1])
    said2 = _span(text, "said", ministry[1])
    mentions = (
        Mention("aaa111", 0, *title, text[title[0]:title[1]], "TITLE", "PERSON", 1, 1),
        Mention("aaa111", 1, *name, "Gérard Darmanin", "NAME", "PERSON", 1, 1),
        Mention("aaa111", 2, *az_in_quote, "Azerbaijan", "NAME", "GPE", 2, 1),
        Mention("aaa111", 3, *ministry, "Azerbaijan's Foreign Ministry", "NAME", "ORG", 3, 2),
        Mention("aaa111", 4, *az_in_ministry, "Azerbaijan", "NAME", "GPE", 2, 2),
    )
    entities = (
        LocalEntity("aaa111", 1, "Gérard Darmanin", "PERSON", names=("Gérard Darmanin",)),
        LocalEntity("aaa111", 2, "Azerbaijan", "GPE", key="country:AZ"),
        LocalEntity("aaa111", 3, "Azerbaijan's Foreign Ministry", "ORG"),
    )
    quotes = (
        Quote("aaa111", 0, *q1, direct=True, cue="said", cue_start=said1[0], cue_end=said1[1],
              speaker_text="French Interior Minister Gérard Darmanin", speaker_start=title[0],
              speaker_end=title[1], speaker_local_id=1, sent_start=s1, sent_end=s1_end),
        Quote("aaa111", 1, *q2, direct=False, cue="said", cue_start=said2[0], cue_end=said2[1],
              speaker_text="Azerbaijan's Foreign Ministry", speaker_start=ministry[0],
              speaker_end=ministry[1], speaker_local_id=3, sent_start=s2, sent_end=s2_end),
    )
    sentences = (Sentence("aaa111", 0, 0, s1 - 2), Sentence("aaa111", 1, s1, s1_end),
                 Sentence("aaa111", 2, s2, s2_end))
    return DocAnnotation(doc, sentences, mentions, entities, quotes, words=40)


def _doc_b() -> DocAnnotation:
    text = (
        f"Baku denies. {EVIL_LINK} A source close to the ministry said "
        "“France is sovereign on its own territory,” adding nothing. Darmanin repeated it."
    )
    doc = Document(doc_id="bbb222", source="b.txt", text=text, outlet="Caspian <b>News</b>",
                   url="https://example.org/b", published="2024-07", published_precision="month")
    q = _span(text, "France is sovereign on its own territory,")
    spk = _span(text, "A source close to the ministry")
    darm = _span(text, "Darmanin")
    baku = _span(text, "Baku")
    said = _span(text, "said", spk[1])
    return DocAnnotation(
        doc,
        mentions=(
            Mention("bbb222", 0, *baku, "Baku", "CAPITAL", "GPE", 1, 0),
            Mention("bbb222", 1, *darm, "Darmanin", "NAME", "PERSON", 2, 2),
        ),
        entities=(LocalEntity("bbb222", 1, "Azerbaijan", "GPE", key="country:AZ"),
                  LocalEntity("bbb222", 2, "Darmanin", "PERSON")),
        quotes=(Quote("bbb222", 0, *q, direct=True, cue="said", cue_start=said[0],
                      cue_end=said[1], speaker_text="A source close to the ministry",
                      speaker_start=spk[0], speaker_end=spk[1], sent_start=spk[0] - 0,
                      sent_end=text.index("nothing.") + 8),),
        words=25,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "store") as st:
        st.write_batch([_doc_a(), _doc_b()], "test")
        st.replace_actors(
            [
                Actor("gerard-darmanin", "Gérard Darmanin", "PERSON",
                      aliases=("Gérard Darmanin", "Darmanin", "French Interior Minister"),
                      mention_count=3),
                Actor("country-az", "Azerbaijan", "GPE", key="country:AZ",
                      aliases=("Azerbaijan", "Baku"), mention_count=3),
                Actor("az-mfa", f"Foreign Ministry {EVIL_IMG}", "ORG", mention_count=1),
            ],
            {("aaa111", 1): "gerard-darmanin", ("bbb222", 2): "gerard-darmanin",
             ("aaa111", 2): "country-az", ("bbb222", 1): "country-az",
             ("aaa111", 3): "az-mfa"},
        )
        yield st
