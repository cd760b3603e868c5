"""Grouping one document's actor mentions into local entities.

Rules, in the order they apply: gazetteer and institution keys group directly (``country:AZ``
for "Azerbaijan", "Baku" and "Azerbaijani"); a person's surname or first name alone goes to the
nearest full name that contains it; spelling variants of one full name merge; a title-only
phrase goes to the person who carried a compatible title earlier in the document, else stays
its own entity; a defined acronym goes to its long form; a shorter ORG name that ends a longer
one ("the Minsk Group", or an institution's head alone: "the Commission") goes to it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from narrascope.annotate.gazetteer import Gazetteer, norm
from narrascope.annotate.names import person_tokens, same_person_name
from narrascope.annotate.titles import INSTITUTIONS, Title, parse_title
from narrascope.records import ActorType, LocalEntity, Mention, MentionKind


@dataclass(frozen=True, slots=True)
class Cand:
    """A proposed mention before grouping (character offsets into the document)."""

    start: int
    end: int
    text: str
    kind: str
    type: ActorType
    key: str | None
    name: str | None
    title: str | None
    affiliation: str | None
    prio: int = 0
    alias_of: tuple[int, int] | None = None


@dataclass
class _Ent:
    local_id: int
    type: ActorType
    key: str | None
    names: list[str] = field(default_factory=list)
    titles: list[tuple[str, Title, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    affiliation: str | None = None
    last: int = 0


def _title_text(text: str) -> str:
    return norm(text)


class _Grouper:
    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        self.ents: list[_Ent] = []
        self.by_key: dict[str, _Ent] = {}
        self.by_span: dict[tuple[int, int], _Ent] = {}

    def new(self, typ: ActorType, key: str | None) -> _Ent:
        e = _Ent(len(self.ents), typ, key)
        self.ents.append(e)
        if key:
            self.by_key[key] = e
        return e

    def keyed(self, c: Cand) -> _Ent:
        assert c.key is not None
        return self.by_key.get(c.key) or self.new(c.type, c.key)

    def persons(self, cands: list[Cand]) -> dict[int, _Ent]:
        """Full names first (so a surname in a headline finds a name given later), then the rest."""
        out: dict[int, _Ent] = {}
        full: list[tuple[int, _Ent]] = []
        for i, c in enumerate(cands):
            if c.type != "PERSON" or c.kind != "NAME" or not c.name:
                continue
            toks = person_tokens(c.name)
            if len(toks) < 2:
                continue
            match = next((e for _, e in full if any(same_person_name(toks, person_tokens(n))
                                                    for n in e.names)), None)
            e = match or self.new("PERSON", None)
            if match is None:
                full.append((c.start, e))
            e.names.append(c.name)
            out[i] = e
        for i, c in enumerate(cands):
            if c.type != "PERSON" or c.kind != "NAME" or not c.name or i in out:
                continue
            tok = norm(c.name)
            hits = [(pos, e) for pos, e in full
                    if any(tok in (person_tokens(n)[-1], person_tokens(n)[0]) for n in e.names)]
            before = [h for h in hits if h[0] < c.start]
            if before or hits:
                e = (before or hits)[-1 if before else 0][1]
            else:
                key = f"person:{tok}"
                e = self.by_key.get(key) or self.new("PERSON", key)
            e.names.append(c.name)
            out[i] = e
        return out

    def resolve_title(self, c: Cand, t: Title) -> _Ent | None:
        """The person most recently seen with a compatible title before ``c`` (named people first)."""
        hits = [e for e in self.ents if e.type == "PERSON"
                and any(pos < c.start and t.denotes(other) for _, other, pos in e.titles)
                and not any(t.conflicts(other) for _, other, _ in e.titles)]
        if not hits:
            return None
        return max(hits, key=lambda e: (not (e.key or "").startswith("title:"), e.last))


def group_candidates(
    doc_id: str, cands: list[Cand], sent_starts: list[int], gaz: Gazetteer
) -> tuple[list[Mention], list[LocalEntity]]:
    """Group selected (non-overlapping, start-ordered) candidates into mentions and local entities."""
    g = _Grouper(gaz)
    person_of = g.persons(cands)
    assigned: list[_Ent | None] = []
    for i, c in enumerate(cands):
        e: _Ent | None
        if i in person_of:
            e = person_of[i]
        elif c.kind == "ACRONYM" and c.alias_of is not None:
            s, en = c.alias_of
            e = next((x for (a, b), x in g.by_span.items() if a < en and s < b), None)
            if e is None:
                e = g.by_key.get(f"acronym:{c.text}") or g.new("ORG", f"acronym:{c.text}")
            e.names.append(c.text)
        elif c.kind == "NOMINAL" and c.alias_of is not None:
            s, en = c.alias_of
            e = next((x for (a, b), x in g.by_span.items() if a < en and s < b), None)
        elif c.kind == "TITLE":
            t = parse_title(c.title or c.text, gaz)
            e = g.resolve_title(c, t) if t else None
            if e is None:
                key = f"title:{_title_text(c.title or c.text)}"
                e = g.by_key.get(key) or g.new("PERSON", key)
                e.affiliation = c.affiliation
        elif c.key:
            e = g.keyed(c)
        elif c.name:
            key = f"name:{c.type}:{norm(c.name)}"
            e = g.by_key.get(key) or g.new(c.type, key)
        else:
            e = None
        if e is None:
            assigned.append(None)
            continue
        if c.name and c.kind != "TITLE" and c.name not in e.names:
            e.names.append(c.name)
        if c.title:
            t = parse_title(c.title, gaz)
            if t is not None:
                e.titles.append((_title_text(c.title), t, c.start))
                if e.type == "PERSON" and t.affiliation and not e.affiliation:
                    e.affiliation = t.affiliation
        if c.affiliation and not e.affiliation:
            e.affiliation = c.affiliation
        e.texts.append(c.text)
        e.last = c.start
        g.by_span[(c.start, c.end)] = e
        assigned.append(e)
    _merge_org_suffixes(g, assigned)
    return _records(doc_id, cands, assigned, sent_starts, g)


def _merge_org_suffixes(g: _Grouper, assigned: list[_Ent | None]) -> None:
    """"the Minsk Group" joins "the OSCE Minsk Group" when exactly one longer ORG ends with it."""
    orgs = [e for e in g.ents if e.type == "ORG" and e.names]
    toks = {e.local_id: [norm(n).split() for n in e.names] for e in orgs}
    remap: dict[int, _Ent] = {}
    for e in orgs:
        if e.affiliation:
            continue
        shortest = min(toks[e.local_id], key=len)
        # One word joins only when it is an institution's head ("the Commission" after
        # "the European Commission"); a longer suffix joins whatever it is.
        if len(shortest) < 2 and not (shortest and shortest[0] in INSTITUTIONS):
            continue
        hosts = [o for o in orgs if o is not e and any(
            len(t) > len(shortest) and t[-len(shortest):] == shortest for t in toks[o.local_id])]
        if len(hosts) == 1:
            remap[e.local_id] = hosts[0]
    for i, a in enumerate(assigned):
        if a is not None and a.local_id in remap:
            host = remap[a.local_id]
            host.names.extend(n for n in a.names if n not in host.names)
            host.texts.extend(a.texts)
            assigned[i] = host


def _canonical(e: _Ent, gaz: Gazetteer) -> str:
    if e.key and e.key.startswith("country:"):
        return gaz.display(e.key.split(":", 1)[1])
    if e.key and e.key.startswith("place:"):
        own = Counter(n for n in e.names if norm(n) == e.key[6:])
        if own:  # the usual spelling, not a dateline's capitals
            return max(own, key=lambda n: (not n.isupper(), own[n]))
    if e.names:
        counts = Counter(e.names)
        return max(e.names, key=lambda n: (len(n.split()), counts[n], len(n))).removeprefix("the ")
    if e.titles:
        return max(e.titles, key=lambda t: len(t[0]))[0]
    return e.texts[0] if e.texts else ""


def _records(
    doc_id: str, cands: list[Cand], assigned: list[_Ent | None], sent_starts: list[int], g: _Grouper
) -> tuple[list[Mention], list[LocalEntity]]:
    used = sorted({e.local_id for e in assigned if e is not None})
    renum = {old: new for new, old in enumerate(used)}
    mentions: list[Mention] = []
    for c, e in zip(cands, assigned, strict=True):
        if e is None:
            continue
        kind: MentionKind = c.kind  # type: ignore[assignment]
        sent = max(0, bisect_right(sent_starts, c.start) - 1)
        mentions.append(Mention(doc_id, len(mentions), c.start, c.end, c.text, kind, e.type,
                                renum[e.local_id], sent))
    entities: list[LocalEntity] = []
    for old in used:
        e = g.ents[old]
        names = tuple(sorted(dict.fromkeys(e.names), key=lambda n: (-len(n), n)))
        titles = tuple(dict.fromkeys(t for t, _, _ in e.titles))
        # Document-local keys: a name, a title, a described group ("the crew") link by other means.
        key = e.key if e.key and not e.key.startswith(("name:", "person:", "title:", "group:")) else None
        entities.append(LocalEntity(doc_id, renum[old], _canonical(e, g.gaz), e.type, key, names,
                                    titles, e.affiliation))
    return mentions, entities
