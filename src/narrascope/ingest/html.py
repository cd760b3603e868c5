"""HTML pages -> article text and metadata, via trafilatura (and htmldate for the date).

Extraction favours precision and drops comments. A broken or truncated page still
yields what the parsers recover: we retry favouring recall, then trafilatura's
``baseline`` (all paragraph text). Only when all three find nothing is the page S005.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

LOGGER = logging.getLogger(__name__)
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def extract_html(html: str, url: str | None = None) -> Extracted | None:
    """Article text and metadata (title, author, published, outlet, url) of one page."""
    import trafilatura  # heavy import: only when HTML is met

    meta: dict[str, str] = {}
    notes: list[str] = []
    text = ""
    for precise in (True, False):
        try:
            doc = trafilatura.bare_extraction(
                html,
                url=url,
                include_comments=False,
                with_metadata=True,
                date_extraction_params=_DATE_PARAMS,
                favor_precision=precise,
                favor_recall=not precise,
            )
        except Exception as exc:  # trafilatura/lxml raise many types on hostile markup
            LOGGER.debug("trafilatura failed (precise=%s): %s", precise, exc)
            continue
        if doc is None:
            continue
        if not meta:
            meta = _metadata(doc)
        text = (getattr(doc, "text", None) or "").strip()
        if text:
            if not precise:
                notes.append("HTML extracted favouring recall (precise pass found no text)")
            break
    if not text:
        try:
            _, text, _ = trafilatura.baseline(html)
        except Exception as exc:
            LOGGER.debug("trafilatura baseline failed: %s", exc)
            text = ""
        text = text.strip()
        if text:
            notes.append("HTML extracted with the baseline fallback (page may be broken)")
    if not text:
        return None
    if "published" not in meta:
        date = _htmldate(html, url)
        if date:
            meta["published"] = date
    return Extracted(text, meta, tuple(notes))


def _metadata(doc: Any) -> dict[str, str]:
    pairs = {
        "title": getattr(doc, "title", None),
        "author": getattr(doc, "author", None),
        "published": getattr(doc, "date", None),
        "outlet": getattr(doc, "sitename", None),
        "url": getattr(doc, "url", None),
    }
    return {k: str(v).strip() for k, v in pairs.items() if v and str(v).strip()}


def _htmldate(html: str, url: str | None) -> str | None:
    try:
        from htmldate import find_date

        date = find_date(html, url=url, extensive_search=False, original_date=True)
    except Exception as exc:
        LOGGER.debug("htmldate failed: %s", exc)
        return None
    return str(date) if date else None
