"""Local web UI over a store: ``narrascope serve STORE`` (see :mod:`narrascope.web.app`)."""

from __future__ import annotations

from pathlib import Path

from narrascope.web.app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(store: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the UI with uvicorn until interrupted. Binds to loopback unless told otherwise."""
    import uvicorn

    uvicorn.run(create_app(store), host=host, port=port, log_level="warning")


def get(store: str | Path, path: str) -> tuple[int, str]:
    """Fetch one page in-process (no socket): ``(status, body)``. For smoke tests and scripts."""
    from fastapi.testclient import TestClient

    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        resp = client.get(path)
    return resp.status_code, resp.text


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "get", "serve"]
