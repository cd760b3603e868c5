"""Entity roles (SemEval-2025 Task 10): Protagonist, Antagonist, Innocent, and fine roles.

A linear model trained on the SemEval-2025 English training release (``train_roles``;
weights in ``annotate/data/roles_model.npz``) reads, for each entity of a document, what
the text does with its mentions:

- whether it is the agent of an action (``nsubj`` of a verb) or its patient (object,
  passive subject), the verb's lemma, and how affect-laden the verb and its object are
  (VADER valence): the agent of a negative act reads as Antagonist, its patient as
  Innocent/Victim;
- the adjectives, appositions and nouns attached to it ("authoritarian", "regime");
- the words around its mentions and the sentiment of their sentences;
- how prominent it is (mentions, in the title, first position) and its type.

Whose voice: the role is judged from the reporting voice (mentions outside quotes) when
there are any, else from the quotes (``voice`` says which); ``quoted_role`` is what the
quoted voices alone say. An outlet that quotes Aliyev calling France colonial has not
itself cast France as Antagonist: the link pass compares outlets on the reporting voice.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from spacy.tokens import Doc

from narrascope.annotate.components import Context
from narrascope.annotate.technique_features import affect_lexicon, feature_index, vader_scores
from narrascope.records import EntityRole

MODEL_FILE = "roles_model.npz"
MAIN_ROLES = ("Antagonist", "Innocent", "Protagonist")
_ROLE_TYPES = {"PERSON", "ORG", "GPE", "NORP", "GROUP"}


def sentence_bounds(sdoc: Doc) -> list[tuple[int, int]]:
    """Token ``(start, end)`` of every sentence; computed once per document, because
    ``Span.sent`` re-checks the whole document's annotation on every call."""
    return [(s.start, s.end) for s in sdoc.sents]


def entity_features(sdoc: Doc, spans: Sequence[tuple[int, int]],
                    bounds: Sequence[tuple[int, int]] | None = None,
                    text: str | None = None) -> dict[str, float]:
    """Features of one entity from the character spans of its mentions in a parsed doc.

    ``bounds`` (:func:`sentence_bounds`) and ``text`` (``sdoc.text``, which spaCy rebuilds
    on every access) may be passed in when scoring many entities of one document.
    """
    import bisect

    bounds = bounds if bounds is not None else sentence_bounds(sdoc)
    starts = [b[0] for b in bounds]
    lex = affect_lexicon()
    counts: dict[str, float] = {}
    vals: list[float] = []
    text = text if text is not None else sdoc.text
    n_chars = max(len(text), 1)
    first_nl = text.find("\n")
    seen_sents: set[int] = set()
    agent_val = patient_val = mod_val = 0.0

    def add(name: str, v: float = 1.0) -> None:
        counts[name] = counts.get(name, 0.0) + v

    for s, e in spans:
        span = sdoc.char_span(s, e, alignment_mode="expand")
        if span is None or not len(span):
            continue
        root = span.root
        add("dep:" + root.dep_)
        for t in span:
            if t.is_alpha:
                add("name:" + t.lower_)
        if root.ent_type_:
            add("type:" + root.ent_type_)
        verb = root.head
        if root.dep_ == "pobj" and verb.head.i != verb.i:
            add(f"prep:{verb.lower_}")
            verb = verb.head
        val = sum(lex.get(x.lower_, 0.0) for x in verb.subtree if x.i not in range(span.start, span.end))
        if root.dep_ in ("nsubj", "agent"):
            add("agent_of:" + verb.lemma_.lower())
            agent_val += val
        elif root.dep_ in ("dobj", "nsubjpass", "pobj", "dative"):
            add("patient_of:" + verb.lemma_.lower())
            patient_val += val
        for c in root.children:
            if c.dep_ in ("amod", "appos", "compound", "acl", "relcl") and c.i not in range(span.start, span.end):
                add(f"mod:{c.lemma_.lower()}")
                mod_val += lex.get(c.lower_, 0.0)
        if root.dep_ in ("nsubj",) and verb.lemma_ == "be":
            for c in verb.children:
                if c.dep_ in ("attr", "acomp"):
                    add(f"is:{c.lemma_.lower()}")
                    mod_val += lex.get(c.lower_, 0.0)
        k = max(0, bisect.bisect_right(starts, span.start) - 1)
        sent = sdoc[bounds[k][0] : bounds[k][1]]
        lo, hi = max(span.start - 5, sent.start), min(span.end + 5, sent.end)
        for t in sdoc[lo:hi]:
            if t.is_alpha and not t.is_stop and not (span.start <= t.i < span.end):
                add("ctx:" + t.lower_)
        if sent.start not in seen_sents:
            seen_sents.add(sent.start)
            vals.append(vader_scores(sent.text)["compound"])
        if first_nl < 0 or s < first_nl:
            add("in_title")
    feats = {k: min(v, 3.0) / 3.0 for k, v in counts.items()}
    n = len(spans)
    feats["_n"] = math.log1p(n) / 3
    feats["_first"] = min((s for s, _ in spans), default=0) / n_chars
    if vals:
        feats["_vmean"] = sum(vals) / len(vals)
        feats["_vmin"] = min(vals)
        feats["_vmax"] = max(vals)
    feats["_agent_val"] = max(-1.0, min(1.0, agent_val / 4))
    feats["_patient_val"] = max(-1.0, min(1.0, patient_val / 4))
    feats["_mod_val"] = max(-1.0, min(1.0, mod_val / 4))
    return feats


def hashed(feats: dict[str, float], n: int) -> np.ndarray:
    """A dense feature vector (roles have few rows, so dense is simplest)."""
    v = np.zeros(n, np.float32)
    for k, x in feats.items():
        v[feature_index(k) % n] += x
    return v


@dataclass(frozen=True)
class RoleModel:
    n_features: int
    main_classes: tuple[str, ...]
    main_coef: np.ndarray
    main_icpt: np.ndarray
    fine_classes: tuple[str, ...]
    fine_coef: np.ndarray
    fine_icpt: np.ndarray
    fine_main: tuple[str, ...]  # the main role each fine role belongs to

    def predict(self, feats: dict[str, float]) -> tuple[str, float, tuple[str, ...], list[str]]:
        """Main role, its probability, the fine role, and the features that weighed most."""
        # Sum the weight columns of the (few) active features: no BLAS call, which on a
        # busy machine costs more in thread start-up than the arithmetic itself.
        cols = np.fromiter((feature_index(f) % self.n_features for f in feats), np.int64,
                           len(feats))
        vals = np.fromiter(feats.values(), np.float32, len(feats))
        z = (self.main_coef[:, cols] * vals).sum(axis=1) + self.main_icpt
        p = np.exp(z - z.max())
        p /= p.sum()
        k = int(np.argmax(p))
        role = self.main_classes[k]
        fine: tuple[str, ...] = ()
        if len(self.fine_classes):
            fz = (self.fine_coef[:, cols] * vals).sum(axis=1) + self.fine_icpt
            ok = [i for i, m in enumerate(self.fine_main) if m == role]
            if ok:
                fine = (self.fine_classes[max(ok, key=lambda i: fz[i])],)
        contrib = sorted(
            ((float(self.main_coef[k, feature_index(f) % self.n_features]) * v, f)
             for f, v in feats.items() if not f.startswith("_")),
            reverse=True,
        )
        cues = [f.split(":", 1)[-1] for c, f in contrib[:3] if c > 0]
        return role, float(p[k]), fine, cues


@cache
def load_model() -> RoleModel | None:
    ref = resources.files("narrascope.annotate") / "data" / MODEL_FILE
    if not ref.is_file():
        return None
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as z:
        return RoleModel(
            n_features=int(z["n_features"]),
            main_classes=tuple(str(x) for x in z["main_classes"]),
            main_coef=z["main_coef"].astype(np.float32),
            main_icpt=z["main_icpt"].astype(np.float32),
            fine_classes=tuple(str(x) for x in z["fine_classes"]),
            fine_coef=z["fine_coef"].astype(np.float32),
            fine_icpt=z["fine_icpt"].astype(np.float32),
            fine_main=tuple(str(x) for x in z["fine_main"]),
        )


def assign_roles(ctx: Context) -> Iterator[EntityRole]:
    """The role of every actor-like entity of a document (the ``roles`` component)."""
    model = load_model()
    if model is None:
        return
    from narrascope.annotate.tone import quote_at

    bounds: list[tuple[int, int]] | None = None
    text = ctx.sdoc.text
    by_entity: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for m in ctx.mentions:
        rep, quo = by_entity.setdefault(m.local_id, ([], []))
        (quo if quote_at(ctx.quotes, m.start, m.end) else rep).append((m.start, m.end))
    for ent in ctx.entities:
        if ent.type not in _ROLE_TYPES or ent.local_id not in by_entity:
            continue
        rep, quo = by_entity[ent.local_id]
        voice, spans = ("reporting", rep) if rep else ("quoted", quo)
        if bounds is None:
            bounds = sentence_bounds(ctx.sdoc)
        role, p, fine, cues = model.predict(entity_features(ctx.sdoc, spans, bounds, text))
        quoted_role = model.predict(entity_features(ctx.sdoc, quo, bounds, text))[0] if quo else None
        reason = f"{voice} voice, {len(spans)} mention(s), p={p:.2f}"
        if cues:
            reason += "; cues " + ", ".join(cues)
        yield EntityRole(
            doc_id=ctx.doc.doc_id, local_id=ent.local_id, entity=ent.canonical, role=role,
            confidence=round(p, 4), fine_roles=fine, voice=voice, quoted_role=quoted_role,
            evidence_starts=tuple(s for s, _ in spans), evidence_ends=tuple(e for _, e in spans),
            reason=reason,
        )
