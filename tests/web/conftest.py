"""Stores for the web and export tests: a hostile hand-built one, and the demo corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from narrascope.records import Actor, DocAnnotation, Document, LocalEntity, Mention, Quote, Sentence
from narrascope.store import Store

ROOT = Path(__file__).resolve().parents[2]
EVIL_SCRIPT = "<script>alert('xss-script')</script>"
EVIL_IMG = "<img src=x onerror=alert('xss-img')>"
EVIL_LINK = "<a href=\"javascript:alert('xss-link')\">click me</a>"
EVIL = (EVIL_SCRIPT, EVIL_IMG, EVIL_LINK)


def _at(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    s = text.index(needle, after)
    return s, s + len(needle)


def hostile_annotations() -> list[DocAnnotation]:
    """Two articles whose text, title, outlet, names and quotes carry script payloads."""
    text = (
        f"Minister {EVIL_SCRIPT} visits Baku\n\n"
        f"Foreign Minister Jane Roe said “we reject {EVIL_IMG} every accusation” on Monday.\n"
        f"Critics answered with a link {EVIL_LINK} and a claim about alert boxes.\n"
    )
    doc = Document(doc_id="evil0001", source="evil.txt", text=text, title=f"Title {EVIL_SCRIPT}",
                   outlet=f"Outlet {EVIL_IMG}", url="javascript:alert('xss-url')",
                   published="2024-05-20", published_precision="day")
    s1 = text.index("Foreign Minister")
    s1e = text.index("Monday.") + len("Monday.")
    s2 = text.index("Critics")
    name = _at(text, "Jane Roe")
    title = _at(text, "Foreign Minister Jane Roe")
    quote = _at(text, f"we reject {EVIL_IMG} every accusation")
    said = _at(text, "said", name[1])
    crit = _at(text, "Critics")
    return [DocAnnotation(
        doc,
        sentences=(Sentence("evil0001", 0, 0, s1 - 2), Sentence("evil0001", 1, s1, s1e),
                   Sentence("evil0001", 2, s2, len(text) - 1)),
        mentions=(Mention("evil0001", 0, *title, text[title[0]:title[1]], "TITLE", "PERSON", 1, 1),
                  Mention("evil0001", 1, *name, "Jane Roe", "NAME", "PERSON", 1, 1),
                  Mention("evil0001", 2, *crit, "Critics", "NAME", "GROUP", 2, 2)),
        entities=(LocalEntity("evil0001", 1, f"Jane Roe {EVIL_SCRIPT}", "PERSON"),
                  LocalEntity("evil0001", 2, f"Critics {EVIL_LINK}", "GROUP")),
        quotes=(Quote("evil0001", 0, *quote, direct=True, cue="said", cue_start=said[0],
                      cue_end=said[1], speaker_text=text[title[0]:title[1]],
                      speaker_start=title[0], speaker_end=title[1], speaker_local_id=1,
                      sent_start=s1, sent_end=s1e),),
        words=30,
    )]


def write_hostile(path: Path) -> Path:
    with Store(path) as st:
        st.write_batch(hostile_annotations(), "test")
        st.replace_actors(
            [Actor("roe", f"Jane Roe {EVIL_SCRIPT}", "PERSON", aliases=(EVIL_LINK, "Jane Roe"),
                   mention_count=2),
             Actor("critics", f"Critics {EVIL_IMG}", "GROUP", mention_count=1)],
            {("evil0001", 1): "roe", ("evil0001", 2): "critics"},
        )
        st.build_fts()
    return path


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Written once per session; tests open it read-only."""
    return write_hostile(tmp_path_factory.mktemp("hostile") / "store")


@pytest.fixture
def hostile(hostile_store: Path) -> Iterator[Store]:
    with Store.open(hostile_store) as st:
        yield st


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus analysed once per session (needs the spaCy model)."""
    from narrascope.pipeline import AnalyzeOptions, analyze

    out = tmp_path_factory.mktemp("demo")
    analyze([ROOT / "examples" / "new-caledonia"], out, AnalyzeOptions(report=False))
    return out
