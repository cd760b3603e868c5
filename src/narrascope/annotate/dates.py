"""Time expressions, resolved against the article's publication date.

News text dates its events relative to the day it was written ("on Monday", "last
December", "this Thursday morning"), so a date is only meaningful once anchored to the
publication date, and only as precise as the text allows: "in mid-April" is a month
(approximately), "in 2023" a year. Each expression keeps that precision; where the
article has no date, a relative expression resolves to nothing and says why.

Detection is a small grammar of date phrases (regular expressions over the text) plus
spaCy's DATE entities; resolution is ours, because relative weekdays depend on tense
(a weekday in past-tense narration is the most recent such day on/before publication,
"this Thursday" is that day of the publication week, a future weekday the next one).
Entities our grammar does not cover go to ``dateparser`` as a fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from spacy.tokens import Doc, Token

from narrascope.records import Document, Sentence, TimeExpression

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")]
    )
    for m in names
}
WEEKDAYS = {d: i for i, d in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
UNIT_CODE = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "Y"}
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

_MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a\s+few|several|many|some)"
_UNIT = r"(?:day|week|month|year|decade)s?"
_MOD = r"(?:early|mid|late|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of)"
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_YEAR = r"(?:19|20)\d{2}"

# Ordered: the first alternative that matches at a position wins, so longer forms first.
_PATTERNS: list[tuple[str, str]] = [
    ("iso", rf"\b(?P<iso_y>{_YEAR})-(?P<iso_m>\d{{2}})-(?P<iso_d>\d{{2}})\b"),
    ("mdy", rf"\b(?P<mdy_m>{_MON})\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>{_YEAR})\b"),
    ("dmy", rf"\b(?P<dmy_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dmy_m>{_MON}),?\s+(?P<dmy_y>{_YEAR})\b"),
    ("md", rf"\b(?P<md_m>{_MON})\s+(?P<md_d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![-,.]?\d)"),
    ("dm", rf"\b(?P<dm_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_m>{_MON})\b"),
    ("my", rf"\b(?:(?P<my_mod>{_MOD})[\s-]+(?:of\s+)?)?(?P<my_m>{_MON}),?\s+(?P<my_y>{_YEAR})\b"),
    ("ago", rf"\b(?P<ago_n>{_NUM})\s+(?P<ago_u>{_UNIT})\s+ago\b"),
    ("dur", rf"\b(?P<dur_prep>for|over|in)\s+(?:(?:the\s+)?(?:past|last|more\s+than|over|nearly|almost|about|around|at\s+least)\s+)?(?P<dur_n>{_NUM})?\s*(?P<dur_u>{_UNIT})\b(?!\s+ago)"),
    ("recent", r"\b(?:in\s+recent\s+(?P<rec_u>days|weeks|months|years)|recently|(?P<rec_lately>lately))\b"),
    ("rel_unit", r"\b(?:(?P<ru_early>earlier|later)\s+)?(?P<ru_rel>this|last|next|past)\s+(?P<ru_u>week(?:end)?|month|year)\b"),
    ("day_word", r"\b(?P<dw>today|yesterday|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon|evening))\b"),
    ("weekday", rf"\b(?:(?P<wd_rel>this|last|next|on|since|until|by|from|past)\s+)?(?P<wd>{_WD}){_PART}\b"),
    ("rel_month", rf"\b(?P<rm_rel>last|this|next|in|since|until|by|from|during|early|late|mid|(?:the\s+)?(?:end|beginning|start)\s+of)[\s-]+(?P<rm_m>{_MON})\b(?!\s*\d)"),
    ("season", rf"\b(?:(?P<se_rel>last|this|next)\s+)?(?P<se>spring|summer|autumn|winter)(?:\s+(?:of\s+)?(?P<se_y>{_YEAR}))?\b"),
    ("decade", r"\b(?:the\s+)?(?P<dec>(?:19|20)\d0)s\b"),
    ("year", rf"(?<![\d$€£.,])\b(?:(?P<y_mod>{_MOD})[\s-]+(?:of\s+)?)?(?P<y>{_YEAR})\b(?![\d%]|\s*(?:percent|per\s+cent))"),
]
_GRAMMAR = re.compile("|".join(f"(?P<{n}>{p})" for n, p in _PATTERNS), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A publication date and how precisely it is known."""

    day: date
    precision: str  # "day" | "month" | "year"


@dataclass(frozen=True, slots=True)
class Resolved:
    value: str | None
    precision: str | None
    approximate: bool = False
    kind: str = "date"  # date | duration | since | recent
    duration: str | None = None
    reason: str | None = None


def parse_published(published: str | None, precision: str | None = None) -> Anchor | None:
    """The anchor of a ``Document.published`` string (``YYYY[-MM[-DD]]``), or None."""
    if not published:
        return None
    m = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", published.strip())
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    prec = "day" if m.group(3) else "month" if m.group(2) else "year"
    if precision in ("month", "year") and prec == "day":
        prec = precision
    try:
        return Anchor(date(y, mo, d), prec)
    except ValueError:
        return None


def _fmt(d: date, precision: str) -> str:
    if precision in ("day", "week"):
        return d.isoformat()
    if precision in ("month", "season"):
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def _num(s: str | None) -> int | None:
    if not s:
        return None
    s = " ".join(s.lower().split())
    if s.replace(",", "").isdigit():  # "10,000"
        return int(s.replace(",", ""))
    return NUMBER_WORDS.get(s)


def _month_of(s: str) -> int:
    return MONTHS[s.lower().rstrip(".")]


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_near(anchor: date, month: int, direction: str) -> date:
    """The month ``month`` nearest the anchor: on/before ("past"), strictly before ("last"),
    on/after ("future"), strictly after ("next"), or in the anchor's year ("this")."""
    y = anchor.year
    if direction == "this":
        return date(y, month, 1)
    if direction in ("past", "last"):
        if month > anchor.month or (direction == "last" and month == anchor.month):
            y -= 1
    elif month < anchor.month or (direction == "next" and month == anchor.month):
        y += 1
    return date(y, month, 1)


def _weekday_near(anchor: date, wd: int, direction: str) -> date:
    """Resolve a weekday: "this" = that day of the anchor's (Monday-first) week; "past" =
    most recent on/before; "last" = strictly before; "future" = strictly after."""
    if direction == "this":
        return anchor - timedelta(days=anchor.weekday()) + timedelta(days=wd)
    if direction in ("past", "last"):
        back = (anchor.weekday() - wd) % 7
        if direction == "last" and back == 0:
            back = 7
        return anchor - timedelta(days=back)
    ahead = (wd - anchor.weekday()) % 7 or 7
    return anchor + timedelta(days=ahead)


def _need(anchor: Anchor | None, precision: str) -> str | None:
    """Why ``anchor`` cannot resolve an expression relative at ``precision``, else None."""
    order = {"day": 0, "week": 0, "month": 1, "season": 1, "year": 2}
    if anchor is None:
        return "article has no publication date"
    if order[anchor.precision] > order[precision]:
        return f"publication date only known to the {anchor.precision}"
    return None


def resolve_match(g: dict[str, Any], kind: str, anchor: Anchor | None, tense: str,
                  year_hint: int | None = None) -> Resolved:
    """Resolve one grammar match (its named groups) against the publication ``anchor``.

    ``tense`` is "past", "present" or "future" (of the clause the expression sits in);
    ``year_hint`` is a year the article itself states, used for "April 18" when the
    article has no publication date. An expression whose date falls outside the calendar
    ``datetime.date`` can hold ("2,500 years ago" from a date in year 1000, "the next
    year" in 9999) stays unresolved instead of failing the document.
    """
    try:
        return _resolve_match(g, kind, anchor, tense, year_hint)
    except (OverflowError, ValueError):
        return Resolved(None, None, reason="outside the calendar range")


def _resolve_match(g: dict[str, Any], kind: str, anchor: Anchor | None, tense: str,
                   year_hint: int | None) -> Resolved:
    past = "future" if tense == "future" else "past"
    a = anchor.day if anchor else None
    if kind in ("iso", "mdy", "dmy"):
        y = int(g[f"{kind}_y"])
        mo = int(g["iso_m"]) if kind == "iso" else _month_of(g[f"{kind}_m"])
        d = _safe_date(y, mo, int(g[f"{kind}_d"]))
        return Resolved(d.isoformat(), "day") if d else Resolved(None, None, reason="invalid date")
    if kind in ("md", "dm"):
        mo, dd = _month_of(g[f"{kind}_m"]), int(g[f"{kind}_d"])
        if a is None or anchor is None or anchor.precision == "year":
            if year_hint is not None and (d := _safe_date(year_hint, mo, dd)):
                return Resolved(d.isoformat(), "day", reason="year taken from the article text")
            return Resolved(None, None, reason=_need(anchor, "month") or "year unknown")
        cand = [d for y in (a.year - 1, a.year, a.year + 1) if (d := _safe_date(y, mo, dd))]
        if not cand:  # "April 31" is no day in any year
            return Resolved(None, None, reason="invalid date")
        if anchor.precision == "month":
            a = date(a.year, a.month, 28)  # any day of the publication month may be "before"
        if past == "past":
            before = [d for d in cand if d <= a]
            d = before[-1] if before else cand[0]
        else:
            after = [d for d in cand if d >= a]
            d = after[0] if after else cand[-1]
        return Resolved(d.isoformat(), "day")
    if kind == "my":
        mo, y = _month_of(g["my_m"]), int(g["my_y"])
        return Resolved(f"{y:04d}-{mo:02d}", "month", approximate=bool(g.get("my_mod")))
    if kind == "year":
        return Resolved(g["y"], "year", approximate=bool(g.get("y_mod")))
    if kind == "decade":
        return Resolved(g["dec"][:3], "decade", approximate=True)
    if kind == "season":
        year: int | None = int(g["se_y"]) if g.get("se_y") else None
        mo = SEASONS[g["se"].lower()]
        if year is None:
            if a is None:
                return Resolved(None, None, reason=_need(anchor, "season"))
            year = _month_near(a, mo, {"last": "last", "next": "next", "this": "this"}.get(
                (g.get("se_rel") or "").lower(), past)).year
        return Resolved(f"{year:04d}-{mo:02d}", "season", approximate=True)
    if kind == "rel_month":
        rel = " ".join((g.get("rm_rel") or "").lower().split())
        mo = _month_of(g["rm_m"])
        if (why := _need(anchor, "year")) or a is None:
            return Resolved(None, None, reason=why)
        direction = {"last": "last", "next": "next", "this": "this"}.get(rel, past)
        d = _month_near(a, mo, direction)
        approx = rel in ("early", "late", "mid") or rel.endswith(" of")
        return Resolved(_fmt(d, "month"), "month", approximate=approx,
                        kind="since" if rel == "since" else "date")
    if kind == "weekday":
        rel = (g.get("wd_rel") or "").lower()
        if (why := _need(anchor, "day")) or a is None:
            return Resolved(None, None, reason=why)
        direction = {"this": "this", "last": "last", "next": "future", "past": "last"}.get(
            rel, past if rel != "since" else "past")
        d = _weekday_near(a, WEEKDAYS[g["wd"].lower()], direction)
        return Resolved(d.isoformat(), "day", kind="since" if rel == "since" else "date")
    if kind == "day_word":
        w = " ".join(g["dw"].lower().split())
        if (why := _need(anchor, "day")) or a is None:
            return Resolved(None, None, reason=why)
        off = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(w, 0)
        return Resolved((a + timedelta(days=off)).isoformat(), "day")
    if kind == "rel_unit":
        unit, rel = g["ru_u"].lower(), g["ru_rel"].lower()
        prec = "week" if unit.startswith("week") else unit
        if (why := _need(anchor, prec)) or a is None:
            return Resolved(None, None, reason=why)
        step = {"last": -1, "past": -1, "next": 1}.get(rel, 0)
        if prec == "week":
            d = a - timedelta(days=a.weekday()) + timedelta(weeks=step)
        elif prec == "month":
            m0 = a.year * 12 + a.month - 1 + step
            d = date(m0 // 12, m0 % 12 + 1, 1)
        else:
            d = date(a.year + step, 1, 1)
        kind_out = "recent" if rel == "past" else "date"
        return Resolved(_fmt(d, prec), prec, approximate=prec == "week" or bool(g.get("ru_early")),
                        kind=kind_out)
    if kind == "ago":
        n, unit = _num(g["ago_n"]) or 1, g["ago_u"].lower().rstrip("s")
        prec = {"day": "day", "week": "day", "month": "month"}.get(unit, "year")
        if (why := _need(anchor, prec)) or a is None:
            return Resolved(None, None, reason=why)
        if unit in ("year", "decade"):  # calendar years: 365-day steps drift over centuries
            y = a.year - n * (10 if unit == "decade" else 1)
            if y < 1:
                return Resolved(None, None, reason="before year 1")
            return Resolved(f"{y:04d}", "year", approximate=True)
        days = n * {"day": 1, "week": 7, "month": 30}[unit]
        return Resolved(_fmt(a - timedelta(days=days), prec), prec, approximate=unit != "day")
    if kind == "dur":
        dn, unit = _num(g.get("dur_n")), g["dur_u"].lower().rstrip("s")
        if g["dur_prep"].lower() == "in" and dn is None:
            return Resolved(None, None, reason="not a time expression")
        count = dn * (10 if unit == "decade" else 1) if dn is not None else None
        dur = f"P{count if count is not None else ''}{UNIT_CODE[unit]}"
        # A duration holds up to the time of writing: anchor it at publication, roughly.
        value = _fmt(a, anchor.precision) if a is not None and anchor else None
        return Resolved(value, anchor.precision if anchor else None, approximate=True,
                        kind="duration", duration=dur,
                        reason=None if anchor else "article has no publication date")
    if kind == "recent":
        if a is None or anchor is None:
            return Resolved(None, None, kind="recent", reason="article has no publication date")
        return Resolved(_fmt(a, anchor.precision), anchor.precision, approximate=True,
                        kind="recent")
    return Resolved(None, None, reason="unrecognised")


def _tense(sdoc: Doc, start: int, end: int) -> str:
    """Tense of the clause a character span sits in: past, present or future."""
    span = sdoc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return "past"
    tok: Token | None = span.root
    while tok is not None and tok.pos_ not in ("VERB", "AUX") and tok.head.i != tok.i:
        tok = tok.head
    if tok is None or tok.pos_ not in ("VERB", "AUX"):
        return "past"
    auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    if any(c.lower_ in ("will", "shall", "'ll") for c in auxes):
        return "future"
    if any(c.lower_ == "going" for c in auxes) or (tok.lower_ == "going" and any(
            c.dep_ == "xcomp" for c in tok.children)):
        return "future"
    if tok.tag_ in ("VBD", "VBN") or any(c.tag_ == "VBD" for c in auxes):
        return "past"
    if tok.tag_ in ("VBZ", "VBP") or any(c.tag_ in ("VBZ", "VBP") for c in auxes):
        return "present"
    return "past"


@cache
def _dateparser() -> Any:
    import dateparser

    return dateparser


def _fallback(text: str, anchor: Anchor | None) -> Resolved | None:
    """dateparser for a spaCy DATE entity our grammar has no rule for."""
    if anchor is None or not any(c.isdigit() for c in text):
        return None
    settings = {"RELATIVE_BASE": _as_datetime(anchor.day), "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False, "REQUIRE_PARTS": ["year"]}
    try:
        dt = _dateparser().parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; treat as no date
        return None
    return Resolved(dt.date().isoformat(), "day", approximate=True) if dt else None


def _as_datetime(d: date) -> Any:
    from datetime import datetime

    return datetime(d.year, d.month, d.day)


def find_time_expressions(text: str, ranges: tuple[tuple[int, int], ...]) -> Iterator[re.Match[str]]:
    """Grammar matches inside the given content ranges."""
    for start, end in ranges:
        yield from _GRAMMAR.finditer(text, start, end)


def _sent_index(sentences: tuple[Sentence, ...]) -> Any:
    starts = [s.start for s in sentences]

    def idx(pos: int) -> int | None:
        import bisect

        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and pos < sentences[i].end:
            return sentences[i].idx
        return None

    return idx


def time_expressions(doc: Document, sdoc: Doc, sentences: tuple[Sentence, ...]) -> list[TimeExpression]:
    """Every time expression in the document's content, resolved (see module docstring)."""
    anchor = parse_published(doc.published, doc.published_precision)
    text = sdoc.text
    sent_of = _sent_index(sentences)
    out: list[TimeExpression] = []
    taken: list[tuple[int, int]] = []
    last_year: int | None = None
    for m in find_time_expressions(text, ((0, len(text)),)):
        kind = m.lastgroup or ""
        g = m.groupdict()
        if _verb_not_month(g):
            continue
        if kind == "year":
            last_year = int(g["y"])
        elif kind in ("mdy", "dmy", "my", "iso"):
            last_year = int(g[f"{kind}_y"])
        r = resolve_match(g, kind, anchor, _tense(sdoc, m.start(), m.end()), last_year)
        if r.reason == "not a time expression":
            continue
        taken.append((m.start(), m.end()))
        out.append(_record(doc, len(out), m.start(), m.end(), text, r, sent_of))
    for ent in sdoc.ents:
        if ent.label_ != "DATE" or any(s < ent.end_char and ent.start_char < e for s, e in taken):
            continue
        fb = _fallback(ent.text, anchor)
        if fb is not None:
            out.append(_record(doc, len(out), ent.start_char, ent.end_char, text, fb, sent_of))
    out.sort(key=lambda t: t.start)
    return [_renumber(t, i) for i, t in enumerate(out)]


def _verb_not_month(g: dict[str, Any]) -> bool:
    """"may"/"march" written lower-case are the verbs, not the months."""
    return any(
        k.endswith("_m") and isinstance(v, str) and v in ("may", "march", "mar")
        for k, v in g.items()
    )


def _record(doc: Document, idx: int, start: int, end: int, text: str, r: Resolved,
            sent_of: Any) -> TimeExpression:
    return TimeExpression(
        doc_id=doc.doc_id, idx=idx, start=start, end=end, text=text[start:end],
        value=r.value, precision=r.precision, approximate=r.approximate, kind=r.kind,
        duration=r.duration, reason=r.reason, sent_idx=sent_of(start),
    )


def _renumber(t: TimeExpression, idx: int) -> TimeExpression:
    import dataclasses

    return dataclasses.replace(t, idx=idx)


def extract_dates(ctx: Any) -> list[TimeExpression]:
    """Component: the time expressions of ``ctx.doc`` (table ``time_expressions``)."""
    return time_expressions(ctx.doc, ctx.sdoc, ctx.sentences)
