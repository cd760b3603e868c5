"""Places the gazetteer does not know: demonyms by morphology and capitals by apposition.

A new, renamed or unrecognised state ("Velonia") has no gazetteer entry, but the text itself
says what refers to it: its demonym ("Velonian", "Velonians", "Velonese") shares its stem
with one of the usual suffixes, and apposition names its capital ("Velo, the Velonian
capital", "the Velonian capital Velo", "Velo, capital of Velonia"). Shared by per-document
annotation and cross-document linking; general English morphology, no place list.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc, Span

from narrascope.annotate.gazetteer import Gazetteer, norm

_SUFFIXES = ("ians", "ans", "ese", "ish", "ian", "an", "ic", "i", "n")
_MIN_STEM = 4


def place_stems(name: str) -> set[str]:
    """Stems a demonym of ``name`` can share: the name, and the name without a final vowel."""
    n = norm(name)
    out = {n}
    if len(n) > _MIN_STEM and n[-1] in "aeiouy":
        out.add(n[:-1])
    return {s for s in out if len(s) >= _MIN_STEM}


def demonym_stems(word: str) -> tuple[set[str], bool]:
    """Stems ``word`` would have as a demonym ("Velonians" -> {"velonia", "velon", ...}), plural?"""
    w = norm(word)
    plural = w.endswith("s") and not w.endswith(("ss", "ese"))
    base = w[:-1] if plural else w
    stems = {base[: -len(s)] for s in _SUFFIXES if base.endswith(s) and len(base) - len(s) >= _MIN_STEM}
    return stems, plural


def is_demonym_of(word: str, place: str) -> bool:
    """"Velonian"/"Velonians"/"Velonese" of "Velonia"; never the name itself."""
    if norm(word) == norm(place) or not word[:1].isupper():
        return False
    return bool(demonym_stems(word)[0] & place_stems(place))


class PlaceIndex:
    """Names of places (key, display) keyed by every stem a demonym of them could have."""

    def __init__(self) -> None:
        self.by_stem: dict[str, set[str]] = {}
        self.key_of: dict[str, str] = {}

    def add(self, name: str, key: str) -> None:
        k = norm(name)
        self.key_of.setdefault(k, key)
        for s in place_stems(name):
            self.by_stem.setdefault(s, set()).add(k)

    def demonym(self, word: str) -> tuple[str, bool] | None:
        """``(place key, plural)`` when ``word`` is the demonym of exactly one indexed place."""
        if not word[:1].isupper() or norm(word) in self.key_of:
            return None
        stems, plural = demonym_stems(word)
        hits = {p for s in stems for p in self.by_stem.get(s, ())}
        keys = {self.key_of[p] for p in hits}
        return (keys.pop(), plural) if len(keys) == 1 else None


def _name_span(sdoc: Doc, i: int, step: int) -> Span | None:
    """The capitalised name run starting at token ``i`` and growing in direction ``step``."""
    j = i
    while 0 <= j < len(sdoc) and sdoc[j].text[:1].isupper() and sdoc[j].pos_ == "PROPN":
        j += step
    lo, hi = (i, j) if step > 0 else (j + 1, i + 1)
    return sdoc[lo:hi] if hi > lo else None


def capitals_by_apposition(
    sdoc: Doc, place_of: Callable[[str], str | None]
) -> tuple[dict[str, str], dict[str, str]]:
    """City name (normalised) -> place key from "C, the Xian capital", "the Xian capital C",
    "C, (the) capital of X" and "X's capital C"; and the owners X the text alone shows to be
    places (name -> new ``place:`` key). ``place_of`` maps a known demonym/name to a key."""
    out: dict[str, str] = {}
    owners: dict[str, str] = {}
    for t in sdoc:
        if t.lower_ != "capital":
            continue
        i = t.i
        key: str | None = None
        if i >= 1 and sdoc[i - 1].text[:1].isupper():
            key = place_of(sdoc[i - 1].text)
        owner: Span | None = None
        if key is None and i >= 2 and sdoc[i - 1].tag_ == "POS":
            owner = _name_span(sdoc, i - 2, -1)
        after = i + 1
        if key is None and owner is None and after + 1 < len(sdoc) and sdoc[after].lower_ == "of":
            owner = _name_span(sdoc, after + 1, 1)
            if owner is not None:
                after = owner.end
        if key is None and owner is not None:
            key = place_of(owner.text)
            if key is None:
                key = owners[norm(owner.text)] = f"place:{norm(owner.text)}"
        if key is None:
            continue
        # The city: right after "capital" (", C" allowed) or before ", the Xian capital".
        j = i + 1
        if j < len(sdoc) and sdoc[j].lower_ == "city":
            j += 1
        if j < len(sdoc) and sdoc[j].text == ",":
            j += 1
        city = _name_span(sdoc, j, 1) if j < len(sdoc) and after == i + 1 else None
        if city is None:
            k = i - 1
            while k >= 0 and (sdoc[k].lower_ in ("the", "a") or sdoc[k].text[:1].isupper()
                              or sdoc[k].tag_ == "POS"):
                if sdoc[k].text == "," or sdoc[k].lower_ in ("the", "a"):
                    break
                k -= 1
            while k >= 0 and sdoc[k].lower_ in ("the", "a"):
                k -= 1
            if k >= 1 and sdoc[k].text == ",":
                city = _name_span(sdoc, k - 1, -1)
        if city is not None and not (place_of(city.text) or "").startswith("country:"):
            out[norm(city.text)] = key
    return out, owners


def known_place_of(gaz: Gazetteer, local: PlaceIndex) -> Callable[[str], str | None]:
    """Key of a country name, a gazetteer demonym, a local place name or its demonym."""

    def place_of(text: str) -> str | None:
        cc = gaz.country(text)
        if cc:
            return f"country:{cc}"
        dem = gaz.demonym(text)
        if dem and not dem[1] and text[:1].isupper():
            return f"country:{dem[0]}"
        k = norm(text)
        if k in local.key_of:
            return local.key_of[k]
        hit = local.demonym(text)
        return hit[0] if hit and not hit[1] else None

    return place_of
