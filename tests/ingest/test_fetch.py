"""URL fetching (ingest/fetch.py): address checks, robots.txt, limits, redirects, feeds.

A real HTTP server runs on 127.0.0.1 (and a second one on 127.0.0.2) in a thread; the
tests that fetch from it pass ``allow_private`` (or a narrowed address policy), exactly
as ``--allow-private`` does, and one test checks that without it 127.0.0.1 is refused.
"""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from narrascope.ingest import IngestOptions, iter_documents
from narrascope.ingest.fetch import (
    USER_AGENT,
    Fetched,
    Fetcher,
    FetchFailed,
    address_is_public,
)
from narrascope.records import Document, Skipped

ARTICLE_HTML = (
    "<html><head><title>Port strike enters second week</title>"
    '<meta name="author" content="Ana Lopes"></head><body><article>'
    "<h1>Port strike enters second week</h1>"
    "<p>Dock workers in the northern port stayed off the job on Monday as talks with the "
    "operators stalled for a second week, union officials said.</p>"
    "<p>“We will not go back until the safety rules change,” said Marta Silva, who leads "
    "the dockers' union, speaking outside the terminal gates.</p>"
    "<p>The operators said in a statement that they remained open to talks and that "
    "cargo was being diverted to other ports along the coast.</p>"
    "</article></body></html>"
)
ROBOTS = "User-agent: narrascope\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n"


def _feed(base: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Harbour News</title>'
        f"<item><title>Strike</title><link>{base}/article.html</link>"
        "<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate>"
        "<description>Teaser: the strike goes on.</description></item>"
        f"<item><title>Hidden</title><link>{base}/private/secret.html</link>"
        "<description>&lt;p&gt;Only the summary of this entry may be used.&lt;/p&gt;</description></item>"
        "</channel></rss>"
    )


class _Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []  # noqa: RUF012  (shared across requests on purpose)

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.seen_agents.append(self.headers.get("User-Agent", ""))
        host = self.headers.get("Host", "")
        base = f"http://{host}"
        path = self.path
        if path == "/robots.txt":
            self._send(200, ROBOTS.encode(), "text/plain")
        elif path in ("/article.html", "/private/secret.html"):
            self._send(200, ARTICLE_HTML.encode())
        elif path == "/plain.txt":
            self._send(200, "A plain text report.\nIt has two lines.\n".encode("latin-1"),
                       "text/plain; charset=iso-8859-1")
        elif path == "/feed.xml":
            self._send(200, _feed(base).encode(), "application/rss+xml")
        elif path == "/big":
            self._send(200, b"x" * 50_000, "text/plain")
        elif path == "/liar":  # declares a small body, sends a big one (no Content-Length)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"y" * 10_000)
        elif path == "/bomb":
            body = gzip.compress(b"\0" * 20_000_000)
            self._send(200, body, "text/plain", {"Content-Encoding": "gzip"})
        elif path == "/gzipped":
            self._send(200, gzip.compress(ARTICLE_HTML.encode()), headers={"Content-Encoding": "gzip"})
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            target = f"{base}/hop/{n - 1}" if n > 0 else f"{base}/article.html"
            self._send(302, b"", headers={"Location": target})
        elif path == "/loop":
            self._send(301, b"", headers={"Location": "/loop"})
        elif path == "/to-other":
            port = self.server.server_address[1]
            self._send(302, b"", headers={"Location": f"http://127.0.0.2:{port}/article.html"})
        elif path == "/slow":
            time.sleep(3)
            self._send(200, b"late")
        elif path == "/image.png":
            self._send(200, b"\x89PNG....", "image/png")
        else:
            self._send(404, b"not here")


def _serve(host: str, port: int = 0) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from (f"http://127.0.0.1:{s.server_address[1]}" for s in _serve("127.0.0.1"))


@pytest.fixture(scope="module")
def other_server(server: str) -> Iterator[str]:
    """The same handler on 127.0.0.2, on the first server's port (for cross-host redirects)."""
    port = int(server.rsplit(":", 1)[1])
    try:
        gen = _serve("127.0.0.2", port)
        srv = next(gen)
    except OSError as exc:
        pytest.skip(f"cannot bind 127.0.0.2: {exc}")
    yield f"http://127.0.0.2:{srv.server_address[1]}"
    gen.close()


PRIVATE = IngestOptions(allow_private=True, fetch_timeout=5)


def _fetch(url: str, opts: IngestOptions = PRIVATE, **kw: object) -> Fetched | FetchFailed:
    with Fetcher(opts, **kw) as f:  # type: ignore[arg-type]
        return f.fetch(url)


def test_fetch_refuses_loopback_without_allow_private(server: str) -> None:
    got = _fetch(server + "/article.html", IngestOptions())
    assert isinstance(got, FetchFailed) and got.code == "S012"
    assert "127.0.0.1" in got.detail and "--allow-private" in got.detail


@pytest.mark.parametrize(
    "url",
    ["http://localhost:9/x", "http://[::1]:9/x", "http://0x7f000001:9/x", "http://127.1:9/x",
     "http://[::ffff:127.0.0.1]:9/x", "http://169.254.169.254/latest/meta-data/",
     "http://10.1.2.3/", "http://192.168.0.1/", "http://0.0.0.0:9/"],
)
def test_fetch_refuses_private_loopback_and_link_local_spellings(url: str) -> None:
    got = _fetch(url, IngestOptions())
    assert isinstance(got, FetchFailed)
    assert got.code == "S012", got.detail


def test_fetch_refuses_a_name_if_any_of_its_addresses_is_private() -> None:
    # A name resolving to a public and a private address (rebinding-style) is refused
    # before anything is sent.
    got = _fetch("http://news.example/a", IngestOptions(),
                 resolver=lambda host, port: ["93.184.216.34", "10.0.0.7"])
    assert isinstance(got, FetchFailed) and got.code == "S012" and "10.0.0.7" in got.detail


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_fetch_refuses_other_schemes(url: str) -> None:
    got = _fetch(url)
    assert isinstance(got, FetchFailed) and got.code == "S012"


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False),
     ("10.0.0.1", False), ("172.16.5.4", False), ("192.168.1.1", False),
     ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
     ("fe80::1", False), ("fc00::1", False), ("::ffff:10.0.0.1", False), ("224.0.0.1", False),
     ("2002:7f00:1::", False)],
)
def test_address_is_public(address: str, public: bool) -> None:
    assert address_is_public(ipaddress.ip_address(address)) is public


def test_fetch_page_with_allow_private_sends_our_user_agent(server: str) -> None:
    _Handler.seen_agents.clear()
    got = _fetch(server + "/article.html")
    assert isinstance(got, Fetched), got
    assert got.status == 200 and got.content_type == "text/html" and b"Marta Silva" in got.data
    assert _Handler.seen_agents and set(_Handler.seen_agents) == {USER_AGENT}
    assert USER_AGENT.startswith("narrascope/") and "(+https://github.com/narrascope/narrascope)" in USER_AGENT


def test_fetch_respects_robots_txt(server: str) -> None:
    got = _fetch(server + "/private/secret.html")
    assert isinstance(got, FetchFailed) and got.code == "S012" and "robots.txt" in got.detail


def test_fetch_caps_declared_and_streamed_size(server: str) -> None:
    small = IngestOptions(allow_private=True, max_bytes=10_000)
    declared = _fetch(server + "/big", small)
    streamed = _fetch(server + "/liar", small)
    assert isinstance(declared, FetchFailed) and declared.code == "S004"
    assert isinstance(streamed, FetchFailed) and streamed.code == "S004"


def test_fetch_stops_a_gzip_bomb_at_the_cap(server: str) -> None:
    got = _fetch(server + "/bomb", IngestOptions(allow_private=True, max_bytes=1_000_000))
    assert isinstance(got, FetchFailed) and got.code == "S004"


def test_fetch_decodes_gzip_bodies(server: str) -> None:
    got = _fetch(server + "/gzipped")
    assert isinstance(got, Fetched) and b"Marta Silva" in got.data


def test_fetch_follows_a_few_redirects_and_stops_at_the_limit(server: str) -> None:
    ok = _fetch(server + "/hop/2")
    assert isinstance(ok, Fetched) and ok.url.endswith("/article.html")
    assert len(ok.notes) == 3  # three hops noted
    too_many = _fetch(server + "/hop/9")
    loop = _fetch(server + "/loop")
    for got in (too_many, loop):
        assert isinstance(got, FetchFailed) and got.code == "S012" and "redirects" in got.detail


def test_fetch_checks_every_redirect_hop(server: str, other_server: str) -> None:
    # Policy: only 127.0.0.1 counts as "public". The first hop passes; the redirect to
    # 127.0.0.2 must be refused although the first URL was fine.
    only_first = Fetcher(IngestOptions(fetch_timeout=5),
                         address_allowed=lambda ip: str(ip) == "127.0.0.1")
    with only_first:
        direct = only_first.fetch(server + "/article.html")
        redirected = only_first.fetch(server + "/to-other")
    assert isinstance(direct, Fetched)
    assert isinstance(redirected, FetchFailed) and redirected.code == "S012"
    assert "127.0.0.2" in redirected.detail
    # With the intranet allowed, the same redirect is followed.
    assert isinstance(_fetch(server + "/to-other"), Fetched)


def test_fetch_times_out(server: str) -> None:
    started = time.monotonic()
    got = _fetch(server + "/slow", IngestOptions(allow_private=True, fetch_timeout=0.5))
    assert isinstance(got, FetchFailed) and got.code == "S008" and "timed out" in got.detail
    assert time.monotonic() - started < 2.5


def _ingest(*urls: str, opts: IngestOptions = PRIVATE) -> list[Document | Skipped]:
    return list(iter_documents(list(urls), opts))


def test_ingest_url_page_becomes_a_document_named_by_its_url(server: str) -> None:
    url = server + "/article.html"
    [doc] = _ingest(url)
    assert isinstance(doc, Document)
    assert doc.source == url and doc.url == url
    assert "Marta Silva" in doc.text and doc.title == "Port strike enters second week"


def test_ingest_url_plain_text_uses_the_declared_charset(server: str) -> None:
    [doc] = _ingest(server + "/plain.txt")
    assert isinstance(doc, Document)
    assert doc.text.startswith("A plain text report.") and doc.encoding == "iso-8859-1"


def test_ingest_url_without_allow_private_is_skipped_s012(server: str) -> None:
    [skip] = _ingest(server + "/article.html", opts=IngestOptions())
    assert isinstance(skip, Skipped) and skip.code == "S012"


def test_ingest_url_of_unsupported_type_is_s007(server: str) -> None:
    [skip] = _ingest(server + "/image.png")
    assert isinstance(skip, Skipped) and skip.code == "S007"


def test_ingest_feed_url_fetches_entry_pages_under_the_same_rules(server: str) -> None:
    feed = server + "/feed.xml"
    docs = _ingest(feed)
    assert [type(d).__name__ for d in docs] == ["Document", "Document"]
    first, second = docs
    assert isinstance(first, Document) and isinstance(second, Document)
    assert (first.source, first.line) == (feed, 1) and (second.source, second.line) == (feed, 2)
    # Entry 1's page was fetched: full article text, not the teaser.
    assert "Marta Silva" in first.text and first.outlet == "Harbour News"
    assert first.published == "2024-05-06"
    # Entry 2's page is disallowed by robots.txt: its summary is used, and a note says why.
    assert second.text == "Only the summary of this entry may be used."
    assert any("robots.txt" in n for n in second.notes)
