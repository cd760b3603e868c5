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
from dataclasses import dataclass

import numpy as np

from narrascope.store import Store
from narrascope.store.db import _load_extension

K1, B = 1.2, 0.75


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
    actor_sents: dict[str, list[tuple[str, int]]]
    doc_entities: dict[str, list[tuple[int, str | None, str | None]]]  # local, actor, affiliation
    actor_names: dict[str, str]
    doc_mentions: dict[str, list[tuple[int, int]]]  # doc -> (local_id, sent_idx)
    actor_info: dict[str, tuple[str, str | None, str | None]]  # id -> canonical, key, type

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
        actor_sents: dict[str, list[tuple[str, int]]] = defaultdict(list)
        doc_mentions: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for d, loc, si in con.execute("SELECT doc_id, local_id, sent_idx FROM mentions").fetchall():
            doc_mentions[d].append((loc, si))
            a = entity_actor.get((d, loc))
            if a is not None:
                actor_sents[a].append((d, si))
        return cls(vocab, post_docids, post_offsets, doc_len, doc_name, num_docs, avgdl,
                   dict(actor_sents), dict(doc_entities), actor_names, dict(doc_mentions),
                   actor_info)

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
        """Sentences naming the actors: most actors first, then documents BM25 also found."""
        count: dict[tuple[str, int], int] = defaultdict(int)
        for a in actor_ids:
            for key in set(self.actor_sents.get(a, ())):
                count[key] += 1
        by_n: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for key, n in count.items():
            by_n[n].append(key)
        out: list[tuple[str, int]] = []
        for n in sorted(by_n, reverse=True):  # no full sort: a common actor has 10^5 sentences
            bucket = by_n[n]
            out += [s for s in bucket if s[0] in prefer_docs][: k - len(out)]
            if len(out) < k:
                out += [s for s in bucket if s[0] not in prefer_docs][: k - len(out)]
            if len(out) >= k:
                break
        return out

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

    def speaker(self, doc_id: str, local_id: int | None) -> tuple[str | None, str | None]:
        """(actor_id, canonical) of a quote's speaker entity."""
        if local_id is None:
            return None, None
        for loc, a, _ in self.doc_entities.get(doc_id, ()):
            if loc == local_id:
                return a, self.actor_names.get(a) if a else None
        return None, None

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
