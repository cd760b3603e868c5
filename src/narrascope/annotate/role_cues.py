"""Role cues: what a sentence says an entity does, suffers or receives (entity roles).

The entity-role model (``roles``) reads these from the dependency parse of each mention:

- ``harm_agent``: the entity does harm: the subject of a harm verb ("X invaded", "X lied"),
  the agent of a passive one ("attacked by X"), the owner or modifier of a harm noun
  ("X's invasion", "the Russian offensive", "an attack by X");
- ``harm_patient``: harm is done to it: the object or passive subject of a harm verb
  ("shelled X", "X was attacked"), the object of a harm noun ("the invasion of X", "war
  against X", "attacks on X");
- ``suffer``: the subject of a verb of suffering ("X suffered", "X died", "X fled");
- ``help_agent``: the subject of a verb of help or protection ("X defended", "X helped");
- ``helped``: the object of help ("aid to X", "support for X", "protect X");
- ``mod_fear`` ... ``mod_trust``: the NRC emotions of adjectives and appositions on it.

Verb and noun classes are general English (the harm, suffering and help classes of
VerbNet/PLOVER-style dictionaries), not taken from any article. A negated verb ("did not
attack") gives no cue.
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Span, Token

from narrascope.annotate.technique_features import nrc_lexicon


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


HARM_VERBS = _words(
    "attack assault bomb shell invade kill murder shoot strike raid storm loot massacre "
    "destroy ruin devastate wreck occupy annex seize steal rob plunder loot exploit oppress "
    "persecute torture abuse harass intimidate threaten bully coerce blackmail deceive lie "
    "mislead manipulate cheat defraud betray sabotage undermine poison starve terrorize "
    "terrorise kidnap abduct imprison execute slaughter rape burn displace bombard target "
    "dominate weaponize weaponise provoke violate breach censor silence suppress crush "
    "punish hurt harm damage endanger ravage exterminate annihilate besiege blockade "
    "encircle ambush smear vilify demonize demonise scapegoat swarm"
)
SUFFER_VERBS = _words(
    "suffer die perish flee starve drown mourn endure bleed succumb"
)
HELP_VERBS = _words(
    "help aid assist protect defend save rescue shield support feed shelter rebuild restore "
    "liberate free heal donate fund guard evacuate champion safeguard empower reassure "
    "comfort relieve resist uphold mediate broker negotiate reconcile"
)
HARM_NOUNS = _words(
    "invasion attack assault war aggression occupation annexation bombing bombardment "
    "shelling strike strikes offensive massacre genocide crime crimes atrocity atrocities "
    "terrorism terror violence oppression persecution exploitation abuse killing killings "
    "murder destruction blockade siege propaganda lies disinformation threat threats "
    "sabotage incursion raid raids onslaught brutality repression crackdown hostility "
    "exploitation manipulation deception"
)
HELP_NOUNS = _words(
    "aid help support assistance protection relief rescue solidarity donation donations "
    "funding defence defense mediation ceasefire truce peace"
)
# prepositions linking a harm noun to its target ("war against X", "the invasion of X")
_TARGET_PREPS = _words("against on upon of into")
_HELP_PREPS = _words("for to of")
_MOD_DEPS = ("amod", "appos", "acl")
EMOTIONS = ("anger", "disgust", "fear", "sadness", "trust", "joy")


def _lemma(t: Token) -> str:
    return t.lemma_.lower()


def _negated(v: Token) -> bool:
    return any(c.dep_ == "neg" for c in v.children)


def _passive(v: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in v.children)


def _clause_role(tok: Token) -> Token:
    """The first conjunct of a coordination ("Biden and Johnson condemned": Johnson acts
    as Biden does)."""
    while tok.dep_ == "conj" and tok.head.pos_ in ("PROPN", "NOUN", "PRON"):
        tok = tok.head
    return tok


def mention_cues(span: Span) -> Counter[str]:
    """The cues of one mention (see the module docstring)."""
    out: Counter[str] = Counter()
    tok = _clause_role(span.root)
    head, dep = tok.head, tok.dep_
    lem = _lemma(head)
    if head.pos_ in ("VERB", "AUX") and not _negated(head):
        if dep == "nsubj":
            if lem in HARM_VERBS:
                out["harm_agent"] += 1
            elif lem in SUFFER_VERBS:
                out["suffer"] += 1
            elif lem in HELP_VERBS:
                out["help_agent"] += 1
        elif dep in ("dobj", "nsubjpass", "dative"):
            if lem in HARM_VERBS:
                out["harm_patient"] += 1
            elif lem in HELP_VERBS:
                out["helped"] += 1
    if dep == "pobj":
        prep, gov = head, head.head
        glem = _lemma(gov)
        if prep.lower_ == "by" and (glem in HARM_NOUNS or (glem in HARM_VERBS and _passive(gov))):
            out["harm_agent"] += 1
        elif prep.lower_ == "by" and glem in HELP_VERBS and _passive(gov):
            out["help_agent"] += 1
        elif prep.lower_ in _TARGET_PREPS and gov.pos_ in ("NOUN", "PROPN") and (
                glem in HARM_NOUNS or gov.lower_ in HARM_NOUNS):
            out["harm_patient"] += 1
        elif prep.lower_ in _HELP_PREPS and (glem in HELP_NOUNS or any(
                c.dep_ == "dobj" and _lemma(c) in HELP_NOUNS for c in gov.children)):
            out["helped"] += 1  # "aid to X", "sent aid to X"
        elif prep.lower_ == "against" and gov.pos_ in ("VERB", "NOUN"):
            out["harm_patient"] += 1
    if dep in ("poss", "compound", "amod") and head.pos_ in ("NOUN", "PROPN"):
        if lem in HARM_NOUNS or head.lower_ in HARM_NOUNS:
            out["harm_agent"] += 1
        elif lem in HELP_NOUNS:
            out["help_agent"] += 1
    nrc = nrc_lexicon()
    inside = range(span.start, span.end)
    for c in span.root.children:
        if c.dep_ in _MOD_DEPS and c.i not in inside:
            for e in nrc.get(c.lower_) or nrc.get(_lemma(c)) or ():
                if e in EMOTIONS:
                    out["mod_" + e] += 1
    return out
