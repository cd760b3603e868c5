"""Render the report dicts into one self-contained HTML file, plus its ``report.json`` twin.

The HTML uses no network assets and no JavaScript; navigation is plain anchors. The jinja
environment autoescapes everything, so article text (untrusted) is always inert; URLs from
documents are only linked when they are http(s).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from narrascope import __version__
from narrascope.report.data import report_data
from narrascope.report.spans import document_segments, quote_context
from narrascope.store import Store

TEMPLATES = Path(__file__).parent / "templates"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_date(published: str | None, precision: str | None = None) -> str:
    """``2024-05-02`` -> ``2 May 2024``; month/year precision shows only what is known."""
    if not published:
        return "undated"
    parts = published[:10].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 and precision != "year" else None
        day = int(parts[2]) if len(parts) > 2 and precision not in ("year", "month") else None
    except ValueError:
        return published
    if month is None or not 1 <= month <= 12:
        return str(year)
    if day is None:
        return f"{_MONTHS[month - 1]} {year}"
    return f"{day} {_MONTHS[month - 1]} {year}"


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None (never link ``javascript:`` and friends)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def fmt_int(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def environment() -> jinja2.Environment:
    """The jinja2 environment of the report; ``web/`` renders its pages with the same one."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date=fmt_date,
        safe_url=safe_url,
        num=fmt_int,
        doc_segments=document_segments,
        quote_context=quote_context,
    )
    # Where links inside a document view point: anchors in the single file; web/ overrides
    # these with page URLs (/actors/ID, /documents).
    env.globals.update(
        actor_href=lambda actor_id: f"#actor-{actor_id}",
        back_href=lambda doc: f"#src-{doc['doc_id']}",
        doc_href=lambda doc_id: f"#doc-{doc_id}",
        # Link to evidence spans: the single file can only open the document; the web UI
        # also highlights the spans (web/app.py hl_href).
        hl_href=lambda doc_id, *spans: f"#doc-{doc_id}",
    )
    return env


def render_html(data: dict[str, Any]) -> str:
    """Render the report dict (see :func:`narrascope.report.data.report_data`) to HTML."""
    speaker_anchor = {
        g["actor_id"]: g["anchor"] for g in data["quotes_by_speaker"] if g["actor_id"]
    }
    docs_by_id = {d["doc_id"]: d for d in data["sources"]}
    return environment().get_template("report.html").render(
        **data, speaker_anchor=speaker_anchor, docs_by_id=docs_by_id
    )


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temp file + rename, so a reader never sees half a report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(store: Store, out_path: str | Path) -> Path:
    """Write ``out_path`` (HTML) and ``report.json`` beside it from one data dict; return the HTML path.

    The JSON twin is named after the HTML file (``x.html`` -> ``x.json``), so the default
    ``report.html`` gets ``report.json``.
    """
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = report_data(store)
    data["meta"] = {
        "generator": f"narrascope {__version__}",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store": str(store.path),
    }
    twin = out.with_suffix(".json")
    if twin == out:
        twin = out.with_name(out.name + ".json")
    _atomic_write(twin, json.dumps(data, ensure_ascii=False, indent=1))
    _atomic_write(out, render_html(data))
    return out
