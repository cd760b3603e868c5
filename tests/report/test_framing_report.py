"""The framing section: heatmap data from outlet_framing, rendered as escaped inline SVG."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from narrascope.link.framing import framing_pass
from narrascope.records import (
    Actor,
    ActorTone,
    DocAnnotation,
    Document,
    EntityRole,
    LocalEntity,
    Mention,
    Technique,
)
from narrascope.report.framing import framing
from narrascope.report.render import environment
from narrascope.store import Store

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    text = f"{EVIL} is a disgusting regime, said nobody."
    doc = Document(doc_id="r1", source="r.txt", text=text, outlet=f"Outlet {EVIL}")
    end = len(EVIL)
    ann = DocAnnotation(
        doc,
        mentions=(Mention("r1", 0, 0, end, EVIL, "NAME", "ORG", 1, 0),),
        entities=(LocalEntity("r1", 1, EVIL, "ORG"),),
        words=8,
        extras={
            "techniques": (Technique("r1", 0, end + 6, end + 26, "Loaded_Language", 0.9,
                                     "classifier p=0.90", 0, len(text)),),
            "roles": (EntityRole("r1", 1, EVIL, "Antagonist", 0.8, (), "reporting", None,
                                 (0,), (end,)),),
            "tone": (ActorTone("r1", 1, EVIL, "reporting", 1, -0.7, 1, 0, 0, len(text)),),
        },
    )
    with Store(tmp_path / "s") as st:
        st.write_batch([ann], "test")
        st.replace_actors([Actor("evil", EVIL, "ORG")], {("r1", 1): "evil"})
        framing_pass(st)
        yield st


def test_framing_builder_gives_cells_with_rates_roles_and_links(store: Store) -> None:
    d = framing(store)
    assert d["techniques"]["labels"] == ["Loaded_Language"]
    cell = d["techniques"]["cells"][0]
    assert cell["value"] == pytest.approx(125.0)  # 1 technique in 8 words
    assert cell["doc_id"] == "r1"
    actor = d["actors"]["cells"][0]
    assert (actor["letter"], actor["doc_id"]) == ("A", "r1")
    assert actor["color"].startswith("#")
    assert d["examples"][0]["text"] == "disgusting regime, s"[:20]


def test_framing_section_renders_svg_with_escaped_labels(store: Store) -> None:
    html = environment().get_template("_framing.html").render(section={"data": framing(store)})
    assert "<svg" in html and 'href="#doc-r1"' in html
    assert EVIL not in html
    assert "&lt;script&gt;" in html


def test_framing_builder_is_empty_without_findings(tmp_path: Path) -> None:
    with Store(tmp_path / "empty") as st:
        framing_pass(st)
        assert framing(st) == {}
