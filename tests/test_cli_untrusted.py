"""The CLI with untrusted names and URLs: terminal escapes are shown, not obeyed; URL flags.

No document gets analysed here (every input is skipped), so no model is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.terminal import printable, rich_safe


class _Page(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else b"\x89PNG"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("a\x1b[2Jb", "a\\x1b[2Jb"), ("x\ny", "x\\x0ay"), ("\u202eevil", "\\u202eevil"),
     ("bell\x07", "bell\\x07"), ("c1\x9b31m", "c1\\x9b31m"), ("tab\tok", "tab\tok"),
     ("café “quoted” 中文", "café “quoted” 中文")],
)
def test_printable_escapes_control_and_bidi_characters(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_rich_safe_escapes_markup() -> None:
    assert rich_safe("[bold red]boom[/]") == "\\[bold red]boom\\[/]"


def test_cli_skipped_lines_show_escape_sequences_literally(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "evil\x1b]0;pwned\x07\x1b[2J[bold]x[i].txt").write_bytes(b"")
    result = CliRunner().invoke(app, ["analyze", str(corpus), "--out", str(tmp_path / "out"),
                                      "--no-report"])
    assert result.exit_code == 3, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J[bold]x[i].txt" in result.output


def test_cli_refuses_loopback_urls_without_allow_private(tmp_path: Path, server: str) -> None:
    url = server + "/image.png"
    result = CliRunner().invoke(app, ["analyze", url, "--out", str(tmp_path / "o1"), "--no-report"])
    assert result.exit_code == 3, result.output
    assert "S012" in result.output and "--allow-private" in result.output
    assert url in result.output  # the URL is kept whole, not folded into a path


def test_cli_allow_private_reaches_the_local_server(tmp_path: Path, server: str) -> None:
    url = server + "/image.png"
    result = CliRunner().invoke(app, ["analyze", url, "--out", str(tmp_path / "o2"), "--no-report",
                                      "--allow-private"])
    # Fetched this time: the page is refused for its type (S007), not for its address.
    assert result.exit_code == 3, result.output
    assert "S007" in result.output and "S012" not in result.output
