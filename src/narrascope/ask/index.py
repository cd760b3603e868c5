"""An in-memory index of the store for answering many questions fast (server, benchmarks).

Why: on a store of 10,000 documents every SQL first stage (BM25 postings, the mentions of
an actor, quote speakers) is a scan of a table with hundreds of thousands of rows, which
costs hundreds of milliseconds on a shared machine. Loading the postings once into numpy
arrays and dicts (a few seconds, tens of MB) makes each question's first stage a matter of
milliseconds. A one-shot ``narrascope ask`` does not build it: the SQL path is cheaper
for a single question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from narrascope.store import Store
from narrascope.store.db import _load_extension

K1, B = 1.2, 0.75
SENT_BITS = 20  # a sentence key is doc_index << SENT_BITS | sentence index


# Events with their source and target resolved to corpus actors (shared with the SQL path).
EVENT_ROWS_SQL = """
SELECT e.doc_id, e.sent_idx, e.type, e.negated, e.asserted_by, e.modality,
       s.actor_id AS source_actor, t.actor_id AS target_actor, e.source_text, e.target_text
FROM events e
LEFT JOIN entity_actor s ON s.doc_id = e.doc_id AND s.local_id = e.source_local_id
LEFT JOIN entity_actor t ON t.doc_id = e.doc_id AND t.local_id = e.target_local_id
"""



@dataclass
class MemoryIndex:
    """BM25 postings of the sentences' FTS index and actor -> sentence postings."""

    vocab: dict[str, tuple[int, int]]  # stemmed term -> (termid, df)
    post_docids: np.ndarray  # FTS docids sorted by termid
    post_offsets: np.ndarray  # termid -> start in post_docids (len = n_terms + 1)
    doc_len: np.ndarray  # FTS docid -> length
    doc_name: list[str]  # FTS docid -> sentence id
    num_docs: int
    avgdl: float
    actor_sents: dict[str, np.ndarray]  # actor -> sorted unique sentence keys
    doc_ids: list[str]  # doc_index -> doc_id
    doc_index: dict[str, int]
    doc_entities: dict[str, list[tuple[int, str | None, str | None]]]  # local, actor, affiliation
    actor_names: dict[str, str]
    doc_mentions: dict[str, list[tuple[int, int]]]  # doc -> (local_id, sent_idx)
    actor_info: dict[str, tuple[str, str | None, str | None]]  # id -> canonical, key, type
    doc_quotes: dict[str, list[tuple[int, int, bool, str | None, int | None]]] = field(
        default_factory=dict)  # doc -> (start, end, direct, speaker_text, speaker_local_id)
    doc_events: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    actor_event_sents: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    sent_claims: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store) -> MemoryIndex:
        con = store.con
        vocab: dict[str, tuple[int, int]] = {}
        post_docids = np.zeros(0, dtype=np.int64)
        post_offsets = np.zeros(1, dtype=np.int64)
        doc_len = np.zeros(0, dtype=np.float64)
        doc_name: list[str] = []
        num_docs, avgdl = 0, 1.0
        try:
            _load_extension(con, "fts")
            vocab = {t: (int(i), int(df)) for i, t, df in con.execute(
                "SELECT termid, term, df FROM fts_main_sentences.dict").fetchall()}
            arr = con.execute("SELECT termid, docid FROM fts_main_sentences.terms").fetchnumpy()
            termid = np.asarray(arr["termid"], dtype=np.int64)
            order = np.argsort(termid, kind="stable")
            post_docids = np.asarray(arr["docid"], dtype=np.int64)[order]
            n_terms = (max(i for i, _ in vocab.values()) + 1) if vocab else 0
            post_offsets = np.searchsorted(termid[order], np.arange(n_terms + 1))
            docs = con.execute("SELECT docid, name, len FROM fts_main_sentences.docs "
                               "ORDER BY docid").fetchall()
            size = (docs[-1][0] + 1) if docs else 0
            doc_len = np.zeros(size, dtype=np.float64)
            doc_name = [""] * size
            for d, name, ln in docs:
                doc_len[d], doc_name[d] = ln, name
            row = con.execute("SELECT num_docs, avgdl FROM fts_main_sentences.stats").fetchone()
            if row:
                num_docs, avgdl = int(row[0]), float(row[1]) or 1.0
        except Exception:  # no FTS index (or extension): BM25 simply finds nothing
            vocab = {}
        entity_actor: dict[tuple[str, int], str] = {}
        doc_entities: dict[str, list[tuple[int, str | None, str | None]]] = defaultdict(list)
        for d, loc, a, aff in con.execute(
            "SELECT le.doc_id, le.local_id, ea.actor_id, le.affiliation FROM local_entities le "
            "LEFT JOIN entity_actor ea ON ea.doc_id = le.doc_id AND ea.local_id = le.local_id"
        ).fetchall():
            doc_entities[d].append((loc, a, aff))
            if a is not None:
                entity_actor[(d, loc)] = a
        actor_info = {a: (c, k, t) for a, c, k, t in con.execute(
            "SELECT actor_id, canonical, key, type FROM actors").fetchall()}
        actor_names = {a: v[0] for a, v in actor_info.items()}
        doc_ids: list[str] = []
        doc_index: dict[str, int] = {}
        sent_lists: dict[str, list[int]] = defaultdict(list)
        doc_mentions: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for d, loc, si in con.execute("SELECT doc_id, local_id, sent_idx FROM mentions").fetchall():
            doc_mentions[d].append((loc, si))
            a = entity_actor.get((d, loc))
            if a is not None and si is not None:
                di = doc_index.get(d)
                if di is None:
                    di = doc_index[d] = len(doc_ids)
                    doc_ids.append(d)
                sent_lists[a].append(di << SENT_BITS | si)
        actor_sents = {a: np.unique(np.asarray(v, dtype=np.int64)) for a, v in sent_lists.items()}
        doc_quotes: dict[str, list[tuple[int, int, bool, str | None, int | None]]] = defaultdict(list)
        for d, s, e, direct, spk, loc in con.execute(
            "SELECT doc_id, start_char, end_char, direct, speaker_text, speaker_local_id FROM quotes"
        ).fetchall():
            doc_quotes[d].append((s, e, direct, spk, loc))
        doc_events: dict[str, list[dict[str, object]]] = defaultdict(list)
        event_sents: dict[str, list[tuple[str, int]]] = defaultdict(list)
        if store.has_table("events"):
            cur = con.execute(EVENT_ROWS_SQL)
            cols = [c[0] for c in cur.description or []]
            for row in cur.fetchall():
                r = dict(zip(cols, row, strict=True))
                doc_events[str(r["doc_id"])].append(r)
                if r["sent_idx"] is not None:
                    for a in {r["source_actor"], r["target_actor"]} - {None}:
                        event_sents[str(a)].append((str(r["doc_id"]), int(r["sent_idx"])))
        sent_claims: dict[tuple[str, int], tuple[str, ...]] = {}
        if store.has_table("claims"):
            from narrascope.link.claims import text_hash

            for d, si, text in con.execute(
                    "SELECT doc_id, sent_idx, text FROM claims WHERE sent_idx IS NOT NULL").fetchall():
                sent_claims[(d, si)] = (*sent_claims.get((d, si), ()), text_hash(text))
        return cls(vocab, post_docids, post_offsets, doc_len, doc_name, num_docs, avgdl,
                   actor_sents, doc_ids, doc_index, dict(doc_entities), actor_names,
                   dict(doc_mentions), actor_info, dict(doc_quotes), dict(doc_events),
                   dict(event_sents), sent_claims)

    def bm25(self, store: Store, text: str, k: int) -> list[dict[str, object]]:
        """Top ``k`` sentences for ``text`` by BM25, tokenised and stemmed as the index was."""
        if not self.vocab or not text.strip():
            return []
        terms = [r[0] for r in store.con.execute(
            "SELECT DISTINCT stem(unnest(fts_main_sentences.tokenize(?)), 'english')", [text]
        ).fetchall()]
        scores = np.zeros(len(self.doc_len), dtype=np.float64)
        for t in terms:
            if t not in self.vocab:
                continue
            tid, df = self.vocab[t]
            post = self.post_docids[self.post_offsets[tid] : self.post_offsets[tid + 1]]
            docs, tf = np.unique(post, return_counts=True)
            idf = np.log((self.num_docs - df + 0.5) / (df + 0.5) + 1)
            norm = K1 * (1 - B + B * self.doc_len[docs] / self.avgdl)
            scores[docs] += idf * tf * (K1 + 1) / (tf + norm)
        hit = np.nonzero(scores)[0]
        if not len(hit):
            return []
        top = hit[np.argsort(-scores[hit], kind="stable")[:k]]
        return [{"sid": self.doc_name[i], "doc_id": self.doc_name[i].rsplit(":", 1)[0],
                 "score": float(scores[i])} for i in top]

    def actor_sentences(self, actor_ids: Sequence[str], k: int, prefer_docs: set[str]
                        ) -> list[tuple[str, int]]:
        """Sentences naming the actors: most actors first, then documents BM25 also found,
        then store order. Vectorised: a common actor is named in 10^5 sentences."""
        arrays = [self.actor_sents[a] for a in dict.fromkeys(actor_ids) if a in self.actor_sents]
        if not arrays:
            return []
        keys, count = np.unique(np.concatenate(arrays), return_counts=True)
        prefer = np.asarray([self.doc_index[d] for d in prefer_docs if d in self.doc_index],
                            dtype=np.int64)
        preferred = np.isin(keys >> SENT_BITS, prefer) if len(prefer) else np.zeros(len(keys), bool)
        order = np.lexsort((keys, ~preferred, -count))[:k]
        mask = (1 << SENT_BITS) - 1
        return [(self.doc_ids[int(key) >> SENT_BITS], int(key) & mask) for key in keys[order]]

    def side_entities(self, actor_ids: Sequence[str], keys: dict[str, str], docs: Sequence[str]
                      ) -> dict[tuple[str, int], str]:
        """Entities of ``docs`` linked to the actors or affiliated with their keys."""
        wanted = set(actor_ids)
        out: dict[tuple[str, int], str] = {}
        for d in docs:
            for loc, a, aff in self.doc_entities.get(d, ()):
                if a in wanted:
                    out[(d, loc)] = a
                elif aff in keys:
                    out[(d, loc)] = keys[aff]
        return out

    def quotes(self, docs: Sequence[str]) -> list[dict[str, object]]:
        """Quotes of ``docs`` with their speaker's actor id and canonical name."""
        out: list[dict[str, object]] = []
        for d in docs:
            linked = {loc: a for loc, a, _ in self.doc_entities.get(d, ())}
            for s, e, direct, spk, loc in self.doc_quotes.get(d, ()):
                actor_id = linked.get(loc) if loc is not None else None
                name = self.actor_names.get(actor_id) if actor_id else None
                out.append({"doc_id": d, "start_char": s, "end_char": e, "direct": direct,
                            "speaker_text": spk, "speaker_local_id": loc, "actor_id": actor_id,
                            "speaker": name})
        return out

    def event_sentences(self, actor_ids: Sequence[str], k: int) -> list[tuple[str, int]]:
        """Sentences of events whose source or target is one of the actors (store order)."""
        out: list[tuple[str, int]] = []
        for a in actor_ids:
            out += self.actor_event_sents.get(a, ())[: k - len(out)]
            if len(out) >= k:
                break
        return out

    def events(self, docs: Sequence[str]) -> list[dict[str, object]]:
        """Events of ``docs`` (rows of :data:`EVENT_ROWS_SQL`)."""
        return [dict(r) for d in docs for r in self.doc_events.get(d, ())]

    def counterpart(self, actor_id: str, key: str | None, exclude: set[str],
                    docs: Sequence[str]) -> str | None:
        """The actor most often named in a sentence with ``actor_id`` in ``docs``, outside
        its side (see ``Retriever.counterpart``)."""
        count: dict[str, int] = defaultdict(int)
        for d in docs:
            ents = {loc: (a, aff) for loc, a, aff in self.doc_entities.get(d, ())}
            by_sent: dict[int, set[int]] = defaultdict(set)
            for loc, si in self.doc_mentions.get(d, ()):
                by_sent[si].add(loc)
            for locs in by_sent.values():
                actors = {ents.get(loc, (None, None))[0] for loc in locs}
                if actor_id not in actors:
                    continue
                for loc in locs:
                    a, aff = ents.get(loc, (None, None))
                    info = self.actor_info.get(a) if a else None
                    if (a is None or info is None or a in exclude or a == actor_id
                            or (key and aff == key)
                            or info[2] not in ("GPE", "ORG", "PERSON", "GROUP")):
                        continue
                    count[a] += 1
        return max(sorted(count), key=lambda a: count[a]) if count else None
