"""The per-document views the story clustering compares (link/stories.py), built from the
store for all documents or for a few only.

Why a few: a re-run that adds a handful of documents needs the features of the new
documents, of their embedding neighbours and of those neighbours' neighbours (the pair
model reads each document's neighbourhood), not of the whole corpus. Everything corpus-wide
in a feature (IDF of words, actors, quantities and event types; the vocabulary's
``max_df`` cut) is counted in SQL over every document, so a row is the same whether it was
built alone or with the whole corpus. Word counts are kept per document in ``doc_terms``
(written once per document, :func:`update_doc_terms`), so no text is re-tokenised; only the
documents' leads are read again, and only to check cached embeddings on a full build.
Rows of documents left out are empty (zero rows; ``years`` and ``dates`` empty).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from narrascope.stopwords import word_analyzer
from narrascope.store import Store
from narrascope.store.db import in_slice, slice_count

LOGGER = logging.getLogger(__name__)

LEAD_CHARS = 700  # title + first sentences; MiniLM truncates at 128 tokens anyway
TOKEN_PATTERN = r"(?u)\b\w[\w'-]*\w\b"
MAX_DF = 0.5  # words in more than this share of the documents are no story's words
_CHUNK = 2_000
_VOCAB_SLICE = 1_000_000  # distinct words grouped at once (see _word_views)
# Wanted documents from this share of the corpus on, the vocabulary and the token columns
# are those of every document instead of the wanted ones' only: filtering them by the
# wanted documents then costs more than it saves. The wanted rows are the same either way
# (a row's weights read only its own words and their corpus frequency; columns keep their
# byte order, so products sum in the same order). An online stories run on 100,000
# replicated documents wanted 99,603 and built them in 210 s, a full build all in 69 s.
EVERY_SHARE = 0.5
_WORD = re.compile(r"[a-z]+")


class TfidfRows:
    """Sublinear TF-IDF unit rows of word counts, computed for the rows asked for
    (``m[rows]``, a CSR matrix as ``csr[rows]`` gives): ``(1 + log tf) * idf / norm``,
    element by element the float64 operations of a corpus-wide matrix, so every row is
    the one that matrix holds.

    Why: the corpus-wide matrix is a float64 value per word of every document, 256 MB
    for the 32M cells of 100,000 replicated documents, held through the whole stories
    pass; the clustering reads it only a chunk of rows at a time."""

    def __init__(self, counts: sp.csr_matrix, idf: np.ndarray, norms: np.ndarray) -> None:
        self.counts, self.idf, self.inv_norms = counts, idf, 1.0 / norms
        self.shape = counts.shape

    def __getitem__(self, rows: Any) -> sp.csr_matrix:
        c = self.counts[rows]
        data = _tfidf_values(c, self.idf)
        # the rows' norms, indexed as the rows are (an int, a list, an array, a slice)
        data *= np.repeat(np.atleast_1d(self.inv_norms[rows]), np.diff(c.indptr))
        return sp.csr_matrix((data, c.indices, c.indptr), shape=c.shape)

    @classmethod
    def of(cls, counts: sp.csr_matrix, idf: np.ndarray, chunk: int = 20_000) -> TfidfRows:
        """Rows of ``counts`` weighted by ``idf``; the norms are summed ``chunk`` rows at a
        time (each row's sum in the same order as a whole matrix's ``sum(axis=1)``)."""
        parts = []
        for a in range(0, counts.shape[0], chunk):
            c = counts[a:a + chunk]
            data = _tfidf_values(c, idf)
            parts.append(np.sqrt(np.asarray(sp.csr_matrix(
                (data * data, c.indices, c.indptr), shape=c.shape).sum(axis=1)).ravel()))
        norms = np.concatenate(parts) if parts else np.zeros(0)
        norms[norms == 0] = 1.0
        return cls(counts, idf, norms)


def _tfidf_values(c: sp.csr_matrix, idf: np.ndarray) -> np.ndarray:
    """``(1 + log tf) * idf`` of the stored counts of ``c``, in float64, before the norm."""
    data = np.log(c.data, dtype=np.float64)
    data += 1.0
    data *= idf[c.indices]
    return data


@dataclass
class DocFeatures:
    """The per-document views the clustering compares, rows aligned with ``doc_ids``."""

    doc_ids: list[str]
    embed: np.ndarray  # (n, 384) unit rows
    tfidf: sp.csr_matrix | TfidfRows  # (n, V) unit rows, read a set of rows at a time
    counts: sp.csr_matrix  # (n, V) raw term counts, for IDF computed inside one cluster
    actors: sp.csr_matrix  # (n, A) unit rows (zero rows for documents without actors)
    days: np.ndarray  # (n,) days since epoch, NaN when unknown
    titles: list[str] = field(default_factory=list)
    outlets: list[str | None] = field(default_factory=list)
    published: list[str | None] = field(default_factory=list)
    # the words of ``counts``' columns, as one Arrow array (a NumPy array of 5.2M Python
    # strings took ~340 MB on 100,000 replicated documents)
    vocab: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))
    # documents x corpus actors per kind (PERSON, ORG, GPE) and of the first two sentences
    # ("lead"), unit rows; read by the pair model (link/story_pairs.py)
    entities: dict[str, sp.csr_matrix] = field(default_factory=dict)
    # what the documents report (link/story_pairs.py): quantities ("unit:value") and event
    # types (speech left out), as IDF-weighted unit rows; the years and days their dates
    # (time expressions, publication date) name
    quantities: sp.csr_matrix | None = None
    event_types: sp.csr_matrix | None = None
    years: list[frozenset[int]] = field(default_factory=list)
    dates: list[np.ndarray] = field(default_factory=list)
    # the weekdays (0 = Monday) its date expressions name: the day of a resolved date, else
    # a weekday word (an undated report's "on Wednesday" still tells which day it means)
    weekdays: list[frozenset[int]] = field(default_factory=list)
    # documents per column of ``counts`` over the whole corpus (None: count ``counts``)
    df: np.ndarray | None = None


def lead_text(text: str, title: str | None) -> str:
    """Title + the first sentences: what gets embedded for a document."""
    body = " ".join(text[: LEAD_CHARS * 2].split())
    if title and not body.startswith(" ".join(title.split())):
        body = f"{title}. {body}"
    return body[:LEAD_CHARS]


def lead_hash(lead: str) -> str:
    """The key ``doc_vectors.text_hash`` stores with a lead's embedding: a document whose
    lead still hashes the same keeps its vector."""
    return hashlib.sha1(lead.encode("utf-8")).hexdigest()[:16]


def _day(published: str | None) -> float:
    if not published:
        return float("nan")
    try:
        return float(date.fromisoformat(published[:10]).toordinal())
    except ValueError:
        return float("nan")


def _unit_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


# -- word counts ---------------------------------------------------------------------------
def _analyzer() -> Callable[[str], list[str]]:
    return word_analyzer(TOKEN_PATTERN)


def update_doc_terms(store: Store) -> int:
    """Count the words of documents not counted yet (``doc_terms``; a row with the empty term
    marks a counted document) and drop the rows of documents no longer stored. Returns the
    number of documents counted. A document's counts depend on its text only."""
    con = store.con
    # Found by their marker rows (one per document) first: a DELETE joining every row of
    # doc_terms (32M at 100,000 documents) with the documents ran out of 256 MB there.
    gone = [r[0] for r in con.execute(
        "SELECT doc_id FROM doc_terms WHERE term = '' "
        "EXCEPT SELECT doc_id FROM documents").fetchall()]
    if gone:
        con.execute("DELETE FROM doc_terms WHERE doc_id = ANY(?::VARCHAR[])", [gone])
    # the ids first, then the texts a chunk at a time: sorting the texts of every document
    # to count (all of them on a first run) is a sort of the corpus in DuckDB's memory
    todo = [r[0] for r in con.execute(
        "SELECT doc_id FROM documents WHERE doc_id NOT IN "
        "(SELECT doc_id FROM doc_terms WHERE term = '') ORDER BY doc_id").fetchall()]
    done = 0
    for c0 in range(0, len(todo), _CHUNK):
        rows = con.execute("SELECT doc_id, text FROM documents WHERE doc_id = ANY(?::VARCHAR[]) "
                           "ORDER BY doc_id", [todo[c0:c0 + _CHUNK]]).fetchall()
        analyse = _analyzer()
        ids: list[str] = []
        terms: list[str] = []
        ns: list[int] = []
        for doc_id, text in rows:
            for t, n in [("", 0), *sorted(Counter(analyse(text or "")).items())]:
                ids.append(doc_id)
                terms.append(t)
                ns.append(n)
        store.insert_arrow("doc_terms", pa.table({"doc_id": ids, "term": terms, "n": ns}))
        done += len(rows)
    return done


# -- embeddings ----------------------------------------------------------------------------
LEAD_QUANTIZED = False  # which form of the encoder embeds leads (link.state names it)


def embed_documents(store: Store, doc_ids: Sequence[str], *, check: bool = True) -> np.ndarray:
    """Embedding of each document's lead from ``doc_vectors``, embedding those without one.
    ``check``: reuse a vector only when the hash of the lead it was made from matches (reads
    every lead); otherwise a stored vector is trusted (``doc_id`` is a hash of the text)."""
    from narrascope.annotate.embed import all_cores, encode
    from narrascope.store.vectors import read_vectors

    con = store.con
    ids, mat = read_vectors(con, "SELECT doc_id, text_hash, vector FROM doc_vectors",
                            key="doc_id")
    stored_hash = dict(con.execute("SELECT doc_id, text_hash FROM doc_vectors").fetchall())
    at = {d: i for i, d in enumerate(ids)}
    row_of = {d: i for i, d in enumerate(doc_ids)}
    out = np.zeros((len(doc_ids), 384), dtype=np.float32)
    todo: list[tuple[int, str, str]] = []  # (row, lead, hash)
    # Not sorted in SQL (a sort of every document's 2,000 first characters is held in
    # DuckDB's memory: 200 MB at 100,000 documents); the leads to embed are put in row order
    # below, as the sort did.
    if check:
        sql = "SELECT doc_id, title, left(text, 2000) FROM documents"
    else:
        have = [d for d in doc_ids if d in at]
        for d in have:
            out[row_of[d]] = mat[at[d]]
        sql = ("SELECT doc_id, title, left(text, 2000) FROM documents WHERE doc_id NOT IN "
               "(SELECT doc_id FROM doc_vectors)")
    cur = con.cursor()
    cur.execute(sql)
    while rows := cur.fetchmany(_CHUNK):
        for doc_id, title, head in rows:
            i = row_of.get(doc_id)
            if i is None:
                continue
            lead = lead_text(head or "", title)
            h = lead_hash(lead)
            if doc_id in at and stored_hash.get(doc_id) == h:
                out[i] = mat[at[doc_id]]
            else:
                todo.append((i, lead, h))
    cur.close()
    todo.sort()
    cpu = time.process_time()
    if todo:
        rows_ = [i for i, _, _ in todo]
        # the shipped form: the story pair model was trained on its vectors, and with the
        # quantised form its held-out B-cubed fell (ECB+ 0.931 -> 0.920, AllSides 0.883 ->
        # 0.876, retrained on each; annotate/embed.py)
        out[rows_] = encode([lead for _, lead, _ in todo], threads=all_cores(),
                           side_by_side=True, quantized=LEAD_QUANTIZED)
        from narrascope.store.vectors import vector_array

        store.insert_arrow("doc_vectors", pa.table({
            "doc_id": [doc_ids[i] for i in rows_], "vector": vector_array(out[rows_]),
            "text_hash": [h for _, _, h in todo]}), on_conflict="replace")
    LOGGER.info("stories: embedded %d of %d documents (rest cached) in %.1f CPU s",
                len(todo), len(doc_ids), time.process_time() - cpu)
    return out


# -- the views -----------------------------------------------------------------------------
def build_features(store: Store, want: Collection[str] | None = None,
                   embed: np.ndarray | None = None) -> DocFeatures:
    """The views of every document of the store (rows in ``doc_id`` order); with ``want``,
    the rows of only those documents are filled (``embed`` for every document either way,
    computed here unless given)."""
    con = store.con
    update_doc_terms(store)
    meta = con.execute(
        "SELECT doc_id, title, outlet, published, CASE WHEN coalesce(title, '') = '' "
        "THEN left(text, 2000) END FROM documents ORDER BY doc_id").fetchall()
    doc_ids = [r[0] for r in meta]
    n = len(doc_ids)
    if embed is None:
        embed = embed_documents(store, doc_ids) if n else np.zeros((0, 384), np.float32)
    con.register("_want_ids", pa.table({"doc_id": pa.array(
        sorted(want) if want is not None else doc_ids, pa.string())}))
    con.register("_rows", pa.table({"doc_id": doc_ids, "row": np.arange(n, dtype=np.int64)}))
    try:
        every = want is None or len(want) >= EVERY_SHARE * n
        counts, tfidf, vocab, df = _word_views(store, n, every=every)
        quantities = _grouped_view(store, n, "SELECT doc_id, printf('%s:%g', "
                                   "coalesce(unit, 'None'), value) AS tok "
                                   "FROM quantities WHERE value IS NOT NULL AND NOT isnan(value)",
                                   every)
        event_types = _grouped_view(store, n, "SELECT doc_id, type AS tok FROM events "
                                    "WHERE type IS NOT NULL AND type <> 'SAY'", every)
        entities = _entity_views(store, n, every)
        actors = _actor_view(store, n, every)
        years, dates, weekdays = _dates(store, doc_ids, [r[3] for r in meta])
    finally:
        con.unregister("_want_ids")
        con.unregister("_rows")
    return DocFeatures(
        doc_ids=doc_ids, embed=embed, tfidf=tfidf, counts=counts, actors=actors,
        days=np.array([_day(r[3]) for r in meta], dtype=np.float64),
        titles=[r[1] or lead_text(r[4] or "", None)[:120] for r in meta],
        outlets=[r[2] for r in meta], published=[r[3] for r in meta], vocab=vocab,
        entities=entities, quantities=quantities, event_types=event_types,
        years=years, dates=dates, weekdays=weekdays, df=df,
    )


def _cells(store: Store, sql: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, value) arrays of a query returning them, as 32-bit numbers: the sparse
    matrices built from them keep 32-bit indices anyway, and the values are counts (exact
    in float32). 64-bit arrays of the 6.4 million word cells of 20,000 documents took
    150 MB, and were copied to 32 bits on the way into the matrix."""
    arr = store.con.execute(
        f'SELECT "row"::INTEGER AS "row", col::INTEGER AS col, val::FLOAT AS val FROM ({sql})'
    ).fetchnumpy()
    return (np.asarray(arr["row"], dtype=np.int32), np.asarray(arr["col"], dtype=np.int32),
            np.asarray(arr["val"], dtype=np.float32))


def _word_views(store: Store, n: int, every: bool = False
                ) -> tuple[sp.csr_matrix, TfidfRows, pa.Array, np.ndarray]:
    """Raw counts, sublinear TF-IDF unit rows, vocabulary and corpus document frequency of
    the words of the wanted documents (as ``CountVectorizer(max_df=MAX_DF)`` and
    ``TfidfTransformer(sublinear_tf=True)`` fitted on the whole corpus); ``every``: all the
    documents are wanted."""
    con = store.con
    # The vocabulary comes to Arrow, is numbered here and joined back from Arrow: a
    # temporary table of it lives in DuckDB's memory, and the 5.2M words of 100,000
    # replicated documents ran the pass out of its 256 MB. Grouping those words at once
    # ran out of it too (a hash aggregate of strings does not spill far enough), so the
    # words are grouped in slices of their hash, about _VOCAB_SLICE words each, and
    # sorted here.
    # (the words of the wanted documents: all words when every document is wanted)
    wanted = "" if every else (
        "AND term IN (SELECT term FROM doc_terms WHERE doc_id IN (SELECT doc_id FROM _want_ids)) ")
    slices = slice_count(con, "SELECT approx_count_distinct(term) FROM doc_terms", _VOCAB_SLICE)
    parts = [con.execute(
        f"SELECT term, count(*) AS df FROM doc_terms WHERE term <> '' {wanted}"
        f"AND {in_slice('term', i, slices)} "
        "GROUP BY term HAVING count(*) <= ?", [MAX_DF * n]).to_arrow_table()
        for i in range(slices)]
    voc = pa.concat_tables(parts)
    del parts
    # byte order, as DuckDB's ORDER BY sorts VARCHAR and CountVectorizer sorts its words
    voc = voc.take(pc.sort_indices(voc["term"]))
    con.register("_vocab", pa.table({"term": voc["term"], "col": pa.array(
        np.arange(voc.num_rows, dtype=np.int32))}))
    try:
        r, c, v = _cells(store, "SELECT r.row, v.col, t.n AS val FROM doc_terms t "
                         "JOIN _want_ids USING (doc_id) JOIN _rows r USING (doc_id) "
                         "JOIN _vocab v USING (term)")
    finally:
        con.unregister("_vocab")
    width = voc.num_rows
    if not width:  # empty vocabulary (every text is stop words)
        empty = sp.csr_matrix((n, 1), dtype=np.float32)
        return empty, TfidfRows(empty, np.ones(1), np.ones(n)), pa.array([""], pa.string()), \
            np.zeros(1)
    counts = sp.csr_matrix((v, (r, c)), shape=(n, width), dtype=np.float32)
    del r, c, v  # each intermediate is freed once used: they are the size of the corpus
    df = voc["df"].to_numpy().astype(np.float64)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    # (1 + log tf) * idf, rows scaled to unit length, computed for the rows read
    tfidf = TfidfRows.of(counts, idf)
    return counts, tfidf, voc["term"].combine_chunks(), df


def _weighted(rows: np.ndarray, cols: np.ndarray, n: int, width: int,
              df: np.ndarray | None = None) -> sp.csr_matrix:
    """Sublinear counts of (row, col) occurrences times IDF over ``n`` rows, unit rows;
    ``df`` (documents per column over the corpus) defaults to the count in these rows."""
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(1, width)),
                      dtype=np.float64)
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    if df is None:
        df = np.bincount(m.indices, minlength=m.shape[1])
    idf = np.log((1 + n) / (1 + df)) + 1.0
    return _unit_rows(sp.csr_matrix(m @ sp.diags(idf)))


def _grouped_view(store: Store, n: int, items: str, every: bool = False) -> sp.csr_matrix:
    """:func:`_weighted` of ``items`` (a query of ``doc_id, tok`` rows, one per occurrence)
    for the wanted documents, with document frequencies over every document; ``every``:
    all the documents are wanted.

    ``items`` is run where it is read, not kept in a temporary table: such a table lives in
    DuckDB's memory, and the 7.9M actor mentions of 100,000 replicated documents ran the
    pass out of its 256 MB. The tokens are numbered in Arrow, in byte order (as DuckDB's
    ``ORDER BY`` sorts them), and joined back from there."""
    con = store.con
    toks = con.execute(f"SELECT tok, count(DISTINCT doc_id) AS df FROM ({items}) "
                       "GROUP BY tok").to_arrow_table()
    if not every:
        # the wanted documents' tokens, kept in Arrow: filtering the count with an IN of
        # this query ran ``items`` twice in one plan (for actors, two joins of the
        # mentions with the whole of entity_actor), which on 100,000 replicated documents
        # ran out of the link passes' 256 MB where the count alone fits
        want = con.execute(f"SELECT DISTINCT tok FROM ({items}) JOIN _want_ids USING (doc_id)"
                           ).to_arrow_table()
        toks = toks.filter(pc.is_in(toks["tok"], value_set=want["tok"]))
    toks = toks.take(pc.sort_indices(toks["tok"]))
    con.register("_toks", pa.table({"tok": toks["tok"], "col": pa.array(
        np.arange(toks.num_rows, dtype=np.int32))}))
    try:
        r, c, _ = _cells(store, f"SELECT r.row, t.col, 1 AS val FROM ({items}) i "
                         "JOIN _want_ids USING (doc_id) JOIN _rows r USING (doc_id) "
                         "JOIN _toks t USING (tok)")
    finally:
        con.unregister("_toks")
    df = toks["df"].to_numpy().astype(np.float64)
    return _weighted(r, c, n, len(df), df if len(df) else None)


_MENTION_ACTORS = (
    "SELECT m.doc_id, m.type, m.sent_idx, ea.actor_id FROM mentions m "
    "JOIN entity_actor ea ON ea.doc_id = m.doc_id AND ea.local_id = m.local_id")


def _entity_views(store: Store, n: int, every: bool = False) -> dict[str, sp.csr_matrix]:
    """Documents x corpus actors per entity kind (nationalities count as places) and of the
    actors named in the first two sentences: who a story is about."""
    kinds = {"PERSON": "('PERSON')", "ORG": "('ORG')", "GPE": "('GPE', 'NORP')"}
    out = {k: _grouped_view(store, n, f"SELECT doc_id, actor_id AS tok FROM ({_MENTION_ACTORS}) "
                            f"WHERE type IN {types}", every) for k, types in kinds.items()}
    out["lead"] = _grouped_view(store, n, f"SELECT doc_id, actor_id AS tok FROM "
                                f"({_MENTION_ACTORS}) WHERE sent_idx <= 1", every)
    return out


def _actor_view(store: Store, n: int, every: bool = False) -> sp.csr_matrix:
    """Documents x corpus actors, sublinear mention counts times IDF, unit rows."""
    return _grouped_view(store, n, f"SELECT doc_id, actor_id AS tok FROM ({_MENTION_ACTORS})",
                         every)


def _dates(store: Store, doc_ids: list[str], published: Sequence[str | None]
           ) -> tuple[list[frozenset[int]], list[np.ndarray], list[frozenset[int]]]:
    """The years and days named by each wanted document's dates (time expressions and its
    publication date), and the weekdays its time expressions name (the publication date
    is left out: it says when the report came out, not when the event happened)."""
    from narrascope.annotate.dates import WEEKDAYS

    row_of = {d: i for i, d in enumerate(doc_ids)}
    want = {r[0] for r in store.con.execute("SELECT doc_id FROM _want_ids").fetchall()}
    years: list[set[int]] = [set() for _ in doc_ids]
    days: list[set[float]] = [set() for _ in doc_ids]
    weekdays: list[set[int]] = [set() for _ in doc_ids]
    stamps = store.con.execute(
        "SELECT doc_id, value, precision, text FROM time_expressions WHERE kind = 'date' "
        "AND doc_id IN (SELECT doc_id FROM _want_ids) ORDER BY doc_id, idx").fetchall()
    stamps += [(d, p[:10], "day", None) for d, p in zip(doc_ids, published, strict=True)
               if p and d in want]
    for doc, value, precision, text in stamps:
        i = row_of.get(doc)
        if i is None:
            continue
        day = _day(value) if value and precision == "day" else float("nan")
        if text is not None:
            if day == day:
                weekdays[i].add(date.fromordinal(int(day)).weekday())
            else:
                weekdays[i].update(WEEKDAYS[w] for w in _WORD.findall(text.lower())
                                   if w in WEEKDAYS)
        if not value or not value[:4].isdigit():
            continue
        if precision in ("day", "month", "year"):
            years[i].add(int(value[:4]))
        if day == day:  # not NaN
            days[i].add(day)
    return ([frozenset(y) for y in years], [np.array(sorted(d)) for d in days],
            [frozenset(w) for w in weekdays])
