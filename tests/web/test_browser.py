"""The web UI in a real browser: Playwright driving Debian's chromium, headless.

The demo corpus is analysed once, served by uvicorn on 127.0.0.1 (a free port, in a
thread), and every page is loaded and clicked through; screenshots go to
``test-artifacts/`` (gitignored) so a reviewer can look at what an analyst sees.
``make browser-deps`` installs chromium; without it these tests skip and say so.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

CHROMIUM = Path(os.environ.get("NARRASCOPE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"chromium not found at {CHROMIUM}: run `make browser-deps` (as root it "
                    "runs apt-get install chromium) or set NARRASCOPE_CHROMIUM")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
    return CHROMIUM


class Server:
    """uvicorn serving one store on 127.0.0.1 in a daemon thread."""

    def __init__(self, store: Path) -> None:
        import uvicorn

        from narrascope.web import create_app

        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1",
                                                    port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def playwright(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def _launch(playwright: Any, profile: str, **kwargs: Any) -> Any:
    """Chromium with a new empty profile and no background traffic."""
    return playwright.chromium.launch_persistent_context(
        profile, executable_path=str(CHROMIUM), headless=True, args=ARGS,
        viewport={"width": 1400, "height": 1000}, **kwargs)


@pytest.fixture(scope="module")
def browser_context(playwright: Any) -> Iterator[Any]:
    with tempfile.TemporaryDirectory(prefix="ns-chromium-") as profile:
        ctx = _launch(playwright, profile)
        yield ctx
        ctx.close()


@pytest.fixture(scope="module")
def demo_url(demo_store: Path, chromium: Path) -> Iterator[str]:
    with Server(demo_store) as url:
        yield url


def _page(ctx: Any) -> tuple[Any, list[str]]:
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return page, problems


def _shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.mark.model
@pytest.mark.slow
def test_browser_every_page_loads_and_is_screenshotted(browser_context: Any, demo_url: str) -> None:
    import httpx

    actors = httpx.get(f"{demo_url}/actors.json").json()
    quoted = max(actors, key=lambda a: (a["quotes"], a["mention_count"]))
    docs = httpx.get(f"{demo_url}/documents.json").json()
    page, problems = _page(browser_context)
    shots = {"/": "overview", f"/actors/{quoted['actor_id']}": "actor",
             f"/documents/{docs[0]['doc_id']}": "document", "/outlets": "outlets",
             "/graph": "graph", "/timeline": "timeline", "/techniques": "techniques",
             "/claims": "claims", "/actors": "actors", "/documents": "documents"}
    for path, name in shots.items():
        resp = page.goto(demo_url + path)
        assert resp is not None and resp.status == 200, path
        assert page.locator("main h1, main h2, main h3").first.is_visible(), path
        assert _shot(page, name).stat().st_size > 10_000
    assert not problems, problems
    assert page.goto(demo_url + "/actors/no-such-actor").status == 404
    assert "Error 404" in page.inner_text("main")


@pytest.mark.model
@pytest.mark.slow
def test_browser_click_from_finding_to_both_evidence_spans(browser_context: Any, demo_url: str) -> None:
    """From a contradiction (when that stage ran) or else a quote, to both spans it rests on."""
    page, problems = _page(browser_context)
    page.goto(demo_url + "/claims")
    links = page.locator("#t-contradictions a.ev")
    if links.count() >= 2:
        hrefs = [links.nth(0).get_attribute("href"), links.nth(1).get_attribute("href")]
        for i in range(2):
            page.goto(demo_url + "/claims")
            page.locator("#t-contradictions a.ev").nth(i).click()
            page.wait_for_load_state()
            frag = hrefs[i].split("#", 1)[1]
            assert page.locator(f"#{frag}").count() == 1
            assert page.locator("mark.hl").first.is_visible()
            _shot(page, f"contradiction-evidence-{i}")
    else:
        actors = page.request.get(demo_url + "/actors.json").json()
        quoted = max(actors, key=lambda a: a["quotes"])
        page.goto(f"{demo_url}/actors/{quoted['actor_id']}")
        link = page.locator("a.go").first
        href = link.get_attribute("href")
        assert href and href.count("hl=") == 2, href  # quote span and speaker span
        link.click()
        page.wait_for_load_state()
        assert re.search(r"#hl-\d+-\d+$", page.url)
        quote_span, speaker_span = re.findall(r"hl=(\d+)-(\d+)", href)
        data = page.request.get(page.url.split("#")[0].replace("?", ".json?", 1)).json()
        for s, e in (quote_span, speaker_span):
            marks = page.locator(f"#hl-{s}-{e}")
            assert marks.count() == 1, (s, e)
            highlighted = page.locator("mark.hl").all_inner_texts()
            assert any(data["text"][int(s):int(e)].startswith(t) or t in data["text"][int(s):int(e)]
                       for t in highlighted if t.strip())
        assert page.locator("mark.hl").first.is_visible()
        _shot(page, "quote-evidence")
    assert not problems, problems


@pytest.mark.model
@pytest.mark.slow
def test_browser_search_and_ask(browser_context: Any, demo_url: str) -> None:
    page, problems = _page(browser_context)
    page.goto(demo_url + "/")
    page.fill(".searchbox input[name=q]", "Azerbaijan deal")
    page.press(".searchbox input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    hits = page.locator("ol.hits li.hit")
    assert hits.count() > 0
    assert page.locator("mark.hit").count() > 0
    _shot(page, "search")
    hits.first.locator("a", has_text="in context").click()
    page.wait_for_load_state()
    assert page.locator("mark.hl").count() >= 1
    page.goto(demo_url + "/ask")
    page.fill("form.askform input[name=q]", "What did Azerbaijan say about France?")
    page.click("form.askform button")
    page.wait_for_url(re.compile(r"/ask\?q="))
    if page.request.get(demo_url + "/ask.json").json()["available"]:
        assert page.locator(".answer p").count() >= 1
    else:
        assert "not available" in page.inner_text("#ask-unavailable")
    _shot(page, "ask")
    assert not problems, problems


XSS_PAGES = ["/", "/outlets", "/actors", "/actors/roe", "/actors/critics", "/documents",
             "/documents/evil0001", "/documents/evil0001?hl=0-40", "/timeline", "/graph", "/claims",
             "/techniques", "/search?q=alert+script", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
             "/ask?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", "/actors/%3Cscript%3E"]


def test_browser_hostile_article_never_runs_or_becomes_markup(playwright: Any, hostile_store: Path) -> None:
    """With the CSP bypassed, so escaping alone must keep the payloads inert."""
    with Server(hostile_store) as url, tempfile.TemporaryDirectory() as profile:
        ctx = _launch(playwright, profile, bypass_csp=True)
        try:
            page, problems = _page(ctx)
            for path in XSS_PAGES:
                page.goto(url + path)
                found = page.evaluate("""() => ({
                    scripts: [...document.querySelectorAll('script')].map(s => s.textContent),
                    imgs: document.querySelectorAll('img').length,
                    handlers: [...document.querySelectorAll('*')].flatMap(e =>
                        [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
                    jslinks: [...document.querySelectorAll('[href],[src],[action]')].map(e =>
                        e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))
                        .filter(v => /^\\s*(javascript|data|vbscript):/i.test(v)),
                    text: document.body.innerText,
                })""")
                assert found["scripts"] == [] and found["imgs"] == 0, path
                assert found["handlers"] == [] and found["jslinks"] == [], path
                if path == "/documents/evil0001":
                    assert "<script>alert('xss-script')</script>" in found["text"]
                    _shot(page, "xss-document")
            assert not [x for x in problems if "dialog" in x], problems
        finally:
            ctx.close()
