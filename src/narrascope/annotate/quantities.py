"""Numeric claims: how many died, were injured, what share, how much, for how long.

Outlets disagree about numbers more than about anything else, and often only because
they wrote on different days. So each figure carries what it counts, normalised so two
outlets' figures can be compared ("killed four people" and "seven deaths" are both
``deaths``), and the date it holds for (its sentence's time expression, else the
publication date). The counted thing comes from the dependency parse: the noun the
number modifies, or the verb that noun (or the number itself) is the subject/object of.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.tokens import Doc, Span, Token

from narrascope.annotate.dates import parse_published
from narrascope.records import Quantity, Quote, Sentence, TimeExpression

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1_000,
    "dozen": 12, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1e12,
}
# Vague plural quantities ("hundreds were injured"): a lower bound, flagged approximate.
VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2_000, "millions": 2e6,
         "billions": 2e9, "tens": 20}
MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1e6, "billion": 1e9,
               "trillion": 1e12, "k": 1_000, "m": 1e6, "bn": 1e9, "mn": 1e6}
CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
              "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP",
              "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "¥": "JPY", "yen": "JPY",
              "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB",
              "manat": "AZN", "dram": "AMD", "drams": "AMD"}
# The things news counts, by the lemma that says so: one unit each, so figures compare.
UNIT_OF_LEMMA = {
    **dict.fromkeys(("kill", "die", "dead", "death", "fatality", "murder", "body", "casualty",
                     "perish", "execute", "behead", "massacre", "butcher", "slaughter",
                     "slay", "assassinate"), "deaths"),
    **dict.fromkeys(("injure", "wound", "hurt", "injury", "injured", "wounded"), "injured"),
    **dict.fromkeys(("arrest", "detain", "detention", "jail", "imprison", "arrested"),
                    "arrested"),
    **dict.fromkeys(("displace", "flee", "evacuate", "refugee"), "displaced"),
    **dict.fromkeys(("percent", "%", "per cent", "percentage"), "percent"),
}
DURATION_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade",
                  "century"}
# Nouns that only say "persons": the verb they go with says what was counted.
GENERIC = {"people", "person", "civilian", "resident", "man", "woman", "child", "protester",
           "protestor", "rioter", "officer", "soldier", "gendarme", "police", "member",
           "individual", "inhabitant", "citizen", "victim", "other"}
# "claimed seven lives", "cost 12 lives": lives that a verb takes are deaths.
LIFE_TAKING = {"claim", "cost", "take", "lose", "end"}
# "fined boats 14 times": a count of occurrences of the verb's action, compared as such.
OCCURRENCE = "time"
QUALIFIERS = ("at least", "more than", "over", "nearly", "almost", "about", "around",
              "up to", "some", "roughly", "approximately", "fewer than", "less than",
              "as many as", "at most", "only")
NOW = {"now", "currently", "so far", "yet"}
_NUMERIC = re.compile(r"^[\d.,]+$")


def parse_number(tokens: Iterable[Token]) -> tuple[float | None, bool]:
    """The value of a run of number tokens ("4", "1,200", "2.5 million", "four", "hundreds").

    Returns ``(value, approximate)``; value None when the tokens hold no number.
    """
    value: float | None = None
    approx = False
    for t in tokens:
        w = t.lower_.replace(",", "")
        if _NUMERIC.match(w) and any(c.isdigit() for c in w):
            try:
                v = float(w)
            except ValueError:
                continue
            value = v if value is None else value + v
        elif w in MULTIPLIERS and value is not None:
            value *= MULTIPLIERS[w]
        elif w in WORD_NUMBERS:
            v = WORD_NUMBERS[w]
            if value is not None and v >= 100:
                value *= v
            else:
                value = v if value is None else value + v
        elif w in VAGUE:
            value, approx = float(VAGUE[w]), True
        elif "-" in w and all(p in WORD_NUMBERS for p in w.split("-")):
            value = float(sum(WORD_NUMBERS[p] for p in w.split("-")))
    return value, approx


def _number_runs(sdoc: Doc, skip: list[tuple[int, int]]) -> Iterator[Span]:
    """Spans of consecutive number tokens, outside dates and time expressions."""
    run: list[Token] = []

    def flush() -> Iterator[Span]:
        if run:
            yield sdoc[run[0].i : run[-1].i + 1]
        run.clear()

    for t in sdoc:
        nxt = sdoc[t.i + 1] if t.i + 1 < len(sdoc) else None
        duration = nxt is not None and nxt.lemma_.lower() in DURATION_UNITS
        is_num = (t.like_num or t.lower_ in VAGUE or (run and t.lower_ in MULTIPLIERS)) and (
            t.ent_type_ not in ("DATE", "TIME", "ORDINAL") or duration)
        if is_num and not any(s <= t.idx < e for s, e in skip):
            run.append(t)
        else:
            yield from flush()
    yield from flush()


def _qualifier(span: Span) -> str | None:
    before = span.doc[max(0, span.start - 3) : span.start].text.lower()
    for q in QUALIFIERS:
        if before.endswith(q):
            return q
    return None


def _what(span: Span) -> tuple[str, str, str]:
    """``(unit, what, kind)`` of a number: what it counts, from the parse."""
    doc = span.doc
    last = span[-1]
    nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
    prev = doc[span.start - 1] if span.start > 0 else None
    if (nxt is not None and nxt.lower_ in ("%", "percent")) or (
            nxt is not None and nxt.lower_ == "per" and last.i + 2 < len(doc)
            and doc[last.i + 2].lower_ == "cent"):
        return "percent", "percent", "percent"
    for t in (prev, nxt):
        if t is not None and t.lower_ in CURRENCIES:
            return CURRENCIES[t.lower_], "money", "money"
    root = span.root
    noun: Token | None = None
    if root.dep_ in ("nummod", "quantmod", "amod", "compound") and root.head.pos_ in (
            "NOUN", "PROPN", "ADJ"):
        noun = root.head
    elif nxt is not None and nxt.pos_ == "NOUN":
        noun = nxt
    elif root.pos_ == "NOUN" or root.lower_ in VAGUE:
        noun = root
    if noun is not None and noun.lemma_.lower() == OCCURRENCE and noun.dep_ == "npadvmod" \
            and noun.head.pos_ == "VERB":
        vl = noun.head.lemma_.lower()
        return f"times {vl}", f"{vl} times", "count"
    if noun is not None and noun.lemma_.lower() in DURATION_UNITS:
        return noun.lemma_.lower(), noun.lemma_.lower(), "duration"
    head_word = noun if noun is not None else root
    lemma = (noun.lemma_.lower() if noun is not None and noun.i != root.i else "")
    verb = head_word.head if head_word.dep_ in (
        "nsubj", "nsubjpass", "dobj", "attr", "pobj", "conj") else None
    if verb is not None and verb.dep_ == "prep":
        verb = verb.head
    if lemma in UNIT_OF_LEMMA:
        return UNIT_OF_LEMMA[lemma], lemma, "count"
    if lemma == "life" and verb is not None and verb.lemma_.lower() in LIFE_TAKING:
        return "deaths", f"{verb.lemma_.lower()} life", "count"
    # "seven people have died", "killed four people", "hundreds have been injured"
    if verb is not None and verb.pos_ in ("VERB", "ADJ", "AUX"):
        vl = verb.lemma_.lower()
        acomp = [c for c in verb.children if c.dep_ in ("acomp", "attr") and c.i != head_word.i]
        if vl in UNIT_OF_LEMMA and (not lemma or lemma in GENERIC or _people(head_word)):
            return UNIT_OF_LEMMA[vl], f"{vl} {lemma}".strip(), "count"
        for c in acomp:
            if c.lemma_.lower() in UNIT_OF_LEMMA:
                return UNIT_OF_LEMMA[c.lemma_.lower()], c.lemma_.lower(), "count"
    if lemma:
        return lemma, lemma, "count"
    return "count", root.lemma_.lower(), "count"


def _people(noun: Token) -> bool:
    """A counted group of people named by nationality ("eleven Ukrainians"): a demonym,
    or a plural proper noun."""
    return noun.ent_type_ == "NORP" or noun.tag_ == "NNPS"


def _as_of_now(span: Span) -> bool:
    """A figure stated as it stands now ("has now claimed seven lives", "have died so far"):
    the verb it goes with is in the present perfect or says "now", so the figure holds at
    publication whatever day the sentence names for the event."""
    t = span.root
    for _ in range(3):
        if t.pos_ in ("VERB", "AUX") or t.head.i == t.i:
            break
        t = t.head
    if t.pos_ not in ("VERB", "AUX"):
        return False
    return any((c.dep_ in ("aux", "auxpass") and c.lemma_.lower() == "have"
                and c.tag_ in ("VBP", "VBZ")) or (c.dep_ == "advmod" and c.lower_ in NOW)
               for c in t.children)


def _date_for(sent_idx: int | None, times: tuple[TimeExpression, ...],
              published: tuple[str | None, str | None]) -> tuple[str | None, str | None, int | None]:
    """The time a figure holds for: a dated expression of its sentence, else publication.

    "since Monday" or "for weeks" say how long a running count has been accumulating, so
    such a figure holds at publication, not at the start of the period.
    """
    same = [t for t in times if t.sent_idx == sent_idx and t.value and t.kind == "date"]
    if same:
        return same[0].value, same[0].precision, same[0].idx
    return published[0], published[1], None


def quantities(doc_id: str, sdoc: Doc, sentences: tuple[Sentence, ...],
               times: tuple[TimeExpression, ...], quotes: tuple[Quote, ...] = (),
               published: tuple[str | None, str | None] = (None, None)) -> list[Quantity]:
    """Every numeric claim of a parsed document (see module docstring)."""
    skip = [(t.start, t.end) for t in times if t.kind != "duration"]
    starts = [s.start for s in sentences]
    out: list[Quantity] = []
    for span in _number_runs(sdoc, skip):
        value, approx = parse_number(span)
        if value is None:
            continue
        unit, what, kind = _what(span)
        i = bisect.bisect_right(starts, span.start_char) - 1
        sent_idx = sentences[i].idx if i >= 0 else None
        date, prec, tidx = (published[0], published[1], None) if _as_of_now(span) else \
            _date_for(sent_idx, times, published)
        quote = next((q.idx for q in quotes if q.start <= span.start_char < q.end), None)
        out.append(Quantity(
            doc_id=doc_id, idx=len(out), start=span.start_char, end=span.end_char,
            text=span.text, value=float(value), unit=unit, what=what, kind=kind,
            qualifier=_qualifier(span), approximate=approx, date=date, date_precision=prec,
            time_idx=tidx, sent_idx=sent_idx, quote_idx=quote,
        ))
    return out


def extract_quantities(ctx: Any) -> list[Quantity]:
    """Component: the numeric claims of ``ctx.doc`` (table ``quantities``)."""
    anchor = parse_published(ctx.doc.published, ctx.doc.published_precision)
    pub = (ctx.doc.published, anchor.precision if anchor else None)
    return quantities(ctx.doc.doc_id, ctx.sdoc, ctx.sentences,
                      tuple(ctx.extras.get("time_expressions", ())), ctx.quotes, pub)
