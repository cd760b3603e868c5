"""Word lists the question answerer reads sentences with: attribution, denial, evidence, motive.

Why word lists and not a model: each list names a closed class of English (reporting verbs,
verbs of denial, markers of missing evidence, hedges) that decides how a sentence may be
*used* in an answer, not what it is about; what it is about comes from BM25, the sentence
embeddings and the stored actors. Matching is on lower-cased word prefixes ("accus" covers
accuse, accused, accusation), so inflection needs no lemmatiser at question time.

The same lists serve the ``must_not`` check of ``narrascope eval``: a sentence counts as
attributed when it carries an attribution cue or a hedge outside its quoted material.
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’-]*")
# Quoted material: straight, curly, guillemets. Used to tell the answer's own voice apart.
QUOTED_RE = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»|‘[^’]*’(?!\w)")

# Verbs and phrases that put a statement in someone's mouth.
ATTRIBUTION = (
    "say", "said", "says", "tell", "told", "report", "write", "wrote", "quote", "state",
    "claim", "alleg", "accus", "assert", "argu", "insist", "declar", "announc", "add",
    "according", "describ", "call", "charg", "blame", "suggest", "contend", "maintain",
    "deni", "deny", "reject", "dismiss", "refut", "rebut", "respond", "repl", "note",
    "mention", "attribut", "cite", "citing", "criticiz", "criticis", "condemn", "warn",
)
# Verbs of denial and rejection (a party contesting a claim).
DENIAL = (
    "deni", "deny", "reject", "dismiss", "refut", "rebut", "false", "baseless", "unfounded",
    "ridiculous", "groundless", "fabricat", "slander", "smear", "disinformation", "lie", "lies",
    "insult",
)
# Verbs and nouns of accusation (a party asserting a contested claim).
ACCUSATION = (
    "accus", "alleg", "claim", "charg", "blame", "suspect", "point the finger", "denounc",
)
# Markers that evidence was offered or observed.
EVIDENCE = (
    "evidence", "proof", "prove", "detect", "seen", "observ", "document", "found", "discover",
    "confirm", "verif", "intelligence", "investigat", "record", "traced", "identified",
    "analysis", "data", "show", "shown", "reveal",
)
# Markers that an assertion came without support.
UNSUPPORTED = (
    "without providing", "without evidence", "without offering", "without giving",
    "no evidence", "not provide", "did not provide", "didn't provide", "failed to provide",
    "unsubstantiated", "unproven", "unverified", "no proof", "without proof",
    "provided no", "offered no", "gave no", "without further", "without any",
)
# Hedges: the answer's own voice declining to assert.
HEDGES = (
    "alleged", "allegedly", "reportedly", "purported", "attributed", "not established",
    "unverified", "unproven", "may", "might", "could", "would", "if ", "whether",
    "according to", "not shown", "no independent",
)
# Words that explain why an actor acts: relations, grievances, aims, causes.
MOTIVE = (
    "relation", "tension", "sour", "cool", "strain", "rival", "disput", "conflict", "because",
    "due to", "over ", "in response", "respond", "retaliat", "reveng", "interest", "aim",
    "goal", "motiv", "benefit", "gain", "leverage", "seek", "want", "in order to", "why",
    "reason", "against", "hostil", "war", "support", "oppos", "side with", "backing",
    "punish", "pressure", "influence", "position",
)
# Words that describe ties between two parties.
RELATION = (
    "relation", "tie", "link", "agreement", "memorandum", "sign", "cooperat", "partner",
    "support", "invit", "visit", "meet", "met", "host", "alliance", "ally", "forum", "deal",
    "pledg", "back", "solidarity", "friendship", "treaty", "trade", "participat", "conference",
    "congress", "embassy", "diplomat", "delegation", "aid", "fund", "exchange",
)
# Words that ask about time.
TIME = ("when", "date", "since", "until", "year", "month", "day", "began", "start")


def words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` (apostrophe-s kept off: "Baku's" -> "baku")."""
    out = []
    for w in WORD_RE.findall(text.lower().replace("’", "'")):
        if w.endswith("'s"):
            w = w[:-2]
        w = w.strip("'-")
        if w:
            out.append(w)
    return out


def lowered(text: str) -> str:
    """``" w1 w2 ... "``: the lower-cased words of ``text`` between spaces, which is what cue
    matching reads (a cue matches at a word start). Text already in that form is kept."""
    if text.startswith(" ") and text.endswith(" ") and text == text.lower():
        return text
    return " " + " ".join(words(text)) + " "


def has_cue(text: str, cues: tuple[str, ...]) -> bool:
    """True when a word of ``text`` starts with a one-word cue, or a phrase cue occurs.
    ``text`` may be raw or already :func:`lowered`."""
    low = lowered(text)
    return any(" " + c in low for c in cues)


def cue_count(text: str, cues: tuple[str, ...]) -> int:
    """How many distinct cues of the list occur in ``text`` (raw or :func:`lowered`)."""
    low = lowered(text)
    return sum(1 for c in cues if " " + c in low)


def unquoted(text: str) -> str:
    """``text`` with its quoted material removed: what the sentence says in its own voice."""
    return QUOTED_RE.sub(" ", text)


def stem(word: str) -> str:
    """A crude prefix stem, enough to match inflections and derivations of a content word."""
    w = word.lower()
    return w[:6] if len(w) > 6 else w
