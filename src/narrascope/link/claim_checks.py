"""Verbatim reuse and contradictions between the claims of different outlets.

Reuse: every sentence of every document becomes a MinHash of its word 3-shingles (cached
in ``sentence_minhash``, so a re-run hashes only new sentences); LSH banding proposes
sentence pairs of different documents that share many shingles (cost grows with the
number of sentences, not their pairs), and ``difflib.SequenceMatcher`` on the two token
sequences gives the exact copied span. The band keys and the aligned pairs are kept in the
store (``sentence_lsh``, ``reuse_edges``), so a re-run looks up and aligns only the pairs
that involve a new sentence; the passages are then grouped over all stored pairs.
Connected passages form a reuse group; the earliest published document is the likely
origin, later ones are ranked copies.

Contradictions, without an NLI model, from signals we can point at:
- numeric: the same unit (deaths, injured...) in the same story with different values;
  ``explained_by_time`` when the later report has the higher count of a total that only
  grows (a rising death toll), so neither figure is called false;
- polarity: the same event type by the same actor asserted in one outlet and negated,
  denied or called an allegation in another;
- antonyms: claims about a shared actor or close in meaning that use opposite words of a
  general lexicon (voluntarily / forced, declare / lift);
- parties: the same kind of event (same predicate and type) told with one party shared
  and the other different.
Each flagged pair keeps a score and the reasons it was flagged.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from datasketch import MinHash, MinHashLSH

from narrascope.link.claim_lexicon import (
    GENERIC_UNITS,
    VAGUE_NUMBERS,
    antonym_hit,
    cumulative,
)
from narrascope.link.claims import (
    ACCEPT,
    LEXICAL_MIN,
    ClaimRow,
    candidate_pairs,
    lexical_overlap,
    story_blocks,
)
from narrascope.link.state import is_current, remember
from narrascope.store import Store

_WORD = re.compile(r"\w+")
SHINGLE = 3
NUM_PERM = 64
LSH_THRESHOLD = 0.3
MIN_SENT_TOKENS = 8
SEED = 7
PARAMS = f"shingle={SHINGLE},perm={NUM_PERM},seed={SEED},min={MIN_SENT_TOKENS}"
MIN_ALIGNED = 8      # tokens in aligned blocks for a passage to count as copied
MIN_BLOCK = 3        # shorter matching blocks are coincidence ("of the", "in New")
MIN_SHARE = 0.5      # share of the shorter sentence that must be aligned
RELATED = 0.35       # cosine for two claims to be "about the same thing" (contradiction)


def _tokens(text: str, base: int) -> tuple[list[str], list[tuple[int, int]]]:
    toks, spans = [], []
    for m in _WORD.finditer(text):
        toks.append(m.group().lower())
        spans.append((base + m.start(), base + m.end()))
    return toks, spans


def update_sentence_signatures(store: Store) -> None:
    """Bring ``sentence_minhash`` up to date with the sentences: drop the rows of sentences
    gone (or hashed with other parameters) and hash the sentences not seen before, the
    documents ``_HASH_DOCS`` at a time (memory follows the chunk, not the corpus)."""
    con = store.con
    con.execute(
        """DELETE FROM sentence_minhash m WHERE m.params <> ? OR NOT EXISTS (
               SELECT 1 FROM sentences s WHERE s.doc_id = m.doc_id
               AND s.start_char = m.start_char AND s.end_char = m.end_char)""", [PARAMS])
    docs = [r[0] for r in con.execute(
        """SELECT DISTINCT s.doc_id FROM sentences s
           ANTI JOIN sentence_minhash m ON m.doc_id = s.doc_id
                AND m.start_char = s.start_char AND m.end_char = s.end_char
           ORDER BY s.doc_id""").fetchall()]
    if not docs:
        return
    for c0 in range(0, len(docs), _HASH_DOCS):
        chunk = docs[c0:c0 + _HASH_DOCS]
        todo = store.query(
            """SELECT s.doc_id, s.start_char, s.end_char FROM sentences s
               ANTI JOIN sentence_minhash m ON m.doc_id = s.doc_id
                    AND m.start_char = s.start_char AND m.end_char = s.end_char
               WHERE s.doc_id = ANY(?::VARCHAR[])
               ORDER BY s.doc_id, s.start_char""", [chunk])
        texts = _texts(store, set(chunk))
        sets: list[list[bytes] | None] = []
        for r in todo:
            toks, _ = _tokens(texts[r["doc_id"]][r["start_char"]:r["end_char"]], 0)
            sets.append(None if len(toks) < MIN_SENT_TOKENS else list(
                {" ".join(toks[i:i + SHINGLE]).encode() for i in range(len(toks) - SHINGLE + 1)}))
        sigs: list[bytes | None] = [None] * len(sets)
        hashed = [i for i, x in enumerate(sets) if x is not None]
        for b0 in range(0, len(hashed), _SIG_BATCH):
            part = hashed[b0:b0 + _SIG_BATCH]
            for i, sig in zip(part, signatures([sets[i] or [] for i in part]), strict=True):
                sigs[i] = sig.astype("<u4").tobytes()
        store.insert_arrow("sentence_minhash", pa.table({
            "doc_id": [r["doc_id"] for r in todo],
            "start_char": pa.array([r["start_char"] for r in todo], pa.int32()),
            "end_char": pa.array([r["end_char"] for r in todo], pa.int32()),
            "params": [PARAMS] * len(todo),
            "sig": pa.array(sigs, pa.binary())}))


_HASH_DOCS = 500  # documents whose sentences are hashed at once
_SIG_BATCH = 2_000  # sentences whose shingles are permuted at once (~13 MB of uint32)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED)


def signatures(sets: Sequence[Sequence[bytes]]) -> np.ndarray:
    """The MinHash signature (``NUM_PERM`` values) of each set of shingles (none empty), as
    ``MinHash(num_perm=NUM_PERM, seed=SEED)`` and ``update_batch`` compute it, for many
    sets at once: one array of every shingle's permuted hashes and a minimum per set
    (``np.minimum.reduceat``) instead of a MinHash object and its small arrays per
    sentence, which were most of the cost of hashing a corpus's sentences. The steps are
    datasketch's (its hash function, input conversion, the finalizer of its scheme and the
    permutations), so the values are the same bit for bit
    (``tests/link/test_reuse_index.py`` compares them with MinHash's own)."""
    from datasketch.minhash import _SCHEME_WIDTHS, _fmix

    if not sets:
        return np.zeros((0, NUM_PERM), np.uint32)
    t = _template()
    hv = t._hash_input_array([t.hashfunc(x) for s in sets for x in s]).reshape(-1, 1)
    a, b = t.permutations
    phv = _fmix(hv, _SCHEME_WIDTHS[t.scheme]) * a + b
    starts = np.cumsum([0] + [len(s) for s in sets[:-1]])
    return np.minimum(t.hashvalues, np.minimum.reduceat(phv, starts, axis=0))


def _texts(store: Store, doc_ids: set[str]) -> dict[str, str]:
    ids = sorted(doc_ids)
    return {r["doc_id"]: r["text"] for r in store.query(
        "SELECT doc_id, text FROM documents WHERE doc_id = ANY(?::VARCHAR[])", [ids])}


def lsh_pairs(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of sentences of different documents that share a band
    of their signatures: the candidates of datasketch's ``MinHashLSH`` with the same
    threshold and permutations (its bands, compared as bytes), all at once: the reference
    that :func:`update_reuse_index`, run after run, is tested against. ``relation`` has
    columns ``i`` (the sentence's number), ``d`` (its document's) and ``sig``; DuckDB groups each
    band, so only the buckets of two or more sentences reach Python, never the signatures."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    found: set[tuple[int, int]] = set()
    for lo, hi in lsh.hashranges:
        cur = con.execute(
            f"SELECT list(i ORDER BY i), list(d ORDER BY i) FROM {relation} "
            "GROUP BY substring(hex(sig), ?, ?) HAVING count(*) > 1",
            [8 * lo + 1, 8 * (hi - lo)])
        while rows := cur.fetchmany(10_000):
            for bucket, docs in rows:
                for x in range(len(bucket)):
                    i, di = bucket[x], docs[x]
                    for y in range(x + 1, len(bucket)):
                        if docs[y] != di:
                            found.add((i, bucket[y]))
    return sorted(found)


def verbatim_reuse(store: Store) -> list[dict[str, Any]]:
    """Rows for ``reuse_passages``: passages copied (nearly) word for word across documents,
    grouped from the aligned sentence pairs the reuse index holds (:func:`update_reuse_index`
    brings it up to date, comparing only the sentences it has not indexed yet)."""
    update_sentence_signatures(store)
    update_reuse_index(store)
    edges = [((r[0], r[1], r[2]), (r[3], r[4], r[5]), r[6]) for r in store.con.execute(
        "SELECT doc_a, span_a_start, span_a_end, doc_b, span_b_start, span_b_end, share "
        "FROM reuse_edges ORDER BY doc_a, start_a, end_a, doc_b, start_b, end_b").fetchall()]
    return _passage_rows(store, edges)


REUSE_STATE = "reuse:index"  # link_state row: the settings and code the index was built with
_INDEX_SENTS = 50_000        # sentences banded and looked up at once (memory follows it)
# More new sentences than this (a first build, a large batch): insert them all, then look
# up band by band (_bulk_lookup) instead of joining each chunk with the whole index
_BULK_SENTS = _INDEX_SENTS
_ALIGN_PAIRS = 100_000       # candidate pairs aligned at once by _bulk_lookup
Key = tuple[str, int, int]   # a sentence: (doc_id, start_char, end_char)


def _index_version() -> str:
    """What the stored index depends on: signature, LSH and alignment settings and this
    module's code; when it changes the index is rebuilt from the stored signatures."""
    from narrascope.link.state import code_digest

    return (f"{PARAMS},lsh={LSH_THRESHOLD},aligned={MIN_ALIGNED},block={MIN_BLOCK},"
            f"share={MIN_SHARE}|{code_digest(Path(__file__))}")


def update_reuse_index(store: Store) -> list[tuple[Key, Key]]:
    """Bring ``sentence_lsh`` and ``reuse_edges`` up to date with ``sentence_minhash`` and
    return the candidate pairs it compared (``(a, b)``, ``a`` first in ``(doc_id,
    start_char)`` order).

    Sentences no longer hashed leave the index with their edges. Each sentence not indexed
    yet is banded as ``MinHashLSH`` bands it, inserted, and looked up by its band keys: its
    candidates are the indexed sentences of other documents sharing a whole band, earlier
    ones and new ones alike. A pair of two sentences indexed before is neither looked up nor
    aligned again, and the union of the pairs over the runs is the candidate set of
    :func:`lsh_pairs` over all sentences (``tests/link/test_reuse_index.py``). One
    transaction: a crash leaves the index as it was.
    """
    con = store.con
    found: list[tuple[Key, Key]] = []
    with store.transaction():
        version = _index_version()
        if not is_current(store, REUSE_STATE, version):
            con.execute("DELETE FROM sentence_lsh")
            con.execute("DELETE FROM reuse_edges")
            remember(store, REUSE_STATE, version)
        gone = con.execute(
            """SELECT b.doc_id, b.start_char, b.end_char FROM sentence_lsh b WHERE b.band = 0
               AND NOT EXISTS (SELECT 1 FROM sentence_minhash m WHERE m.sig IS NOT NULL
                   AND m.doc_id = b.doc_id AND m.start_char = b.start_char
                   AND m.end_char = b.end_char)""").fetchall()
        if gone:
            _drop_sentences(con, gone)
        ranges = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM).hashranges
        # the sentences to index, numbered (keys only: a chunk's signatures are read with it)
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _reuse_new AS SELECT
                   (row_number() OVER (ORDER BY m.doc_id, m.start_char) - 1)::BIGINT AS r,
                   m.doc_id, m.start_char, m.end_char FROM sentence_minhash m
               WHERE m.sig IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sentence_lsh b
                   WHERE b.band = 0 AND b.doc_id = m.doc_id
                   AND b.start_char = m.start_char AND b.end_char = m.end_char)""")
        try:
            row = con.execute("SELECT count(*) FROM _reuse_new").fetchone()
            n_new = row[0] if row else 0
            bulk = n_new > _BULK_SENTS
            # a first build: nothing indexed before these sentences go in
            all_new = bulk and con.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM sentence_lsh)").fetchone() == (True,)
            for c0 in range(0, n_new, _INDEX_SENTS):
                chunk = con.execute(
                    "SELECT n.doc_id, n.start_char, n.end_char, m.sig FROM _reuse_new n "
                    "JOIN sentence_minhash m USING (doc_id, start_char, end_char) "
                    "WHERE n.r >= ? AND n.r < ? ORDER BY n.r", [c0, c0 + _INDEX_SENTS]).fetchall()
                if bulk:
                    _insert_bands(con, chunk, ranges)
                else:
                    found += _index_chunk(store, chunk, ranges)
            if bulk:
                found = _bulk_lookup(store, len(ranges), all_new)
        finally:
            con.execute("DROP TABLE IF EXISTS _reuse_new")
    return found


def _bulk_lookup(store: Store, width: int, all_new: bool) -> list[tuple[Key, Key]]:
    """The candidate pairs of every sentence in ``_reuse_new`` (all inserted in
    ``sentence_lsh`` already), band by band as :func:`lsh_pairs` finds them: DuckDB groups
    the band's keys and only the buckets of two or more sentences reach Python, so the work
    grows with the index, not with (new sentences x index) as looking each chunk up against
    the whole index does. A pair is a candidate when one of its two sentences is new
    (``all_new``: the index held nothing before, a first build). The aligned pairs are
    stored, a page at a time; the candidate pairs are returned, sorted."""
    con = store.con
    buckets: list[list[Key]] = []
    for band in range(width):
        # the keys of two or more sentences first (a count per key: DuckDB can spill it, not
        # a list per key), then the members of those few buckets, grouped here
        rows = con.execute(
            """WITH k AS (SELECT key FROM sentence_lsh WHERE band = $b
                          GROUP BY key HAVING count(*) > 1)
               SELECT o.key, o.doc_id, o.start_char, o.end_char FROM sentence_lsh o
               SEMI JOIN k ON o.key = k.key WHERE o.band = $b ORDER BY ALL""",
            {"b": band}).fetchall()
        for _, group in groupby(rows, key=lambda r: r[0]):
            members = [(r[1], r[2], r[3]) for r in group]
            if len({m[0] for m in members}) > 1:
                buckets.append(members)
    if all_new:
        new: set[Key] | None = None
    else:
        con.register("_reuse_members", _key_table(sorted({k for b in buckets for k in b})))
        try:
            new = {(r[0], r[1], r[2]) for r in con.execute(
                "SELECT m.doc_id, m.start_char, m.end_char FROM _reuse_members m "
                "SEMI JOIN _reuse_new n ON n.doc_id = m.doc_id "
                "AND n.start_char = m.start_char AND n.end_char = m.end_char").fetchall()}
        finally:
            con.unregister("_reuse_members")
    found: set[tuple[Key, Key]] = set()
    for b in buckets:
        for x, a in enumerate(b):
            for c in b[x + 1:]:
                if a[0] != c[0] and (new is None or a in new or c in new):
                    found.add((a, c))
    pairs = sorted(found)
    for p0 in range(0, len(pairs), _ALIGN_PAIRS):
        edges = _align_pairs(store, pairs[p0:p0 + _ALIGN_PAIRS])
        if edges:
            store.insert_rows("reuse_edges", edges)
    return pairs


def _key_table(keys: Sequence[Key]) -> pa.Table:
    """Sentence keys as an Arrow table (doc_id, start_char, end_char) to join with."""
    return pa.table({
        "doc_id": pa.array([k[0] for k in keys], pa.string()),
        "start_char": pa.array([k[1] for k in keys], pa.int32()),
        "end_char": pa.array([k[2] for k in keys], pa.int32())})


def _drop_sentences(con: duckdb.DuckDBPyConnection, keys: Sequence[Key]) -> None:
    con.register("_reuse_gone", _key_table(keys))
    try:
        con.execute("DELETE FROM sentence_lsh b WHERE EXISTS (SELECT 1 FROM _reuse_gone g "
                    "WHERE g.doc_id = b.doc_id AND g.start_char = b.start_char "
                    "AND g.end_char = b.end_char)")
        for side in ("a", "b"):
            con.execute(f"DELETE FROM reuse_edges e WHERE EXISTS (SELECT 1 FROM _reuse_gone g "
                        f"WHERE g.doc_id = e.doc_{side} AND g.start_char = e.start_{side} "
                        f"AND g.end_char = e.end_{side})")
    finally:
        con.unregister("_reuse_gone")


def _index_chunk(store: Store, chunk: Sequence[tuple[str, int, int, bytes]],
                 ranges: Sequence[tuple[int, int]]) -> list[tuple[Key, Key]]:
    """Index the sentences of ``chunk`` (key and signature), look up their candidates and
    store the pairs whose alignment passes; return the candidate pairs, sorted."""
    con = store.con
    bands = _insert_bands(con, chunk, ranges)
    rows = (bands.set_alias("n")
            .join(con.table("sentence_lsh").set_alias("o"),
                  "o.band = n.band AND o.key = n.key AND o.doc_id <> n.doc_id")
            .select("n.doc_id, n.start_char, n.end_char, o.doc_id, o.start_char, o.end_char")
            .distinct().fetchall())
    del bands
    pairs = sorted({(min(a, b), max(a, b))
                    for a, b in (((r[0], r[1], r[2]), (r[3], r[4], r[5])) for r in rows)})
    if pairs:
        edges = _align_pairs(store, pairs)
        if edges:
            store.insert_rows("reuse_edges", edges)
    return pairs


def _insert_bands(con: duckdb.DuckDBPyConnection, chunk: Sequence[tuple[str, int, int, bytes]],
                  ranges: Sequence[tuple[int, int]]) -> duckdb.DuckDBPyRelation:
    """Insert the band keys of the sentences of ``chunk`` into ``sentence_lsh``; return
    them as a relation (freed with it)."""
    n, width = len(chunk), len(ranges)
    sigs = np.frombuffer(b"".join(r[3] for r in chunk), dtype="<u4").reshape(n, NUM_PERM)
    # the bytes lsh_pairs groups by (as hex): per sentence, band after band
    keys = np.ascontiguousarray(np.stack([sigs[:, lo:hi] for lo, hi in ranges], axis=1))
    size = 4 * (ranges[0][1] - ranges[0][0])  # every band has the same number of values
    each = np.repeat(np.arange(n), width)
    # A relation over the Arrow table, not a registered view: a view unregistered inside a
    # transaction keeps its table alive until the commit, so every chunk's band keys stayed
    # in pyarrow's pool until the whole index was updated (565 MB at 20,000 replicated
    # AllSides documents, 19 chunks); the relation's table is freed with the chunk.
    bands = con.from_arrow(pa.table({
        "doc_id": pa.array([r[0] for r in chunk], pa.string()).take(each),
        "start_char": pa.array(np.array([r[1] for r in chunk], np.int32)[each]),
        "end_char": pa.array(np.array([r[2] for r in chunk], np.int32)[each]),
        "band": pa.array(np.tile(np.arange(width, dtype=np.int16), n)),
        "key": pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(size), n * width, [None, pa.py_buffer(keys.tobytes())]).cast(pa.binary()),
    }))
    bands.insert_into("sentence_lsh")  # columns in the table's order
    return bands


def _align_pairs(store: Store, pairs: Sequence[tuple[Key, Key]]) -> list[dict[str, Any]]:
    """``reuse_edges`` rows of the candidate ``pairs`` whose alignment passes (the
    sentences' texts are cut in SQL: character offsets, as Python slices)."""
    con = store.con
    con.register("_reuse_ids", _key_table(sorted({k for p in pairs for k in p})))
    try:
        text = {(r[0], r[1], r[2]): r[3] for r in con.execute(
            "SELECT i.doc_id, i.start_char, i.end_char, "
            "substring(d.text, i.start_char + 1, i.end_char - i.start_char) "
            "FROM _reuse_ids i JOIN documents d USING (doc_id)").fetchall()}
    finally:
        con.unregister("_reuse_ids")
    tokens: dict[Key, tuple[str, list[str], list[tuple[int, int]]]] = {}

    def sent(k: Key) -> tuple[str, list[str], list[tuple[int, int]]]:
        if k not in tokens:
            tokens[k] = (k[0], *_tokens(text[k], k[1]))
        return tokens[k]

    out = []
    for a, b in pairs:
        found = _align(sent(a), sent(b))
        if found is not None:
            pa_, pb, share = found
            out.append({"doc_a": a[0], "start_a": a[1], "end_a": a[2],
                        "doc_b": b[0], "start_b": b[1], "end_b": b[2],
                        "span_a_start": pa_[1], "span_a_end": pa_[2],
                        "span_b_start": pb[1], "span_b_end": pb[2], "share": share})
    return out


def _passage_rows(store: Store, edges: Sequence[tuple[tuple[str, int, int], tuple[str, int, int],
                                                      float]]) -> list[dict[str, Any]]:
    """Group the copied passages of the aligned sentence pairs (``edges``: passage,
    passage, share, in the order of their sentences) into ``reuse_passages`` rows."""
    if not edges:
        return []
    ids = sorted({p[0] for e in edges for p in e[:2]})
    docs = {r["doc_id"]: r for r in store.query(
        "SELECT doc_id, outlet, source, published FROM documents "
        "WHERE doc_id = ANY(?::VARCHAR[])", [ids])}
    passages: dict[tuple[str, int, int], dict[str, Any]] = {}
    parent: dict[tuple[str, int, int], tuple[str, int, int]] = {}

    def find(x: tuple[str, int, int]) -> tuple[str, int, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b, _ in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[tuple[str, int, int], list[tuple[str, int, int]]] = defaultdict(list)
    for p in {x for e in edges for x in e[:2]}:
        groups[find(p)].append(p)
    best_link: dict[tuple[str, int, int], list[tuple[tuple[str, int, int], float]]] = defaultdict(list)
    for a, b, s in edges:
        best_link[a].append((b, s))
        best_link[b].append((a, s))

    def when(p: tuple[str, int, int]) -> tuple[str, str, int]:
        return (docs[p[0]]["published"] or "9999", p[0], p[1])

    for members in groups.values():
        ordered = sorted(members, key=when)
        rid = "ru" + hashlib.sha1(repr(ordered).encode()).hexdigest()[:12]
        for rank, p in enumerate(ordered):
            earlier = [(q, s) for q, s in best_link[p] if when(q) < when(p)]
            # the most similar earlier passage; on a tie, the earliest of them
            src, sim = min(earlier, key=lambda x: (-x[1], when(x[0]))) if earlier else (None, 1.0)
            d = docs[p[0]]
            passages[p] = {"reuse_id": rid, "doc_id": p[0], "start_char": p[1],
                           "end_char": p[2], "published": d["published"],
                           "outlet": d["outlet"] or d["source"], "rank": rank,
                           "copied_from": src[0] if src else None,
                           "similarity": round(sim, 4)}
    return list(passages.values())


def _align(a: tuple[str, list[str], list[tuple[int, int]]],
           b: tuple[str, list[str], list[tuple[int, int]]]
           ) -> tuple[tuple[str, int, int], tuple[str, int, int], float] | None:
    """The copied spans of two sentences, or None when too little is aligned."""
    sm = SequenceMatcher(None, a[1], b[1], autojunk=False)
    blocks = [m for m in sm.get_matching_blocks() if m.size >= MIN_BLOCK]
    aligned = sum(m.size for m in blocks)
    if aligned < MIN_ALIGNED:
        return None
    # The copied stretch: from the first to the last long block on each side.
    a0, a1 = blocks[0].a, blocks[-1].a + blocks[-1].size
    b0, b1 = blocks[0].b, blocks[-1].b + blocks[-1].size
    share = aligned / min(a1 - a0, b1 - b0)
    if share < MIN_SHARE:
        return None
    pa_ = (a[0], a[2][a0][0], a[2][a1 - 1][1])
    pb = (b[0], b[2][b0][0], b[2][b1 - 1][1])
    return pa_, pb, share


def _day(d: str | None) -> str:
    return d or ""


def _numeric(claims: Sequence[ClaimRow], store: Store) -> list[dict[str, Any]]:
    """Same unit, same story, different values (see the module docstring)."""
    claim_at: dict[tuple[str, int], ClaimRow] = {}
    for c in claims:
        for qi in c.quantity_idxs:
            cur = claim_at.get((c.doc_id, qi))
            if cur is None or (c.end - c.start) < (cur.end - cur.start):
                claim_at[(c.doc_id, qi)] = c
    story = {c.doc_id: c.story for c in claims}
    by_unit: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for q in store.query("SELECT q.*, d.published FROM quantities q JOIN documents d "
                         "USING (doc_id) WHERE doc_id = ANY(?::VARCHAR[]) ORDER BY doc_id, idx",
                         [sorted(story)]):
        unit = (q["unit"] or "").lower()
        if unit in GENERIC_UNITS or not unit or (q["text"] or "").lower() in VAGUE_NUMBERS:
            continue
        if q["doc_id"] not in story or q["value"] is None:
            continue
        by_unit[(story[q["doc_id"]], unit)].append(q)
    out = []
    for (owner, unit), qs in by_unit.items():
        seen: set[tuple[str, str]] = set()
        for i, a in enumerate(qs):
            for b in qs[i + 1:]:
                if a["doc_id"] == b["doc_id"] or a["value"] == b["value"]:
                    continue
                lo, hi = sorted((a["value"], b["value"]))
                if lo <= 0 or hi / lo > 10:  # an order of magnitude apart: other scope
                    continue
                pair = (min(a["doc_id"], b["doc_id"]), max(a["doc_id"], b["doc_id"]))
                if pair in seen:  # the first figure each document gives is enough
                    continue
                seen.add(pair)
                ca, cb = claim_at.get((a["doc_id"], a["idx"])), claim_at.get((b["doc_id"], b["idx"]))
                da, db = _day(a["date"] or a["published"]), _day(b["date"] or b["published"])
                later_higher = bool(da and db and da != db and
                                    ((da > db) == (a["value"] > b["value"])))
                explained = cumulative(unit) and later_higher
                reasons = [f"{unit}: {a['value']:g} vs {b['value']:g}"]
                if explained:
                    reasons.append(f"the later report ({max(da, db)}) has the higher total")
                out.append(_row("numeric", ca, cb, a, b, 0.6 if explained else 0.8, reasons,
                                explained, a["value"], b["value"], da, db, story=owner))
    return out


def _row(kind: str, ca: ClaimRow | None, cb: ClaimRow | None, a: Mapping[str, Any] | None,
         b: Mapping[str, Any] | None, score: float, reasons: list[str], explained: bool = False,
         va: float | None = None, vb: float | None = None, da: str | None = None,
         db: str | None = None, story: str | None = None) -> dict[str, Any]:
    def span(c: ClaimRow | None, q: Mapping[str, Any] | None) -> tuple[Any, Any, Any, Any]:
        if c is not None:
            return c.doc_id, c.idx, c.start, c.end
        assert q is not None
        return q["doc_id"], None, q["start_char"], q["end_char"]

    doc_a, claim_a, sa, ea = span(ca, a)
    doc_b, claim_b, sb, eb = span(cb, b)
    # Two figures of one sentence pair (deaths and injured) share the claims' spans: the
    # figures' own offsets keep their ids apart.
    qa, qb = (a or {}).get("start_char"), (b or {}).get("start_char")
    cid = "ct" + hashlib.sha1(f"{kind}|{doc_a}|{sa}|{qa}|{doc_b}|{sb}|{qb}".encode()).hexdigest()[:12]
    owner = ca or cb
    return {"contra_id": cid, "story_id": story or (owner.story if owner is not None else None),
            "kind": kind, "doc_a": doc_a, "claim_a": claim_a, "start_a": sa, "end_a": ea,
            "doc_b": doc_b, "claim_b": claim_b, "start_b": sb, "end_b": eb,
            "score": round(score, 3), "reasons": reasons, "explained_by_time": explained,
            "value_a": va, "value_b": vb, "date_a": da or (ca.published if ca else None),
            "date_b": db or (cb.published if cb else None)}


def _denial(a: ClaimRow, b: ClaimRow, cos: float) -> tuple[str, float, list[str]] | None:
    """One claim is explicitly denied ("officials deny that any drone was flying") where
    the other asserts it: close in meaning (``ACCEPT``), sharing enough content words
    (``LEXICAL_MIN``). A bare negation is not enough: "should not forget" is no denial."""
    if a.denied == b.denied or (a.polarity < 0) == (b.polarity < 0):
        return None
    if cos < ACCEPT or lexical_overlap(a, b) < LEXICAL_MIN:
        return None
    neg, pos = (a, b) if a.denied else (b, a)
    return "position", 0.6, [f"{neg.text[:80]!r} is denied, {pos.text[:80]!r} asserted"]


def _factual(a: ClaimRow, b: ClaimRow, cos: float, same_group: bool) -> tuple[str, float, list[str]] | None:
    """Why two claims cannot both hold, or None. Two claims of one article (its two sides'
    accounts) are checked for a denial only: the other checks need two tellings."""
    if a.doc_id == b.doc_id:
        return _denial(a, b, cos)

    actors_b = b.subj | b.obj | b.about
    types = a.event_types & b.event_types
    if types and a.agents & b.agents:
        pol_a = -1 if (a.polarity < 0) else 0 if a.hedged else 1
        pol_b = -1 if (b.polarity < 0) else 0 if b.hedged else 1
        if pol_a != pol_b and 1 in (pol_a, pol_b):
            how = {-1: "negated or denied", 0: "only alleged", 1: "asserted"}
            return "position", 0.7 + 0.2 * (pol_a * pol_b < 0), [
                f"{'/'.join(sorted(types))} by the same actor: {how[pol_a]} vs {how[pol_b]}"]
    found = _denial(a, b, cos)
    if found is not None:
        return found
    hit = antonym_hit(set(a.words) | {a.predicate}, set(b.words) | {b.predicate})
    # Opposite words count only when said of a shared actor other than the doer ("France
    # supports Armenia" and "France condemned the offensive" are about different things).
    if hit and (a.about - a.agents) & (b.about - b.agents):
        return "factual", 0.5 + 0.3 * min(1.0, cos), [f"opposite words: {hit[0]!r} vs {hit[1]!r}"]
    if same_group and types and a.predicate == b.predicate:
        pa, pb = a.subj | a.obj, b.subj | b.obj
        if pa and pb and pa & pb and (pa - pb) and (pb - pa) and not (pa - pb) & actors_b:
            return "factual", 0.5, [f"same {a.predicate!r} event told with different parties"]
    return None


BUCKET_MAX = 200  # an (event type, actor) pair this common is no evidence of a clash


def _structural_pairs(claims: Sequence[ClaimRow], block: Sequence[int], vecs: np.ndarray
                      ) -> list[tuple[int, int, float]]:
    """Pairs of claims telling the same move by the same actor, however differently worded
    ("we will support you" / "allegedly supporting"): an inverted index on (event type,
    actor), so the cost follows the bucket sizes, not the square of the block."""
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k in block:
        c = claims[k]
        for t in c.event_types:
            for a in c.agents:
                buckets[(t, a)].append(k)
    pairs: set[tuple[int, int]] = set()
    for keys in buckets.values():
        if len(keys) > BUCKET_MAX:
            continue
        for x, i in enumerate(keys):
            for j in keys[x + 1:]:
                if claims[i].doc_id != claims[j].doc_id and (claims[i].hedged or claims[j].hedged
                                                             or claims[i].polarity != claims[j].polarity):
                    pairs.add((min(i, j), max(i, j)))
    return [(i, j, float(vecs[i] @ vecs[j])) for i, j in sorted(pairs)]


def contradictions(store: Store, claims: Sequence[ClaimRow], vecs: np.ndarray,
                   group_of: Mapping[int, int]) -> list[dict[str, Any]]:
    """Rows for ``contradictions``: numeric ones, then factual/position ones per story."""
    out = _numeric(claims, store)
    # Pairs of one document count too, from different sentences: reports give both sides'
    # accounts ("officials deny that any drone was flying" / "after a drone entered").
    docs = [f"{c.doc_id}:{c.sent}" for c in claims]
    seen: set[tuple[str, str, str]] = set()
    for block in story_blocks(claims):
        for i, j, cos in candidate_pairs(vecs, block, docs, RELATED) + _structural_pairs(
                claims, block, vecs):
            a, b = claims[i], claims[j]
            same = i in group_of and group_of.get(i) == group_of.get(j)
            found = _factual(a, b, cos, same)
            if found is None:
                continue
            kind, score, reasons = found
            key = (kind, *sorted((f"{a.doc_id}:{a.sent}", f"{b.doc_id}:{b.sent}")))
            if key in seen:
                continue
            seen.add(key)  # type: ignore[arg-type]
            reasons.append(f"cosine {cos:.2f}")
            out.append(_row(kind, a, b, None, None, score, reasons))
    unique: dict[str, dict[str, Any]] = {}
    for row in out:  # one row per id, whatever the checks above let through twice
        unique.setdefault(row["contra_id"], row)
    return list(unique.values())
