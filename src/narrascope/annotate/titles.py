"""Role titles ("the French Interior Minister") and institution names ("Azerbaijan's Foreign Ministry").

Both are normalised to comparable keys: a title to ``Title(head, mods, affiliation)``, so
"the Minister of the Interior" and "interior minister" compare equal; an institution to
``org:<CC>:<name>``, so "Ministry of Foreign Affairs of X", "X's Foreign Ministry" and
"the Xian Foreign Ministry" share one key. The word lists are general English role and
institution vocabulary, not tied to any story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrascope.annotate.gazetteer import Gazetteer, norm

TITLE_HEADS = frozenset(
    """
    president minister premier chancellor king queen prince princess emir sheikh sultan monarch
    leader spokesman spokeswoman spokesperson secretary senator congressman congresswoman
    representative governor mayor ambassador envoy deputy mp lawmaker legislator chairman
    chairwoman chair director ceo chief commander general admiral judge justice attorney
    prosecutor candidate nominee front-runner frontrunner speaker diplomat adviser advisor aide
    pope cardinal bishop founder coach executive dictator strongman ruler councillor councilor
    commissioner ombudsman rapporteur negotiator official officer chairperson mogul billionaire
    """.split()  # noqa: SIM905
)
# Abbreviated titles before names ("Sen. Warren").
ABBREV = {"sen": "senator", "rep": "representative", "gov": "governor", "pres": "president",
          "gen": "general", "sec": "secretary", "amb": "ambassador", "adm": "admiral"}
# Modifiers that change the office rather than describe it: they become part of the head.
RANK = frozenset({"vice", "deputy", "prime", "assistant", "under", "co", "associate", "lieutenant"})
# Modifiers that say when, not which, office: ignored when comparing.
TEMPORAL = frozenset({"former", "then", "current", "acting", "outgoing", "incoming", "new", "late",
                      "ex", "interim", "sitting", "presumptive", "likely", "possible", "top"})
HEAD_OF_STATE = frozenset({"president", "prime minister", "premier", "chancellor", "king", "queen",
                           "emir", "sultan", "monarch", "leader", "ruler", "dictator", "strongman"})
_SYNONYMS = {"spokeswoman": "spokesman", "spokesperson": "spokesman", "frontrunner": "front-runner",
             "chairwoman": "chairman", "chair": "chairman", "chairperson": "chairman",
             "advisor": "adviser", "councilor": "councillor", "congresswoman": "congressman",
             "lawmaker": "legislator", "mp": "legislator"}
# "the organisation's special envoy": a possessor that only points back says nothing of the office.
_ANAPHORIC = re.compile(r"\b(?:organi[sz]ation|group|agency|body|institution|company|firm|bloc|"
                        r"alliance|country|nation|movement) 's\b")
_FILLER = frozenset({"the", "a", "an", "of", "and", "for", "affairs", "'s", "s"})

INSTITUTIONS = frozenset(
    """
    ministry department parliament government assembly congress senate office embassy
    consulate army navy police court council committee commission cabinet administration
    authorities agency bureau service military forces presidency chamber legislature
    """.split()  # noqa: SIM905
)
# Ministries are named two ways ("ministry of foreign affairs" / "foreign ministry").
_OF_FORM = re.compile(r"^(ministry|department|office|minister|secretary) of (?:the )?(.+?)(?: affairs)?$")


def head_word(word: str) -> str:
    w = norm(word).strip(".")
    return ABBREV.get(w, w)


def is_title_word(word: str) -> bool:
    """True for a role noun that can head a title ("minister", "Sen.", "spokeswoman")."""
    w = head_word(word)
    return w in TITLE_HEADS


@dataclass(frozen=True, slots=True)
class Title:
    """A comparable role: head ("prime minister"), descriptive modifiers, affiliation key."""

    head: str
    mods: frozenset[str]
    affiliation: str | None

    def compatible(self, other: Title) -> bool:
        """Could one person carry both titles? Same office, no conflicting modifier or country."""
        if self.affiliation and other.affiliation and self.affiliation != other.affiliation:
            return False
        if self.head != other.head:
            pair = {self.head, other.head}
            if not ("leader" in pair and pair <= HEAD_OF_STATE):
                return False
            # "the X leader" is only the head of state when the country is given on both sides.
            if not (self.affiliation and other.affiliation):
                return False
        return self.mods <= other.mods or other.mods <= self.mods

    def denotes(self, held: Title) -> bool:
        """Can a title-only mention (``self``) refer to a person who carries ``held``? As
        :meth:`compatible`, and an institutional qualifier must be carried too: "the President
        of Congress" is not the head of state, though "the majority leader" may be the "Senate
        majority leader"."""
        return self.compatible(held) and (self.mods & INSTITUTIONS) <= held.mods

    def conflicts(self, other: Title) -> bool:
        """Same office with different specifics ("foreign minister" vs "interior minister")."""
        if self.affiliation and other.affiliation and self.affiliation != other.affiliation:
            return self.head == other.head
        return self.head == other.head and not (self.mods <= other.mods or other.mods <= self.mods)


def parse_title(text: str, gaz: Gazetteer) -> Title | None:
    """Normalise a role phrase: "the Minister of the Interior of France" -> minister {interior} FR."""
    s = norm(text).replace("'s ", " 's ")
    s = _ANAPHORIC.sub("", s).strip()
    affiliation: str | None = None
    m = re.match(r"^(.*?) of (.+)$", s)
    words: list[str]
    if m:
        comp = m.group(2)
        cc = gaz.country(comp) or gaz.capital(comp)
        if cc:
            affiliation = f"country:{cc}"
            words = m.group(1).split()
        else:
            # "minister of the interior" -> "interior minister"
            words = [w for w in comp.split() if w not in _FILLER] + m.group(1).split()
    else:
        words = s.split()
    # A country name of two words ("New Caledonia's governor") is matched before single words.
    out: list[str] = []
    i = 0
    while i < len(words):
        two = " ".join(words[i : i + 2]) if i + 1 < len(words) else ""
        if two and gaz.country(two):
            affiliation = affiliation or f"country:{gaz.country(two)}"
            i += 2
            continue
        w = words[i]
        cc = gaz.country(w) or (gaz.demonym(w) or (None, False))[0]
        if cc:
            affiliation = affiliation or f"country:{cc}"
        elif w not in _FILLER:
            out.append(w)
        i += 1
    heads = [j for j, w in enumerate(out) if head_word(w) in TITLE_HEADS]
    if not heads:
        return None
    h = heads[-1]
    head = _SYNONYMS.get(head_word(out[h]), head_word(out[h]))
    rest = out[:h]
    rank: list[str] = []
    while rest and rest[-1] in RANK:
        rank.insert(0, rest.pop())
    if rank:
        head = " ".join([*rank, head])
    mods = frozenset(w for w in rest if w not in TEMPORAL and w not in TITLE_HEADS and len(w) > 1)
    return Title(head, mods, affiliation)


def org_key(text: str, gaz: Gazetteer) -> tuple[str, str | None]:
    """Key of an institution name and its country: "Azerbaijan's Foreign Ministry" ->
    ("org:AZ:foreign ministry", "country:AZ"). Names without a country keep their words."""
    s = norm(text).replace("'s ", " 's ")
    cc: str | None = None
    m = re.match(r"^(.+?) 's (.+)$", s)
    if m and (gaz.country(m.group(1)) or gaz.capital(m.group(1))):
        cc, s = gaz.country(m.group(1)) or gaz.capital(m.group(1)), m.group(2)
    m = re.match(r"^(.+) of (?:the )?(.+)$", s)
    if cc is None and m and gaz.country(m.group(2)):
        cc, s = gaz.country(m.group(2)), m.group(1)
    words = s.split()
    if cc is None and len(words) > 1:
        first = gaz.country(words[0]) or (gaz.demonym(words[0]) or (None, False))[0]
        if first is None and len(words) > 2:
            first = gaz.country(" ".join(words[:2]))
            if first:
                words = words[1:]
        if first and any(w in INSTITUTIONS for w in words[1:]):
            cc, words = first, words[1:]
    s = " ".join(words)
    m2 = _OF_FORM.match(s)
    if m2:
        s = f"{m2.group(2)} {m2.group(1)}"
    s = re.sub(r"\baffairs (ministry|department|minister|secretary)\b", r"\1", s)
    s = s.replace("defence", "defense")
    if cc:
        return f"org:{cc}:{s}", f"country:{cc}"
    return f"org:{s}", None
