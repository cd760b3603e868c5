"""What kind of question was asked: the shape decides which stored evidence an answer needs.

A reader's question about a contested story usually has one of a few shapes (relationship
between A and B; proof of a claim; motive of an actor; what X said; when Y happened; who X
is). Each shape is recognised by the words that ask it ("proof", "interest", "when"), which
are closed-class enough for patterns; everything else in the question (actors, the claim's
content words) is what retrieval looks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrascope.ask.cues import words
from narrascope.stopwords import english_stop_words

SHAPES = ("proof", "motive", "when", "said", "relationship", "who", "general")

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("proof", re.compile(
        r"\b(proofs?|evidence|prove[ns]?|proven|substantiat\w*|confirm(?:ed|s)?|is it true|"
        r"true that|verif\w+|back(?:ed)? up|credible|fact[- ]check\w*)\b")),
    ("motive", re.compile(
        r"\b(interests?|motives?|motivations?|why (?:would|did|does|do|is|are|was|were|has|have)|"
        r"what (?:would|does|did|do) \w+(?: \w+)? (?:gain|want|get)|benefits?|gains?|stakes?|"
        r"aims?|goals?|agenda|purpose)\b")),
    ("when", re.compile(r"^\s*when\b|\bwhat (?:date|day|month|year|time)\b|\bhow long\b|\bsince when\b")),
    ("said", re.compile(
        r"\bwhat (?:did|does|do|has|have|had) .+ (?:say|said|claim\w*|argue\w*|tell|told|state\w*)\b|"
        r"\b(?:position|stance|reaction|response)\b|\bhow (?:did|does|has|have) .+ "
        r"(?:respond|react|reply)\b")),
    ("relationship", re.compile(
        r"\b(relationships?|relations?|ties|links?|linked|connections?|connected|between|"
        r"doing in)\b")),
    ("who", re.compile(r"^\s*(?:who|what) (?:is|are|was|were)\b")),
)

# Words that ask rather than describe; never searched for.
_QUESTION_WORDS = frozenset(
    ["proof", "proofs", "evidence", "prove", "proven", "true", "really", "verify", "verified", "confirm", "confirmed", "interest", "interests", "motive", "motives", "motivation", "gain", "gains", "benefit", "stake", "stakes", "aim", "aims", "goal", "goals", "purpose", "agenda", "reason", "why", "would", "relationship", "relationships", "relation", "relations", "ties", "link", "links", "linked", "connection", "connections", "between", "explain", "tell", "say", "said", "mention", "mentioned", "doing", "happen", "happened", "did", "does", "do", "when", "date", "who", "what", "which", "whom", "whose", "how", "please", "hello", "thank", "thanks", "know", "exist", "exists", "there", "is", "are", "was", "were", "any", "position", "stance", "reaction", "response", "respond", "react", "reply"]
)
_STOP = english_stop_words() | _QUESTION_WORDS
# "the interference mentioned by Minister X", "X's claim that", "alleged by X".
_ASSERTER_RE = re.compile(
    r"\b(?:mentioned|made|claimed|alleged|raised|voiced|cited|asserted|reported|denounced|"
    r"described|put forward)\s+by\s+(.+?)(?:[?.!,;]|$)", re.I)


@dataclass(frozen=True, slots=True)
class QuestionShape:
    """The recognised shape and the parts of the question that retrieval uses."""

    shape: str
    terms: tuple[str, ...]  # content words, not question words or stop words
    asserter_phrase: str | None = None  # "Minister Darmanin" in "... mentioned by Minister Darmanin"


def recognise(question: str) -> QuestionShape:
    """Recognise the shape of ``question`` (first matching pattern wins, in SHAPES order)."""
    q = " ".join(question.lower().replace("’", "'").split())
    shape = "general"
    for name, pat in _PATTERNS:
        if pat.search(q):
            shape = name
            break
    if shape == "who" and len(content_terms(question)) > 4:
        shape = "general"  # "what is ..." with a long description is not "who is X"
    m = _ASSERTER_RE.search(question)
    return QuestionShape(shape, tuple(content_terms(question)), m.group(1).strip() if m else None)


def content_terms(text: str) -> list[str]:
    """Content words of ``text`` in order, without duplicates, stop words or question words."""
    seen: dict[str, None] = {}
    for w in words(text):
        if (len(w) > 1 and w not in _STOP and not w.isdigit()) or (w.isdigit() and len(w) == 4):
            seen.setdefault(w, None)
    return list(seen)
