"""Sentence features for persuasion-technique detection, shared by training and inference.

Why one module: the classifier shipped in ``annotate/data/techniques_model.npz`` is only
valid for exactly the features it was trained on, so ``train_techniques`` and the
``techniques`` component both call :func:`doc_features` and hash names the same way.

A sentence is described by named features (``name -> value``), hashed into a fixed space
(no vocabulary is stored, so the shipped model holds weights only, never article text):

- its words and word pairs, and lemmas in the dependency roles where techniques show up
  (an adjective modifying a noun, an adverb, an apposition: name-calling and loaded
  language live there);
- affect from the VADER lexicon (sentence scores and a count of strongly affective words);
- shape patterns (:mod:`technique_patterns`: "so-called", "what about", a threat under
  "if", a short exclaimed slogan ...), one feature per pattern and per label it points to;
- cue patterns of particular techniques (doubt: "so-called", "allegedly", questions;
  tu quoque: a possessive turned on an actor's own past; false dilemma: "either ... or";
  causal: "because", "led to"; appeal to fear, flag waving, authority, popularity ...);
- repetition: how many of its content lemmas recur elsewhere in the article;
- the article as a whole (affect and exclamation rates), because persuasion comes in
  articles, not in single sentences: wire copy with a charged quote stays wire copy.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

import numpy as np
from murmurhash import mrmr
from scipy import sparse
from spacy.tokens import Doc, Span, Token

from narrascope.annotate.technique_patterns import PatternHit, sentence_patterns

N_FEATURES = 2**18

# The 23 labels of SemEval-2023 Task 3 (subtask 3), exactly as the data names them.
LABELS: tuple[str, ...] = (
    "Appeal_to_Authority", "Appeal_to_Fear-Prejudice", "Appeal_to_Hypocrisy",
    "Appeal_to_Popularity", "Appeal_to_Time", "Appeal_to_Values", "Causal_Oversimplification",
    "Consequential_Oversimplification", "Conversation_Killer", "Doubt",
    "Exaggeration-Minimisation", "False_Dilemma-No_Choice", "Flag_Waving",
    "Guilt_by_Association", "Loaded_Language", "Name_Calling-Labeling",
    "Obfuscation-Vagueness-Confusion", "Questioning_the_Reputation", "Red_Herring",
    "Repetition", "Slogans", "Straw_Man", "Whataboutism",
)

# Cue phrases that the SemEval-2023 annotation guidelines give as typical of a technique.
# They are features, not decisions: the classifier learns how much each one is worth.
CUES: dict[str, str] = {
    "doubt": r"\b(so-called|so called|allegedly|alleged|supposedly|purported(ly)?|"
             r"claims? to be|questionable|dubious|really\?|is it any wonder)\b",
    "hypocrisy": r"\b(what about|hypocri\w*|double standards?|the same (people|ones|country|media)"
                 r"|look who|should not forget|shouldn't forget|has (a|its) history of|own "
                 r"(history|past|record|crimes))\b",
    "fear": r"\b(threat\w*|danger\w*|destroy\w*|catastroph\w*|disaster\w*|terror\w*|invasion|"
            r"invad\w*|kill\w*|die|deadly|existential|collapse|chaos|wipe out)\b",
    "flag": r"\b(our (country|nation|people|values|freedom|flag|homeland)|patriot\w*|"
            r"national (interest|pride|security)|the american people|our great)\b",
    "authority": r"\b(according to|experts?|scientists?|professor|study|studies|researchers?|"
                 r"officials? (said|say)|report(ed)? by)\b",
    "dilemma": r"\b(either\b.*\bor|only (option|way|choice|solution)|no (other )?"
               r"(choice|alternative|option)|there is no other|us or them)\b",
    "causal": r"\b(because|due to|caused|causes|led to|leads to|result(ed)? (of|in)|therefore|"
              r"thanks to|responsible for|blame[sd]? for|that is why|which is why)\b",
    "killer": r"\b(end of (story|discussion)|period\.|enough said|nothing more to (say|add)|"
              r"it is what it is|no need to)\b",
    "association": r"\b(nazi\w*|hitler|stalin\w*|fascis\w*|communis\w*|marxis\w*|"
                   r"soviet|kkk|jihadi\w*|islamis\w*)\b",
    "exaggeration": r"\b(ever|never|always|all|every|entire(ly)?|totally|completely|huge|massive|"
                    r"biggest|worst|best|unprecedented|mere(ly)?|just a|only a|nothing but)\b",
    "popularity": r"\b(everyone|everybody|every american|most people|millions of|the majority"
                  r"|nobody|no one)\b",
    "slogan": r"(#\w+|\b(make \w+ great|never again|lock (him|her) up|build the wall)\b)",
}
_CUE_RES = {k: re.compile(v, re.IGNORECASE) for k, v in CUES.items()}
_POSS = {"his", "her", "their", "its", "your"}
_PAST_NOUNS = {"history", "past", "record", "crime", "legacy", "colonialism", "atrocity",
               "massacre", "genocide", "war", "occupation"}
_QUOTE_CHARS = "\"“”«»„"
_WE = {"we", "our", "us", "ours"}


@cache
def _vader() -> tuple[object, dict[str, float]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return sia, dict(sia.lexicon)


@lru_cache(maxsize=8192)
def vader_scores(text: str) -> dict[str, float]:
    """VADER polarity scores of a sentence (neg, neu, pos, compound).

    Memoised because techniques and tone both score the same sentences of a document.
    Treat the returned dict as read-only.
    """
    sia, _ = _vader()
    return sia.polarity_scores(text)  # type: ignore[attr-defined]


def affect_lexicon() -> dict[str, float]:
    """VADER's word valences (-4 .. 4), lowercased keys."""
    return _vader()[1]


@cache
def nrc_lexicon() -> dict[str, tuple[str, ...]]:
    """The NRC emotion lexicon shipped in ``nrclex``: word -> emotions (anger, disgust, ...).

    Read from the package data directly: NRCLex's own text path needs TextBlob corpora.
    """
    import json
    from importlib import resources

    raw = (resources.files("nrclex") / "data" / "nrc_en.json").read_text(encoding="utf-8")
    return {w: tuple(e) for w, e in json.loads(raw).items()}


def affect_of(tok: Token) -> tuple[float, tuple[str, ...]]:
    """VADER valence and NRC emotions of a token (by its lowercase form, then its lemma)."""
    lex, nrc = affect_lexicon(), nrc_lexicon()
    low, lem = tok.lower_, tok.lemma_.lower()
    val = lex.get(low, lex.get(lem, 0.0))
    emo = nrc.get(low) or nrc.get(lem) or ()
    return val, emo


@dataclass(frozen=True, slots=True)
class SentUnit:
    """One sentence of an article: its span, line (paragraph) index and features."""

    start: int
    end: int
    line: int
    feats: dict[str, float]
    vader: float


def _content(tok: object) -> bool:
    t = tok
    return bool(t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") and not t.is_stop and t.is_alpha)  # type: ignore[attr-defined]


def unit_sentences(sdoc: Doc) -> list[Span]:
    return [s for s in sdoc.sents if s.text.strip()]


def doc_features(sdoc: Doc, quote_ranges: Sequence[tuple[int, int]] = (),
                 patterns: Sequence[Sequence[PatternHit]] | None = None,
                 sents: Sequence[Span] | None = None) -> list[SentUnit]:
    """Features of every sentence of a parsed article (see the module docstring).

    ``patterns`` are the shape patterns of each sentence (:func:`sentence_patterns`) and
    ``sents`` its :func:`unit_sentences`, computed here when not given."""
    text = sdoc.text
    sents = unit_sentences(sdoc) if sents is None else sents
    if not sents:
        return []
    if patterns is None:
        patterns = [sentence_patterns(s) for s in sents]
    lex = affect_lexicon()
    lemma_count: Counter[str] = Counter()
    sent_lemmas: list[list[str]] = []
    for s in sents:
        lem = [t.lemma_.lower() for t in s if _content(t)]
        sent_lemmas.append(lem)
        lemma_count.update(lem)
    vads = [vader_scores(s.text) for s in sents]
    strong = [sum(1 for t in s if abs(lex.get(t.lower_, 0.0)) >= 2.0) for s in sents]
    n = len(sents)
    doc_neg = sum(v["neg"] for v in vads) / n
    doc_strong = sum(strong) / n
    doc_excl = sum(s.text.count("!") for s in sents) / n
    doc_quest = sum(s.text.count("?") for s in sents) / n
    line_starts = [i + 1 for i, c in enumerate(text) if c == "\n"]
    seen: set[str] = set()
    units: list[SentUnit] = []
    for i, (s, vad) in enumerate(zip(sents, vads, strict=True)):
        f: dict[str, float] = {}
        toks = [t for t in s if not t.is_space]
        low = [t.lower_ for t in toks]
        for w in low:
            f["w:" + w] = 1.0
        for a, b in pairwise(low):
            f[f"b:{a} {b}"] = 1.0
        for t in toks:
            if t.dep_ in ("amod", "advmod", "acomp", "appos", "attr", "compound", "neg"):
                f[f"d:{t.dep_}:{t.lemma_.lower()}"] = 1.0
            if t.tag_ in ("JJS", "RBS", "JJR", "MD", "UH"):
                f["tag:" + t.tag_] = f.get("tag:" + t.tag_, 0.0) + 1.0
            if t.lower_ in _WE:
                f["we"] = 1.0
            if t.lower_ in _POSS and t.head.lemma_.lower() in _PAST_NOUNS:
                f["tuquoque:poss_past"] = 1.0
            if t.dep_ == "amod" and t.head.ent_type_ in ("PERSON", "NORP", "ORG", "GPE"):
                f["pat:adj_on_actor"] = 1.0
                if abs(lex.get(t.lower_, 0.0)) >= 1.0:
                    f["pat:affect_adj_on_actor"] = 1.0
            if t.dep_ in ("appos", "attr") and lex.get(t.lower_, 0.0) <= -1.0:
                f["pat:negative_label"] = 1.0
        for e in s.ents:
            f["ent:" + e.label_] = 1.0
        stext = s.text
        for name, rx in _CUE_RES.items():
            hits = len(rx.findall(stext))
            if hits:
                f["cue:" + name] = min(hits, 3) / 3
        if stext.rstrip().endswith("?"):
            f["question"] = 1.0
        for h in patterns[i]:
            f["pat:" + h.name] = 1.0
            f["patlabel:" + h.label] = 1.0
        caps = sum(1 for t in toks if t.is_upper and len(t) > 2 and t.is_alpha)
        if caps:
            f["caps"] = min(caps, 5) / 5
        f["_vneg"] = vad["neg"]
        f["_vpos"] = vad["pos"]
        f["_vcomp"] = vad["compound"]
        f["_vabs"] = abs(vad["compound"])
        f["_strong"] = min(strong[i], 5) / 5
        f[f"strong:{min(strong[i], 3)}"] = 1.0
        ntok = len(toks)
        f["_len"] = math.log1p(ntok) / 5
        f[f"lenbin:{min(ntok // 8, 6)}"] = 1.0
        line = _line_of(line_starts, s.start_char)
        if line == 0:
            f["title"] = 1.0
        f["_pos"] = i / n
        inq = _inside(quote_ranges, s.start_char, s.end_char)
        if any(c in stext for c in _QUOTE_CHARS):
            f["has_quote_mark"] = 1.0
        f["_inq"] = inq
        lem = sent_lemmas[i]
        if lem:
            rep = max(lemma_count[x] for x in lem) - 1
            f["_rep"] = math.log1p(rep) / 3
            f["_seen"] = sum(1 for x in lem if x in seen) / len(lem)
        seen.update(lem)
        f["_doc_neg"] = doc_neg
        f["_doc_strong"] = min(doc_strong, 3) / 3
        f["_doc_excl"] = min(doc_excl, 1.0)
        f["_doc_quest"] = min(doc_quest, 1.0)
        units.append(SentUnit(s.start_char, s.end_char, line, f, vad["compound"]))
    return units


def _line_of(line_starts: list[int], pos: int) -> int:
    import bisect

    return bisect.bisect_right(line_starts, pos)


def _inside(ranges: Sequence[tuple[int, int]], start: int, end: int) -> float:
    if not ranges or end <= start:
        return 0.0
    covered = sum(max(0, min(end, e) - max(start, s)) for s, e in ranges)
    return min(1.0, covered / (end - start))


@cache
def feature_index(name: str) -> int:
    """The hashed column of a feature name."""
    # MurmurHash3 x86_32 with seed 0 read as unsigned: the value sklearn's
    # murmurhash3_32(positive=True) gives, which the shipped weights were hashed with. spaCy's
    # own murmurhash package computes it without sklearn's 1.3 s import in every process.
    return (int(mrmr.hash(name)) & 0xFFFFFFFF) % N_FEATURES


def to_matrix(units: Sequence[SentUnit] | Sequence[TokUnit]) -> sparse.csr_matrix:
    """Hash sentence (or token) features into a CSR matrix (one row per unit)."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for u in units:
        cols: dict[int, float] = {}
        for k, v in u.feats.items():
            j = feature_index(k)
            cols[j] = cols.get(j, 0.0) + v
        indices.extend(cols)
        data.extend(cols.values())
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr, np.int32)),
        shape=(len(units), N_FEATURES),
    )


# -- token level ---------------------------------------------------------------------------
# The word-level techniques (loaded language, name calling, exaggeration, flag waving) sit on
# a few words: a second model scores every content token, so a detection can name the
# phrase itself and does not depend on how charged the rest of the sentence is.
TOKEN_LABELS: tuple[str, ...] = ("Loaded_Language", "Name_Calling-Labeling",
                                 "Exaggeration-Minimisation", "Flag_Waving")
_ACTOR_ENTS = {"PERSON", "NORP", "ORG", "GPE"}


@dataclass(frozen=True, slots=True)
class TokUnit:
    """One content token: its sentence (index into :func:`doc_features`' units), token index,
    character span and features."""

    sent: int
    i: int
    start: int
    end: int
    feats: dict[str, float]


def _bin(v: float) -> str:
    return str(max(-3, min(3, round(v))))


def candidate_token(t: Token) -> bool:
    """Tokens the token model scores: words that can carry a charged meaning."""
    return bool(t.is_alpha and not t.is_stop and t.pos_ in ("ADJ", "NOUN", "PROPN", "VERB", "ADV"))


def token_features(sdoc: Doc, units: Sequence[SentUnit],
                   sents: Sequence[Span] | None = None) -> list[TokUnit]:
    """Features of every candidate token of an article whose sentence features are ``units``
    (``sents``: its :func:`unit_sentences`, computed when not given)."""
    sents = unit_sentences(sdoc) if sents is None else sents
    out: list[TokUnit] = []
    for si, (s, u) in enumerate(zip(sents, units, strict=True)):
        sf = u.feats
        shared = {"_svabs": sf["_vabs"], "_sstrong": sf["_strong"], "_inq": sf["_inq"],
                  "_doc_neg": sf["_doc_neg"], "_doc_strong": sf["_doc_strong"],
                  "_doc_excl": sf["_doc_excl"]}
        if "title" in sf:
            shared["title"] = 1.0
        for t in s:
            if not candidate_token(t):
                continue
            f = dict(shared)
            low, lem = t.lower_, t.lemma_.lower()
            f["w:" + low] = 1.0
            f["l:" + lem] = 1.0
            f["pos:" + t.pos_] = 1.0
            f[f"dp:{t.dep_}:{t.pos_}"] = 1.0
            if t.is_title and t.i > s.start:
                f["titlecase"] = 1.0
            if t.ent_type_:
                f["ent:" + t.ent_type_] = 1.0
            val, emo = affect_of(t)
            f["v:" + _bin(val)] = 1.0
            if abs(val) >= 2.0:
                f["vstrong"] = 1.0
            for e in emo:
                f["nrc:" + e] = 1.0
            f[f"nrc_n:{min(len(emo), 4)}"] = 1.0
            h = t.head
            if h.i != t.i:
                f["hl:" + h.lemma_.lower()] = 1.0
                f[f"hd:{t.dep_}:{h.pos_}"] = 1.0
                if h.ent_type_ in _ACTOR_ENTS and t.dep_ in ("amod", "compound", "appos", "nmod"):
                    f["on_actor:" + t.dep_] = 1.0
                hval, hemo = affect_of(h)
                f["hv:" + _bin(hval)] = 1.0
                for e in hemo:
                    f["hnrc:" + e] = 1.0
            for c in t.children:
                if c.dep_ in ("amod", "advmod", "compound", "det", "poss", "neg"):
                    f[f"c:{c.dep_}:{c.lower_}"] = 1.0
                    cval, cemo = affect_of(c)
                    if abs(cval) >= 1.0 or cemo:
                        f["c_affect"] = 1.0
            if t.dep_ in ("attr", "appos") and h.lemma_ == "be":
                f["predicate_nominal"] = 1.0
            prev = sdoc[t.i - 1] if t.i > s.start else None
            nxt = sdoc[t.i + 1] if t.i + 1 < s.end else None
            f["p1:" + (prev.lower_ if prev is not None else "<s>")] = 1.0
            f["n1:" + (nxt.lower_ if nxt is not None else "</s>")] = 1.0
            if prev is not None:
                f[f"pb:{prev.lower_} {low}"] = 1.0
                if t.i - 2 >= s.start:
                    f["p2:" + sdoc[t.i - 2].lower_] = 1.0
            if any(c in _QUOTE_CHARS for c in (prev.text if prev is not None else "",
                                                 nxt.text if nxt is not None else "")):
                f["scare_quote"] = 1.0
            out.append(TokUnit(si, t.i, t.idx, t.idx + len(t.text), f))
    return out


# -- word meaning ----------------------------------------------------------------------------
# Hashed word features know only the words seen in training; a charged word the annotators
# never marked ("revanchists", "authoritarian") is then invisible. The token model also reads
# the word's MiniLM embedding (the shipped sentence encoder run on the word alone), reduced
# to EMB_DIM principal components fit at training time, so it can generalise by meaning.
EMB_DIM = 64
_WORD_CACHE: dict[str, np.ndarray] = {}
_WORD_CACHE_MAX = 20_000  # 384 float32 each: ~31 MB per process when full


def token_word(tok: Token) -> str:
    """The form of a token whose meaning is embedded (lowercase)."""
    return tok.lower_


def word_vectors(words: Sequence[str]) -> np.ndarray:
    """MiniLM vectors ``(len(words), 384)`` of single words, memoised per process."""
    from narrascope.annotate.embed import DIM, encode

    missing = sorted({w for w in words if w not in _WORD_CACHE})
    if missing:
        if len(_WORD_CACHE) + len(missing) > _WORD_CACHE_MAX:
            _WORD_CACHE.clear()
        # the shipped form: the word table and the model were made with its vectors
        for w, v in zip(missing, encode(missing, batch_size=256, quantized=False), strict=True):
            _WORD_CACHE[w] = v.astype(np.float32)
    if not words:
        return np.zeros((0, DIM), np.float32)
    return np.stack([_WORD_CACHE[w] for w in words])
