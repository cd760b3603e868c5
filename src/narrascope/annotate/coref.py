"""Within-document coreference of descriptions: mentions that name no one but point back.

Read from the spaCy parse, all pure:

* a definite description ("the ministry", "the bay", "this commission", "the new group")
  whose head noun is the head word of an organisation or place named earlier in the
  document (or an institution word of that name) refers to the latest such name;
* a group of people described by a plural noun ("the fishermen", "its crew", "the five
  protesters") is one group actor for the whole document: later definite or possessed
  mentions with the same noun, and no other nationality, go to the latest group with it;
* "he"/"she" and "the country" refer to the one person (state) of their sentence and the
  one before, and to nobody when there are several.

Each proposal is a :class:`Cand` with its own character span; the grouping step attaches
an ``alias_of`` description to the entity of the antecedent span.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from spacy.tokens import Doc, Token

from narrascope.annotate.gazetteer import Gazetteer, norm
from narrascope.annotate.grouping import Cand
from narrascope.annotate.titles import INSTITUTIONS
from narrascope.records import ActorType, LocalEntity, Mention, MentionKind

_DEFINITE = frozenset({"the", "this", "that"})
# Adjectives that keep a description anaphoric ("the new group", "the same commission").
_ANAPHORIC_MODS = frozenset({"new", "same", "whole", "entire", "said"})
# Head words that name the state or a bare category rather than one named body.
_NON_ANAPHORIC = frozenset({"government", "authorities", "administration", "regime", "side",
                            "state", "republic", "country", "nation", "people", "city", "world"})
# Plural (or collective) nouns for a group of people that is talked about as one actor.
GROUP_NOUNS = frozenset(
    """
    crew crews fishermen fishers protesters demonstrators villagers residents workers
    strikers miners farmers soldiers troops sailors passengers hostages prisoners detainees
    migrants refugees settlers rebels militants fighters insurgents activists students
    civilians victims survivors pilgrims crewmen seamen marines guards monitors observers
    inspectors rescuers firefighters doctors nurses teachers families relatives
    """.split()  # noqa: SIM905
)
_MEMBER_NOUNS = frozenset({"members", "member"})
_POSSESSIVE = frozenset({"its", "their", "his", "her", "our"})


def _name_heads(name: str) -> set[str]:
    """Words a description can use for ``name``: its head word ("Bay of Piran" -> bay,
    "Joint Fisheries Incident Group" -> group) and any institution word in it."""
    words = norm(name).split()
    if not words:
        return set()
    cut = words.index("of") if "of" in words[1:] else len(words)
    heads = {words[cut - 1]} | {w for w in words if w in INSTITUTIONS}
    return heads - _NON_ANAPHORIC


def _antecedents(sdoc: Doc, cands: list[Cand]) -> list[tuple[int, tuple[int, int], set[str]]]:
    """(end offset, span to alias, head words) of each named organisation or place, in text order."""
    out: list[tuple[int, tuple[int, int], set[str]]] = []
    for c in cands:
        if c.kind == "NAME" and c.type in ("ORG", "OTHER") and c.name:
            out.append((c.end, (c.start, c.end), _name_heads(c.name)))
        elif c.kind == "ACRONYM" and c.alias_of is not None:
            s, e = c.alias_of
            out.append((c.end, (c.start, c.end), _name_heads(sdoc.text[s:e])))
    return sorted(out, key=lambda a: a[0])


def description_cands(sdoc: Doc, cands: list[Cand]) -> list[Cand]:
    """"the ministry", "the bay", "the new group": a definite common noun whose word heads (or
    is an institution word of) an organisation or place named earlier refers to the latest
    such name. Nothing is proposed when no earlier name has the word, or when the noun is
    modified by anything but an anaphoric adjective ("the Croatian ministry" is another)."""
    antes = _antecedents(sdoc, cands)
    if not antes:
        return []
    out: list[Cand] = []
    for t in sdoc:
        if t.pos_ != "NOUN" or not t.text.islower() or t.dep_ == "compound":
            continue
        left = [c for c in t.lefts if c.dep_ != "punct"]
        bare = not any(c.dep_ in ("det", "poss", "amod", "compound", "nummod", "nmod") for c in left)
        if bare and t.tag_ == "NN" and t.lower_ in INSTITUTIONS - _NON_ANAPHORIC:
            # A bare singular institution noun ("outside parliament", "police said").
            ante = next((a for a in reversed(antes) if a[0] <= t.idx and t.lower_ in a[2]), None)
            if ante is not None:
                out.append(Cand(t.idx, t.idx + len(t.text), t.text, "NOMINAL", "ORG", None, None,
                                None, None, 0, alias_of=ante[1]))
            continue
        if not left or left[0].lower_ not in _DEFINITE or left[0].dep_ != "det":
            continue
        if any(c.dep_ not in ("det", "amod") or (c.dep_ == "amod" and c.lower_ not in _ANAPHORIC_MODS)
               for c in left[1:]):
            continue
        det = left[0]
        ante = next((a for a in reversed(antes) if a[0] <= det.idx and t.lower_ in a[2]), None)
        if ante is None:
            continue
        out.append(Cand(det.idx, t.idx + len(t.text), sdoc.text[det.idx : t.idx + len(t.text)],
                        "NOMINAL", "ORG", None, None, None, None, 0, alias_of=ante[1]))
    return out


def _group_word(t: Token) -> str | None:
    """The group noun a token heads: "fishermen", or "crew" in "crew members"."""
    if t.lower_ in GROUP_NOUNS and t.text.islower():
        return t.lower_
    if t.lower_ in _MEMBER_NOUNS:
        comp = next((c for c in t.lefts if c.dep_ == "compound" and c.lower_ in GROUP_NOUNS), None)
        if comp is not None:
            return comp.lower_
    return None


def _nationality(t: Token, gaz: Gazetteer) -> str | None:
    for c in t.lefts:
        if c.dep_ in ("amod", "compound") and c.text[:1].isupper():
            cc = gaz.country(c.text) or (gaz.demonym(c.text) or (None, False))[0]
            if cc:
                return cc
    return None


def group_cands(sdoc: Doc, gaz: Gazetteer) -> list[Cand]:
    """Groups of people described by a noun ("the fishermen", "its crew", "the five protesters").

    The first mention of a group noun with a determiner, a possessive or a number opens a
    group; later mentions of the noun with a definite determiner or a possessive join the
    latest open group of that noun, unless they carry another nationality ("Croatian
    fishermen" after "Slovenian fishermen" is a new group). A bare plural ("fishermen are
    angry") is generic and proposes nothing. The span is the noun (with "crew" of "crew
    members"), so a nationality word beside it keeps its own mention.
    """
    out: list[Cand] = []
    latest: dict[str, tuple[tuple[int, int], str | None]] = {}
    for t in sdoc:
        word = _group_word(t)
        if word is None or t.dep_ == "compound":
            continue
        lefts = list(t.lefts)
        det = next((c for c in lefts if c.dep_ == "det"), None)
        poss = next((c for c in lefts if c.dep_ == "poss" and c.lower_ in _POSSESSIVE), None)
        num = next((c for c in lefts if c.dep_ == "nummod"), None)
        definite = (det is not None and det.lower_ in ("the", "these", "those")) or poss is not None
        if det is not None and det.lower_ in ("no", "any", "every", "each", "some", "all"):
            continue
        first = min((c.i for c in lefts if c.dep_ == "compound" and c.lower_ == word), default=t.i)
        span = (sdoc[first].idx, t.idx + len(t.text))
        nat = _nationality(t, gaz)
        prev = latest.get(word)
        if prev is not None and definite and (nat is None or nat == prev[1]):
            out.append(Cand(span[0], span[1], sdoc.text[span[0] : span[1]], "NOMINAL", "GROUP", None,
                            None, None, None, 0, alias_of=prev[0]))
            continue
        if det is None and poss is None and num is None:
            continue
        latest[word] = (span, nat)
        out.append(Cand(span[0], span[1], sdoc.text[span[0] : span[1]], "NOMINAL", "GROUP",
                        f"group:{word}:{span[0]}", None, None, None, 0))
    return out


_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
_STATE_WORDS = frozenset({"country", "nation"})


def _sole_antecedent(mentions: list[Mention], starts: list[int], at: int, ok: set[int]) -> int | None:
    """The one entity among ``ok`` mentioned before ``at`` in its sentence or the one before."""
    si = bisect_right(starts, at) - 1
    lo = starts[max(0, si - 1)] if starts else 0
    found = {m.local_id for m in mentions if m.local_id in ok and lo <= m.start and m.end <= at}
    return found.pop() if len(found) == 1 else None


def anaphora_mentions(sdoc: Doc, mentions: list[Mention], entities: list[LocalEntity],
                      starts: list[int]) -> list[Mention]:
    """``mentions`` with pronouns and "the country" added where one antecedent alone fits
    (``starts``: sentence start offsets, as the mentions' ``sent_idx`` count them).

    "he"/"she"/"his"/"her" refer to a person, "the country"/"the nation" to a state, mentioned
    earlier in the same sentence or the one before; a link is made only when exactly one
    such person (state) is mentioned there: no gender is read from names and no salience is
    guessed, so two candidates are left alone. "it" and "they" are never linked.
    """
    people = {e.local_id for e in entities if e.type == "PERSON"}
    states = {e.local_id for e in entities if e.type == "GPE" and (e.key or "").startswith(("country:", "place:"))}
    if not people and not states:
        return mentions
    taken = [(m.start, m.end) for m in mentions]
    added: list[Mention] = []
    for t in sdoc:
        kind: MentionKind
        typ: ActorType
        if t.lower_ in _PERSON_PRONOUNS and (t.pos_ == "PRON" or t.tag_ == "PRP$"):
            start, kind, typ, ok = t.idx, "PRON", "PERSON", people
        elif (t.lower_ in _STATE_WORDS and t.tag_ == "NN" and t.i > 0 and sdoc[t.i - 1].lower_ == "the"
              and sdoc[t.i - 1].head.i == t.i
              and not any(c.dep_ in ("amod", "compound", "poss", "nummod") for c in t.lefts)):
            start, kind, typ, ok = sdoc[t.i - 1].idx, "NOMINAL", "GPE", states
        else:
            continue
        end = t.idx + len(t.text)
        if any(a < end and start < b for a, b in taken):
            continue
        ante = _sole_antecedent(mentions, starts, start, ok)
        if ante is None:
            continue
        si = max(0, bisect_right(starts, start) - 1)
        added.append(Mention(mentions[0].doc_id, 0, start, end, sdoc.text[start:end], kind, typ, ante, si))
    if not added:
        return mentions
    ordered = sorted([*mentions, *added], key=lambda m: (m.start, m.end))
    return [replace(m, idx=i) for i, m in enumerate(ordered)]
