"""Retrieval for ``ask``: stored actors, BM25 and sentence embeddings, fused per sentence.

Why hybrid: BM25 finds the sentences that use the question's words; the stored structure
finds the sentences about the question's *actors* whatever words they use ("Baku" for
Azerbaijan, "the Interior Minister" for Darmanin, since mentions are already linked to
corpus actors); sentence embeddings rank both by meaning. The semantic side needs no
index built at analyse time: only the few hundred candidate sentences of one question are
embedded (a BM25 + structure first stage, embedding re-rank second), and their vectors are
kept in the :class:`Retriever`'s cache, so a store of any size costs the same per question.

Tables of later stages (events, ...) are read defensively: a store without them answers
from sentences, mentions and quotes alone.
"""

from __future__ import annotations

import gc
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np

from narrascope.ask.cues import stem, words
from narrascope.ask.index import EVENT_ROWS_SQL, MemoryIndex
from narrascope.store import Store
from narrascope.store.db import _load_extension
from narrascope.store.vectors import claim_vectors_for

LOGGER = logging.getLogger(__name__)
_BM25_SQL = """
WITH tokens AS (
    SELECT DISTINCT stem(unnest(fts_main_sentences.tokenize(?)), 'english') AS t),
q AS (SELECT d.termid, d.df FROM fts_main_sentences.dict d JOIN tokens ON d.term = tokens.t),
tf AS (SELECT t.docid, t.termid, count(*) AS tf FROM fts_main_sentences.terms t
       WHERE t.termid IN (SELECT termid FROM q) GROUP BY ALL),
st AS (SELECT num_docs, avgdl FROM fts_main_sentences.stats)
SELECT docs.name AS sid,
       sum(ln((st.num_docs - q.df + 0.5) / (q.df + 0.5) + 1)
           * tf.tf * 2.2 / (tf.tf + 1.2 * (0.25 + 0.75 * docs.len / st.avgdl))) AS score
FROM tf JOIN q ON q.termid = tf.termid
JOIN fts_main_sentences.docs docs ON docs.docid = tf.docid
CROSS JOIN st
GROUP BY docs.name ORDER BY score DESC, sid LIMIT ?
"""
Encoder = Callable[[Sequence[str]], np.ndarray]
VECTOR_CACHE = 50_000  # cached sentence/question vectors per retriever (~77 MB)
_CAP_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w’'.-]*")


@dataclass(frozen=True, slots=True)
class QuestionActor:
    """An actor the question names, the words that named it, and its gazetteer key."""

    actor_id: str
    canonical: str
    surface: str
    key: str | None = None
    type: str | None = None


@dataclass
class Passage:
    """One candidate sentence with what the answer composer needs to know about it."""

    sid: str
    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    source: str = ""
    outlet: str | None = None
    published: str | None = None
    actors: set[str] = field(default_factory=set)  # question actors named here (or their side)
    quotes: list[dict[str, Any]] = field(default_factory=list)  # quotes overlapping it
    events: list[dict[str, Any]] = field(default_factory=list)  # events told in it
    bm25: float = 0.0
    cos: float = 0.0
    score: float = 0.0
    low: str = ""  # " word word ... ": the lower-cased words, for cue matching
    _stems: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not self.low:
            self.low = " " + " ".join(words(self.text)) + " "

    def stems(self) -> frozenset[str]:
        """The stems of the sentence's words (computed once)."""
        if self._stems is None:
            self._stems = frozenset(stem(w) for w in self.low.split())
        return self._stems


def _tokens(question: str) -> list[str]:
    out = []
    for t in _CAP_RE.findall(question.replace("’", "'")):
        t = t.rstrip(".'")
        if t.lower().endswith("'s"):
            t = t[:-2]
        if t:
            out.append(t)
    return out


def _spans(question: str) -> dict[str, tuple[int, int]]:
    """Candidate name spans of the question (1-4 words), lower-cased, with word positions."""
    toks = _tokens(question)
    has_caps = any(t[0].isupper() for t in toks[1:])
    spans: dict[str, tuple[int, int]] = {}
    for n in range(4, 0, -1):
        for i in range(len(toks) - n + 1):
            span = toks[i : i + n]
            # A span must hold a capitalised word unless the question has none (all lower
            # case): title aliases such as "minister" must not match every question.
            if has_caps and not any(t[0].isupper() for t in span):
                continue
            if all(len(t) < 3 for t in span) or span[0].lower() in _SKIP_FIRST:
                continue
            spans.setdefault(" ".join(span).lower(), (i, i + n))
    return spans


_SKIP_FIRST = frozenset(["what", "who", "when", "why", "how", "is", "are", "was", "were", "do", "does", "did", "can", "could", "would", "the", "a", "an", "and", "of", "in", "on"])


def surface_index(store: Store) -> dict[str, tuple[str, int]]:
    """lower-cased surface -> (actor_id, count): every linked mention's text and every
    actor's canonical name (canonical names win)."""
    out: dict[str, tuple[str, int]] = {}
    for surface, actor_id, n in store.con.execute(
        """SELECT lower(m.text), ea.actor_id, count(*) FROM mentions m
           JOIN entity_actor ea ON ea.doc_id = m.doc_id AND ea.local_id = m.local_id
           GROUP BY ALL ORDER BY ALL"""  # ties go to the first actor id, whatever the storage order
    ).fetchall():
        if surface not in out or n > out[surface][1]:
            out[surface] = (actor_id, n)
    canon: dict[str, tuple[str, int]] = {}
    surnames: dict[str, tuple[str, int]] = {}
    for canonical, actor_id, n, typ in store.con.execute(
        "SELECT lower(canonical), actor_id, coalesce(mention_count, 0), type FROM actors "
        "ORDER BY actor_id").fetchall():
        if canonical not in canon or n > canon[canonical][1]:
            canon[canonical] = (actor_id, n)
        last = canonical.rsplit(" ", 1)[-1]
        # "Minister Firefly": a person is asked about by surname when no mention says so.
        if typ == "PERSON" and last != canonical and len(last) > 2 and (
                last not in surnames or n > surnames[last][1]):
            surnames[last] = (actor_id, n)
    for last, v in surnames.items():
        out.setdefault(last, v)
    out.update(canon)
    return out


def match_actors(store: Store, question: str,
                 index: dict[str, tuple[str, int]] | None = None) -> list[QuestionActor]:
    """Actors the question names, by canonical name, alias or any linked mention's surface,
    longest match first (so "New Caledonia" is not also read as "Caledonia")."""
    spans = _spans(question)
    if not spans:
        return []
    index = index if index is not None else surface_index(store)
    best = {s: index[s] for s in spans if s in index}
    taken: set[int] = set()
    chosen: dict[str, tuple[str, int]] = {}
    for surface in sorted(best, key=lambda s: (-(spans[s][1] - spans[s][0]), spans[s][0])):
        i, j = spans[surface]
        if taken & set(range(i, j)):
            continue
        taken |= set(range(i, j))
        actor_id = best[surface][0]
        if actor_id not in chosen or spans[surface][0] < chosen[actor_id][1]:
            chosen[actor_id] = (surface, spans[surface][0])
    if not chosen:
        return []
    rows = store.query(
        "SELECT actor_id, canonical, key, type FROM actors "
        "WHERE actor_id IN (SELECT unnest(?::VARCHAR[]))", [list(chosen)])
    out = [QuestionActor(r["actor_id"], r["canonical"], chosen[r["actor_id"]][0], r["key"],
                         r["type"]) for r in rows]
    return sorted(out, key=lambda a: chosen[a.actor_id][1])


def usable(text: str, start: int, end: int, body: str | None) -> bool:
    """Whether a sentence can be evidence: inside the article body (not navigation or
    boilerplate) and not itself a question (a question asserts nothing)."""
    t = text.strip()
    if t.endswith("?") or t.count(" ") < 3:
        return False
    ranges = _body_ranges(body) if body else ()
    return not ranges or any(a <= start < b for a, b in ranges)


@lru_cache(maxsize=4096)
def _body_ranges(body: str) -> tuple[tuple[int, int], ...]:
    try:
        return tuple((int(a), int(b)) for a, b in json.loads(body))
    except (ValueError, TypeError):
        return ()


def _marks(values: Sequence[Any]) -> str:
    """``?, ?, ...``: one parameter marker per value."""
    return ", ".join("?" * len(values))



class Retriever:
    """Candidate sentences for a question from one store, scored by words, actors and meaning.

    ``encoder`` maps texts to unit vectors (``narrascope.annotate.embed.encode`` by default);
    pass ``encoder=None`` with ``semantic=False`` to rank without embeddings. Sentence
    vectors are cached by sentence id for the life of the retriever.
    """

    def __init__(self, store: Store, encoder: Encoder | None = None, *, semantic: bool = True,
                 bm25_k: int = 50, structure_k: int = 150, rerank_k: int = 60,
                 rerank_tokens: int = 64, encode_k: int = 4) -> None:
        self.store = store
        self.semantic = semantic
        self._encoder = encoder
        self.bm25_k, self.structure_k, self.rerank_k = bm25_k, structure_k, rerank_k
        self.rerank_tokens, self.encode_k = rerank_tokens, encode_k
        self._claim_vecs: dict[str, np.ndarray] = {}
        # annotate.embed.encoder_id of the loaded default encoder (None when one is given):
        # stored claim vectors of another encoder are not compared with its vectors
        self._encoder_id: str | None = None
        self._stored_ok: bool | None = None
        self._questions: dict[str, np.ndarray] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._has: dict[str, bool] = {}
        self._fts: bool | None = None
        self._surfaces: dict[str, tuple[str, int]] | None = None
        self.memory: MemoryIndex | None = None

    def load_memory_index(self) -> None:
        """Hold the first-stage postings in memory (for many questions on one store)."""
        if self.memory is None:
            self.memory = MemoryIndex.load(self.store)
            # Millions of long-lived index objects would otherwise be rescanned by every
            # full garbage collection, a pause of hundreds of ms in the middle of a question.
            gc.collect()
            gc.freeze()

    # -- pieces -----------------------------------------------------------------------------
    def encoder(self) -> Encoder | None:
        """The re-rank encoder: MiniLM on up to ``rerank_tokens`` tokens per sentence, with
        one ONNX thread per core (ask runs in the main process, not in a pool worker)."""
        if not self.semantic:
            return None
        if self._encoder is None:
            try:
                from narrascope.annotate.embed import all_cores, load_encoder
            except ImportError:  # pragma: no cover - the encoder ships with the package
                self.semantic = False
                return None
            loaded = load_encoder(all_cores(), self.rerank_tokens)
            self._encoder, self._encoder_id = loaded.encode, loaded.model_id
        return self._encoder

    def bm25(self, terms: Sequence[str]) -> list[dict[str, Any]]:
        """BM25 (k1 1.2, b 0.75) over the sentences' FTS index, computed set-wise.

        Why not ``Store.search``: DuckDB's ``match_bm25`` macro is evaluated once per
        sentence, which costs seconds on a store of 10,000 documents; scoring only the
        postings of the question's terms costs milliseconds. Empty when there is no index.
        """
        if not terms or self._fts is False:
            return []
        if self.memory is not None:
            return self.memory.bm25(self.store, " ".join(terms), self.bm25_k)
        try:
            _load_extension(self.store.con, "fts")
            rows = self.store.query(_BM25_SQL, [" ".join(terms), self.bm25_k])
            self._fts = True
        except (duckdb.Error, StopIteration, ModuleNotFoundError) as exc:
            LOGGER.info("ask: BM25 unavailable (%s); using structure and embeddings", exc)
            self._fts = False
            return []
        return [{"sid": r["sid"], "doc_id": r["sid"].rsplit(":", 1)[0], "score": r["score"]}
                for r in rows]

    def surfaces(self) -> dict[str, tuple[str, int]]:
        """The store's surface -> actor index, built on first use and kept."""
        if self._surfaces is None:
            self._surfaces = surface_index(self.store)
        return self._surfaces

    def side_entities(self, actors: Sequence[QuestionActor], docs: Sequence[str]
                      ) -> dict[tuple[str, int], str]:
        """Local entities of ``docs`` on an actor's side: linked to it, or affiliated with
        its gazetteer key (the Azerbaijani president is on Azerbaijan's side)."""
        ids = [a.actor_id for a in actors]
        if self.memory is not None:
            return self.memory.side_entities(ids, {a.key: a.actor_id for a in actors if a.key},
                                             docs)
        out: dict[tuple[str, int], str] = {}
        for r in self.store.query(
            "SELECT doc_id, local_id, actor_id FROM entity_actor "
            "WHERE actor_id IN (SELECT unnest(?::VARCHAR[])) "
            "AND doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids, list(docs)]
        ):
            out[(r["doc_id"], r["local_id"])] = r["actor_id"]
        keys = {a.key: a.actor_id for a in actors if a.key}
        if keys:
            for r in self.store.query(
                "SELECT doc_id, local_id, affiliation FROM local_entities "
                "WHERE affiliation IN (SELECT unnest(?::VARCHAR[])) "
                "AND doc_id IN (SELECT unnest(?::VARCHAR[]))", [list(keys), list(docs)]
            ):
                out.setdefault((r["doc_id"], r["local_id"]), keys[r["affiliation"]])
        return out

    def actor_sentences(self, actors: Sequence[QuestionActor], terms: Sequence[str],
                        prefer_docs: set[str] | None = None) -> list[tuple[str, int]]:
        """Sentences naming the question's actors, most actors first, then most terms."""
        if not actors:
            return []
        ids = [a.actor_id for a in actors]
        if self.memory is not None:
            return self.memory.actor_sentences(ids, self.structure_k, prefer_docs or set())
        stems = [stem(t) for t in terms][:8]
        term_sql = " + ".join(["CASE WHEN contains(lower(s.text), ?) THEN 1 ELSE 0 END"] * len(stems)) or "0"
        rows = self.store.query(
            f"""WITH hits AS (
                   SELECT m.doc_id, m.sent_idx, count(DISTINCT ea.actor_id) AS na
                   FROM mentions m
                   JOIN entity_actor ea ON ea.doc_id = m.doc_id AND ea.local_id = m.local_id
                   WHERE ea.actor_id IN (SELECT unnest(?::VARCHAR[]))
                   GROUP BY 1, 2)
                SELECT h.doc_id, h.sent_idx, h.na, ({term_sql}) AS nt
                FROM hits h JOIN sentences s ON s.doc_id = h.doc_id AND s.idx = h.sent_idx
                ORDER BY h.na DESC, nt DESC, h.doc_id, h.sent_idx LIMIT ?""",
            [ids, *stems, self.structure_k],
        )
        return [(r["doc_id"], r["sent_idx"]) for r in rows]

    def table(self, name: str) -> bool:
        """Whether the store has a non-empty table ``name`` (later stages may not have run)."""
        if name not in self._has:
            self._has[name] = self.store.has_table(name) and self.store.count(name) > 0
        return self._has[name]

    def event_sentences(self, actors: Sequence[QuestionActor]) -> list[tuple[str, int]]:
        if not actors:
            return []
        ids = [a.actor_id for a in actors]
        if self.memory is not None:
            return self.memory.event_sentences(ids, self.structure_k)
        if not self.table("events"):
            return []
        rows = self.store.query(
            """SELECT e.doc_id, e.sent_idx FROM events e
               LEFT JOIN entity_actor s ON s.doc_id = e.doc_id AND s.local_id = e.source_local_id
               LEFT JOIN entity_actor t ON t.doc_id = e.doc_id AND t.local_id = e.target_local_id
               WHERE e.sent_idx IS NOT NULL AND (s.actor_id IN (SELECT unnest(?::VARCHAR[]))
                     OR t.actor_id IN (SELECT unnest(?::VARCHAR[])))
               LIMIT ?""",
            [ids, ids, self.structure_k],
        )
        return [(r["doc_id"], r["sent_idx"]) for r in rows]

    def counterpart(self, x: QuestionActor, exclude: Sequence[str], docs: Sequence[str]
                    ) -> QuestionActor | None:
        """The actor most often named in the same sentence as ``x`` in ``docs``, outside
        ``x``'s own side: the party whose dealings with ``x`` explain what ``x`` does."""
        if not docs:
            return None
        if self.memory is not None:
            cid = self.memory.counterpart(x.actor_id, x.key, set(exclude), docs)
            if cid is None:
                return None
            canonical, key, typ = self.memory.actor_info[cid]
            return QuestionActor(cid, canonical, canonical.lower(), key, typ)
        rows = self.store.query(
            """SELECT e2.actor_id, a.canonical, a.key, a.type, count(*) AS n
               FROM mentions m1
               JOIN entity_actor e1 ON e1.doc_id = m1.doc_id AND e1.local_id = m1.local_id
               JOIN mentions m2 ON m2.doc_id = m1.doc_id AND m2.sent_idx = m1.sent_idx
               JOIN entity_actor e2 ON e2.doc_id = m2.doc_id AND e2.local_id = m2.local_id
               JOIN local_entities le ON le.doc_id = m2.doc_id AND le.local_id = m2.local_id
               JOIN actors a ON a.actor_id = e2.actor_id
               WHERE e1.actor_id = ? AND m1.doc_id IN (SELECT unnest(?::VARCHAR[]))
                 AND e2.actor_id NOT IN (SELECT unnest(?::VARCHAR[]))
                 AND coalesce(le.affiliation, '') <> coalesce(?, '-')
                 AND a.type IN ('GPE', 'ORG', 'PERSON', 'GROUP')
               GROUP BY ALL ORDER BY n DESC, e2.actor_id LIMIT 1""",
            [x.actor_id, list(docs), [x.actor_id, *exclude], x.key],
        )
        if not rows:
            return None
        r = rows[0]
        return QuestionActor(r["actor_id"], r["canonical"], r["canonical"].lower(), r["key"],
                             r["type"])

    # -- assembling passages ----------------------------------------------------------------
    def passages(self, keys: Sequence[tuple[str, int]], actors: Sequence[QuestionActor]
                 ) -> dict[str, Passage]:
        """Sentence rows for ``keys`` with their document metadata, actors, quotes, events."""
        sids = list(dict.fromkeys(f"{d}:{i}" for d, i in keys))
        if not sids:
            return {}
        # ``IN (?, ?, ...)`` rather than ``= ANY(list)``: a literal list is probed in the
        # primary-key index, a list parameter is a hash join over the whole table (7 ms
        # against 45 ms for 200 sentences of a 10,000-document store).
        rows = self.store.query(
            f"""SELECT sid, doc_id, idx, start_char, end_char, text FROM sentences
                WHERE sid IN ({_marks(sids)})""", sids)
        doc_ids = list(dict.fromkeys(r["doc_id"] for r in rows))
        meta = {
            r["doc_id"]: r for r in self.store.query(
                f"""SELECT doc_id, outlet, published, title, body,
                           CASE WHEN coalesce(line, 0) = 0 THEN source
                                ELSE source || ':' || line END AS source
                    FROM documents WHERE doc_id IN ({_marks(doc_ids)})""", doc_ids)
        } if doc_ids else {}
        out = {}
        for r in rows:
            m = meta.get(r["doc_id"])
            if m is None or not usable(r["text"], r["start_char"], r["end_char"], m["body"]):
                continue
            out[r["sid"]] = Passage(r["sid"], r["doc_id"], r["idx"], r["start_char"],
                                    r["end_char"], r["text"], m["source"],
                                    m["outlet"] or m["title"], m["published"])
        if not out:
            return {}
        docs = list(dict.fromkeys(p.doc_id for p in out.values()))
        side = self.side_entities(actors, docs) if actors else {}
        if side and self.memory is not None:
            for d in docs:
                for loc, si in self.memory.doc_mentions.get(d, ()):
                    a = side.get((d, loc))
                    p = out.get(f"{d}:{si}")
                    if a and p is not None:
                        p.actors.add(a)
        elif side:
            for r in self.store.query(
                "SELECT doc_id, local_id, sent_idx FROM mentions "
                "WHERE doc_id IN (SELECT unnest(?::VARCHAR[])) "
                "AND doc_id || ':' || sent_idx IN (SELECT unnest(?::VARCHAR[]))",
                [docs, list(out)]
            ):
                a = side.get((r["doc_id"], r["local_id"]))
                p = out.get(f"{r['doc_id']}:{r['sent_idx']}")
                if a and p is not None:
                    p.actors.add(a)
        by_doc: dict[str, list[Passage]] = {}
        for p in out.values():
            by_doc.setdefault(p.doc_id, []).append(p)
        for r in self._quotes(docs):
            r["side"] = side.get((r["doc_id"], r["speaker_local_id"])) if r["speaker_local_id"] is not None else None
            for p in by_doc.get(r["doc_id"], ()):
                if r["start_char"] < p.end and p.start < r["end_char"]:
                    p.quotes.append(r)
        if self.memory is not None:
            events = self.memory.events(docs)
        elif self.table("events"):
            events = self.store.query(
                EVENT_ROWS_SQL + " WHERE e.doc_id IN (SELECT unnest(?::VARCHAR[]))", [docs])
        else:
            events = []
        if events:
            for r in events:
                p = out.get(f"{r['doc_id']}:{r['sent_idx']}")
                if p is not None:
                    p.events.append(r)
        return out

    def _quotes(self, docs: Sequence[str]) -> list[dict[str, Any]]:
        """Quotes of ``docs`` with their speaker's actor id and canonical name."""
        if self.memory is None:
            return self.store.query(
                """SELECT q.doc_id, q.start_char, q.end_char, q.direct, q.speaker_text,
                          q.speaker_local_id, a.canonical AS speaker, ea.actor_id
                   FROM quotes q
                   LEFT JOIN entity_actor ea
                          ON ea.doc_id = q.doc_id AND ea.local_id = q.speaker_local_id
                   LEFT JOIN actors a ON a.actor_id = ea.actor_id
                   WHERE q.doc_id IN (SELECT unnest(?::VARCHAR[]))""", [list(docs)])
        return self.memory.quotes(docs)

    def retrieve(self, question: str, terms: Sequence[str], actors: Sequence[QuestionActor],
                 *, encode_k: int | None = None, meaning: str | None = None,
                 pool: int | None = None) -> list[Passage]:
        """Candidates for ``question``, best first (``Passage.score`` in [0, 1]).
        ``encode_k``: how many to encode exactly (default: the retriever's); ``meaning``:
        the text candidates are compared with by embedding (default ``question``);
        ``pool``: at most this many candidates (BM25 hits first, then structure)."""
        surfaces = [w for a in actors for w in words(a.surface)]
        hits = self.bm25([*terms, *surfaces])
        keys = [(h["doc_id"], int(h["sid"].rsplit(":", 1)[1])) for h in hits]
        keys += self.actor_sentences(actors, terms, {h["doc_id"] for h in hits})
        keys += self.event_sentences(actors)
        if pool is not None:
            keys = list(dict.fromkeys(keys))[:pool]
        passages = self.passages(keys, actors)
        top = max((h["score"] for h in hits), default=0.0) or 1.0
        for h in hits:
            if h["sid"] in passages:
                passages[h["sid"]].bm25 = float(h["score"]) / top
        stems = {stem(t) for t in terms}
        n_act = max(1, len(actors))
        for p in passages.values():
            term_cov = len(stems & p.stems()) / len(stems) if stems else 0.0
            p.score = 0.4 * p.bm25 + 0.35 * len(p.actors) / n_act + 0.25 * term_cov
        ranked = sorted(passages.values(), key=lambda p: (-p.score, p.sid))
        enc = self.encoder()
        if enc is not None and ranked:
            head = ranked[: self.rerank_k]
            self._rerank(enc, head, meaning or question,
                         self.encode_k if encode_k is None else encode_k)
            ranked = sorted(head, key=lambda p: (-p.score, p.sid)) + ranked[self.rerank_k :]
        return ranked

    def _rerank(self, enc: Encoder, head: Sequence[Passage], question: str,
                encode_k: int) -> None:
        """Mix each passage's cosine to the question into its score.

        Why claim vectors: the claims pass has already embedded every claim (one or more
        per sentence in news), so most candidates' meaning is stored; encoding 60 sentences
        per question instead costs about half a second of CPU here. First a sentence's
        cosine is its best claim's (the mean cosine when it has no claim: neither helped nor
        hurt); then the ``encode_k`` best by that ranking are encoded exactly, so the
        sentences an answer is built from are ranked by their own meaning.
        """
        stored = self.claim_vectors(head)
        qv = self._embed(enc, [], question)
        known = []
        for p in head:
            if p.sid in self._vectors:
                p.cos = float(np.dot(self._vectors[p.sid], qv))
            elif p.sid in stored:
                p.cos = float(np.max(stored[p.sid] @ qv))
            else:
                continue
            known.append(p.cos)
        fill = float(np.mean(known)) if known else 0.0
        for p in head:
            if p.sid not in stored and p.sid not in self._vectors:
                p.cos = fill
        # The best by the approximate cosine are encoded exactly (cached for later questions).
        best = sorted(head, key=lambda p: (-(0.55 * max(0.0, p.cos) + 0.45 * p.score), p.sid))
        exact = [p for p in best if p.sid not in self._vectors][:encode_k]
        if exact:
            self._embed(enc, exact, question)
            for p in exact:
                p.cos = float(np.dot(self._vectors[p.sid], qv))
        for p in head:
            p.score = 0.55 * max(0.0, p.cos) + 0.45 * p.score

    def claim_vectors(self, passages: Sequence[Passage]) -> dict[str, np.ndarray]:
        """sid -> stacked unit vectors of the sentence's claims, for passages that have any
        (``claims`` rows and their ``claim_vectors``; empty when the claims stage is absent)."""
        if not self.table("claims") or not self.table("claim_vectors"):
            return {}
        if self._encoder_id is not None and self._stored_ok is None:
            from narrascope.link.state import vectors_match

            self._stored_ok = vectors_match(self.store, "claim_vectors", self._encoder_id)
            if not self._stored_ok:
                LOGGER.info("ask: the stored claim vectors are of another encoder (re-run "
                            "analyze to embed them again); re-ranking without them")
        if self._stored_ok is False:
            return {}
        from narrascope.link.claims import text_hash

        if self.memory is not None:
            hashes = {p.sid: self.memory.sent_claims.get((p.doc_id, p.idx), ()) for p in passages}
        else:
            docs = list({p.doc_id for p in passages})
            found: dict[str, list[str]] = {}
            for r in self.store.query(
                    f"SELECT doc_id, sent_idx, text FROM claims WHERE doc_id IN ({_marks(docs)})",
                    docs):
                found.setdefault(f"{r['doc_id']}:{r['sent_idx']}", []).append(text_hash(r["text"]))
            hashes = {p.sid: tuple(found.get(p.sid, ())) for p in passages}
        missing = sorted({h for hs in hashes.values() for h in hs} - self._claim_vecs.keys())
        if missing:
            keys, mat = claim_vectors_for(self.store.con, missing)
            self._claim_vecs.update(zip(keys, mat, strict=True))
        out = {}
        for sid, hs in hashes.items():
            vecs = [self._claim_vecs[h] for h in hs if h in self._claim_vecs]
            if vecs:
                out[sid] = np.vstack(vecs)
        return out

    def _embed(self, enc: Encoder, passages: Sequence[Passage], question: str) -> np.ndarray:
        """Embed the passages not cached yet (and the question, cached by text); the
        question's vector."""
        if len(self._vectors) > VECTOR_CACHE or len(self._questions) > VECTOR_CACHE:
            self._vectors.clear()  # a long-running server must not grow without bound
            self._questions.clear()
        todo = [p for p in passages if p.sid not in self._vectors]
        ask_q = question not in self._questions
        texts = [question] if ask_q else []
        if not todo and not ask_q:
            return self._questions[question]
        vecs = enc([*texts, *(p.text for p in todo)])
        if ask_q:
            self._questions[question] = np.asarray(vecs[0], dtype=np.float32)
        for p, v in zip(todo, vecs[len(texts):], strict=True):
            self._vectors[p.sid] = np.asarray(v, dtype=np.float32)
        return self._questions[question]
