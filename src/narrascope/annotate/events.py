"""Events: who did what to whom, when, and on whose word.

A contested story is a sequence of moves (an accusation, a denial, a memorandum signed,
diplomats expelled). We find them clause by clause from the dependency parse: a trigger
(a verb of the lexicon, a phrasal verb, a verb with a fitting object, or a move-noun,
alone or carried by a light verb) typed in the spirit of PLOVER, its source (subject,
"by" agent, possessor, the controller of "pledged to ..."), its target (object or a
type-specific preposition: "supply ... to X", "deploy ... to X"), negation and modality
("did not accuse", "would support", "pledged to", "accused X of supporting").

Sources and targets are this document's actor mentions; the link pass maps them to corpus
actors. An event inside a quote is asserted by the quote's speaker, otherwise by the
outlet. Its date is the time expression of its clause, else of its sentence, else the
publication date (flagged ``date_source="published"``), else unknown.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.tokens import Doc, Token

from narrascope.annotate.dates import parse_published
from narrascope.annotate.event_lexicon import (
    ACCUSATION_NOUNS,
    ALLEGE_VERBS,
    EXPEL_COMMANDS,
    INTENT_VERBS,
    LIGHT_VERBS,
    MODALS,
    MULTIWORD_NOUNS,
    NEGATIONS,
    NOUNS,
    OBJECT_IS_THING,
    OBJECT_VERBS,
    PHRASAL,
    SYMMETRIC,
    TARGET_PREPS,
    VERBS,
)
from narrascope.records import Event, Mention, Quote, Sentence, TimeExpression

SUBJ = ("nsubj", "csubj", "expl")
RELATIVE = frozenset({"who", "which", "that", "whom", "whose"})
FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
THIRD_PERSON = frozenset({"he", "him", "his", "she", "her"})
# Pronouns by which a speaker reports its own act: "the army said it had sent ...".
REPORTER_PRONOUNS = frozenset({"it", "they", "he", "she"})
FINITE = frozenset({"VBD", "VBZ", "VBP"})
# Verbs that report a claim: an attack they report by another party is an accusation.
REPORTING = frozenset({*(v for v, t in VERBS.items() if t == "SAY"), "insist", "maintain"})
# Dependents that start another clause: not part of this event's argument search.
CLAUSAL = frozenset({"relcl", "ccomp", "advcl", "conj", "cc", "parataxis", "punct", "mark"})


@dataclass(frozen=True, slots=True)
class Arg:
    """A resolved argument: the span that names it and the local actor it belongs to."""

    text: str
    start: int
    end: int
    local_id: int


@dataclass
class _Found:
    type: str
    head: Token  # the clause's verb (or the noun, for a bare move-noun)
    trigger: list[Token]
    noun: Token | None = None  # the move-noun, when there is one
    source: Arg | None = None
    target: Arg | None = None
    location: Arg | None = None
    needs_accuser: bool = False
    extras: dict[str, Any] = field(default_factory=dict)


class _Lookup:
    """Per-document indexes: token -> mention, quotes by position, persons for pronouns."""

    def __init__(self, sdoc: Doc, mentions: Sequence[Mention], quotes: Sequence[Quote]) -> None:
        self.sdoc = sdoc
        self.at: dict[int, Mention] = {}
        for m in mentions:
            span = sdoc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                for t in span:
                    self.at.setdefault(t.i, m)
        self.quotes = sorted(quotes, key=lambda q: q.start)
        persons = sorted((m for m in mentions if m.type == "PERSON"), key=lambda m: m.start)
        self.person_starts = [m.start for m in persons]
        self.persons = persons

    def quote_at(self, pos: int) -> Quote | None:
        for q in self.quotes:
            if q.start <= pos < q.end:
                return q
        return None

    def _pronoun(self, tok: Token) -> Arg | None:
        low = tok.lower_
        if low in FIRST_PERSON:
            q = self.quote_at(tok.idx)
            if q is not None and q.speaker_local_id is not None:
                return Arg(tok.text, tok.idx, tok.idx + len(tok), q.speaker_local_id)
            return None
        if low in THIRD_PERSON:
            i = bisect.bisect_left(self.person_starts, tok.idx) - 1
            if i >= 0 and tok.idx - self.persons[i].start < 600:
                return Arg(tok.text, tok.idx, tok.idx + len(tok), self.persons[i].local_id)
        return None

    def actor(self, tok: Token | None, depth: int = 4) -> Arg | None:
        """The actor a token stands for: its own mention, a pronoun's antecedent, a relative
        pronoun's antecedent, or the nearest mention below it in the tree (breadth first,
        not entering other clauses)."""
        if tok is None:
            return None
        m = self.at.get(tok.i)
        if m is not None:
            return Arg(m.text, m.start, m.end, m.local_id)
        if tok.lower_ in RELATIVE and tok.head.dep_ == "relcl":
            return self.actor(tok.head.head, depth)
        if tok.pos_ == "PRON":
            return self._pronoun(tok)
        queue: deque[tuple[Token, int]] = deque((c, 1) for c in tok.children)
        while queue:
            t, d = queue.popleft()
            if t.dep_ in CLAUSAL:
                continue
            m = self.at.get(t.i)
            if m is not None:
                return Arg(m.text, m.start, m.end, m.local_id)
            if t.pos_ == "PRON" and t.dep_ == "poss" and (a := self._pronoun(t)):
                return a
            if d < depth:
                queue.extend((c, d + 1) for c in t.children)
        return None


def _noun_type(n: Token) -> str | None:
    lemma = n.lemma_.lower()
    for c in n.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in c.children:
                if (lemma, p.lemma_.lower()) in MULTIWORD_NOUNS:
                    return MULTIWORD_NOUNS[(lemma, p.lemma_.lower())]
        if c.dep_ in ("amod", "compound") and (lemma, c.lemma_.lower()) in MULTIWORD_NOUNS:
            return MULTIWORD_NOUNS[(lemma, c.lemma_.lower())]
    if n.pos_ in ("NOUN", "PROPN") and lemma in NOUNS:
        return NOUNS[lemma]
    return None


def _child(tok: Token, *deps: str) -> Token | None:
    return next((c for c in tok.children if c.dep_ in deps), None)


def _verb_type(v: Token) -> tuple[str, list[Token], Token | None] | None:
    """Type, trigger tokens and move-noun of a verb, or None when it names no move."""
    lemma = v.lemma_.lower()
    if lemma in EXPEL_COMMANDS and (x := _child(v, "xcomp")) is not None \
            and x.lemma_.lower() == "leave" and _child(v, "dobj") is not None:
        return "EXPEL", [v, x], None
    for c in v.children:
        if c.dep_ in ("prt", "prep", "dobj") and (lemma, c.lemma_.lower()) in PHRASAL:
            return PHRASAL[(lemma, c.lemma_.lower())], [v, c], None
    obj = _child(v, "dobj") or (_child(v, "nsubjpass") if lemma in OBJECT_VERBS else None)
    if obj is not None:
        ol = obj.lemma_.lower()
        if lemma in OBJECT_VERBS:
            t = OBJECT_VERBS[lemma].get(ol)
            if t is None and (nt := _noun_type(obj)) in OBJECT_VERBS[lemma].values():
                t = nt
            if t is not None:
                return t, [v, obj], obj
        if lemma in LIGHT_VERBS and (nt := _noun_type(obj)) is not None:
            return nt, [v, obj], obj
    if lemma in VERBS:
        return VERBS[lemma], [v], None
    return None


def _subject(v: Token, lk: _Lookup, hops: int = 3) -> tuple[Arg | None, bool]:
    """The actor doing ``v`` and whether ``v`` is passive (inheriting through control,
    coordination and relative clauses)."""
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in v.children)
    # Of two subjects (a dateline "PARIS, May 2 - France ordered ...") the one nearest the verb.
    subs = [c for c in v.children if c.dep_ in (*SUBJ, "nsubjpass")]
    s = max((c for c in subs if c.i < v.i), key=lambda c: c.i, default=subs[0] if subs else None)
    if s is not None:
        if passive:
            agent = _child(v, "agent")
            pobj = _child(agent, "pobj") if agent is not None else None
            return lk.actor(pobj), True
        a = lk.actor(s)
        if a is None and s.lower_ in REPORTER_PRONOUNS and v.dep_ == "ccomp" \
                and VERBS.get(v.head.lemma_.lower()) == "SAY" and hops > 0:
            # "the ministry said it had deployed ...": the pronoun is the speaker.
            return _subject(v.head, lk, hops - 1)[0], False
        return a, False
    if passive:
        agent = _child(v, "agent")
        return (lk.actor(_child(agent, "pobj")) if agent is not None else None), True
    if hops == 0 or v.head.i == v.i:
        return None, False
    h = v.head
    if v.dep_ == "xcomp":
        obj = _child(h, "dobj")
        if obj is not None and h.lemma_.lower() not in INTENT_VERBS:
            return lk.actor(obj), False
        return _subject(h, lk, hops - 1)[0], False
    if v.dep_ == "conj" and h.dep_ == "xcomp" and v.tag_ in FINITE and h.tag_ == "VB":
        # "ordered X to leave and accused Y": a finite verb is coordinated with the governor.
        return _subject(h.head, lk, hops - 1)[0], False
    if v.dep_ in ("conj", "advcl"):
        return _subject(h, lk, hops - 1)[0], False
    if v.dep_ == "pcomp" and h.dep_ == "prep":
        gov = h.head
        obj = _child(gov, "dobj")
        return (lk.actor(obj) if obj is not None else _subject(gov, lk, hops - 1)[0]), False
    if v.dep_ == "relcl":
        return lk.actor(h), False
    if v.dep_ == "acl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in v.children) \
            and (poss := _child(h, "poss")) is not None:
        return lk.actor(poss), False  # "Spain's decision to expel the envoy"
    return None, False


def _prep_args(heads: Iterable[Token | None], preps: tuple[str, ...], lk: _Lookup) -> Arg | None:
    for h in heads:
        if h is None:
            continue
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in preps:
                for p in c.children:
                    if p.dep_ == "pobj" and (a := lk.actor(p)) is not None:
                        return a
        if "to" in preps and (d := _child(h, "dative")) is not None:
            inner = _child(d, "pobj") or d
            if (a := lk.actor(inner)) is not None:
                return a
    return None


def _between(heads: Iterable[Token | None], lk: _Lookup) -> tuple[Arg | None, Arg | None]:
    """The two sides of "between X and Y"."""
    for h in heads:
        if h is None:
            continue
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ == "between":
                p = _child(c, "pobj")
                if p is None:
                    continue
                other = _child(p, "conj")
                return lk.actor(p), lk.actor(other)
    return None, None


def _location(heads: Iterable[Token | None], lk: _Lookup) -> Arg | None:
    for h in heads:
        if h is None:
            continue
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in ("in", "to", "into", "at", "across"):
                p = _child(c, "pobj")
                m = lk.at.get(p.i) if p is not None else None
                if m is not None and m.type == "GPE":
                    return Arg(m.text, m.start, m.end, m.local_id)
    return None


def _args(f: _Found, lk: _Lookup) -> None:
    """Fill source, target and location of a found event from the parse."""
    v, n, typ = f.head, f.noun, f.type
    heads = [v, n] if n is not None else [v]
    # "a state of emergency in Lima", "a memorandum of cooperation between X and Y"
    of_noun = [p for c in heads[-1].children if c.dep_ == "prep" and c.lower_ == "of"
               for p in c.children if p.dep_ == "pobj"]
    heads = heads + of_noun
    if v.pos_ in ("NOUN", "PROPN"):  # a bare move-noun: "France's support for Armenia"
        poss = _child(v, "poss")
        acl = _child(v, "acl")
        agent_src = _subject(acl, lk)[0] if acl is not None else None
        by = _prep_args([v], ("by", "from"), lk)
        amod = next((lk.actor(c) for c in v.children if c.dep_ in ("amod", "compound")
                     and c.i in lk.at), None)
        f.source = (lk.actor(poss) if poss is not None else None) or by or agent_src or amod
        f.target = _prep_args([v, acl], (*TARGET_PREPS.get(typ, ()), "against"), lk)
    else:
        subj, passive = _subject(v, lk)
        obj = _child(v, "dobj")
        f.source = subj
        if passive:
            pt = _child(v, "nsubjpass")
            if typ not in OBJECT_IS_THING and pt is not None:
                f.target = lk.actor(pt)
        elif v.dep_ == "acl" and obj is None and typ not in OBJECT_IS_THING \
                and _noun_type(v.head) is None:
            f.target = lk.actor(v.head)
        elif obj is not None and n is None and typ not in OBJECT_IS_THING:
            if typ == "REJECT" and obj.lemma_.lower() in ACCUSATION_NOUNS:
                f.target = lk.actor(obj)
                f.needs_accuser = f.target is None
            elif obj.lemma_.lower() != "that":
                f.target = lk.actor(obj)
        elif typ == "REJECT" and n is None and obj is None:
            f.needs_accuser = True
        if f.target is None:
            f.target = _prep_args(heads, TARGET_PREPS.get(typ, ()), lk)
        if f.target is None and typ == "SUPPLY" and v.lemma_.lower() == "arm" and obj is not None:
            f.target = lk.actor(obj)
    a, b = _between([*heads, *(_child(h, "acl") for h in heads)], lk)
    if a is not None and (f.source is None or typ in SYMMETRIC):
        f.source, f.target = a, b or f.target
    f.location = _location(heads, lk)
    if f.target is None and typ in ("DEPLOY", "RESTRICT", "ASSAULT", "PROTEST") and f.location:
        f.target = f.location
    if f.source and f.target and f.source.local_id == f.target.local_id:
        f.target = None


def _modality(v: Token, sent_text: str) -> tuple[bool, str]:
    """(negated, modality) of the clause headed by ``v``."""
    negated = any(c.dep_ == "neg" or (c.dep_ in ("advmod", "det") and c.lower_ in NEGATIONS)
                  for c in v.children)
    modality = "asserted"
    for c in v.children:
        if c.dep_ == "aux" and c.lower_ in MODALS:
            modality = MODALS[c.lower_]
    h, t = v.head, v
    for _ in range(3):
        if t.dep_ not in ("xcomp", "pcomp", "ccomp", "conj") or h.i == t.i:
            break
        gov = h.head if t.dep_ == "pcomp" and h.dep_ == "prep" else h
        gl = gov.lemma_.lower()
        if t.dep_ == "xcomp" and gl in INTENT_VERBS:
            modality = "intended" if modality == "asserted" else modality
            if gl == "refuse":
                negated = True
        if t.dep_ in ("pcomp", "ccomp") and gl in ALLEGE_VERBS:
            modality = "alleged"
        if t.dep_ != "conj" and any(c.dep_ == "neg" for c in gov.children):
            negated = True
        if t.dep_ != "conj" and modality == "asserted":
            for c in gov.children:
                if c.dep_ == "aux" and c.lower_ in MODALS:
                    modality = MODALS[c.lower_]
        t, h = gov, gov.head
    if modality == "asserted" and sent_text.rstrip().endswith("?"):
        modality = "question"
    return negated, modality


def _clause(f: _Found) -> tuple[int, int]:
    """Character span of the event's clause: the trigger's subtree without coordinated
    clauses, widened to its arguments, kept inside the sentence."""
    head = f.head
    toks = [head]
    stack = [c for c in head.children if c.dep_ not in ("conj", "cc", "punct")]
    while stack:
        t = stack.pop()
        toks.append(t)
        stack.extend(t.children)
    start = min(t.idx for t in toks)
    end = max(t.idx + len(t) for t in toks)
    sent = head.sent
    for a in (f.source, f.target):
        if a is not None and sent.start_char <= a.start < sent.end_char:
            start, end = min(start, a.start), max(end, a.end)
    return start, end


def _clause_head(tok: Token) -> Token:
    """The verb whose clause a token belongs to (the token itself for a verb)."""
    t = tok
    while t.pos_ not in ("VERB", "AUX") or t.dep_ == "amod":
        if t.head.i == t.i:
            return t
        t = t.head
    return t


def _governs(upper: Token, lower: Token) -> bool:
    """Whether ``lower`` sits in ``upper``'s clause or one coordinated/controlled by it,
    not inside a relative or reported clause of its own (adverbial clauses such as
    "after ... in 2023" do frame the main clause's time)."""
    t = lower
    for _ in range(12):
        if t.i == upper.i:
            return True
        if t.dep_ in ("relcl", "acl", "ccomp", "parataxis") or t.head.i == t.i:
            return False
        t = t.head
    return False


def _date(head: Token, trig: int, sent_idx: int | None, sdoc: Doc,
          times: Sequence[TimeExpression]) -> TimeExpression | None:
    """The time expression dating an event: one governed by the event's clause (or by a
    clause the event's is coordinated with or controlled by), dated points before
    durations, nearest to the trigger first. None when no such expression exists."""
    ev_head = _clause_head(head)
    best: tuple[tuple[int, int, int], TimeExpression] | None = None
    for t in times:
        if t.sent_idx != sent_idx or t.value is None:
            continue
        span = sdoc.char_span(t.start, t.end, alignment_mode="expand")
        if span is None:
            continue
        te_head = _clause_head(span.root)
        if te_head.i == ev_head.i:
            level = 0
        elif _governs(te_head, ev_head) or _governs(ev_head, span.root):
            level = 1
        elif ev_head.dep_ == "ccomp" and te_head.i == ev_head.head.i \
                and VERBS.get(te_head.lemma_.lower()) == "SAY":
            level = 2  # "said on Monday it had sent ...": done by the time it was said
        else:
            continue
        rank = (level, 0 if t.kind in ("date", "since") else 1, abs(t.start - trig))
        if best is None or rank < best[0]:
            best = (rank, t)
    return best[1] if best else None


def find_events(doc_id: str, sdoc: Doc, sentences: Sequence[Sentence],
                mentions: Sequence[Mention], quotes: Sequence[Quote],
                times: Sequence[TimeExpression] = (),
                published: tuple[str | None, str | None] = (None, None)) -> list[Event]:
    """Every event of a parsed document (see module docstring)."""
    lk = _Lookup(sdoc, mentions, quotes)
    found: list[_Found] = []
    used: set[int] = set()
    for tok in sdoc:
        if tok.pos_ in ("VERB",) and tok.dep_ != "amod":
            vt = _verb_type(tok)
            if vt is not None:
                typ, trig, noun = vt
                found.append(_Found(typ, tok, trig, noun))
                used.update(t.i for t in trig)
                obj = _child(tok, "dobj")
                if obj is not None:
                    used.add(obj.i)
                    used.update(p.i for c in obj.children if c.dep_ == "prep"
                                and c.lower_ == "of" for p in c.children)
    for tok in sdoc:
        if tok.pos_ in ("NOUN", "PROPN") and tok.i not in used:
            nt = _noun_type(tok)
            if nt is not None:
                found.append(_Found(nt, tok, [tok], tok))
    for f in found:
        _args(f, lk)
    found += [a for f in found if (a := _attack_as_accusation(f, lk)) is not None]
    starts = [s.start for s in sentences]
    out: list[Event] = []
    for f in sorted(found, key=lambda f: f.trigger[0].idx):
        if f.source is None and (f.target is None or f.type == "SAY"):
            continue
        trig_start = min(t.idx for t in f.trigger)
        trig_end = max(t.idx + len(t) for t in f.trigger)
        start, end = _clause(f)
        i = bisect.bisect_right(starts, trig_start) - 1
        sent_idx = sentences[i].idx if i >= 0 else None
        negated, modality = _modality(f.head, f.head.sent.text)
        if f.noun is not None and any(c.lower_ == "no" for c in f.noun.children):
            negated = True
        q = lk.quote_at(trig_start)
        t = _date(f.head, trig_start, sent_idx, sdoc, times)
        if t is not None:
            date, prec, approx, dsrc = t.value, t.precision, t.approximate, "text"
        elif published[0]:
            date, prec, approx, dsrc = published[0], published[1], True, "published"
        else:
            date, prec, approx, dsrc = None, None, False, None
        src, tgt, loc = f.source, f.target, f.location
        out.append(Event(
            doc_id=doc_id, idx=len(out), start=start, end=end, type=f.type,
            trigger=sdoc.text[trig_start:trig_end], trigger_start=trig_start,
            trigger_end=trig_end, lemma=" ".join(t.lemma_.lower() for t in f.trigger),
            source_text=src.text if src else None, source_start=src.start if src else None,
            source_end=src.end if src else None, source_local_id=src.local_id if src else None,
            target_text=tgt.text if tgt else None, target_start=tgt.start if tgt else None,
            target_end=tgt.end if tgt else None, target_local_id=tgt.local_id if tgt else None,
            location_text=loc.text if loc else None, location_start=loc.start if loc else None,
            location_end=loc.end if loc else None,
            negated=negated, modality=modality,
            asserted_by="speaker" if q is not None else "outlet",
            asserter_local_id=q.speaker_local_id if q is not None else None,
            quote_idx=q.idx if q is not None else None,
            date=date, date_precision=prec, date_approximate=approx, date_source=dsrc,
            time_idx=t.idx if t is not None else None, sent_idx=sent_idx,
            confidence=round(0.4 + 0.3 * (src is not None) + 0.3 * (tgt is not None), 2),
        ))
        if f.needs_accuser:
            out[-1] = _with_accuser(out[-1], out[:-1])
    return out


def _attack_as_accusation(f: _Found, lk: _Lookup) -> _Found | None:
    """"X said Y's troops fired first", or an attack by Y told in X's quote: X accuses Y."""
    if f.type != "ASSAULT" or f.source is None:
        return None
    speaker: Arg | None = None
    h = f.head
    if h.dep_ == "ccomp" and h.head.lemma_.lower() in REPORTING:
        speaker = _subject(h.head, lk)[0]
    elif (q := lk.quote_at(h.idx)) is not None and q.speaker_local_id is not None \
            and q.speaker_start is not None and q.speaker_end is not None:
        speaker = Arg(q.speaker_text or "", q.speaker_start, q.speaker_end, q.speaker_local_id)
    if speaker is None or speaker.local_id == f.source.local_id:
        return None
    return _Found("ACCUSE", h, f.trigger, f.noun, speaker, f.source)


def _with_accuser(ev: Event, earlier: Sequence[Event]) -> Event:
    """"X denied the allegations": the target is who made them, the accusation this
    document reported first (news leads with the main allegation) against X, else its
    first accusation at all."""
    accusations = [e for e in earlier if e.type == "ACCUSE" and e.source_local_id is not None
                   and not e.negated and e.source_local_id != ev.source_local_id]
    against = [e for e in accusations if e.target_local_id == ev.source_local_id]
    picks = against or accusations
    if not picks:
        return ev
    pick = picks[0]
    return replace(ev, target_text=pick.source_text, target_start=pick.source_start,
                   target_end=pick.source_end, target_local_id=pick.source_local_id)


def extract_events(ctx: Any) -> list[Event]:
    """Component: the events of ``ctx.doc`` (table ``events``)."""
    anchor = parse_published(ctx.doc.published, ctx.doc.published_precision)
    pub = (ctx.doc.published, anchor.precision if anchor else None)
    return find_events(ctx.doc.doc_id, ctx.sdoc, ctx.sentences, ctx.mentions, ctx.quotes,
                       tuple(ctx.extras.get("time_expressions", ())), pub)
