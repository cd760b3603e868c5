"""The web UI through FastAPI's test client: pages, JSON twins, the error shape, escaping."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from narrascope.web import create_app, get
from narrascope.web.app import hl_href

from .conftest import EVIL

PAGES = ["/", "/outlets", "/actors", "/actors/roe", "/actors/critics", "/documents",
         "/documents/evil0001", "/documents/evil0001?hl=0-10&hl=20-30", "/timeline", "/graph",
         "/claims", "/techniques", "/search?q=alert", "/search?q=script", "/ask?q=alert",
         "/ask", "/actors/missing", "/search?q=%3Cscript%3E"]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def client(hostile_store: Path):
    with TestClient(create_app(hostile_store), raise_server_exceptions=False) as c:
        yield c


def test_web_pages_render_with_json_twins(client: TestClient) -> None:
    for path in ("/", "/outlets", "/actors", "/documents", "/timeline", "/graph", "/claims",
                 "/techniques"):
        html = client.get(path)
        assert html.status_code == 200, path
        assert html.headers["content-type"].startswith("text/html")
        twin = client.get("/index.json" if path == "/" else f"{path}.json")
        assert twin.status_code == 200, path
        assert twin.headers["content-type"] == "application/json"


def test_web_actor_page_json_has_names_quotes_and_outlets(client: TestClient) -> None:
    data = client.get("/actors/roe.json").json()
    assert data["canonical"].startswith("Jane Roe")
    assert {f["text"] for f in data["surface_forms"]} == {"Foreign Minister Jane Roe", "Jane Roe"}
    assert data["mention_count"] == 2
    assert [q["direct"] for q in data["quotes"]] == [True]
    assert data["quotes"][0]["text"].startswith("we reject")
    assert data["outlets"][0]["quotes"] == 1
    assert data["documents"][0]["doc_id"] == "evil0001"


def test_web_document_json_carries_text_spans_and_highlights(client: TestClient) -> None:
    data = client.get("/documents/evil0001.json?hl=5-9").json()
    assert data["highlights"] == [[5, 9]]
    text = data["text"]
    q = data["quotes"][0]
    assert text[q["start"]:q["end"]].startswith("we reject")
    html = client.get("/documents/evil0001?hl=5-9").text
    assert 'id="hl-5-9"' in html
    # mentions link to actor pages, not to report anchors
    assert 'href="/actors/roe"' in html


def test_web_search_finds_sentences_and_marks_words(client: TestClient) -> None:
    data = client.get("/search.json?q=rejects").json()
    assert data["results"], data
    hit = data["results"][0]
    assert hit["doc_id"] == "evil0001"
    assert any(hit["text"][s:e].casefold().startswith("reject") for s, e in hit["marks"])
    assert hit["outlet"].startswith("Outlet")


def test_web_ask_reports_unavailable_or_answers(client: TestClient) -> None:
    data = client.get("/ask.json?q=Who+rejects+accusations").json()
    assert data["q"] == "Who rejects accusations"
    if not data["available"]:
        assert data["result"] is None
        assert "not available" in client.get("/ask?q=x").text
    else:
        assert isinstance(data["result"], dict)


@pytest.mark.parametrize("path,status", [("/actors/nope.json", 404), ("/documents/nope.json", 404),
                                         ("/no/such/page.json", 404),
                                         ("/documents/evil0001.json?hl=x-y", 400)])
def test_web_errors_have_one_json_shape(client: TestClient, path: str, status: int) -> None:
    resp = client.get(path)
    assert resp.status_code == status
    body = resp.json()
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["errors"], list) and body["errors"]
    assert body["error"] == body["errors"][0]


def test_web_errors_render_html_for_pages(client: TestClient) -> None:
    resp = client.get("/actors/nope")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "Error 404" in resp.text


def test_web_internal_error_hides_details(hostile_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrascope.report import pages

    def boom(store: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(pages, "outlets", boom)
    with TestClient(create_app(hostile_store), raise_server_exceptions=False) as c:
        body = c.get("/outlets.json").json()
    assert body == {"ok": False, "error": "internal error: RuntimeError",
                    "errors": ["internal error: RuntimeError"], "status": 500}


@pytest.mark.parametrize("path", PAGES)
def test_web_hostile_text_is_inert_markup(client: TestClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code in (200, 404)
    assert "script-src" not in resp.headers["content-security-policy"]  # no script allowed at all
    parser = Tags()
    parser.feed(resp.text)
    assert not [t for t, _ in parser.tags if t in ("script", "iframe", "object", "embed", "img")]
    for tag, attrs in parser.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        for k in ("href", "src", "action"):
            v = (attrs.get(k) or "").strip().lower()
            assert not v.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
    for payload in EVIL:
        assert payload not in resp.text


def test_web_hostile_text_is_shown_as_text(client: TestClient) -> None:
    html = client.get("/documents/evil0001").text
    assert "&lt;script&gt;alert(&#39;xss-script&#39;)&lt;/script&gt;" in html


def test_serve_get_prints_a_page(hostile_store: Path) -> None:
    status, body = get(hostile_store, "/actors/roe.json")
    assert status == 200 and '"actor_id":"roe"' in body
    assert get(hostile_store, "/actors/nobody.json")[0] == 404


def test_hl_href_links_every_span_and_scrolls_to_the_first() -> None:
    assert hl_href("d1", [3, 9], (12, 20)) == "/documents/d1?hl=3-9&hl=12-20#hl-3-9"
    assert hl_href("d1", None, [None, 4]) == "/documents/d1"
