"""Speech cues on a dependency parse: is this verb reporting what someone said or thinks?

A cue candidate is a verb (or the ``according to`` preposition). Whether it is a cue is
decided by a small logistic model over parse features (lemma, the verb's dependents,
its own relation, its subject); the weights were learned from the PolNeAR training
articles (``python -m narrascope.annotate.cue_train``) and ship as
``data/cue_model.json``, so scoring is a dictionary lookup and a sum: fast and
deterministic. This module also finds, for a cue, the token heading its speaker and the
tokens of its content.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc, Span, Token

MODEL_FILE = "cue_model.json"

SUBJ = frozenset({"nsubj", "nsubjpass", "csubj"})
# Dependents that are not part of a speaker's name phrase.
_NP_CUT = frozenset({"relcl", "acl", "appos", "advcl", "punct", "cc", "conj", "parataxis", "prep"})
_CLAUSE_UP = frozenset({"xcomp", "advcl", "conj", "ccomp", "pcomp", "acl", "relcl"})
REL_PRONOUNS = frozenset({"who", "which", "that", "whom"})
_EXPLETIVE = frozenset({"it", "there"})
# Nouns whose phrase stands for something said or thought: an object headed by one is
# reported content ("denied the allegation", "outlined his plan").
PROPOSITIONAL_NOUNS = frozenset({
    "accusation", "account", "advice", "agenda", "allegation", "announcement", "answer",
    "appeal", "argument", "assertion", "assessment", "assurance", "belief", "call", "charge",
    "claim", "comment", "commitment", "complaint", "concern", "conclusion", "condemnation",
    "criticism", "critique", "demand", "denial", "description", "doubt", "estimate",
    "explanation", "fact", "fear", "finding", "forecast", "guarantee", "hope", "idea",
    "insistence", "intention", "interview", "joke", "judgment", "judgement", "lie", "message",
    "narrative", "news", "notion", "objection", "opinion", "plan", "pledge", "point",
    "position", "prediction", "promise", "proposal", "question", "remark", "report",
    "request", "response", "reply", "rhetoric", "rumor", "rumour", "speech", "stance",
    "statement", "story", "suggestion", "testimony", "theory", "thought", "threat",
    "verdict", "view", "vow", "warning", "word",
})
# Verbs whose object is the person addressed, not what was said ("told a rally", "warned
# reporters"): a non-propositional object of one is the hearer.
HEARER_VERBS = frozenset({
    "tell", "inform", "assure", "reassure", "remind", "brief", "notify", "address", "thank",
    "warn", "caution", "email", "text", "phone", "call", "ask", "interview", "rouse", "greet",
})
# Nouns that name the vehicle of what was said, not its content ("issued a statement",
# "made his remarks", "gave an interview").
VEHICLE_NOUNS = frozenset({
    "statement", "remark", "comment", "speech", "address", "interview", "tweet", "post",
    "letter", "op-ed", "editorial", "release", "testimony", "announcement", "message", "video",
    "ad", "advertisement", "memo", "essay", "column", "briefing", "conference", "email",
    "appearance", "communique", "communiqué", "note", "tirade", "rant", "sermon", "lecture",
    "point", "case", "pitch", "report", "book", "article", "op", "piece", "transcript",
})
# Verbs that produce or hand over such a vehicle.
PRODUCING_VERBS = frozenset({
    "make", "issue", "release", "publish", "deliver", "give", "post", "send", "put", "grant",
    "hold", "conduct", "do", "air", "run", "share", "pen", "write", "read", "file", "submit",
    "offer", "present", "provide", "prepare", "draft", "distribute", "circulate", "tweet",
})
# Content that only points back at something said elsewhere ("commenting on the topic",
# "denied it"): a bare definite noun of this kind says nothing itself.
VACUOUS_NOUNS = frozenset({
    "topic", "issue", "matter", "subject", "situation", "question", "thing", "incident",
    "event", "idea", "point", "one", "case", "story", "news", "development", "report",
    "remark", "comment", "statement", "allegation", "claim", "accusation", "charge", "rumor",
    "rumour", "word", "account", "proposal", "decision", "move", "plan",
})
_POINTING_DET = frozenset({"the", "this", "that", "these", "those", "such"})
QUOTE_GLYPHS = frozenset('"“”«»„‘')
_ACTOR_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# Nouns of findings that a clause can be reported "in" ("In a CBS poll, Clinton led by six").
FINDING_NOUNS = frozenset({
    "poll", "survey", "study", "analysis", "census", "audit", "research", "report", "filing",
    "record", "document", "data", "tally", "count", "estimate", "projection", "forecast",
})
# Verbs of phase: with a verb complement they only say when its subject did something
# ("began to re-arm", "started saying that ..."); the complement is the cue, if anything is.
# (Not verbs of effort: annotators take "tried to walk back his comments" as one cue.)
ASPECTUAL_VERBS = frozenset({"begin", "start", "keep", "stop", "cease", "quit", "resume", "finish"})
# Prepositions that carry the charge or predicate after an accused/blamed/described object.
_PRED_PREPS = frozenset({"of", "for", "as", "over"})


def _load_lines(name: str) -> frozenset[str]:
    raw = resources.files("narrascope.annotate").joinpath("data", name).read_text("utf-8")
    return frozenset(w.strip() for w in raw.splitlines() if w.strip() and not w.startswith("#"))


# Noun lemmas that head a speaker in the PolNeAR training split ("official", "campaign").
SPEAKER_NOUNS = _load_lines("speaker_nouns.txt")


@dataclass(frozen=True, slots=True)
class CueModel:
    """Logistic-regression weights over string features."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def score(self, feats: list[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-z))


@cache
def load_cue_model() -> CueModel:
    """Load the shipped cue model once per process (read-only afterwards)."""
    raw = resources.files("narrascope.annotate").joinpath("data", MODEL_FILE).read_text("utf-8")
    d = json.loads(raw)
    return CueModel(dict(d["weights"]), float(d["bias"]), float(d["threshold"]))


def is_candidate(t: Token) -> bool:
    """Verbs, plus the ``according`` of ``according to``."""
    if t.lower_ == "according":
        return any(c.lower_ == "to" for c in t.children) or t.nbor(1).lower_ == "to" if t.i + 1 < len(t.doc) else False
    return t.pos_ == "VERB"


def finding_source(t: Token) -> Token | None:
    """The finding noun of an ``in`` phrase hung on a clause ("In a new poll, ..."), else None."""
    if t.lower_ != "in" or t.dep_ != "prep" or t.head.pos_ not in ("VERB", "AUX"):
        return None
    pobj = next((c for c in t.children if c.dep_ == "pobj"), None)
    if pobj is None or pobj.lemma_.lower() not in FINDING_NOUNS:
        return None
    if not any(c.dep_ in ("compound", "amod", "nmod", "nummod", "poss", "acl") or c.lower_ in ("a", "an")
               for c in pobj.children):
        return None  # "rose in the polls": no particular finding
    return pobj


def is_phase_verb(t: Token) -> bool:
    """A phase verb with a verb complement ("began to re-arm"): never a cue itself."""
    return t.lemma_.lower() in ASPECTUAL_VERBS and any(
        c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX") for c in t.children
    )


def subject(v: Token) -> tuple[Token | None, bool]:
    """The token heading the speaker of cue ``v`` and whether it was inherited from a governing verb.

    ``according to X`` -> X; a passive's agent; otherwise the nominal subject, climbing
    through participles, conjuncts and control verbs ("..., adding that", "and said",
    "decided to announce") to the clause that has one. Expletive subjects don't count.
    """
    if v.lower_ == "according":
        for c in v.children:
            if c.lower_ == "to":
                for p in c.children:
                    if p.dep_ == "pobj":
                        return p, False
        return None, False
    if v.lower_ == "in":
        return finding_source(v), False
    cur, inherited = v, False
    for _ in range(4):
        agent = next((c for c in cur.children if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj, inherited
        subj = next((c for c in cur.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and _dateline_dash(subj, cur) is not None:
            subj = _after_dateline(subj, cur)
        if subj is not None:
            if subj.dep_ == "nsubjpass" or (subj.lower_ in _EXPLETIVE and subj.pos_ == "PRON" and cur.i == v.i):
                return None, inherited
            return subj, inherited
        if cur.dep_ in ("acl",) and cur.head.pos_ in ("NOUN", "PROPN"):
            return cur.head, True
        if cur.dep_ not in _CLAUSE_UP or cur.head.i == cur.i:
            return _left_subject(v), inherited
        if cur.dep_ in ("ccomp", "relcl") and cur.tag_ not in ("VBG",):
            return _left_subject(v), inherited
        cur, inherited = cur.head, True
    return None, inherited


def _dateline_dash(subj: Token, verb: Token) -> Token | None:
    """The dash closing a dateline the parser took for a subject ("WASHINGTON, Aug. 24 (UPI) — ...")."""
    if not (subj.i == subj.sent.start and subj.text.isupper() and len(subj.text) > 1):
        return None
    return next((t for t in subj.doc[subj.i + 1 : min(verb.i, subj.i + 12)] if t.text in ("—", "–", "--")), None)


def _after_dateline(subj: Token, verb: Token) -> Token | None:
    """The real subject after a dateline: the verb's other subject or the dateline's apposition."""
    dash = _dateline_dash(subj, verb)
    if dash is None:
        return subj
    for c in (*verb.children, *subj.children):
        if c.i > dash.i and c.dep_ in ("nsubj", "nsubjpass", "appos") and c.pos_ in ("NOUN", "PROPN", "PRON"):
            return c
    return None


def _left_subject(v: Token) -> Token | None:
    """A name or pronoun right before a finite cue the parser left without a subject.

    The parser sometimes runs a sentence over a paragraph break and attaches
    "Mushvig Jafarov added ..." to the previous paragraph; the word order still says
    who the subject is.
    """
    if v.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    j = v.i - 1
    while j >= 0 and v.doc[j].dep_ in ("advmod", "aux", "neg") and v.doc[j].pos_ != "PUNCT":
        j -= 1
    if j < 0:
        return None
    t = v.doc[j]
    if t.pos_ == "PROPN" or (t.pos_ == "PRON" and t.lower_ not in _EXPLETIVE and t.lower_ not in REL_PRONOUNS):
        return t
    return None


def np_span(head: Token) -> Span:
    """The name phrase headed by ``head``: its subtree minus clauses, appositions and lists.

    Keeps ``of``-phrases ("the President of Azerbaijan") but not other prepositions.
    """
    lo = hi = head.i
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in _NP_CUT and not (c.dep_ == "prep" and c.lower_ == "of" and t is head):
                continue
            lo, hi = min(lo, c.i), max(hi, c.i)
            stack.append(c)
    doc = head.doc
    while lo < head.i and (doc[lo].is_punct or doc[lo].dep_ == "cc"):
        lo += 1
    while hi > head.i and doc[hi].is_punct:
        hi -= 1
    return doc[lo : hi + 1]


def content_tokens(v: Token, lo_char: int = 0, hi_char: int | None = None) -> tuple[int, int, str] | None:
    """Token range ``[start, end)`` and kind of what cue ``v`` reports, from the parse alone.

    Kinds: ``clause`` (a complement clause, or the clause an ``according to`` or an
    inserted "he said" attaches to), ``obj`` (an object or object complement),
    ``prep`` (the object of a preposition: "talked about X"). The object of a verb of
    telling that is no claim is the hearer, not content ("told a rally"); a bare vehicle
    of speech is not content either ("issued a statement", "made these remarks"). Only
    dependents whose
    head token lies in ``[lo_char, hi_char)`` are considered (the cue's paragraph).
    """
    hi_char = 1 << 62 if hi_char is None else hi_char  # not len(doc.text): that rebuilds the text

    def inside(t: Token) -> bool:
        return lo_char <= t.idx < hi_char

    if v.lower_ in ("according", "in"):
        clause = v.head
        while clause.dep_ == "prep" and clause.head.i != clause.i:
            clause = clause.head
        if clause.i == v.i or not inside(clause):
            return None
        rng = _minus(clause, v)
        return (*rng, "clause") if rng else None
    kids = [c for c in v.children if inside(c)]
    ccomp = [c for c in kids if c.dep_ == "ccomp"]
    if ccomp:
        c = max(ccomp, key=lambda c: (c.i > v.i, c.right_edge.i - c.left_edge.i))
        return c.left_edge.i, c.right_edge.i + 1, "clause"
    if v.dep_ in ("ccomp", "parataxis") and v.head.i != v.i and inside(v.head) and v.i > v.head.i:
        rng = _minus(v.head, v)
        return (*rng, "clause") if rng else None
    objs = [c for c in kids if c.dep_ in ("dobj", "oprd", "xcomp", "dative") and c.i > v.i]
    lemma = v.lemma_.lower()
    if lemma in HEARER_VERBS:
        objs = [c for c in objs if c.dep_ in ("xcomp", "oprd") or _says_something(c)]
    if not objs and _as_clause(v) and inside(v.head):
        # "As X told reporters, no army answers a drone with mortars": the main clause
        rng = _minus(v.head, v)
        return (*rng, "clause") if rng else None
    if lemma in PRODUCING_VERBS and objs and all(c.dep_ in ("dobj", "dative") for c in objs):
        vehicle = next((c for c in objs if c.dep_ == "dobj" and c.lemma_.lower() in VEHICLE_NOUNS), None)
        if vehicle is not None and _bare(vehicle):
            return None  # "issued a statement": what it said is elsewhere, if anywhere
    if objs:
        lo = min(c.left_edge.i for c in objs)
        hi = max(c.right_edge.i for c in objs) + 1
        kind = "clause" if any(c.dep_ == "xcomp" for c in objs) else "obj"
        pred = _predicate_prep(v, objs)
        if kind == "obj" and pred is not None:
            # "accused X of Y", "blamed X for Y": the charge belongs to the content
            return lo, max(hi, pred.right_edge.i + 1), "pred"
        return lo, hi, kind
    for c in kids:
        if c.dep_ == "prep" and c.i > v.i:
            pobj = [p for p in c.children if p.dep_ in ("pobj", "pcomp")]
            if pobj:
                return pobj[0].left_edge.i, pobj[0].right_edge.i + 1, "prep"
    for c in kids:
        if c.dep_ == "advcl" and c.i > v.i and any(k.dep_ == "mark" for k in c.children):
            return c.left_edge.i, c.right_edge.i + 1, "clause"
    return None


def _as_clause(v: Token) -> bool:
    """Whether ``v`` heads an "as"-clause hung on a main clause ("as X told Y, ...")."""
    return (
        v.dep_ == "advcl" and v.head.i != v.i
        and any(k.dep_ == "mark" and k.lower_ == "as" for k in v.children)
    )


def _says_something(obj: Token) -> bool:
    """Whether an object phrase is itself something said: a quotation, a clause, a claim."""
    sub = list(obj.subtree)
    if any(t.text[:1] in QUOTE_GLYPHS or t.text in ("''", "``") for t in sub):
        return True
    if obj.pos_ in ("VERB", "AUX") or obj.lemma_.lower() in PROPOSITIONAL_NOUNS:
        return True
    return any(c.dep_ in ("ccomp", "acl", "relcl") and c.pos_ in ("VERB", "AUX")
               and any(k.dep_ == "mark" for k in c.children) for c in obj.children)


def _bare(noun: Token) -> bool:
    """A noun with nothing but a determiner, possessive or one modifier ("these statements")."""
    kids = list(noun.children)
    return len(kids) <= 2 and all(c.dep_ in ("det", "poss", "amod", "compound", "nummod") and not list(c.children) for c in kids)


def _vacuous(span: Span) -> bool:
    """A bare pointing noun phrase ("the topic", "these statements", "it"): no content."""
    words = [t for t in span if not (t.is_punct or t.is_space)]
    if len(words) == 1 and words[0].pos_ == "PRON":
        return True
    if not 1 <= len(words) <= 2:
        return False
    head = words[-1]
    return head.lemma_.lower() in VACUOUS_NOUNS and (len(words) == 1 or words[0].lower_ in _POINTING_DET)


def _predicate_prep(v: Token, objs: list[Token]) -> Token | None:
    """The ``of``/``for``/``as`` phrase right after the object of ``v`` that says what of it."""
    last = max(c.right_edge.i for c in objs)
    for c in v.children:
        if (
            c.dep_ == "prep" and c.lower_ in _PRED_PREPS and last < c.i <= last + 3
            and any(p.dep_ in ("pobj", "pcomp") for p in c.children)
        ):
            return c
    return None


def object_type(v: Token, rng: tuple[int, int, str] | None) -> str:
    """What the content of cue ``v`` is, for deciding whether it is something said.

    ``none`` (no content), ``clause`` (a clause, an ``accuse X of Y``), ``quote`` (it
    contains a quotation mark), ``prop`` (a noun phrase headed by a propositional noun, or
    one with a complement clause: "the claim that ..."), ``vacuous`` (a bare pointing phrase:
    "the topic", "these statements", "it"), ``actor`` (a pronoun, a name or
    an entity: the *target* of "criticised X", not what was said), ``thing`` (any other
    noun phrase: "declared a state of emergency").
    """
    if rng is None:
        return "none"
    lo, hi, kind = rng
    if kind in ("clause", "pred"):
        return "clause"
    doc = v.doc
    span = doc[lo:hi]
    if any(t.text[:1] in QUOTE_GLYPHS or t.text == "''" or t.text == "``" for t in span):
        return "quote"
    if kind == "prep" and _vacuous(span):
        return "vacuous"
    root = span.root
    if root.pos_ in ("VERB", "AUX"):
        return "clause"
    if root.lemma_.lower() in PROPOSITIONAL_NOUNS:
        return "prop"
    for c in root.children:
        if c.dep_ in ("ccomp", "acl") and c.pos_ in ("VERB", "AUX") and any(k.dep_ == "mark" for k in c.children):
            return "prop"
    if root.pos_ in ("PRON", "PROPN") or root.ent_type_ in _ACTOR_ENTS:
        return "actor"
    return "thing"


def _minus(clause: Token, cut: Token) -> tuple[int, int] | None:
    """The larger side of ``clause``'s subtree once ``cut``'s subtree is taken out."""
    lo, hi = clause.left_edge.i, clause.right_edge.i + 1
    clo, chi = cut.left_edge.i, cut.right_edge.i + 1
    left, right = (lo, clo), (chi, hi)
    best = left if left[1] - left[0] >= right[1] - right[0] else right
    if best[1] - best[0] < 2:
        return None
    return best


def features(v: Token, in_quote: bool) -> list[str]:
    """String features of cue candidate ``v`` for the cue model."""
    lemma = v.lemma_.lower()
    kids = list(v.children)
    deps = {c.dep_ for c in kids}
    f = [f"l={lemma}", f"dep={v.dep_}", f"tag={v.tag_}", f"l={lemma}|dep={v.dep_}"]
    for d in ("ccomp", "dobj", "xcomp", "prep", "nsubj", "nsubjpass", "agent", "dative", "oprd", "advcl", "aux", "neg"):
        if d in deps:
            f.append(f"has={d}")
            f.append(f"l={lemma}|has={d}")
    for c in kids:
        if c.dep_ == "prep":
            f.append(f"prep={c.lower_}")
            f.append(f"l={lemma}|prep={c.lower_}")
        if c.dep_ == "ccomp":
            mark = next((k.lower_ for k in c.children if k.dep_ == "mark"), "none")
            f.append(f"ccomp_mark={mark}")
    subj, inherited = subject(v)
    if subj is None:
        f.append("subj=none")
    else:
        f.append(f"subj_pos={subj.pos_}")
        f.append(f"subj_ent={subj.ent_type_ or '-'}")
        if subj.pos_ == "PRON":
            f.append(f"subj={subj.lower_}")
        f.append(f"l={lemma}|subj_ent={subj.ent_type_ or subj.pos_}")
        if inherited:
            f.append("subj_inherited")
    if in_quote:
        f.append("in_quote")
        f.append(f"l={lemma}|in_quote")
    otype = object_type(v, content_tokens(v))
    if otype == "none":
        f.append("no_content")
        f.append(f"l={lemma}|no_content")
    else:
        f.append(f"obj={otype}")
        f.append(f"l={lemma}|obj={otype}")
    if v.i > 0 and v.doc[v.i - 1].lower_ in ("to",):
        f.append("inf")
    return f


def sentence_of(doc: Doc, i: int) -> Span:
    return doc[i].sent
