"""Boilerplate rules, on hand-made lines: what goes, what stays, offsets kept."""

from __future__ import annotations

import pytest

from narrascope.ingest.boilerplate import body_ranges, boilerplate_reason, classify_lines


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Newsroom logo", "nav"),
        ("Daily Planet logo", "nav"),
        ("Read also |", "nav"),
        ("READ MORE:", "nav"),
        ("More From Me", "nav"),
        ("Related Stories", "nav"),
        ("Share this article", "nav"),
        ("Facebook Twitter Email", "nav"),
        ("Subscribe to our newsletter", "nav"),
        ("Advertisement", "nav"),
        ("© 2024 Example Media. All rights reserved", "nav"),
        ("source site", "nav"),
        ("our partners", "fragment"),
        ("* * *", "fragment"),
        ("By Ilham Karimli May 2, 2024", "byline"),
        ("By Tahran Oruçoğlu, Baku, Azerbaijan", "byline"),
        ("By Jane Roe and John Doe, Staff Writers", "byline"),
        ("BY JANE ROE", "byline"),
        ("Last update: July 14, 2024 01:59", "dateline"),
        ("Published on Friday, 27 September 2013", "dateline"),
        ("December 15th, 2008, 7:35 am", "dateline"),
        ("Photo: AFP", "credit"),
        ("Photo credit: Jane Roe / Example Agency", "credit"),
    ],
)
def test_boilerplate_lines_are_dropped(line: str, reason: str) -> None:
    assert boilerplate_reason(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "MP Mushvig Jafarov: “Azerbaijan expresses its moral support for the freedom movement”",
        "What Was Said",
        "Azerbaijan Denies Claims",
        "“Baku will always express its support to those who suffered from colonialism”",
        "the government will request the “heaviest sanctions against rioters and looters”",
        "By Tuesday, the protesters had left the square.",
        "By the end of the day, seven people had died.",
        "Share prices fell sharply",
        "Company unveils its new logo",
        "Related to this, the minister said nothing.",
        "On May 2, 2024 the ministry issued a statement.",
        "Updated figures show that 40% of the population is Kanak.",
        "Image: Protesters gather in front of the high commission in Nouméa on Tuesday",
        "Hello GT, Thank you! and Curious,",
        "France has accused Azerbaijan of foreign interference in the ongoing protests.",
        "'Right decision'",
    ],
)
def test_boilerplate_content_lines_are_kept(line: str) -> None:
    assert boilerplate_reason(line) is None


def test_boilerplate_body_ranges_keep_offsets_into_the_text() -> None:
    text = (
        "Last update: July 14, 2024 01:59\r\n\r\nSite logo\r\n\r\nHeadline: “A quote”\r\n\r\n"
        "By Jane Roe May 2, 2024\r\n\r\nFirst paragraph of the story.\r\n\r\nSecond paragraph.\r\n\r\n"
        "Read also |\r\n"
    )
    ranges = body_ranges(text)
    assert [text[a:b] for a, b in ranges] == [
        "Headline: “A quote”",
        "First paragraph of the story.\r\n\r\nSecond paragraph.",
    ]


def test_boilerplate_credit_suffix_keeps_the_caption() -> None:
    text = "Title of the story\n\nThe Foreign Ministry of Azerbaijan / Courtesy\n\nThe body text.\n"
    ranges = body_ranges(text)
    assert [text[a:b] for a, b in ranges] == [
        "Title of the story\n\nThe Foreign Ministry of Azerbaijan",
        "The body text.",
    ]


def test_boilerplate_no_boilerplate_means_empty_body() -> None:
    assert body_ranges("Just one paragraph of news.\n\nAnd another one.\n") == ()


def test_boilerplate_broken_sentence_fragments_are_kept() -> None:
    # A hard line break inside a sentence leaves a short lower-case "paragraph".
    text = "It may have left him splattered with eggs but he felt it\n\nwas\n\nworth the fight, he says.\n"
    assert body_ranges(text) == ()


def test_boilerplate_fragment_rule_needs_a_paragraph_of_its_own() -> None:
    assert boilerplate_reason("our partners", alone=True) == "fragment"
    assert boilerplate_reason("our partners", alone=False) is None


def test_boilerplate_author_bio_near_the_top_is_dropped_but_quotes_stay() -> None:
    bio = (
        "Unbiased news reporting for 12+ years. Covering conflicts and breaking news. "
        "Editor-in-Chief of Example News."
    )
    text = f"Headline of the piece\n\n{bio}\n\nMore From Me\n\nThe story itself begins here.\n"
    reasons = [ln.reason for ln in classify_lines(text) if ln.text]
    assert reasons == [None, "bio", "nav", None]
    quoted = f"Headline\n\n“He is a staff writer for the Post,” she said of {bio}\n\nBody.\n"
    assert all(ln.reason is None for ln in classify_lines(quoted))


def test_boilerplate_about_the_author_heading_and_blurb_are_dropped() -> None:
    text = "The story.\n\nMore story.\n\nAbout the author\n\nJane Roe writes about energy policy.\n"
    assert [ln.reason for ln in classify_lines(text) if ln.text] == [None, None, "bio", "bio"]
