"""Quotes and reported speech with their cue and speaker.

``find_quotes`` works in three passes over one parsed document:

1. **Cues.** Every verb (and ``according to``) is scored by the cue model
   (:mod:`narrascope.annotate.cues`); those above its threshold are cues, each with the
   token heading its speaker (its subject, a passive's agent, the object of
   ``according to``) and the tokens of what it reports (its clausal complement or
   object, or the clause it interrupts: "..., he said").
2. **Direct quotes.** Quoted spans (:mod:`narrascope.annotate.quotemarks`) are attributed
   to the nearest cue just outside them in the same paragraph; a headline
   ``Name: “...”`` is attributed to the name; a quotation with no cue of its own
   (a paragraph that is only a quotation, the later paragraphs of a multi-paragraph
   quotation) inherits the speaker of the quotation it continues or of the previous
   quote in the same or previous paragraph. A nested quotation is attributed inside
   its enclosing one ("... the President said, ‘...’").
   A paragraph opening with a short label that names someone and a colon (a headline
   "Senator X: ...", a transcript turn "SMITH: ...") is that speaker's words.
3. **Reported speech.** The remaining cues become indirect quotes (a finding reported
   "in" a particular poll, survey or report counts as that source's cue, like
   ``according to``). When a cue's content contains a quoted fragment attributed to
   the same cue ("X said that ... ‘quoted bit’ ..."), one quote is kept: the direct
   one if the fragment is all of the content, else the mixed one (``direct=False``)
   spanning the whole content.

Speakers resolve to a local entity: the entity whose mention overlaps the speaker's
head, else one named inside the speaker phrase ("the President of Azerbaijan"); a
personal pronoun resolves to the last speaker or the most recent compatible mention;
a relative pronoun to the noun it modifies (whose phrase the speaker span takes in
when it names no entity); an issuing noun ("the statement", "the
ministry") to the most recently mentioned organisation. The speaker span stored is
the phrase in the quote's own sentence that names the speaker (for an inherited
speaker: the span the earlier quote used).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from narrascope.annotate.cues import (
    REL_PRONOUNS,
    SPEAKER_NOUNS,
    content_tokens,
    features,
    finding_source,
    is_candidate,
    is_phase_verb,
    load_cue_model,
    np_span,
    object_type,
    subject,
)
from narrascope.annotate.quotemarks import MarkedSpan, find_marked_spans, paragraphs
from narrascope.records import Document, LocalEntity, Mention, Quote

_PERSON_PRON = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
_GROUP_PRON = frozenset({"they", "them", "their", "it", "its", "we", "us", "our"})
# Nouns that stand for the organisation that issued a statement.
ISSUER_NOUNS = frozenset({
    "statement", "release", "communique", "communiqué", "letter", "memo", "report", "note",
    "ministry", "department", "office", "spokesman", "spokeswoman", "spokesperson",
    "agency", "embassy", "government", "administration", "campaign", "committee",
    "service", "council", "website", "post", "tweet", "announcement", "declaration",
})
_ORGISH = ("ORG", "GPE", "GROUP", "NORP")
# Second person: the reader addressed (comments, letters), not someone reported on.
_ADDRESSEE = frozenset({"you", "your", "yourself", "yourselves"})
_GREETINGS = frozenset({"hello", "hi", "hey", "dear", "greetings"})
# Endings of abstract nouns (events, states, acts) that cannot say anything themselves.
_ABSTRACT_SUFFIXES = ("tion", "sion", "ment", "ing", "ity", "ness", "ance", "ence", "ism", "ure")
# Nouns of happenings: "The exchange of fire claimed seven lives", "The attack has shown
# the world ..." have an event for subject, and an event says nothing.
_EVENT_NOUNS = frozenset({
    "attack", "clash", "exchange", "fire", "incident", "accident", "explosion", "blast", "war",
    "fighting", "shooting", "shelling", "bombing", "strike", "raid", "storm", "flood", "crash",
    "collapse", "crisis", "event", "scandal", "outbreak", "riot", "protest", "violence",
    "earthquake", "massacre", "killing", "death", "defeat", "victory", "loss",
})
# Object types that are not something said: "accused X" (the target), "declared a state
# of emergency" (a non-speech sense).
# (A "thing" object, "declared a state of emergency", is left to the cue model, which
# sees the object type: PolNeAR annotators mark "condemned the raids" as reported.)
_NOT_SAID = frozenset({"actor", "vacuous"})
# Cue score of a finding reported "in" a poll, survey, study... (not a learned verb cue).
_FINDING_SCORE = 0.6
# A quotation this short inside the narrator's sentence, with no cue, is a scare quote.
_SCARE_MAX_WORDS = 4
# Words that introduce a quoted name of a work, slogan or label rather than someone's words.
_NAMING_WORDS = frozenset({
    "titled", "entitled", "headlined", "dubbed", "nicknamed", "named", "called", "slogan",
    "hashtag", "motto", "banner", "headline", "caption", "reads", "read", "labeled", "labelled",
    "branded",
})
# How far (in characters) a cue may sit from the quotation it introduces.
_NEAR = 120
_HEADLINE_MAX_TOKENS = 8
_LABEL_MAX_TOKENS = 6
QUOTE_MARKS = "\"“”«»„‘’'"
# Longest attribution between two fragments of one quotation ("," said X, the ... ").
_MERGE_GAP = 160
# Share of a sub-headline quotation's words that the next paragraph must repeat.
_PARAPHRASE = 0.6


@dataclass(slots=True)
class _Cue:
    tok: Token
    score: float  # as a cue where it stands (inside a quotation or not)
    free_score: float  # as if it stood outside any quotation: for attributing nested ones
    speaker: Token | None
    inherited: bool
    content: tuple[int, int] | None  # character range
    kind: str  # what the content is: clause, obj, prep (see cues.content_tokens)


@dataclass(slots=True)
class _Speaker:
    start: int | None
    end: int | None
    text: str | None
    local_id: int | None


@dataclass(slots=True)
class _Draft:
    start: int
    end: int
    direct: bool
    para: int
    cue: _Cue | None
    speaker: _Speaker | None
    confidence: float
    level: int = 0
    group: int = -1


@dataclass(slots=True)
class _Run:
    draft: _Draft
    end: int
    para: int
    cue: _Cue | None
    speaker_id: int | None


def find_quotes(
    sdoc: Doc, doc: Document, mentions: Sequence[Mention], entities: Sequence[LocalEntity]
) -> Iterator[Quote]:
    """Yield the direct and reported quotes of a parsed document, in text order."""
    yield from _Finder(sdoc, doc, mentions, entities).run()


class _Finder:
    def __init__(
        self, sdoc: Doc, doc: Document, mentions: Sequence[Mention], entities: Sequence[LocalEntity]
    ) -> None:
        self.sdoc = sdoc
        self.doc = doc
        self.text = sdoc.text
        self.mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        self.m_starts = [m.start for m in self.mentions]
        self.types = {e.local_id: e.type for e in entities}
        self.paras: list[tuple[int, int]] = []
        self.marked: list[MarkedSpan] = []
        for s, e in doc.body_ranges():
            self.paras.extend(paragraphs(self.text, s, min(e, len(self.text))))
            self.marked.extend(find_marked_spans(self.text, s, min(e, len(self.text))))
        self.para_starts = [p[0] for p in self.paras]
        # Top-level quotations do not overlap: sorted by start they answer "which quote
        # holds this character" by bisection (a linear scan per call was quadratic).
        self.top = sorted((m for m in self.marked if m.level == 0), key=lambda m: m.outer_start)
        self.top_starts = [m.outer_start for m in self.top]

    # -- helpers ---------------------------------------------------------------------------
    def para_of(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.para_starts, char) - 1)

    def top_span_at(self, char: int) -> MarkedSpan | None:
        i = bisect.bisect_right(self.top_starts, char) - 1
        if i >= 0 and char < self.top[i].outer_end:
            return self.top[i]
        return None

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        i = bisect.bisect_left(self.m_starts, start)
        # a mention may start a little before and overlap
        lo = max(0, i - 3)
        out: list[Mention] = []
        for m in self.mentions[lo:]:
            if m.start >= end:  # sorted by start: nothing later can overlap
                break
            if m.end > start:
                out.append(m)
                if len(out) == 50:
                    break
        return out

    # -- pass 1: cues ------------------------------------------------------------------------
    def cues(self) -> list[_Cue]:
        model = load_cue_model()
        out = []
        for t in self.sdoc:
            if finding_source(t) is not None:
                if model.score(features(t.head, False)) >= model.threshold:
                    continue  # "In a report, the group said ...": the verb is the cue
                score = free = _FINDING_SCORE
            elif not is_candidate(t) or is_phase_verb(t):
                continue
            else:
                inq = self.top_span_at(t.idx) is not None
                score = model.score(features(t, inq))
                free = model.score(features(t, False)) if inq else score
            if free < model.threshold:
                continue
            para = self.paras[self.para_of(t.idx)]
            spk, inherited = subject(t)
            if spk is not None and not para[0] <= spk.idx < para[1]:
                # spaCy sometimes parses across a paragraph break; never reach over one
                spk = None
            if spk is not None and not self.can_speak(spk):
                spk = None
            rng = content_tokens(t, *para)
            content = self._chars(rng[0], rng[1], para) if rng else None
            otype = object_type(t, rng)
            if content is not None and otype in _NOT_SAID:
                content = None
            out.append(_Cue(t, score, free, spk, inherited, content, rng[2] if rng else ""))
        return out

    def _chars(self, lo: int, hi: int, para: tuple[int, int]) -> tuple[int, int] | None:
        toks = [
            t for t in self.sdoc[lo:hi]
            if not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]
        ]
        if not toks:
            return None
        return toks[0].idx, toks[-1].idx + len(toks[-1].text)

    # -- speakers ----------------------------------------------------------------------------
    def can_speak(self, head: Token) -> bool:
        """Whether the phrase headed by ``head`` can be the source of what is reported.

        Not the reader addressed ("Can you explain ..."), not a greeting or vocative
        ("Hello X, thank you"), not an abstract noun that names no agent ("A position
        which has ...", "The rioting followed ..."): a noun ending like one (-tion, -ing,
        -ment, ...) that no entity mention covers and that does not head a speaker in the
        training data ("the administration", "the organization" do).
        """
        low = head.lower_
        if head.pos_ == "PRON":
            return low not in _ADDRESSEE
        if head.pos_ not in ("NOUN", "PROPN") or low in REL_PRONOUNS:
            return True
        span = np_span(head)
        if any(t.lower_ in _GREETINGS for t in span):
            return False
        if head.pos_ != "NOUN" or head.ent_type_:
            return True
        lemma = head.lemma_.lower()
        if lemma in _EVENT_NOUNS:
            return False
        if lemma in SPEAKER_NOUNS or lemma in ISSUER_NOUNS or not lemma.endswith(_ABSTRACT_SUFFIXES):
            return True
        return any(m.start <= head.idx < m.end for m in self.mentions_in(head.idx, head.idx + len(head.text)))

    def speaker_of(self, head: Token, last: _Speaker | None) -> _Speaker:
        low = head.lower_
        if low in REL_PRONOUNS and head.pos_ == "PRON":
            clause = head.head
            noun = clause.head if clause.dep_ == "relcl" else None
            sp = _Speaker(head.idx, head.idx + len(head.text), head.text, None)
            if noun is not None and noun is not clause:
                sp.local_id = self.speaker_of(noun, last).local_id
                if sp.local_id is None and noun.pos_ in ("NOUN", "PROPN") and noun.i < head.i:
                    # "officials, who described it as ...": no entity to name, so the
                    # phrase the pronoun stands for is the speaker, up to the pronoun
                    start = np_span(noun).start_char
                    sp.start, sp.text = start, self.text[start : sp.end]
            return sp
        span = np_span(head)
        sp = _Speaker(span.start_char, span.end_char, span.text, None)
        if head.pos_ == "PRON":
            sp.start, sp.end, sp.text = head.idx, head.idx + len(head.text), head.text
            sp.local_id = self.resolve_pronoun(head, last)
            return sp
        ms = self.mentions_in(span.start_char, span.end_char)
        on_head = [m for m in ms if m.start <= head.idx < m.end]
        if on_head:
            sp.local_id = on_head[0].local_id
            return sp
        if head.pos_ == "NOUN":
            named = self.apposed_name(head)
            if named is not None:
                # "Their foreign ministry mouthpiece, Mira Castell, calls ...": the name
                return named
            issuer = next((a for c in head.children if c.dep_ == "acl" and c.tag_ == "VBN"
                           for a in c.children if a.dep_ == "agent"), None)
            pobj = next((p for p in issuer.children if p.dep_ == "pobj"), None) if issuer else None
            if pobj is not None:
                # "figures published by the Valdorian government": the publisher
                return self.speaker_of(pobj, last)
        if ms:
            rank = {"PERSON": 0, "ORG": 1, "GROUP": 2}
            best = min(ms, key=lambda m: (rank.get(m.type, 3), abs(m.start - head.idx)))
            sp.local_id = best.local_id
            return sp
        if head.lemma_.lower() in ISSUER_NOUNS:
            if last is not None and last.local_id is not None and self.types.get(last.local_id) == "ORG":
                sp.local_id = last.local_id
            else:
                sp.local_id = self.recent(head.idx, ("ORG",)) or self.recent(head.idx, _ORGISH)
        return sp

    def apposed_name(self, head: Token) -> _Speaker | None:
        """The named person or organisation in apposition to a common noun speaker."""
        for c in head.children:
            if c.dep_ != "appos" or c.pos_ != "PROPN":
                continue
            hits = [m for m in self.mentions_in(c.idx, c.idx + len(c.text))
                    if m.start <= c.idx < m.end and m.type in ("PERSON", "ORG")]
            if hits:
                np = np_span(c)
                return _Speaker(np.start_char, np.end_char, np.text, hits[0].local_id)
        return None

    def recent(self, before: int, types: tuple[str, ...]) -> int | None:
        i = bisect.bisect_left(self.m_starts, before) - 1
        lim = 0
        while i >= 0 and lim < 200:
            m = self.mentions[i]
            if m.type in types and m.end <= before:
                return m.local_id
            i -= 1
            lim += 1
        return None

    def resolve_pronoun(self, tok: Token, last: _Speaker | None) -> int | None:
        low = tok.lower_
        if low in _PERSON_PRON:
            if last is not None and last.local_id is not None and self.types.get(last.local_id) == "PERSON":
                return last.local_id
            return self.recent(tok.idx, ("PERSON",))
        if low in _GROUP_PRON:
            if last is not None and last.local_id is not None and self.types.get(last.local_id) in _ORGISH:
                return last.local_id
            return self.recent(tok.idx, _ORGISH)
        return None

    # -- pass 2: direct quotes ---------------------------------------------------------------
    def attribute(self, ms: MarkedSpan, cues: list[_Cue]) -> _Cue | None:
        """The cue introducing quoted span ``ms``: nearest one just outside it, same paragraph."""
        para = self.paras[self.para_of(ms.start)]
        parent = None
        if ms.level == 1:
            parent = next((m for m in self.marked if m.level == 0 and m.start <= ms.start and ms.end <= m.end), None)
        lo = parent.start if parent else para[0]
        hi = parent.end if parent else para[1]
        first = self.sdoc.char_span(ms.start, ms.end, alignment_mode="expand")
        sents_lo = first[0].sent.start_char if first is not None and len(first) else ms.start
        sents_hi = first[-1].sent.end_char if first is not None and len(first) else ms.end
        best: tuple[float, _Cue] | None = None
        for c in cues:
            i = c.tok.idx
            if not (lo <= i < hi) or ms.outer_start <= i < ms.outer_end:
                continue
            inner = self.top_span_at(i)
            if parent is None and inner is not None:
                continue
            if i < ms.outer_start:
                gap = ms.outer_start - i
                between = self.text[i:ms.outer_start]
                if i < sents_lo and not between.rstrip().endswith((":", ",")):
                    continue
                if any(m.level == 0 and i < m.outer_start < ms.outer_start for m in self.marked) and parent is None:
                    continue
            else:
                gap = i - ms.outer_end
                if i >= sents_hi and not self.text[ms.outer_end : i].strip(" ,\u00a0").isalpha() and gap > 40:
                    continue
                if any(m.level == 0 and ms.outer_end <= m.outer_start < i for m in self.marked) and parent is None:
                    continue
            if gap > _NEAR:
                continue
            if c.speaker is None or c.free_score < load_cue_model().threshold:
                continue
            key = gap - 30 * c.free_score
            if best is None or key < best[0]:
                best = (key, c)
        return best[1] if best else None

    def owned_title(self, ms: MarkedSpan) -> bool:
        """A short quotation after a possessive names a show or work ("Fox News’s “Hannity,”")."""
        before = self.text[max(0, ms.outer_start - 3) : ms.outer_start]
        return before.endswith(("’s ", "'s ")) and len(self.text[ms.start : ms.end].split()) <= _SCARE_MAX_WORDS

    def headline_speaker(self, ms: MarkedSpan) -> _Speaker | None:
        """``Name: “...”`` at the start of a paragraph."""
        para = self.paras[self.para_of(ms.start)]
        lead = self.text[para[0] : ms.outer_start].rstrip()
        if not lead.endswith(":") or not lead[:-1].strip():
            return None
        span = self.sdoc.char_span(para[0], para[0] + len(lead) - 1, alignment_mode="contract")
        if span is None or not 0 < len(span) <= _HEADLINE_MAX_TOKENS:
            return None
        ms_ = self.mentions_in(span.start_char, span.end_char)
        if not ms_:
            return None
        m = next((m for m in ms_ if m.type == "PERSON"), ms_[-1])
        return _Speaker(span.start_char, span.end_char, span.text, m.local_id)

    def labelled_paragraphs(self) -> Iterator[_Draft]:
        """``Name: words`` paragraphs: a headline or a transcript turn gives Name's words.

        "Senator X: The bill is dead." and "SMITH: I think ..." say who said what with a
        colon. The label must be short, have no verb and name a person or organisation
        (an upper-case transcript label counts when a person of that name is mentioned
        elsewhere); a quoted remainder is left to :meth:`headline_speaker`.
        """
        for pi, (ps, pe) in enumerate(self.paras):
            head = self.text[ps : min(pe, ps + 60)]
            colon = head.find(":")
            if colon <= 0:
                continue
            rest = self.text[ps + colon + 1 : pe]
            body = rest.strip()
            if len(body.split()) < 3 or body[:1] in QUOTE_MARKS:
                continue
            lead = self.sdoc.char_span(ps, ps + colon, alignment_mode="contract")
            if lead is None or not 0 < len(lead) <= _LABEL_MAX_TOKENS:
                continue
            if any(t.pos_ in ("VERB", "AUX", "PRON") or (t.is_punct and t.text not in ".'’-") for t in lead):
                continue
            sp = self.label_speaker(lead)
            if sp is None:
                continue
            c0 = ps + colon + 1 + (len(rest) - len(rest.lstrip()))
            c1 = c0 + len(body.rstrip(" .;"))
            yield _Draft(c0, c1, False, pi, None, sp, 0.6)

    def label_speaker(self, lead: Span) -> _Speaker | None:
        """The person or organisation a colon label names (see :meth:`labelled_paragraphs`).

        A mention inside the label; else a label of names only ("Sanders", "TAPPER") whose
        last word is a word of a person or organisation mentioned in the document, or, for
        an upper-case label, one used again for another paragraph (a transcript's turns).
        """
        ms = [m for m in self.mentions_in(lead.start_char, lead.end_char)
              if m.type in ("PERSON", "ORG") and lead.start_char <= m.start and m.end <= lead.end_char]
        if ms:
            m = next((m for m in ms if m.type == "PERSON"), ms[0])
            return _Speaker(m.start, m.end, m.text, m.local_id)
        words = [t for t in lead if t.is_alpha]
        upper = all(t.text.isupper() and len(t.text) > 1 for t in words)
        if not words or len(words) > 3 or not (upper or all(t.pos_ == "PROPN" for t in words)):
            return None
        last = words[-1].lower_
        named = [m for m in self.mentions if m.type in ("PERSON", "ORG") and last in m.text.lower().split()]
        if named:
            return _Speaker(lead.start_char, lead.end_char, lead.text, named[0].local_id)
        if upper and self.label_count(last) >= 2:
            return _Speaker(lead.start_char, lead.end_char, lead.text, None)
        return None

    def label_count(self, word: str) -> int:
        """How many paragraphs open with an upper-case label ending in ``word`` and a colon."""
        n = 0
        for ps, pe in self.paras:
            head = self.text[ps : min(pe, ps + 60)]
            colon = head.find(":")
            if colon > 0 and head[:colon].isupper() and head[:colon].split()[-1:] == [word.upper()]:
                n += 1
        return n

    # -- run ---------------------------------------------------------------------------------
    def run(self) -> Iterator[Quote]:
        cues = self.cues()
        drafts: list[_Draft] = []
        used: dict[int, list[_Draft]] = {}
        for ms in self.marked:
            cue = None if self.owned_title(ms) else self.attribute(ms, cues)
            d = _Draft(ms.start, ms.end, True, self.para_of(ms.start), cue, None, 0.5, ms.level, ms.group)
            if cue is not None:
                d.confidence = 0.6 + 0.35 * cue.free_score
                used.setdefault(cue.tok.i, []).append(d)
            else:
                d.speaker = self.headline_speaker(ms)
                if d.speaker is not None:
                    d.confidence = 0.7
            drafts.append(d)
        thr = load_cue_model().threshold
        for c in cues:
            if c.content is None or c.speaker is None or c.score < thr:
                continue
            mine = used.get(c.tok.i, [])
            cs, ce = c.content
            inside = [d for d in mine if cs <= d.end and d.start <= ce]
            if inside:
                covered = sum(min(d.end, ce) - max(d.start, cs) for d in inside)
                if covered >= 0.8 * (ce - cs):
                    continue
                for d in inside:
                    drafts.remove(d)
            if any(d.direct and d.cue is not None and d.start <= cs and ce <= d.end and d.level == 0 for d in drafts) and self.top_span_at(c.tok.idx) is None:
                continue
            drafts.append(_Draft(cs, ce, False, self.para_of(cs), c, None, 0.3 + 0.6 * c.score))
        drafts.extend(self.labelled_paragraphs())
        drafts.sort(key=lambda d: (d.start, d.end))
        drafts = self.drop_fragments_in_reported(drafts)
        self.resolve(drafts)
        drafts = self.merge_fragments(drafts)
        idx = 0
        for d in drafts:
            sp = d.speaker
            if sp is None or (sp.start is None and sp.local_id is None):
                continue
            yield self.make(d, idx)
            idx += 1

    def resolve(self, drafts: list[_Draft]) -> None:
        """Give each draft its speaker: its cue's, its group's, or the previous quote's.

        One pass in text order, so that a pronoun or "the statement" can lean on the
        last speaker; then members of a multi-paragraph quotation attributed only at its
        end take that attribution.
        """
        last: _Speaker | None = None
        last_para = -10
        groups: dict[int, _Speaker] = {}
        for d in drafts:
            if d.cue is not None and d.cue.speaker is not None:
                d.speaker = self.speaker_of(d.cue.speaker, last)
            elif d.direct and d.group >= 0 and d.group in groups:
                d.speaker = groups[d.group]
                d.confidence = 0.6
            elif d.direct and d.speaker is None and d.level == 0 and self.mentioned_in_prose(d):
                pass  # a scare quote or a title in the narrator's sentence: nobody said it
            elif (
                d.direct and d.group < 0 and d.speaker is None and last is not None
                and d.para - last_para <= 1 and d.level == 0
            ):
                d.speaker = last
                d.confidence = 0.5
            elif d.direct and d.speaker is None and d.level == 0 and self.opens_para(d):
                d.speaker = self.introduced_before(d)
                d.confidence = 0.5
            if d.speaker is not None and d.group >= 0:
                groups.setdefault(d.group, d.speaker)
            if d.speaker is not None and d.level == 0:
                last, last_para = d.speaker, d.para
        for d in drafts:
            if d.speaker is None and d.group >= 0 and d.group in groups:
                d.speaker = groups[d.group]
                d.confidence = 0.6
        self.take_following_speaker(drafts)

    def mentioned_in_prose(self, d: _Draft) -> bool:
        """A quotation with no cue that the narrator's own sentence wraps around.

        Short quoted words inside a sentence ("the so-called “pivot”", "a fairy tale about
        a “drone”") and quoted titles ("a book titled “...”") are the writer's scare quotes
        or names of works: without a cue of their own they are nobody's words. A quotation
        that stands as its own sentence may still continue an earlier speaker.
        """
        span = self.sdoc.char_span(d.start, d.end, alignment_mode="expand")
        if span is None or not len(span):
            return False
        ms = self.top_span_at(d.start)
        o_start, o_end = (ms.outer_start, ms.outer_end) if ms is not None else (d.start, d.end)
        s_start, s_end = span[0].sent.start_char, span[-1].sent.end_char
        before = self.text[max(s_start, self.paras[d.para][0]) : o_start]
        after = self.text[o_end : min(s_end, self.paras[d.para][1])]
        if not any(ch.isalnum() for ch in before + after):
            return False
        prev = before.rstrip().rsplit(None, 1)[-1].lower().strip(",:") if before.strip() else ""
        if prev in _NAMING_WORDS:
            return True
        return len(self.text[d.start : d.end].split()) <= _SCARE_MAX_WORDS

    def opens_para(self, d: _Draft) -> bool:
        """Whether draft ``d`` begins its paragraph (quote marks aside)."""
        ps = self.paras[d.para][0]
        return not any(ch.isalnum() for ch in self.text[ps : d.start])

    def introduced_before(self, d: _Draft) -> _Speaker | None:
        """The person or organisation the previous paragraph ends on as its subject.

        "X, the MP who chairs the committee, did not mince words." followed by a paragraph
        that is a quotation: the quotation is X's. Only a named subject (an entity mention
        on the subject's head) of the previous paragraph's last sentence counts.
        """
        if d.para == 0:
            return None
        ps, pe = self.paras[d.para - 1]
        span = self.sdoc.char_span(ps, pe, alignment_mode="contract")
        if span is None or not len(span):
            return None
        sent = span[-1].sent
        root = sent.root
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None or subj.pos_ not in ("PROPN", "NOUN") or not ps <= subj.idx < pe:
            return None
        hits = [m for m in self.mentions_in(subj.idx, subj.idx + len(subj.text)) if m.start <= subj.idx < m.end]
        if not hits:
            return None
        if hits[0].type not in ("PERSON", "ORG") and not any(
            c.dep_ == "appos" and any(m.type == "PERSON" for m in self.mentions_in(c.idx, c.idx + len(c.text)))
            for c in subj.children
        ):
            return None  # a place or people, unless an apposed title says it is a person
        np = np_span(subj)
        return _Speaker(np.start_char, np.end_char, np.text, hits[0].local_id)

    def drop_fragments_in_reported(self, drafts: list[_Draft]) -> list[_Draft]:
        """Drop a quotation that has no cue of its own and lies inside reported content.

        In "X alleged that Y used “force” against Z" the quoted word is part of what X
        is reported to have said (a mixed quote), not a second quote.
        """
        reported = [(d.start, d.end) for d in drafts if not d.direct]
        if not reported:
            return drafts
        return [
            d for d in drafts
            if not (d.direct and d.cue is None and d.level == 0 and any(s <= d.start and d.end <= e for s, e in reported))
        ]

    def quote_only_para(self, d: _Draft) -> bool:
        """Whether draft ``d`` is all there is of its paragraph (quote marks aside)."""
        ps, pe = self.paras[d.para]
        rest = self.text[ps : d.start] + self.text[d.end : pe]
        return not any(ch.isalnum() for ch in rest)

    def take_following_speaker(self, drafts: list[_Draft]) -> None:
        """A quote-only paragraph takes the speaker of the next paragraph that paraphrases it.

        News pages set a quotation as a sub-headline and attribute it in the next
        paragraph ("“A will B”" / "Speaking on X, Y said that A will B."): the speaker is
        the one whose reported content repeats most of the quotation's words, not the
        speaker of the paragraph before.
        """
        for d in drafts:
            if not (d.direct and d.cue is None and d.group < 0 and d.level == 0) or not self.quote_only_para(d):
                continue
            words = _content_words(self.text[d.start : d.end])
            if len(words) < 3:
                continue
            best: tuple[float, _Draft] | None = None
            for e in drafts:
                if e.para != d.para + 1 or e.cue is None or e.speaker is None or e is d:
                    continue
                share = len(words & _content_words(self.text[e.start : e.end])) / len(words)
                if best is None or share > best[0]:
                    best = (share, e)
            if best is not None and best[0] >= _PARAPHRASE:
                d.speaker = best[1].speaker
                d.confidence = 0.6

    def merge_fragments(self, drafts: list[_Draft]) -> list[_Draft]:
        """Join the fragments of one quotation split by its attribution.

        ``“A,” said X. “B.”`` is one quote of X: keep it as one span from A to B, as
        annotators do (a split quotation is one relation with discontinuous content).
        """
        out: list[_Draft] = []
        prev: _Run | None = None
        for d in drafts:
            if (
                prev is not None
                and d.direct
                and d.level == 0
                and d.para == prev.para
                and d.speaker is not None
                and (d.cue is None or prev.cue is None or d.cue.tok.i == prev.cue.tok.i)
                and d.speaker.local_id == prev.speaker_id
                and d.start - prev.end <= _MERGE_GAP
            ):
                prev.end = max(prev.end, d.end)
                prev.draft.end = prev.end
                continue
            out.append(d)
            if d.direct and d.level == 0 and d.speaker is not None:
                prev = _Run(d, d.end, d.para, d.cue, d.speaker.local_id)
            elif d.level == 0 and not (prev is not None and d.start < prev.end):
                prev = None
        return out

    def make(self, d: _Draft, idx: int) -> Quote:
        sp = d.speaker
        assert sp is not None
        cue = d.cue
        lo = min(d.start, cue.tok.idx if cue else d.start)
        hi = max(d.end, cue.tok.idx + len(cue.tok.text) if cue else d.end)
        first = self.sdoc.char_span(lo, hi, alignment_mode="expand")
        s_start = first[0].sent.start_char if first is not None and len(first) else lo
        s_end = first[-1].sent.end_char if first is not None and len(first) else hi
        cue_text = cue_start = cue_end = None
        if cue is not None:
            t = cue.tok
            cue_start, cue_end = t.idx, t.idx + len(t.text)
            if t.lower_ == "according":
                cue_end = t.nbor(1).idx + len(t.nbor(1).text) if t.i + 1 < len(self.sdoc) else cue_end
            cue_text = self.text[cue_start:cue_end]
        return Quote(
            doc_id=self.doc.doc_id,
            idx=idx,
            start=d.start,
            end=d.end,
            direct=d.direct,
            cue=cue_text,
            cue_start=cue_start,
            cue_end=cue_end,
            speaker_text=sp.text,
            speaker_start=sp.start,
            speaker_end=sp.end,
            speaker_local_id=sp.local_id,
            sent_start=s_start,
            sent_end=s_end,
            confidence=round(d.confidence, 3),
        )



def _content_words(text: str) -> set[str]:
    """Lower-cased words of ``text`` longer than three letters (a cheap content-word set)."""
    return {w for w in "".join(ch.lower() if ch.isalnum() else " " for ch in text).split() if len(w) > 3}
