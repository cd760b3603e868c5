"""Entity roles (SemEval-2025 Task 10): Protagonist, Antagonist, Innocent, and fine roles.

A linear model trained on the SemEval-2025 English training release (``train_roles``;
weights in ``annotate/data/roles_model.npz``) scores every mention of an entity from what
the text does with it there, and the entity's role is the one its mentions score highest
on average (the gold marks single mentions, so the model learns from mentions):

- what happens to it in the document's events: the target of an assault, an accusation,
  support..., told by the outlet or inside a quote (the ``events`` table);
- harm done to it: object or passive subject of a verb of negative valence (VADER),
  the object of "against", the object of a harmful noun ("the invasion of X");
- what it does: the subject of a verb of negative or positive valence; the valence of the
  adjectives, appositions and possessed nouns attached to it;
- the role cues of ``role_cues`` (agent or patient of harm, suffering, help), for the
  mention and summed over the entity's reporting-voice mentions, compared with the other
  entities of the document (its share of the document's cues of each kind) and with its
  own side's (``side_*``: what happens to its ministers, its country...);
- whose voice: whether the mention is inside a quote, and how much of the document's
  quoted text its own side (the entity and those affiliated with it) speaks;
- the persuasion techniques (``techniques`` table) found in its sentence, the sentiment
  of that sentence, and the entity type.

Over the model, one decision rule (:func:`victim`): an entity shown suffering harm and
never doing any is Innocent, since the averaged model drowns these rare cues.

Whose voice decides: the role is judged from the reporting voice (mentions outside quotes)
when there are any, else from the quotes (``voice`` says which); ``quoted_role`` is what
the quoted voices alone say. An outlet that quotes Aliyev calling France colonial has not
itself cast France as Antagonist: the link pass compares outlets on the reporting voice.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span

from narrascope.annotate.components import Context
from narrascope.annotate.role_cues import mention_cues
from narrascope.annotate.technique_features import affect_lexicon, feature_index, vader_scores
from narrascope.records import EntityRole, Event, LocalEntity, Mention, Quote, Technique

MODEL_FILE = "roles_model.npz"
MAIN_ROLES = ("Antagonist", "Innocent", "Protagonist")
_ROLE_TYPES = {"PERSON", "ORG", "GPE", "NORP", "GROUP"}
_OBJ_DEPS = ("dobj", "nsubjpass", "dative")
_MOD_DEPS = ("amod", "compound", "appos")


def sentence_bounds(sdoc: Doc) -> list[tuple[int, int]]:
    """Token ``(start, end)`` of every sentence; computed once per document, because
    ``Span.sent`` re-checks the whole document's annotation on every call."""
    return [(s.start, s.end) for s in sdoc.sents]


def _valence(tok: Any) -> float:
    lex = affect_lexicon()
    return lex.get(tok.lower_, 0.0) or lex.get(tok.lemma_.lower(), 0.0)


@dataclass
class DocView:
    """What the role features read of one document, computed once for all its entities."""

    sdoc: Doc
    quotes: Sequence[Quote] = ()
    events: Sequence[Event] = ()
    techniques: Sequence[Technique] = ()
    entities: Sequence[LocalEntity] = ()
    mentions: Sequence[Mention] = ()
    bounds: list[tuple[int, int]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    side_share: dict[int, float] = field(default_factory=dict)
    entity_cues: dict[int, Counter[str]] = field(default_factory=dict)
    sides: dict[int, set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bounds = self.bounds or sentence_bounds(self.sdoc)
        self.starts = [b[0] for b in self.bounds]
        self.side_share = _side_shares(self.entities, self.quotes)
        self.entity_cues = self._entity_cues()
        self.sides = _sides(self.entities)

    def _entity_cues(self) -> dict[int, Counter[str]]:
        """Per entity, the role cues of its mentions in the reporting voice."""
        out: dict[int, Counter[str]] = {}
        for m in self.mentions:
            if self.in_quote(m.start, m.end):
                continue
            span = self.sdoc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and len(span):
                out.setdefault(m.local_id, Counter()).update(mention_cues(span))
        return out

    def sentence(self, span: Span) -> Span:
        k = max(0, bisect.bisect_right(self.starts, span.start) - 1)
        return self.sdoc[self.bounds[k][0] : self.bounds[k][1]]

    def in_quote(self, start: int, end: int) -> bool:
        return any(q.start <= start and end <= q.end for q in self.quotes)


def _sides(entities: Sequence[LocalEntity]) -> dict[int, set[int]]:
    """Per entity, its side: itself and the entities sharing its gazetteer key or
    affiliation (a country's ministers and ministries speak and act for it)."""
    out: dict[int, set[int]] = {}
    for e in entities:
        keys = {k for k in (e.key, e.affiliation) if k}
        out[e.local_id] = {o.local_id for o in entities if o.local_id == e.local_id
                           or (keys and (o.key in keys or o.affiliation in keys))}
    return out


def _side_shares(entities: Sequence[LocalEntity], quotes: Sequence[Quote]) -> dict[int, float]:
    """Per entity, the share of the document's quoted characters spoken by its side."""
    total = sum(q.end - q.start for q in quotes)
    if not total:
        return {}
    said: Counter[int] = Counter()
    for q in quotes:
        if q.speaker_local_id is not None:
            said[q.speaker_local_id] += q.end - q.start
    return {lid: sum(said[i] for i in side) / total for lid, side in _sides(entities).items()}


def mention_features(view: DocView, start: int, end: int, local_id: int | None
                     ) -> dict[str, float]:
    """Features of one mention (character span) of entity ``local_id`` in a document."""
    sdoc = view.sdoc
    counts: Counter[str] = Counter()
    if local_id is not None:
        # Only the target side: as a feature, being the source of an event type did not
        # separate the roles in cross-validation (accusers are heroes and villains alike).
        for ev in view.events:
            voice = "o" if ev.asserted_by == "outlet" else "q"
            if ev.target_local_id == local_id:
                counts[f"tgt:{ev.type}"] += 1
                counts[f"tgt{voice}:{ev.type}"] += 1
    for t in view.techniques:
        if t.start <= start and end <= t.end:
            counts["tech:" + t.label] += 1
        if t.sent_start <= start and end <= t.sent_end:
            counts["techsent:" + t.label] += 1
    feats: dict[str, float] = {}
    span = sdoc.char_span(start, end, alignment_mode="expand")
    if span is not None and len(span):
        root = span.root
        head = root.head
        if root.dep_ == "pobj":
            if head.lower_ == "against":
                counts["against"] += 1
            if _valence(head.head) < 0:
                counts["pobj_of_neg"] += 1
        if root.dep_ in _OBJ_DEPS:
            v = _valence(head)
            counts["patient_neg" if v < 0 else "patient_pos" if v > 0 else "patient"] += 1
        if root.dep_ == "nsubj":
            v = _valence(head)
            counts["agent_neg" if v < 0 else "agent_pos" if v > 0 else "agent"] += 1
        inside = range(span.start, span.end)
        for c in root.children:
            if c.dep_ in _MOD_DEPS and c.i not in inside:
                v = _valence(c)
                if v:
                    counts["mod_neg" if v < 0 else "mod_pos"] += 1
        if root.dep_ == "poss":
            v = _valence(head)
            if v:
                counts["poss_neg" if v < 0 else "poss_pos"] += 1
        counts.update(mention_cues(span))
        feats["type:" + (root.ent_type_ or "none")] = 1.0
        feats["_vader"] = vader_scores(view.sentence(span).text)["compound"]
    feats.update({k: min(v, 3) / 3 for k, v in counts.items()})
    feats["_quoted"] = float(view.in_quote(start, end))
    if local_id is not None:
        share = view.side_share.get(local_id, 0.0)
        feats["_side_share"] = share
        if share >= 0.4:
            feats["top_speaker"] = 1.0
        feats.update(_relative_cues(view, local_id))
    return feats


_ENTITY_CUES = ("harm_agent", "harm_patient", "suffer", "help_agent", "helped")


def _relative_cues(view: DocView, local_id: int) -> dict[str, float]:
    """The entity's cues over the whole document compared with the other entities': its
    count of each cue (capped) and its share of the document's cues of that kind."""
    cues = view.entity_cues
    own = cues.get(local_id, Counter())
    kin = Counter[str]()
    for i in view.sides.get(local_id, ()):
        if i != local_id:
            kin.update(cues.get(i, Counter()))
    out: dict[str, float] = {}
    for cue in _ENTITY_CUES:
        total = sum(c.get(cue, 0) for c in cues.values())
        if n := own.get(cue, 0):
            out["ent_" + cue] = min(n, 3) / 3
            out["share_" + cue] = n / total
        if k := kin.get(cue, 0):
            out["side_" + cue] = k / total
    return out


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

    def _cols(self, feats: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        cols = np.fromiter((feature_index(f) % self.n_features for f in feats), np.int64,
                           len(feats))
        return cols, np.fromiter(feats.values(), np.float32, len(feats))

    def predict(self, rows: Sequence[dict[str, float]]
                ) -> tuple[str, float, tuple[str, ...], list[str]]:
        """Main role, its probability, the fine role, and the features that weighed most,
        for an entity whose mentions have the feature dicts ``rows``: the role whose
        scores, averaged over the mentions, are highest, unless :func:`victim` holds."""
        # Sum the weight columns of the (few) active features: no BLAS call, which on a
        # busy machine costs more in thread start-up than the arithmetic itself.
        z = np.zeros(len(self.main_classes), np.float32)
        fz = np.zeros(len(self.fine_classes), np.float32)
        for feats in rows:
            cols, vals = self._cols(feats)
            z += (self.main_coef[:, cols] * vals).sum(axis=1)
            if len(self.fine_classes):
                fz += (self.fine_coef[:, cols] * vals).sum(axis=1)
        n = max(len(rows), 1)
        z = z / n + self.main_icpt
        fz = fz / n + self.fine_icpt
        p = np.exp(z - z.max())
        p /= p.sum()
        k = int(np.argmax(p))
        if victim(rows) and "Innocent" in self.main_classes:
            k = self.main_classes.index("Innocent")
        role = self.main_classes[k]
        fine: tuple[str, ...] = ()
        ok = [i for i, m in enumerate(self.fine_main) if m == role]
        if ok:
            fine = (self.fine_classes[max(ok, key=lambda i: fz[i])],)
        weight: dict[str, float] = {}
        for feats in rows:
            for f, v in feats.items():
                if not f.startswith("_"):
                    w = float(self.main_coef[k, feature_index(f) % self.n_features]) * v
                    weight[f] = weight.get(f, 0.0) + w
        cues = [f for f, c in sorted(weight.items(), key=lambda kv: -kv[1])[:3] if c > 0]
        return role, float(p[k]), fine, cues


_VICTIM_CUES = ("harm_patient", "suffer", "tgt:ASSAULT")
_AGENT_CUES = ("harm_agent", "ent_harm_agent")


def victim(rows: Sequence[dict[str, float]]) -> bool:
    """The decision rule over the model: an entity the text shows suffering harm (the
    target of an assault, the object of a harm verb or noun, the subject of "suffer")
    and never doing harm is Innocent. On the SemEval training part this rule fires on
    27 of 366 items, 15 of them Innocent, where the model alone says Antagonist for
    most: the linear model averages these rare cues away among the entity's mentions."""
    def total(keys: tuple[str, ...]) -> float:
        return sum(r.get(k, 0.0) for r in rows for k in keys)

    return total(_VICTIM_CUES) > 0 and total(_AGENT_CUES) == 0


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


def doc_view(ctx: Context) -> DocView:
    """The :class:`DocView` of a component context (events and techniques from earlier
    components, when they ran)."""
    return DocView(ctx.sdoc, ctx.quotes, tuple(ctx.extras.get("events", ())),
                   tuple(ctx.extras.get("techniques", ())), ctx.entities, ctx.mentions)


def voice_spans(ctx: Context) -> dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """Per entity, its mention spans in the reporting voice and inside quotes."""
    from narrascope.annotate.tone import quote_at

    out: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for m in ctx.mentions:
        rep, quo = out.setdefault(m.local_id, ([], []))
        (quo if quote_at(ctx.quotes, m.start, m.end) else rep).append((m.start, m.end))
    return out


def assign_roles(ctx: Context) -> Iterator[EntityRole]:
    """The role of every actor-like entity of a document (the ``roles`` component)."""
    model = load_model()
    if model is None:
        return
    view: DocView | None = None
    by_entity = voice_spans(ctx)
    for ent in ctx.entities:
        if ent.type not in _ROLE_TYPES or ent.local_id not in by_entity:
            continue
        rep, quo = by_entity[ent.local_id]
        voice, spans = ("reporting", rep) if rep else ("quoted", quo)
        if view is None:
            view = doc_view(ctx)
        lid = ent.local_id
        role, p, fine, cues = model.predict([mention_features(view, s, e, lid) for s, e in spans])
        quoted_role = (model.predict([mention_features(view, s, e, lid) for s, e in quo])[0]
                       if quo else None)
        reason = f"{voice} voice, {len(spans)} mention(s), p={p:.2f}"
        if cues:
            reason += "; cues " + ", ".join(cues)
        yield EntityRole(
            doc_id=ctx.doc.doc_id, local_id=ent.local_id, entity=ent.canonical, role=role,
            confidence=round(p, 4), fine_roles=fine, voice=voice, quoted_role=quoted_role,
            evidence_starts=tuple(s for s, _ in spans), evidence_ends=tuple(e for _, e in spans),
            reason=reason,
        )
