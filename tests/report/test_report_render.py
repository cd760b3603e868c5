"""The single-file report: content, anchors, escaping of hostile text, the JSON twin."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from narrascope.report.data import report_data
from narrascope.report.render import fmt_date, safe_url, write_report
from narrascope.store import Store

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "source", "col", "area", "base"}


class Collector(HTMLParser):
    """Every start tag with its attributes, plus a check that elements nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _render(store: Store, tmp_path: Path) -> tuple[str, Collector]:
    path = write_report(store, tmp_path / "out" / "report.html")
    html = path.read_text(encoding="utf-8")
    parser = Collector()
    parser.feed(html)
    parser.close()
    return html, parser


def test_report_shows_quotes_with_speakers(store: Store, tmp_path: Path) -> None:
    html, parser = _render(store, tmp_path)
    text = "".join(parser.text)
    assert "some separatists made a deal with Azerbaijan" in text
    assert "France is sovereign on its own territory," in text
    assert "Gérard Darmanin" in text
    assert "A source close to the ministry" in text
    assert 'id="actor-gerard-darmanin"' in html


def test_report_quote_links_resolve_to_document_anchors(store: Store, tmp_path: Path) -> None:
    _, parser = _render(store, tmp_path)
    ids = {a.get("id") or "" for _, a in parser.tags} - {""}
    hrefs = {a.get("href") or "" for t, a in parser.tags if t == "a"}
    hrefs = {h for h in hrefs if h.startswith("#")}
    assert {"doc-aaa111", "doc-bbb222", "doc-aaa111-q0", "doc-aaa111-q1", "doc-bbb222-q0"} <= ids
    assert {"#doc-aaa111-q0", "#doc-aaa111-q1", "#doc-bbb222-q0"} <= hrefs
    dangling = {h for h in hrefs if h[1:] not in ids}
    assert not dangling


def test_report_html_is_well_nested(store: Store, tmp_path: Path) -> None:
    _, parser = _render(store, tmp_path)
    assert parser.errors == []
    assert parser.stack == []


def test_report_escapes_hostile_article_text(store: Store, tmp_path: Path) -> None:
    html, parser = _render(store, tmp_path)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<b>News" not in html
    assert "Caspian &lt;b&gt;News&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:alert(1)" in "".join(parser.text)  # shown as text, inert
    for tag, attrs in parser.tags:
        assert tag not in {"script", "img", "iframe", "object", "embed", "form"}, tag
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name)
            if name in {"href", "src", "action"}:
                v = (value or "").strip().lower()
                assert v.startswith(("#", "https://", "http://")), (tag, name, value)


def test_report_has_no_network_assets(store: Store, tmp_path: Path) -> None:
    html, parser = _render(store, tmp_path)
    assert not [t for t, _ in parser.tags if t in {"link", "script", "img", "iframe"}]
    assert "@import" not in html and "url(" not in html
    external = [a["href"] for t, a in parser.tags if t == "a" and (a.get("href") or "")[:1] != "#"]
    assert external == ["https://example.org/b", "https://example.org/b"]  # source table + doc view


def test_report_renders_overlapping_spans(store: Store, tmp_path: Path) -> None:
    _, parser = _render(store, tmp_path)
    marks = [(a.get("class") or "").split() for t, a in parser.tags if t == "mark"]
    # "Azerbaijan" inside the direct quote: a GPE mention and the quote at once.
    assert any({"m", "t-GPE", "q", "qd"} <= set(c) for c in marks)
    # "Azerbaijan" inside "Azerbaijan's Foreign Ministry", which is also the speaker span.
    assert any({"t-GPE", "t-ORG", "spk"} <= set(c) for c in marks)
    # the nested title + name mention: speaker, PERSON mention
    assert any({"spk", "m", "t-PERSON"} <= set(c) for c in marks)


def test_report_json_twin_matches_data(store: Store, tmp_path: Path) -> None:
    write_report(store, tmp_path / "out" / "report.html")
    twin = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert twin["meta"]["generator"].startswith("narrascope")
    del twin["meta"]
    assert twin == json.loads(json.dumps(report_data(store)))


def test_report_without_linked_actors_groups_by_local_names(tmp_path: Path, store: Store) -> None:
    store.replace_actors([], {})
    _, parser = _render(store, tmp_path)
    assert "Gérard Darmanin" in "".join(parser.text)
    assert parser.errors == []


def test_report_of_empty_store(tmp_path: Path) -> None:
    with Store(tmp_path / "empty") as st:
        html, parser = _render(st, tmp_path)
    assert "No quotes found." in html
    assert parser.errors == []


@pytest.mark.parametrize(
    ("published", "precision", "shown"),
    [
        ("2024-05-02", "day", "2 May 2024"),
        ("2024-07", "month", "Jul 2024"),
        ("2024-07-01", "month", "Jul 2024"),
        ("2024", "year", "2024"),
        (None, None, "undated"),
        ("someday", None, "someday"),
    ],
)
def test_fmt_date_shows_known_precision_only(published: str | None, precision: str | None, shown: str) -> None:
    assert fmt_date(published, precision) == shown


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a", True),
        ("http://example.org/a", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example", False),
        (None, False),
    ],
)
def test_safe_url_links_only_http(url: str | None, linked: bool) -> None:
    assert (safe_url(url) is not None) is linked


def test_report_files_are_readable_by_others(store: Store, tmp_path: Path) -> None:
    path = write_report(store, tmp_path / "report.html")
    assert path.stat().st_mode & 0o044 == 0o044
    assert (tmp_path / "report.json").stat().st_mode & 0o044 == 0o044
