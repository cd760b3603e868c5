"""Shape patterns of persuasion techniques that a sentence classifier learns badly.

Some techniques have a recognisable surface shape the SemEval-2023 guidelines describe
(doubt cast with "so-called" or scare quotes around a noun; a credibility attack on an
actor; a cause presented as the only one; a threat of what happens "if" or "unless"; a short
exclaimed slogan; "what about ..."; "either ... or"; "nothing to discuss"), but are rare in
the training data (Whataboutism 18 spans) or absent from it (Questioning_the_Reputation has
no English training span). Each pattern is a pure function of a parsed sentence, used twice:

- as a sentence feature (``pat:<name>``) of the classifier, which learns what it is worth;
- as a detection of its own on the analyse path, with a fixed confidence and a reason
  naming the pattern, when the shape is specific enough to stand alone.

Patterns never fire inside a question to the reader that merely reports ("asked whether"),
and all of them look at the sentence only, so they are cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Span, Token


@dataclass(frozen=True, slots=True)
class PatternHit:
    """One pattern match: character span, label, pattern name and reason."""

    start: int
    end: int
    label: str
    name: str
    reason: str


_SO_CALLED = re.compile(r"\bso[- ]called\b", re.IGNORECASE)
_DOUBT_WORDS = re.compile(
    r"\b(supposedly|purportedly|purported|claims? to be|dubious|questionable claims?|"
    r"what (he|she|they|it) calls?|no evidence|without (any )?evidence|"
    r"(can|should) (we|anyone|you) (really )?(trust|believe))\b", re.IGNORECASE)
_CREDIBILITY_Q = {"trust", "believe", "credible", "credibility", "really", "honest", "evidence",
                  "proof", "true", "truth"}
_OPEN_Q, _CLOSE_Q = "\"“‘'«", "\"”’'»"
_SPEECH = {"say", "call", "tell", "describe", "term", "dub", "label", "brand", "write", "add",
           "announce", "declare", "state", "insist", "claim", "warn", "reply", "answer"}

_REPUTATION = re.compile(
    r"\b((has|have|had) (lost )?(no|zero|little|any) (credibility|integrity|moral authority|"
    r"legitimacy|shame)|(can(no|')t|can not|could not|couldn't) be trusted|"
    r"(is|are|was|were) (a )?(notorious|known) (liars?|for (lying|lies|failing|failure|"
    r"corruption))|(track record|history) of (lying|lies|broken promises|failure|failing|"
    r"corruption|deceit)|(has|have) (lied|deceived) (before|again|repeatedly)|"
    r"(serial|habitual|pathological) (liars?|offenders?)|lost all credibility|"
    r"(is|are) not to be trusted)\b", re.IGNORECASE)

_CAUSAL = re.compile(
    r"\b((solely|entirely|wholly|only|purely|simply|all) (because of|due to|the fault of)|"
    r"(the )?(sole|only|real|single) (reason|cause|culprit)|(one|a single) reason (only|alone)|"
    r"(solely|entirely|wholly|alone|squarely) (to blame|responsible)|"
    r"(is|are|was|were) (entirely |solely |wholly )?to blame for (all|everything|every)|"
    r"(all|everything) (is|was) (because of|the fault of))\b", re.IGNORECASE)

_FEAR_LEMMAS = {"destroy", "collapse", "chaos", "catastrophe", "disaster", "die", "death",
                "ruin", "perish", "wipe", "annihilate", "extinction", "bloodshed", "war",
                "slaughter", "invasion", "invade", "starve", "famine", "suffer", "lose",
                "disappear", "vanish", "enslave", "swallow", "take", "overrun", "flood"}
_FEAR_OBJECTS = {"everything", "country", "nation", "future", "children", "freedom", "way",
                 "homeland", "home", "land", "sea", "family", "families", "identity", "life"}
_IF_UNLESS = re.compile(r"\b(if|unless)\b", re.IGNORECASE)
_TOO_LATE = re.compile(r"\b(before it(’|')?s too late|before it is too late|will be next|"
                       r"(is|are) next in line|nothing (will be )?left (of|for))\b",
                       re.IGNORECASE)

_WHATABOUT = re.compile(r"(^|[.;:,!?—–-]\s*|\b(but|and|so)\s+)what about\b|"
                        r"\bwhere (was|were) (he|she|they|you|the \w+) when\b", re.IGNORECASE)
_HYPOCRISY = re.compile(
    r"\b(hypocri\w+|double standards?|practi[cs]e what (they|he|she|you) preach|"
    r"(lectures?|lecturing|preach\w*) (us|others|the world|everyone) (on|about)|"
    r"(the|those) (very )?same (people|politicians|ones|leaders|countries|governments) who)\b",
    re.IGNORECASE)
_DILEMMA = re.compile(
    r"\b((you are|you're|they are|they're|we are|we're) either (with|for) .{1,40} or|"
    r"(the )?only (option|choice|alternative|way out|solution) (is|left)|"
    r"there (is|was) no (other )?(alternative|choice|option)|"
    r"(have|has|had) no (other )?(choice|alternative|option) but)\b", re.IGNORECASE)
_KILLER = re.compile(
    r"\b((there is|there's|there was) nothing (more |else |further )?to "
    r"(discuss|negotiate|debate|talk about|add|say)|end of (story|discussion|debate)|"
    r"(the )?(matter|case|question|issue|debate) is closed|not up for (debate|discussion|"
    r"negotiation)|enough said)\b", re.IGNORECASE)


def _regex_hits(sent: Span, text: str, rx: re.Pattern[str], label: str, name: str, reason: str
                ) -> Iterator[PatternHit]:
    base = sent.start_char
    for m in rx.finditer(text):
        if m.group(0).strip():
            s = base + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            yield PatternHit(s, base + m.end(), label, name, reason)


def _np_end(tok: Token) -> int:
    """Character end of the noun phrase ``tok`` heads or modifies."""
    head = tok.head if tok.dep_ in ("amod", "compound", "advmod") else tok
    return max(head.idx + len(head.text), tok.idx + len(tok.text))


def doubt(sent: Span, text: str) -> Iterator[PatternHit]:
    """"so-called X"; scare quotes around a short noun phrase after a determiner or
    possessive ("their “experts”") that no speech verb introduces; credibility questions."""
    base = sent.start_char
    for m in _SO_CALLED.finditer(text):
        toks = [t for t in sent if t.idx >= base + m.end() and not t.is_punct]
        end = base + m.end()
        for t in toks[:4]:
            if t.pos_ in ("NOUN", "PROPN"):
                end = _np_end(t)
                break
        yield PatternHit(base + m.start(), end, "Doubt", "doubt_so_called",
                         "pattern: “so-called” before a noun phrase")
    yield from _regex_hits(sent, text, _DOUBT_WORDS, "Doubt", "doubt_cue",
                           "pattern: a phrase that questions a claim's credibility")
    toks = list(sent) if any(c in text for c in _OPEN_Q) else []
    for k, t in enumerate(toks[:-2]):
        if t.pos_ not in ("DET", "PRON") or t.dep_ not in ("det", "poss"):
            continue
        if toks[k + 1].text not in _OPEN_Q:
            continue
        close = next((j for j in range(k + 2, min(k + 6, len(toks))) if toks[j].text in _CLOSE_Q),
                     None)
        if close is None or close == k + 2:
            continue
        inner = toks[k + 2 : close]
        if not any(x.pos_ in ("NOUN", "PROPN", "ADJ") for x in inner):
            continue
        if any(x.lemma_.lower() in _SPEECH for x in toks[max(0, k - 3) : k + 1]):
            continue  # "what she called her “red line”": a reported phrase, not a sneer
        yield PatternHit(toks[k + 1].idx, toks[close].idx + 1, "Doubt", "doubt_scare_quotes",
                         "pattern: scare quotes around a noun phrase")
    if text.rstrip().endswith("?") and not _reported_question(sent):
        lem = {t.lemma_.lower() for t in sent}
        if lem & _CREDIBILITY_Q:
            yield PatternHit(sent.start_char, sent.end_char, "Doubt", "doubt_question",
                             "pattern: a question about credibility or truth")


def _reported_question(sent: Span) -> bool:
    return any(t.lemma_.lower() in ("ask", "wonder", "question") and t.pos_ == "VERB"
               for t in sent)


def reputation(sent: Span, text: str) -> Iterator[PatternHit]:
    """An attack on an actor's credibility or record ("cannot be trusted", "has no
    credibility", "a track record of broken promises")."""
    yield from _regex_hits(sent, text, _REPUTATION, "Questioning_the_Reputation", "reputation",
                           "pattern: attacks an actor's credibility or record")


def causal(sent: Span, text: str) -> Iterator[PatternHit]:
    """One cause presented as the whole story ("solely because of", "the only reason",
    "entirely to blame")."""
    yield from _regex_hits(sent, text, _CAUSAL, "Causal_Oversimplification", "causal_single",
                           "pattern: a single cause presented as the whole explanation")


def fear(sent: Span, text: str) -> Iterator[PatternHit]:
    """A threatened outcome: a clause under "if"/"unless" whose main clause has a modal
    (will, would, could) and a word of ruin or loss; "before it is too late"."""
    yield from _regex_hits(sent, text, _TOO_LATE, "Appeal_to_Fear-Prejudice", "fear_urgency",
                           "pattern: urgency before a threatened loss")
    if not _IF_UNLESS.search(text):
        return
    for t in sent:
        if t.dep_ != "mark" or t.lower_ not in ("if", "unless"):
            continue
        cond = t.head
        main = cond.head if cond.dep_ == "advcl" else None
        if main is None or main.i == cond.i:
            continue
        modal = any(c.lower_ in ("will", "would", "could", "'ll", "’ll") for c in main.children)
        words = {x.lemma_.lower() for x in main.subtree if not (cond.left_edge.i <= x.i
                                                               <= cond.right_edge.i)}
        if modal and words & _FEAR_LEMMAS and (words & _FEAR_OBJECTS or "we" in words
                                                or "our" in words or "us" in words):
            yield PatternHit(sent.start_char, sent.end_char, "Appeal_to_Fear-Prejudice",
                             "fear_conditional", "pattern: a threatened loss if nothing is done")
            return


def slogans(sent: Span, text: str) -> Iterator[PatternHit]:
    """A short exclaimed phrase (at most six words, ending in "!") with no reporting verb and
    no greeting or thanks, or a hashtag."""
    if "!" not in text and "#" not in text:
        return
    words = [t for t in sent if t.is_alpha]
    if 1 < len(words) <= 6 and text.rstrip(" \n\"”’'»").endswith("!") and not any(
            (t.lemma_.lower() in _SPEECH and t.pos_ == "VERB") or t.pos_ == "INTJ"
            or t.lemma_.lower() in ("thank", "congratulation") for t in sent):
        yield PatternHit(sent.start_char, sent.end_char, "Slogans", "slogan_exclaimed",
                         "pattern: a short exclaimed phrase")
    for t in sent:
        if (t.text.startswith("#") and len(t.text) > 2) or (
                t.text == "#" and t.i + 1 < sent.end and t.nbor().is_alpha):
            end = t.idx + len(t.text) + (len(t.nbor().text) if t.text == "#" else 0)
            yield PatternHit(t.idx, end, "Slogans", "slogan_hashtag", "pattern: a hashtag")


def whataboutism(sent: Span, text: str) -> Iterator[PatternHit]:
    """"What about ...?" and "where were they when ...": a charge answered with another."""
    yield from _regex_hits(sent, text, _WHATABOUT, "Whataboutism", "whatabout",
                           "pattern: answers a charge with another (“what about …”)")


def hypocrisy(sent: Span, text: str) -> Iterator[PatternHit]:
    """Hypocrisy named or shaped: "double standards", "lecture others on", "the same people
    who"."""
    yield from _regex_hits(sent, text, _HYPOCRISY, "Appeal_to_Hypocrisy", "hypocrisy",
                           "pattern: charges the other side with hypocrisy")


def dilemma(sent: Span, text: str) -> Iterator[PatternHit]:
    yield from _regex_hits(sent, text, _DILEMMA, "False_Dilemma-No_Choice", "dilemma",
                           "pattern: only one option presented")


def killer(sent: Span, text: str) -> Iterator[PatternHit]:
    yield from _regex_hits(sent, text, _KILLER, "Conversation_Killer", "killer",
                           "pattern: closes the discussion")


PATTERNS = (doubt, reputation, causal, fear, slogans, whataboutism, hypocrisy, dilemma, killer)


def sentence_patterns(sent: Span) -> list[PatternHit]:
    """Every pattern hit of one sentence, in pattern order."""
    text = sent.text
    return [h for p in PATTERNS for h in p(sent, text)]
