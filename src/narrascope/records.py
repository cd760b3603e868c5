"""Typed records shared by every pipeline stage.

Every record is a frozen, slotted dataclass. Anything that is a *finding* carries
character offsets into ``Document.text`` (the text exactly as decoded from the
source), so it can always be traced back to its evidence.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

T = TypeVar("T")

MentionKind = Literal["NAME", "TITLE", "PRON", "DEMONYM", "ACRONYM", "CAPITAL", "NOMINAL"]
ActorType = Literal["PERSON", "ORG", "GPE", "NORP", "GROUP", "OTHER"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A character span ``[start, end)`` of one document."""

    doc_id: str
    start: int
    end: int

    def overlaps(self, other: Evidence) -> bool:
        return self.doc_id == other.doc_id and self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Document:
    """One article as ingested. ``text`` is never rewritten after ingest: all spans index it.

    ``body`` lists the ``[start, end)`` ranges of ``text`` that are article content;
    boilerplate (bylines, "Read also", navigation) lies outside them. An empty tuple
    means the whole text is content.
    """

    doc_id: str
    source: str
    text: str
    line: int | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    published_precision: Literal["day", "month", "year"] | None = None
    author: str | None = None
    encoding: str = "utf-8"
    body: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = ()

    def body_ranges(self) -> tuple[tuple[int, int], ...]:
        return self.body or ((0, len(self.text)),)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be turned into a Document, and why."""

    source: str
    code: str
    detail: str
    line: int | None = None

    def message(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: [{self.code}] {self.detail}"


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    idx: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A span naming an actor. ``local_id`` groups the mentions of one actor within a document."""

    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    kind: MentionKind
    type: ActorType
    local_id: int
    sent_idx: int


@dataclass(frozen=True, slots=True)
class LocalEntity:
    """All mentions of one actor inside one document, with the evidence for linking it across documents.

    ``key`` is a stable gazetteer key where one applies (``country:AZ``), else None.
    ``names`` are the name strings seen (longest first); ``titles`` the role phrases
    ("interior minister") attached to it.
    """

    doc_id: str
    local_id: int
    canonical: str
    type: ActorType
    key: str | None = None
    names: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Something an actor said, directly (in quotation marks) or reported."""

    doc_id: str
    idx: int
    start: int
    end: int
    direct: bool
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    speaker_text: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_local_id: int | None = None
    sent_start: int = 0
    sent_end: int = 0
    confidence: float = 1.0

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.doc_id, self.start, self.end)


@dataclass(frozen=True, slots=True)
class DocAnnotation:
    """Everything the per-document stage found in one document."""

    doc: Document
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    entities: tuple[LocalEntity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    words: int = 0
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Actor:
    """A corpus-wide actor, the result of linking local entities across documents."""

    actor_id: str
    canonical: str
    type: ActorType
    key: str | None = None
    aliases: tuple[str, ...] = ()
    mention_count: int = 0


def as_dict(record: Any) -> dict[str, Any]:
    """Plain-dict form of any record (tuples stay tuples of plain values)."""
    return dataclasses.asdict(record)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build a record from ``as_dict`` output, ignoring unknown keys."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {}
    for k, v in data.items():
        if k in names:
            kwargs[k] = tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
    return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression and the date it resolves to against the publication date.

    ``value`` is an ISO prefix as precise as the text allows (``2024-04-29``, ``2024-04``,
    ``2024``, ``202`` for a decade) and ``precision`` says which (day, week, month,
    season, year, decade); ``approximate`` marks "mid-April", "early 2023", durations.
    ``kind`` is date, duration ("for weeks": ``duration`` ``PW``), since or recent.
    When the expression cannot be resolved, ``value`` is None and ``reason`` says why
    (e.g. "article has no publication date").
    """

    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    value: str | None = None
    precision: str | None = None
    approximate: bool = False
    kind: str = "date"
    duration: str | None = None
    reason: str | None = None
    sent_idx: int | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A numeric claim: ``value`` of ``unit`` (normalised: deaths, injured, percent, USD...).

    ``what`` is the lemma phrase counted as written ("kill people", "death"); ``date`` the
    time the figure holds for (its sentence's time expression, else publication).
    ``quote_idx`` is set when the figure is said inside a quote (then it is the speaker's).
    """

    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    value: float
    unit: str
    what: str
    kind: str = "count"
    qualifier: str | None = None
    approximate: bool = False
    date: str | None = None
    date_precision: str | None = None
    time_idx: int | None = None
    sent_idx: int | None = None
    quote_idx: int | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A move one actor makes towards another (PLOVER-style ``type``), with its evidence.

    ``start``/``end`` span the clause; ``trigger_*`` the verb or noun that names the move.
    Source and target are mentions of this document (``*_local_id`` groups them, the link
    pass maps them to corpus actors). ``negated``/``modality`` ("did not accuse", "would
    support", "pledged to") qualify it; ``asserted_by`` is "outlet", or "speaker" when the
    event is told inside a quote (``quote_idx``, ``asserter_local_id``). ``date`` comes
    from the time expression ``time_idx`` of its clause or sentence, or from publication
    (``date_source`` says which), or is None.
    """

    doc_id: str
    idx: int
    start: int
    end: int
    type: str
    trigger: str
    trigger_start: int
    trigger_end: int
    lemma: str
    source_text: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    source_local_id: int | None = None
    target_text: str | None = None
    target_start: int | None = None
    target_end: int | None = None
    target_local_id: int | None = None
    location_text: str | None = None
    location_start: int | None = None
    location_end: int | None = None
    negated: bool = False
    modality: str = "asserted"
    asserted_by: str = "outlet"
    asserter_local_id: int | None = None
    quote_idx: int | None = None
    date: str | None = None
    date_precision: str | None = None
    date_approximate: bool = False
    date_source: str | None = None
    time_idx: int | None = None
    sent_idx: int | None = None
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Technique:
    """A persuasion technique (SemEval-2023 Task 3 label) found on a span of one document.

    ``start``/``end`` is the narrowest span the detector could point at (a loaded phrase,
    a label applied to an actor) inside the sentence ``sent_start``/``sent_end``; ``quoted``
    says it lies inside quotation marks, i.e. in a quoted voice rather than the outlet's.
    """

    doc_id: str
    idx: int
    start: int
    end: int
    label: str
    confidence: float = 0.0
    reason: str = ""
    sent_start: int = 0
    sent_end: int = 0
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class EntityRole:
    """The role (SemEval-2025 Task 10) a document gives one of its entities.

    ``role`` is Protagonist / Antagonist / Innocent, judged from the ``voice`` named
    ("reporting": the outlet's own sentences; "quoted": only quotes mention the entity).
    ``quoted_role`` is what the quoted voices alone cast it as, kept apart so that an outlet
    quoting an accusation is not taken to make it. Evidence: the mention spans used.
    """

    doc_id: str
    local_id: int
    entity: str
    role: str
    confidence: float = 0.0
    fine_roles: tuple[str, ...] = ()
    voice: str = "reporting"
    quoted_role: str | None = None
    evidence_starts: tuple[int, ...] = ()
    evidence_ends: tuple[int, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ActorTone:
    """Sentence-level sentiment towards one entity of a document, in one voice.

    ``voice`` is "reporting" (sentences outside quotes) or "quoted"; ``mean`` is the mean
    VADER compound score of the sentences mentioning the entity in that voice, and
    ``start``/``end`` the most strongly charged of them (the evidence to show).
    """

    doc_id: str
    local_id: int
    entity: str
    voice: str
    sentences: int
    mean: float
    negative: int = 0
    positive: int = 0
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class Citation:
    """A stored span an answer rests on: ``doc`` is the source key (file name, ``file:line``)."""

    id: int
    doc_id: str
    doc: str
    start: int
    end: int
    text: str
    outlet: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerSentence:
    """One sentence of an answer and the ids of the citations it rests on (never empty)."""

    text: str
    citations: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    """What ``narrascope ask`` returns: the question's shape, cited sentences, the citations."""

    question: str
    shape: str
    sentences: tuple[AnswerSentence, ...] = ()
    citations: tuple[Citation, ...] = ()
    actors: tuple[str, ...] = ()
    backend: str = "composed"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form: question, shape, answer sentences, citations."""
        return {
            "question": self.question,
            "shape": self.shape,
            "answer": [{"text": s.text, "citations": list(s.citations)} for s in self.sentences],
            "citations": [
                {"id": c.id, "doc": c.doc, "doc_id": c.doc_id, "outlet": c.outlet,
                 "published": c.published, "start": c.start, "end": c.end, "text": c.text}
                for c in self.citations
            ],
            "actors": list(self.actors),
            "backend": self.backend,
        }


@dataclass(frozen=True, slots=True)
class Claim:
    """A check-worthy statement: a clause asserting a fact, a number or an accusation.

    ``asserted_by`` is "outlet" (the outlet's own voice) or "speaker" (inside quote
    ``quote_idx``, said by local actor ``asserter_local_id``). ``subject_local_ids`` /
    ``object_local_ids`` are the actors the clause's subject and objects name,
    ``about_local_ids`` every actor mentioned in it. ``polarity`` is -1 when the clause is
    negated or denied, ``hedged`` when it is only alleged ("allegedly", "accused of").
    ``predicate`` is the lemma of the clause's head; ``lemmas`` its content lemmas (for
    lexical overlap across outlets); ``event_idxs`` / ``quantity_idxs`` link to the
    events and quantities of the same document found inside the span.
    """

    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    predicate: str
    kind: str = "assertion"
    sent_idx: int | None = None
    head_start: int = 0
    head_end: int = 0
    polarity: int = 1
    negated: bool = False
    hedged: bool = False
    asserted_by: str = "outlet"
    quote_idx: int | None = None
    asserter_local_id: int | None = None
    subject_local_ids: tuple[int, ...] = ()
    object_local_ids: tuple[int, ...] = ()
    about_local_ids: tuple[int, ...] = ()
    event_idxs: tuple[int, ...] = ()
    quantity_idxs: tuple[int, ...] = ()
    lemmas: tuple[str, ...] = ()
    checkworthy: float = 0.0
    subject_text: str | None = None
