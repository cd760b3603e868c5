"""Compose an answer from retrieved passages, one shape at a time, every sentence cited.

Why templates and not free text: without a language model, the only sentences narrascope
can stand behind are the sources' own. So every answer sentence either quotes a stored
sentence and names who tells it ("Atlas News (2024-05-16) reports: “…”"), or sums up the
cited passages in a frame that attributes rather than asserts ("the claim is attributed,
not established: ..."). A contested claim is therefore never stated in the answer's own
voice; the ``must_not`` check of ``narrascope eval`` tests exactly that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from narrascope.ask.cues import (
    ACCUSATION,
    ATTRIBUTION,
    DENIAL,
    EVIDENCE,
    MOTIVE,
    RELATION,
    UNSUPPORTED,
    cue_count,
    has_cue,
    stem,
    words,
)
from narrascope.ask.retrieve import Passage, QuestionActor
from narrascope.ask.shapes import QuestionShape
from narrascope.records import AnswerSentence, Citation

EXCERPT_CHARS = 280
_NESTED = str.maketrans({"“": "‘", "”": "’", '"': "'", "«": "‘", "»": "’"})


@dataclass
class Draft:
    """An answer being built: sentences and the citations they point to."""

    sentences: list[AnswerSentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    _by_sid: dict[str, int] = field(default_factory=dict)

    def cite(self, p: Passage) -> int:
        if p.sid not in self._by_sid:
            cid = len(self.citations) + 1
            self.citations.append(Citation(cid, p.doc_id, p.source, p.start, p.end, p.text,
                                           p.outlet, p.published))
            self._by_sid[p.sid] = cid
        return self._by_sid[p.sid]

    def say(self, text: str, passages: Sequence[Passage]) -> None:
        ids = tuple(dict.fromkeys(self.cite(p) for p in passages))
        if ids:  # a sentence with nothing to cite is never emitted
            self.sentences.append(AnswerSentence(text, ids))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The sentence as quoted in an answer: one line, nested quotes as single quotes, cut at
    a word boundary when long."""
    t = " ".join(text.split()).translate(_NESTED)
    if len(t) <= limit:
        return t
    cut = t[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def source_label(p: Passage) -> str:
    who = p.outlet or p.source or "an unnamed source"
    return f"{who} ({p.published or 'undated'})"


def speaker_of(p: Passage) -> str | None:
    """The speaker of a quote covering most of the passage, if the store resolved one."""
    span = max(1, p.end - p.start)
    for q in p.quotes:
        if not q.get("direct"):
            continue  # reported speech is the outlet's sentence: the outlet "reports" it
        cover = min(q["end_char"], p.end) - max(q["start_char"], p.start)
        if cover / span >= 0.5:
            named = q.get("speaker_text") or ""
            # The sentence's own words for the speaker ("a French intelligence official")
            # unless they are a pronoun; then the resolved actor.
            if len(words(named)) >= 2 or (named[:1].isupper() and len(named) > 3):
                return str(named)
            return q.get("speaker") or named or None
    return None


def reported(p: Passage, verb: str = "reports") -> str:
    """A passage in its source's voice: quoted, with the outlet (and speaker) named."""
    speaker = speaker_of(p)
    if speaker:
        return f"{source_label(p)} quotes {speaker}: “{excerpt(p.text)}”"
    return f"{source_label(p)} {verb}: “{excerpt(p.text)}”"


def pick(passages: Sequence[Passage], n: int, *, per_doc: int = 2,
         used: set[str] | None = None) -> list[Passage]:
    """The ``n`` best passages, at most ``per_doc`` from one document (more sides, not more
    of one article), skipping those already used."""
    used = used if used is not None else set()
    out: list[Passage] = []
    count: dict[str, int] = {}
    for p in passages:
        if p.sid in used or count.get(p.doc_id, 0) >= per_doc:
            continue
        out.append(p)
        used.add(p.sid)
        count[p.doc_id] = count.get(p.doc_id, 0) + 1
        if len(out) >= n:
            break
    return out


def _claim_stems(shape: QuestionShape, actors: Sequence[QuestionActor]) -> set[str]:
    actor_words = {stem(w) for a in actors for w in words(a.surface) + words(a.canonical)}
    asserter = {stem(w) for w in words(shape.asserter_phrase or "")}
    return {stem(t) for t in shape.terms} - actor_words - asserter


def _mentions_claim(p: Passage, stems: set[str], claim_actor: str | None) -> bool:
    if stems & p.stems():
        return True
    if claim_actor and claim_actor in p.actors:
        return any(e.get("target_actor") == claim_actor for e in p.events) or has_cue(
            p.text, ACCUSATION)
    return False


def compose_proof(d: Draft, shape: QuestionShape, actors: Sequence[QuestionActor],
                  ranked: Sequence[Passage], n: int) -> None:
    """Who asserts the claim, on what, who denies it; then say it is attributed, not shown."""
    stems = _claim_stems(shape, actors)
    asserter_words = {w for w in words(shape.asserter_phrase or "") if len(w) > 2}
    # The claim is about the actor the question does not name as its asserter.
    claim_actor = next((a.actor_id for a in actors
                        if not set(words(a.surface)) & asserter_words), None)
    about = [p for p in ranked if _mentions_claim(p, stems, claim_actor)]
    # Denials and signs offered may name the accused party without repeating the claim.
    about_ids = {p.sid for p in about}
    near = [p for p in ranked if p.sid in about_ids or (claim_actor and claim_actor in p.actors)]
    denials = [p for p in near if has_cue(p.low, DENIAL) or any(
        e.get("type") == "REJECT" for e in p.events)]
    unsupported = [p for p in about if has_cue(p.low, UNSUPPORTED)]
    den = {p.sid for p in denials}
    assertions = [p for p in about if p.sid not in den and (
        has_cue(p.low, ACCUSATION) or has_cue(p.low, ATTRIBUTION))]
    assertions.sort(key=lambda p: (-(bool(asserter_words & set(p.low.split()))), -p.score))
    evidence = [p for p in near if p.sid not in den and has_cue(p.low, EVIDENCE)
                and not has_cue(p.low, UNSUPPORTED)]
    used: set[str] = set()
    a_sel = pick(unsupported, 1, used=used) + pick(assertions, max(1, n // 3), used=used)
    for p in a_sel:
        verb = "reports the claim, made without support offered" if p in unsupported else \
            "reports the claim"
        d.say(reported(p, verb), [p])
    e_sel = pick(evidence, max(1, n // 3), used=used)
    for p in e_sel:
        d.say(reported(p, "reports what is offered as a sign of it"), [p])
    r_sel = pick(denials, 2, used=used)
    for p in r_sel:
        d.say(reported(p, "reports a denial"), [p])
    if not (a_sel or e_sel or r_sel):
        compose_general(d, shape, actors, ranked, n)
        return
    parts = []
    if a_sel:
        parts.append(f"it is asserted in {len(a_sel)} of the cited passages")
    if unsupported:
        parts.append("at least one report says it was made without supporting information")
    if e_sel:
        parts.append(f"{len(e_sel)} report what their sources present as signs of it, "
                     "which the corpus does not verify")
    if r_sel:
        parts.append(f"{len(r_sel)} report that it is denied")
    d.say("On these sources the claim is attributed, not established: " + "; ".join(parts) + ".",
          a_sel + e_sel + r_sel)


def compose_relationship(d: Draft, shape: QuestionShape, actors: Sequence[QuestionActor],
                         ranked: Sequence[Passage], n: int) -> None:
    """Passages naming the actors together: concrete ties (agreements, visits, support)
    first, then what the sides accuse each other of or deny, each in its source's words."""
    ids = {a.actor_id for a in actors}
    need = min(2, len(ids))
    both = [p for p in ranked if len(p.actors & ids) >= need] or list(ranked)
    contested = [p for p in both if has_cue(p.low, ACCUSATION) or has_cue(p.low, DENIAL)]
    disputed = {p.sid for p in contested}
    ties = [p for p in both if p.sid not in disputed]
    ties.sort(key=lambda p: -(p.score + 0.06 * min(3, cue_count(p.low, RELATION))
                              + 0.03 * min(2, len(p.events))))
    used: set[str] = set()
    sel_ties = pick(ties, max(1, n - 2), used=used)
    sel_cont = pick(contested, n - len(sel_ties), used=used)
    names = " and ".join(a.canonical for a in actors[:2]) or "the actors asked about"
    if sel_ties:
        d.say(f"Sources report these ties between {names}, each given in its source's words.",
              sel_ties[:3])
    for p in sel_ties:
        d.say(reported(p), [p])
    if sel_cont:
        d.say("The relationship is also the subject of accusations and denials, attributed "
              "to those who make them.", sel_cont[:2])
    for p in sel_cont:
        d.say(reported(p), [p])


def compose_motive(d: Draft, shape: QuestionShape, actors: Sequence[QuestionActor],
                   ranked: Sequence[Passage], n: int,
                   counterpart: QuestionActor | None = None) -> None:
    """What the actor's side says of its aims, and the grievances and rivalries sources tell
    (its dealings with ``counterpart``, the party it is most often named with)."""
    if not actors:
        compose_general(d, shape, actors, ranked, n)
        return
    x = actors[0]
    c = counterpart.actor_id if counterpart else None

    def weight(p: Passage) -> float:
        # Motive lies in the actor's dealings with its counterpart, not in the act asked about.
        return 0.5 * p.score + 0.06 * min(4, cue_count(p.low, MOTIVE)) + (
            0.2 if c and c in p.actors else 0.0)

    # The actor's own side explaining itself (a denial explains nothing).
    own = [p for p in ranked if has_cue(p.low, MOTIVE) and not has_cue(p.low, DENIAL) and any(
        q.get("side") == x.actor_id or q.get("actor_id") == x.actor_id for q in p.quotes)]
    own.sort(key=lambda p: -weight(p))
    context = [p for p in ranked if x.actor_id in p.actors and has_cue(p.low, MOTIVE)]
    context.sort(key=lambda p: -weight(p))
    used: set[str] = set()
    sel_own = pick(own, max(1, n // 2), used=used)
    sel_ctx = pick(context, n - len(sel_own), used=used)
    for p in sel_own:
        d.say(reported(p), [p])
    for p in sel_ctx:
        d.say(reported(p), [p])
    if not (sel_own or sel_ctx):
        compose_general(d, shape, actors, ranked, n)
        return
    d.say(f"These passages give {x.canonical}'s reasons and grievances as each source tells "
          "them; they are the sources' accounts, not an established motive.",
          (sel_own + sel_ctx)[:3])


def compose_said(d: Draft, shape: QuestionShape, actors: Sequence[QuestionActor],
                 ranked: Sequence[Passage], n: int) -> None:
    """Quotes by the actor (or its side), best matching the question first."""
    ids = {a.actor_id for a in actors}
    said = [p for p in ranked if any(q.get("actor_id") in ids or q.get("side") in ids
                                     for q in p.quotes)]
    if not said:
        compose_general(d, shape, actors, ranked, n)
        return
    for p in pick(said, n):
        d.say(reported(p), [p])


def compose_when(d: Draft, shape: QuestionShape, actors: Sequence[QuestionActor],
                 ranked: Sequence[Passage], n: int) -> None:
    """Passages that carry a date or time expression first, each with its source's date."""
    timed = [p for p in ranked if any(ch.isdigit() for ch in p.text) or any(
        e.get("type") for e in p.events)]
    sel = pick(timed or list(ranked), n)
    for p in sel:
        d.say(reported(p), [p])


def compose_who(d: Draft, shape: QuestionShape, actors: Sequence[QuestionActor],
                ranked: Sequence[Passage], n: int) -> None:
    """How sources name and describe the actor."""
    if not actors:
        compose_general(d, shape, actors, ranked, n)
        return
    x = actors[0]
    about = [p for p in ranked if x.actor_id in p.actors]
    sel = pick(about or list(ranked), n)
    if sel:
        d.say(f"Sources describe {x.canonical} as follows.", sel[:2])
    for p in sel:
        d.say(reported(p), [p])


def compose_general(d: Draft, shape: QuestionShape, actors: Sequence[QuestionActor],
                    ranked: Sequence[Passage], n: int) -> None:
    for p in pick(ranked, n):
        d.say(reported(p), [p])


COMPOSERS: dict[str, Callable[..., None]] = {
    "proof": compose_proof,
    "relationship": compose_relationship,
    "motive": compose_motive,
    "said": compose_said,
    "when": compose_when,
    "who": compose_who,
    "general": compose_general,
}


def compose(shape: QuestionShape, actors: Sequence[QuestionActor], ranked: Sequence[Passage],
            n: int = 6, counterpart: QuestionActor | None = None) -> Draft:
    """The composed answer for ``shape`` from ``ranked`` passages (best first)."""
    d = Draft()
    if shape.shape == "motive":
        compose_motive(d, shape, actors, ranked, n, counterpart)
    else:
        COMPOSERS.get(shape.shape, compose_general)(d, shape, actors, ranked, n)
    return d
