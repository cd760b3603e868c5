"""Claims: the check-worthy statements of one document, clause by clause.

A claim is a clause that asserts something a reader could check in another outlet: a
number, an event (an accusation, a memorandum signed), or a statement about a named actor.
We take clause heads from the dependency parse (the verb of the main clause and of every
complement, relative, adverbial or coordinated clause), drop the reporting wrappers
("he said", "the statement noted": their content is the claim, the wrapper only says who
asserts it) and keep the clauses that name an actor, a number or an event.

Each claim records who asserts it (the outlet, or the quoted speaker), the actors it is
about (subject, objects, any mention), its polarity (negated or denied: -1) and whether it
is only alleged, its predicate lemma and content lemmas, and links to the events and
quantities of the document inside its span. Nothing here embeds text: per-document work
stays cheap, and the claims link pass embeds each distinct claim once.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Span, Token

from narrascope.annotate.event_lexicon import ALLEGE_VERBS, NEGATIONS
from narrascope.records import Claim, Event, Mention, Quantity, Quote, Sentence

# Dependency labels whose head starts a clause of its own.
CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "conj", "advcl", "relcl", "xcomp", "pcomp", "acl",
                         "parataxis", "csubj"})
# Verbs that report speech or thought: with a clausal complement, the complement is the
# claim and the verb only attributes it.
REPORTING = frozenset({
    "say", "tell", "add", "state", "claim", "note", "write", "insist", "argue", "explain",
    "comment", "announce", "report", "declare", "stress", "warn", "reply", "respond",
    "believe", "think", "regret", "observe", "recall", "point", "suggest", "maintain",
    "assert", "confirm", "acknowledge", "admit", "emphasize", "emphasise", "reiterate",
})
# Verbs whose clausal complement is denied by the subject.
DENY = frozenset({"deny", "reject", "refute", "dismiss", "dispute", "rebut"})
HEDGES = frozenset({"allegedly", "reportedly", "supposedly", "purportedly", "alleged",
                    "apparently", "rumoured", "rumored"})
# Names are left out of the content lemmas: actors are compared through the actor links,
# and shared names alone ("Azerbaijan") would make any two claims look alike.
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "NUM", "ADV"})
SUBJ_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "agent"})
OBJ_DEPS = frozenset({"dobj", "obj", "pobj", "attr", "dative", "oprd", "iobj"})
MIN_TOKENS = 3
# Content words a clause with no actor, number or event needs to be a claim: a verb and
# what it is done to ("struck the police boat").
MIN_CONTENT = 3


class _Index:
    """Character-offset lookups for the document's mentions, quotes, events, quantities."""

    def __init__(self, mentions: Sequence[Mention], quotes: Sequence[Quote],
                 events: Sequence[Event], quantities: Sequence[Quantity]) -> None:
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.m_starts = [m.start for m in self.mentions]
        self.quotes = list(quotes)
        self.events = list(events)
        self.quantities = list(quantities)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        i = bisect.bisect_left(self.m_starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                out.append(self.mentions[i])
            i += 1
        return out

    def quote_of(self, start: int, end: int) -> Quote | None:
        """The quote that contains most of the span, if it holds at least half of it."""
        best, best_n = None, 0
        for q in self.quotes:
            n = min(end, q.end) - max(start, q.start)
            if n > best_n:
                best, best_n = q, n
        return best if best is not None and best_n * 2 >= end - start else None


def _clause_heads(sent: Span) -> list[Token]:
    return [t for t in sent if t.dep_ in CLAUSE_DEPS and t.pos_ in ("VERB", "AUX")
            and not (t.pos_ == "AUX" and t.dep_ != "ROOT")]


def _is_wrapper(h: Token) -> bool:
    """A reporting verb whose content is a clause or a quote, or a denial of a clause
    ("officials deny that any drone was flying"): attribution, not a claim; the clause is
    the claim (denied, see :func:`_polarity`)."""
    if h.lemma_.lower() in DENY:
        return any(c.dep_ == "ccomp" for c in h.children)
    if h.lemma_.lower() not in REPORTING:
        return False
    has_obj = any(c.dep_ in ("dobj", "obj") and c.pos_ in ("NOUN", "PROPN") for c in h.children)
    return not has_obj


def _own_tokens(h: Token, heads: set[int]) -> list[Token]:
    """The clause's tokens: its subtree minus the subtrees of clauses nested in it, except
    relative and adverbial ones too short to stand alone."""
    out: list[Token] = []
    stack = [h]
    while stack:
        t = stack.pop()
        out.append(t)
        for c in t.children:
            if c.i in heads and c.dep_ in ("ccomp", "conj", "parataxis", "advcl", "relcl"):
                continue
            stack.append(c)
    return sorted(out, key=lambda t: t.i)


def _trim(toks: list[Token]) -> list[Token]:
    while toks and (toks[0].is_punct or toks[0].dep_ in ("cc", "mark") or toks[0].is_space):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].dep_ in ("cc",) or toks[-1].is_space):
        toks = toks[:-1]
    return toks


def _polarity(h: Token) -> tuple[bool, bool, bool]:
    """(negated, denied, hedged) for the clause headed by ``h``, looking up the governing
    verbs ("denied that ...", "accused X of supporting ...")."""
    negated = any(c.dep_ == "neg" or c.lower_ in NEGATIONS for c in h.children
                  if c.dep_ in ("neg", "advmod", "det"))
    hedged = any(c.lower_ in HEDGES and c.dep_ in ("advmod", "amod") for c in h.children)
    denied = False
    t = h
    for _ in range(3):
        if t.dep_ not in ("ccomp", "xcomp", "pcomp") or t.head.i == t.i:
            break
        gov = t.head.head if t.dep_ == "pcomp" and t.head.dep_ == "prep" else t.head
        gl = gov.lemma_.lower()
        if gl in DENY:
            denied = True
        if gl in ALLEGE_VERBS:
            hedged = True
        t = gov
    return negated, denied, hedged


def _subject_object(h: Token, tok_mention: dict[int, Mention]) -> tuple[list[int], list[int]]:
    subj: list[int] = []
    obj: list[int] = []

    def ids(root: Token) -> list[int]:
        seen = []
        for t in root.subtree:
            m = tok_mention.get(t.i)
            if m is not None and m.local_id not in seen:
                seen.append(m.local_id)
        return seen

    for c in h.children:
        if c.dep_ in SUBJ_DEPS:
            subj += ids(c)
        elif c.dep_ in OBJ_DEPS:
            obj += ids(c)
        elif c.dep_ == "prep":
            for g in c.children:
                if g.dep_ == "pobj":
                    (subj if c.lower_ == "by" else obj).extend(ids(g))
    # A relative clause's subject is the noun it modifies ("France, which supports ...").
    if h.dep_ == "relcl" and (not subj or all(tok_mention.get(c.i) is None for c in h.children
                                              if c.dep_ in SUBJ_DEPS)):
        m = tok_mention.get(h.head.i)
        if m is not None:
            subj = [m.local_id] + [s for s in subj if s != m.local_id]
    return list(dict.fromkeys(subj)), list(dict.fromkeys(obj))


def find_claims(doc_id: str, sdoc: Doc, sentences: Sequence[Sentence],
                mentions: Sequence[Mention], quotes: Sequence[Quote],
                events: Sequence[Event] = (), quantities: Sequence[Quantity] = (),
                body: Sequence[tuple[int, int]] = ()) -> list[Claim]:
    """Claims of one parsed document (see the module docstring)."""
    ix = _Index(mentions, quotes, events, quantities)
    tok_mention: dict[int, Mention] = {}
    for m in mentions:
        span = sdoc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None:
            for t in span:
                tok_mention.setdefault(t.i, m)
    claims: list[Claim] = []
    doc_text = sdoc.text  # built from every token on each access: read it once
    for s in sentences:
        if body and not any(a <= s.start < b for a, b in body):
            continue
        sent = sdoc.char_span(s.start, s.end, alignment_mode="expand")
        if sent is None or sent.text.rstrip().endswith("?"):
            continue
        heads = _clause_heads(sent)
        head_ids = {h.i for h in heads}
        for h in heads:
            if _is_wrapper(h):
                continue
            toks = _trim([t for t in _own_tokens(h, head_ids) if s.start <= t.idx < s.end])
            if len(toks) < MIN_TOKENS:
                continue
            start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
            claim = _claim(doc_id, len(claims), h, toks, start, end, doc_text, s.idx, ix,
                           tok_mention)
            if claim is not None:
                claims.append(claim)
    return claims


def _claim(doc_id: str, idx: int, h: Token, toks: list[Token], start: int, end: int,
           doc_text: str, sent_idx: int, ix: _Index, tok_mention: dict[int, Mention]) -> Claim | None:
    ms = ix.mentions_in(start, end)
    evs = [e for e in ix.events if start <= e.trigger_start < end and e.type != "SAY"]
    qts = [q for q in ix.quantities if start <= q.start < end]
    has_number = any(t.like_num or t.ent_type_ in ("DATE", "CARDINAL", "PERCENT", "MONEY")
                     for t in toks)
    lemma_n = sum(1 for t in toks if (t.pos_ in CONTENT_POS or t.pos_ == "PROPN") and not t.is_stop)
    if not (ms or evs or qts or has_number or lemma_n >= MIN_CONTENT):
        return None
    subj, obj = _subject_object(h, tok_mention)
    negated, denied, hedged = _polarity(h)
    q = ix.quote_of(start, end)
    kind = "number" if qts else "accusation" if any(e.type == "ACCUSE" for e in evs) else (
        "event" if evs else "assertion")
    lemmas = tuple(dict.fromkeys(
        t.lemma_.lower() for t in toks
        if t.pos_ in CONTENT_POS and not t.is_stop and t.is_alpha and len(t) > 1))
    # Check-worthiness: numbers and events weigh most, named actors next; a bare opinion
    # clause with one pronoun scores low but is kept for grouping.
    score = min(1.0, 0.4 * bool(qts or has_number) + 0.3 * bool(evs) + 0.2 * bool(ms)
                + 0.1 * bool(subj and obj))
    return Claim(
        doc_id=doc_id, idx=idx, start=start, end=end, text=doc_text[start:end],
        predicate=h.lemma_.lower(), kind=kind, sent_idx=sent_idx,
        head_start=h.idx, head_end=h.idx + len(h.text),
        polarity=-1 if (negated != denied) else 1, negated=negated, hedged=hedged,
        asserted_by="speaker" if q is not None else "outlet",
        quote_idx=q.idx if q is not None else None,
        asserter_local_id=q.speaker_local_id if q is not None else None,
        subject_local_ids=tuple(subj), object_local_ids=tuple(obj),
        about_local_ids=tuple(dict.fromkeys(m.local_id for m in ms)),
        event_idxs=tuple(e.idx for e in evs), quantity_idxs=tuple(x.idx for x in qts),
        lemmas=lemmas, checkworthy=round(score, 3),
        subject_text=next((c.text for c in h.children if c.dep_ in SUBJ_DEPS), None),
    )


def extract_claims(ctx: Any) -> list[Claim]:
    """Component entry point: claims of ``ctx.doc`` from its parse and earlier tables."""
    return find_claims(
        ctx.doc.doc_id, ctx.sdoc, ctx.sentences, ctx.mentions, ctx.quotes,
        ctx.extras.get("events", ()), ctx.extras.get("quantities", ()), ctx.doc.body,
    )
