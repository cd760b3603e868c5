"""Publication dates: normalising given values and finding datelines in the text.

Everything returns ISO ``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` with its precision, so a
date is never more precise than its source.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Precision = Literal["day", "month", "year"]

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# Tried in order; the first that matches at a position wins.
_DATE_PATTERNS = tuple(
    re.compile(p, re.I)
    for p in (
        rf"\b{_YEAR}-(?P<mnum>\d{{1,2}})-(?P<dnum>\d{{1,2}})(?!\d)",  # 2024-05-02
        rf"\b{_YEAR}/(?P<mnum>\d{{1,2}})/(?P<dnum>\d{{1,2}})(?!\d)",  # 2024/05/02
        rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b",  # May 2, 2024
        rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b",  # 2 May 2024
        rf"\b(?P<dnum>\d{{1,2}})\.(?P<mnum>\d{{1,2}})\.{_YEAR}\b",  # 02.05.2024
        rf"\b{_YEAR}-(?P<mnum>\d{{1,2}})\b(?!-)",  # 2024-05
        rf"\b{_MONTH}\s+{_YEAR}\b",  # May 2024
        rf"^\s*{_YEAR}\s*$",  # 2024
    )
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    iso: str
    precision: Precision
    start: int
    end: int


def find_date(text: str) -> FoundDate | None:
    """The first well-formed date in ``text`` (English month names or numeric ISO-like)."""
    best: FoundDate | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = _to_date(match)
            if found and (best is None or found.start < best.start):
                best = found
                break
    return best


def normalise_date(value: object) -> tuple[str, Precision] | None:
    """An ISO date and its precision from a metadata value, or None if it is not a date."""
    if value is None:
        return None
    if isinstance(value, int) and 1000 <= value <= 9999:
        return f"{value:04d}", "year"
    text = str(value).strip()
    if not text:
        return None
    found = find_date(text)
    return (found.iso, found.precision) if found else None


def _to_date(match: re.Match[str]) -> FoundDate | None:
    groups = match.groupdict()
    year = int(groups["year"])
    month_text = groups.get("month")
    month: int | None = _MONTHS[month_text.lower()] if month_text else None
    if groups.get("mnum"):
        month = int(groups["mnum"])
    day_text = groups.get("day") or groups.get("dnum")
    try:
        if month is None:
            dt.date(year, 1, 1)
            return FoundDate(f"{year:04d}", "year", match.start(), match.end())
        if day_text is None:
            dt.date(year, month, 1)
            return FoundDate(f"{year:04d}-{month:02d}", "month", match.start(), match.end())
        day = dt.date(year, month, int(day_text))
    except ValueError:
        return None
    return FoundDate(day.isoformat(), "day", match.start(), match.end())
