"""Persuasion techniques (SemEval-2023 Task 3 labels) with spans, confidence and a reason.

Four sources, all pure functions of the parsed document:

- a classifier trained on the SemEval-2023 English training articles
  (``train_techniques``; weights in ``annotate/data/techniques_model.npz``) scores every
  sentence for the 23 labels; labels over their tuned threshold (and ``MIN_CONFIDENCE``)
  are reported, on the narrowest phrase the weights point at (the words that pushed the
  score up most, widened to their noun phrase) for the phrase-level techniques, else on
  the sentence;
- a token model (same file, ``t*`` keys) scores every content token for the word-level
  techniques (``TOKEN_LABELS``: loaded language, name calling, exaggeration, flag waving)
  from the word, its parse neighbourhood, VADER/NRC affect and the word's MiniLM
  embedding; a token over its threshold (and ``TOKEN_MIN_CONFIDENCE``) is reported on its
  noun phrase. A word-level label the sentence classifier finds stands only when the token
  model also passes its threshold on a word of that sentence, and is put on that word;
- shape patterns (:mod:`technique_patterns`) reported on their own for the labels the
  classifier cannot learn or learns badly (``STANDALONE_PATTERNS``: "so-called", credibility
  questions, attacks on an actor's record, "the only reason", a threat under "if", short
  exclaimed slogans, "what about", "double standards", "no other choice", "nothing to
  discuss");
- a dependency pattern for tu quoque (``Appeal_to_Hypocrisy``): a clause that turns to
  what the accuser's own country/government did ("his country has committed crimes"),
  where the sentence recalls the past ("should not forget", "history of") or a nearby
  sentence reports an accusation. The training data has too few such spans (46) for the
  classifier to learn it.

The reason names the cue words and the score, so an analyst can judge each finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse
from spacy.tokens import Doc, Span, Token

from narrascope.annotate import word_table
from narrascope.annotate.components import Context
from narrascope.annotate.quotemarks import find_marked_spans
from narrascope.annotate.technique_features import (
    N_FEATURES,
    SentUnit,
    TokUnit,
    doc_features,
    feature_index,
    to_matrix,
    token_features,
    token_word,
    unit_sentences,
    word_vectors,
)
from narrascope.annotate.technique_patterns import sentence_patterns
from narrascope.records import Technique

MODEL_FILE = "techniques_model.npz"
# Operating point on the analyse path. The shipped thresholds maximise paragraph micro-F1
# on the SemEval articles (propaganda-dense, recall-hungry: 0.05-0.15 for most labels);
# on ordinary news that reads as noise ("Hello", "Thursday morning"), so a detection must
# also reach this probability. It trades recall for precision on purpose.
MIN_CONFIDENCE = 0.3
# The same floor for the token model (a token's probability of lying in a span of the label).
TOKEN_MIN_CONFIDENCE = 0.3
# Shape patterns (``technique_patterns``) specific enough to be reported on their own, at
# this confidence. The others (scare quotes, hashtags, "supposedly") are classifier features
# only: on the SemEval articles they mark a paragraph of their label one time in ten or less.
STANDALONE_PATTERNS = {"doubt_so_called", "doubt_question", "reputation", "causal_single",
                       "fear_conditional", "fear_urgency", "slogan_exclaimed", "whatabout",
                       "hypocrisy", "dilemma", "killer"}
PATTERN_CONFIDENCE = 0.5
# Techniques that sit on words and phrases rather than on a whole argument.
PHRASE_LABELS = {"Loaded_Language", "Name_Calling-Labeling", "Exaggeration-Minimisation",
                 "Doubt", "Flag_Waving", "Appeal_to_Fear-Prejudice"}

_OWNER = {"his", "her", "their", "its", "your", "own"}
_OWNER_HEADS = {"country", "government", "nation", "state", "regime", "army", "ancestor",
                "empire", "republic", "administration", "people"}
_WRONG = {"crime", "genocide", "massacre", "atrocity", "colonialism", "colonization",
          "colonisation", "slavery", "torture", "occupation", "killing", "oppression",
          "repression", "apartheid", "kill", "colonize", "colonise",
          "enslave", "occupy", "oppress", "invade", "exterminate", "bomb", "persecute"}
_RECALL = {"forget", "remember", "recall", "remind", "history", "past", "legacy"}
_ACCUSE = {"accuse", "criticize", "criticise", "condemn", "blame", "accusation", "allegation",
           "criticism", "lecture", "denounce", "charge"}


@dataclass(frozen=True)
class TokenModel:
    """Scores content tokens for the word-level techniques (``TOKEN_LABELS``)."""

    labels: tuple[str, ...]
    coef: np.ndarray  # labels x (N_FEATURES [+ EMB_DIM]), float32
    intercept: np.ndarray
    thresholds: np.ndarray
    emb_mean: np.ndarray | None = None  # 384: the word-embedding block, when trained with it
    emb_proj: np.ndarray | None = None  # 384 x EMB_DIM (principal axes, scaled)
    # the projected block precomputed for a vocabulary (:mod:`word_table`): row of each word
    words: Mapping[str, int] = field(default_factory=dict, compare=False)
    table: np.ndarray | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "coef", _column_major(self.coef))

    def word_block(self, words: Sequence[str]) -> np.ndarray:
        """The embedding block of each word: from the table, else encoded (memoised)."""
        assert self.emb_mean is not None and self.emb_proj is not None
        out = np.zeros((len(words), self.emb_proj.shape[1]), np.float32)
        rows = [self.words.get(w, -1) for w in words]
        hit = [k for k, r in enumerate(rows) if r >= 0]
        rest = [k for k, r in enumerate(rows) if r < 0]
        if hit and self.table is not None:
            out[hit] = self.table[[rows[k] for k in hit]]
        if rest:
            out[rest] = word_table.project(word_vectors([words[k] for k in rest]),
                                           self.emb_mean, self.emb_proj)
        return out

    def scores(self, toks: Sequence[TokUnit], words: Sequence[str] = ()) -> np.ndarray:
        x = to_matrix(toks)
        if self.emb_proj is not None and self.emb_mean is not None:
            z = self.word_block(words)
            x = sparse.hstack([x, sparse.csr_matrix(z)], format="csr")
        return _sigmoid(x, self.coef, self.intercept)


@dataclass(frozen=True)
class TechniqueModel:
    labels: tuple[str, ...]
    coef: np.ndarray  # labels x N_FEATURES, float32
    intercept: np.ndarray
    thresholds: np.ndarray
    tokens: TokenModel | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "coef", _column_major(self.coef))

    def scores(self, units: Sequence[SentUnit]) -> np.ndarray:
        return _sigmoid(to_matrix(units), self.coef, self.intercept)


def _column_major(coef: np.ndarray) -> np.ndarray:
    """The weights in Fortran order, so ``coef.T`` is C-contiguous: a sparse matrix times a
    strided transpose makes scipy copy the whole (labels x 2^18) matrix on every call, which
    cost more than the rest of the classifier."""
    return np.asfortranarray(coef, dtype=np.float32)


def _sigmoid(x: sparse.csr_matrix, coef: np.ndarray, icpt: np.ndarray) -> np.ndarray:
    z = np.asarray(x @ coef.T) + icpt
    out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return out


@cache
def load_model() -> TechniqueModel | None:
    """The shipped model, or None when it has not been trained (then only patterns run)."""
    ref = resources.files("narrascope.annotate") / "data" / MODEL_FILE
    if not ref.is_file():
        return None

    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as z:
        shape = tuple(int(v) for v in z["shape"])
        if shape[1] != N_FEATURES:
            return None
        coef = sparse.csr_matrix((z["data"].astype(np.float32), z["indices"], z["indptr"]), shape=shape)
        tokens = None
        if "tshape" in z.files:
            tshape = tuple(int(v) for v in z["tshape"])
            tcoef = sparse.csr_matrix((z["tdata"].astype(np.float32), z["tindices"],
                                       z["tindptr"]), shape=tshape)
            emb = "emb_proj" in z.files
            mean = z["emb_mean"].astype(np.float32) if emb else None
            proj = z["emb_proj"].astype(np.float32) if emb else None
            table = None
            if mean is not None and proj is not None:
                with resources.as_file(resources.files("narrascope.annotate") / "data"
                                       / word_table.TABLE_FILE) as tpath:
                    table = word_table.load(tpath, word_table.fingerprint(mean, proj))
            tokens = TokenModel(
                labels=tuple(str(x) for x in z["tlabels"]),
                coef=tcoef.toarray().astype(np.float32),
                intercept=z["tintercept"].astype(np.float32),
                thresholds=z["tthresholds"].astype(np.float32),
                emb_mean=mean,
                emb_proj=proj,
                words=table[0] if table else {},
                table=table[1] if table else None,
            )
        return TechniqueModel(
            labels=tuple(str(x) for x in z["labels"]),
            coef=coef.toarray().astype(np.float32),
            intercept=z["intercept"].astype(np.float32),
            thresholds=z["thresholds"].astype(np.float32),
            tokens=tokens,
        )


def find_techniques(ctx: Context) -> Iterator[Technique]:
    """The techniques of one document (the ``techniques`` component)."""
    yield from detect(ctx.sdoc, ctx.doc.doc_id)


def quote_ranges(text: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in find_marked_spans(text) if m.level == 0]


def detect(sdoc: Doc, doc_id: str = "") -> Iterator[Technique]:
    """Classifier and pattern detections for a parsed document, in text order."""
    quotes = quote_ranges(sdoc.text)
    sents = unit_sentences(sdoc)  # one per unit
    hits = [sentence_patterns(x) for x in sents]
    units = doc_features(sdoc, quotes, hits, sents)
    found: list[tuple[int, int, str, float, str, int, int]] = []
    model = load_model()
    if model is not None and units:
        chunks = noun_chunk_of(sdoc)  # only the classifier's phrases are widened to chunks
        tm = model.tokens
        toks = token_features(sdoc, units, sents) if tm is not None else []
        q = tm.scores(toks, [token_word(sdoc[t.i]) for t in toks]) if tm and toks else None
        phrases = (_token_phrases(sdoc, toks, q, units, tm, sents, chunks)
                   if tm and q is not None else [])
        scores = model.scores(units)
        for i, u in enumerate(units):
            for j in np.flatnonzero(scores[i] >= np.maximum(model.thresholds, MIN_CONFIDENCE)):
                label = model.labels[j]
                p = float(scores[i, j])
                if tm is not None and q is not None and label in tm.labels:
                    # A word-level label needs a word: the token model's best token of the
                    # sentence over its (unfloored) threshold, else the sentence is not reported.
                    k = _best_token(toks, q, i, tm.labels.index(label), tm)
                    if k is None:
                        continue
                    span = _phrase(sdoc[toks[k].i], sents[i], chunks)
                    s, e = span.start_char, span.end_char
                    cues = [sdoc[toks[k].i].text]
                    why = _reason(cues, p) + f" (token model p={float(q[k, tm.labels.index(label)]):.2f})"
                else:
                    s, e, cues = _localise(sdoc, u, model.coef[j], label, chunks)
                    why = _reason(cues, p)
                # the token model has found this label on a phrase that overlaps: keep that
                if any(ph.label == label and ph.start < e and s < ph.end for ph in phrases):
                    continue
                found.append((s, e, label, p, why, u.start, u.end))
        for ph in phrases:
            found.append((ph.start, ph.end, ph.label, ph.p, _reason(ph.cues, ph.p, "token model"),
                          ph.unit.start, ph.unit.end))
    for sent, sent_hits in zip(sents, hits, strict=True):
        for h in sent_hits:
            if h.name in STANDALONE_PATTERNS and not any(
                    f[2] == h.label and f[0] < h.end and h.start < f[1] for f in found):
                found.append((h.start, h.end, h.label, PATTERN_CONFIDENCE, h.reason,
                              sent.start_char, sent.end_char))
    for s, e, sent, why in tu_quoque(sdoc, sents):
        if not any(f[2] == "Appeal_to_Hypocrisy" and f[5] == sent.start_char for f in found):
            found.append((s, e, "Appeal_to_Hypocrisy", 0.6, why, sent.start_char, sent.end_char))
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    for idx, (s, e, label, p, why, ss, se) in enumerate(found):
        yield Technique(doc_id, idx, s, e, label, round(p, 4), why, ss, se,
                        _inside(quotes, s, e))


def _inside(ranges: Iterable[tuple[int, int]], s: int, e: int) -> bool:
    return any(a <= s and e <= b for a, b in ranges)


def _reason(cues: Sequence[str], p: float, source: str = "classifier") -> str:
    cue = ", ".join(f"“{c}”" for c in cues[:3])
    return f"{source} p={p:.2f}" + (f"; cues {cue}" if cue else "")


@dataclass(frozen=True)
class Phrase:
    """A phrase the token model found: span, label, best probability, cue words, sentence."""

    start: int
    end: int
    label: str
    p: float
    cues: tuple[str, ...]
    unit: SentUnit


def _best_token(toks: Sequence[TokUnit], q: np.ndarray, sent: int, j: int, tm: TokenModel
                ) -> int | None:
    """The token of sentence ``sent`` the token model scores highest for its label ``j``,
    when that score reaches the label's threshold."""
    best = None
    for k, tu in enumerate(toks):
        if tu.sent == sent and q[k, j] >= tm.thresholds[j] and (best is None or q[k, j] > q[best, j]):
            best = k
    return best


def _token_phrases(sdoc: Doc, toks: Sequence[TokUnit], q: np.ndarray,
                   units: Sequence[SentUnit], tm: TokenModel, sents: Sequence[Span],
                   chunks: Mapping[int, tuple[int, int]]) -> list[Phrase]:
    """Phrases the token model finds: every content token over its label's threshold (and
    ``TOKEN_MIN_CONFIDENCE``), widened to its noun phrase; phrases of one label that overlap
    in a sentence are merged, keeping the highest probability and the cue words."""
    floor = np.maximum(tm.thresholds, TOKEN_MIN_CONFIDENCE)
    hits: dict[tuple[int, str], list[Phrase]] = {}
    for k, tu in enumerate(toks):
        for j in np.flatnonzero(q[k] >= floor):
            tok = sdoc[tu.i]
            ph = _phrase(tok, sents[tu.sent], chunks)
            new = Phrase(ph.start_char, ph.end_char, tm.labels[j], float(q[k, j]), (tok.text,),
                         units[tu.sent])
            same = hits.setdefault((tu.sent, new.label), [])
            for n, h in enumerate(same):
                if new.start < h.end and h.start < new.end:
                    first, second = (h, new) if h.p >= new.p else (new, h)
                    same[n] = Phrase(min(h.start, new.start), max(h.end, new.end), h.label,
                                     first.p, first.cues + second.cues, h.unit)
                    break
            else:
                same.append(new)
    return [h for hs in hits.values() for h in hs]


def _localise(sdoc: Doc, u: SentUnit, w: np.ndarray, label: str,
              chunks: Mapping[int, tuple[int, int]]) -> tuple[int, int, list[str]]:
    """The span to report and the cue words: the tokens whose features weigh most."""
    sent = sdoc.char_span(u.start, u.end, alignment_mode="expand")
    if sent is None:
        return u.start, u.end, []
    contrib: list[tuple[float, Token]] = []
    for t in sent:
        if t.is_space or t.is_punct or t.is_stop:
            continue
        c = float(w[feature_index("w:" + t.lower_)])
        c += float(w[feature_index(f"d:{t.dep_}:{t.lemma_.lower()}")]) if t.dep_ else 0.0
        contrib.append((c, t))
    contrib.sort(key=lambda ct: -ct[0])
    cues = [t.text for c, t in contrib[:3] if c > 0]
    if label not in PHRASE_LABELS or not contrib or contrib[0][0] <= 0:
        return u.start, u.end, cues
    phrase = _phrase(contrib[0][1], sent, chunks)
    return phrase.start_char, phrase.end_char, cues


def noun_chunk_of(sdoc: Doc) -> dict[int, tuple[int, int]]:
    """``(start, end)`` of the base noun phrase each token lies in. Computed once per document:
    ``Span.noun_chunks`` walks the whole document's chunks on every call."""
    return {i: (c.start, c.end) for c in sdoc.noun_chunks for i in range(c.start, c.end)}


def _phrase(tok: Token, sent: Span, chunks: Mapping[int, tuple[int, int]]) -> Span:
    """The noun phrase a cue word belongs to (an adjective's noun, a noun's chunk)."""
    head = tok.head if tok.dep_ in ("amod", "compound", "advmod") and tok.head.pos_ in (
        "NOUN", "PROPN", "ADJ") else tok
    found = chunks.get(head.i)
    if found is not None and sent.start <= found[0] and found[1] <= sent.end:
        c_start, c_end = found
        start = min(c_start, tok.i)
        # drop a leading determiner: "the disgusting remnants" -> "disgusting remnants"
        while start < c_end - 1 and sent.doc[start].pos_ in ("DET", "PRON"):
            start += 1
        end = c_end
        # keep a short "of"-complement: "remnants of the colonial empire"
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                sub = list(child.subtree)
                if len(sub) <= 6:
                    end = max(end, sub[-1].i + 1)
        return sent.doc[start:end]
    lo, hi = min(tok.i, head.i), max(tok.i, head.i) + 1
    return sent.doc[lo:hi]


def tu_quoque(sdoc: Doc, sents: Sequence[Span] | None = None
              ) -> Iterator[tuple[int, int, Span, str]]:
    """Clauses that answer an accusation with the accuser's own past wrongs.

    Yields ``(start, end, sentence, reason)``. The owner phrase ("his country", "their own
    government") must govern, or share a clause with, a wrongdoing word; the sentence must
    recall the past, or an accusation must be reported in it or the two sentences before.
    """
    sents = unit_sentences(sdoc) if sents is None else sents
    for i, sent in enumerate(sents):
        lemmas = {t.lemma_.lower() for t in sent}
        if not lemmas & _WRONG:
            continue
        context = set(lemmas)
        for prev in sents[max(0, i - 2) : i]:
            context |= {t.lemma_.lower() for t in prev}
        recalls = bool(lemmas & _RECALL)
        accused = bool(context & _ACCUSE)
        if not (recalls or accused):
            continue
        for t in sent:
            if t.lower_ not in _OWNER or t.dep_ not in ("poss", "amod"):
                continue
            owner = t.head
            if owner.lemma_.lower() not in _OWNER_HEADS:
                continue
            clause = owner.head if owner.dep_ in ("nsubj", "nsubjpass", "pobj") else owner
            if owner.dep_ == "pobj":
                clause = owner.head.head
            words = {x.lemma_.lower() for x in clause.subtree}
            sub = list(clause.subtree)
            if not words & _WRONG and owner.dep_ == "pobj":
                # "recalled the history of his country committing crimes": the parser often
                # hangs the participle on the governing verb, so look at that verb's clause
                # (from the verb on, leaving its subject out).
                verb = next((a for a in owner.ancestors if a.pos_ in ("VERB", "AUX")), None)
                if verb is not None:
                    sub = [x for x in verb.subtree if x.i >= verb.i]
                    while len(sub) > 1 and (sub[-1].is_punct or sub[-1].is_space):
                        sub.pop()
                    words = {x.lemma_.lower() for x in sub}
            if not words & _WRONG:
                continue
            why = "pattern: the accuser's own past (" + ("recalls the past" if recalls
                                                           else "after an accusation") + ")"
            yield sub[0].idx, sub[-1].idx + len(sub[-1].text), sent, why
            break
