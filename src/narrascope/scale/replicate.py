"""Scale-test stores: an analysed store's documents repeated ``k`` times under new ids.

Why: the cross-document passes have to be measured at sizes (4k, 20k, 100k documents) that
would take hours to annotate; their input is the per-document tables, so repeating those
tables gives the passes a corpus of the wanted size in seconds (all in DuckDB SQL).

Replica 0 is the source store's documents unchanged. Replica ``r >= 1`` of a document:

* gets a new ``doc_id`` (16 hex digits of ``md5(doc_id#r)``), and every row that carries
  an id gets it too (``sentences.sid`` = ``new_id:idx``); ``documents.source`` and
  ``doc_sources.source`` get ``#replica<r>`` appended;
* has its dates moved ``r * shift_days`` days later (publication date, time expressions,
  quantity and event dates; day, month and year precision; 28 days by default, so
  weekdays are kept): each replica is a later stretch of news;
* has the ASCII letters of its text, title and sentence texts (and of its stored word
  counts, ``doc_terms``) put through one letter permutation drawn for the replica. Lengths
  and character offsets are unchanged, so every per-document annotation stays valid, but
  a replica's words, shingles and sentences are its own: without this each document
  would have ``k - 1`` exact copies, which the near-duplicate and verbatim-reuse passes
  would (rightly) pair up, ``k^2`` pairs per document, a corpus no one has;
* has its document embedding (``doc_vectors``) turned by a random rotation drawn for the
  replica (cosines inside a replica are unchanged, across replicas about 0): otherwise
  a document's nearest neighbours would be its own copies.

Kept as they are: entity names and keys (so replicas share corpus actors, as later news
names the same people), claim texts and lemmas (so ``claim_vectors``, keyed by a hash of
the claim text, serves every replica: nothing is embedded again), mention texts, roles,
tone, techniques. Not copied: the link passes' outputs and state, and the MinHash caches
(``doc_minhash``, ``doc_lsh_bands``, ``sentence_minhash``) and the reuse index
(``sentence_lsh``, ``reuse_edges``), which the passes recompute from the (permuted) texts:
the new store is as a fresh ``analyze`` leaves it before its link passes, with embeddings
and word counts already cached.

    python -m narrascope.scale.replicate SRC_OUT DST_OUT --copies 10 [--shift-days 28]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import string
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from narrascope.store import Store
from narrascope.store.db import db_path
from narrascope.store.schema import PER_DOC_TABLES

LOGGER = logging.getLogger(__name__)
ALPHABET = string.ascii_lowercase + string.ascii_uppercase
# (table, column) holding an ISO date (or a longer timestamp starting with one)
DATE_COLUMNS = {("documents", "published"), ("time_expressions", "value"),
                ("quantities", "date"), ("events", "date")}
# (table, column) holding text whose letters are permuted per replica
TEXT_COLUMNS = {("documents", "text"), ("documents", "title"), ("sentences", "text"),
                ("doc_terms", "term")}
SOURCE_COLUMNS = {("documents", "source"), ("doc_sources", "source")}
DEFAULT_SHIFT_DAYS = 28


def letter_permutation(r: int) -> str:
    """The replica's image of :data:`ALPHABET` (identity for replica 0); upper case follows
    lower case, so lower-casing commutes with the permutation."""
    if r == 0:
        return ALPHABET
    perm = np.random.default_rng([r, 1]).permutation(26)
    low = "".join(string.ascii_lowercase[i] for i in perm)
    return low + low.upper()


def rotation(r: int, dim: int) -> np.ndarray:
    """A random orthogonal ``dim x dim`` matrix drawn for replica ``r`` (identity for 0)."""
    if r == 0:
        return np.eye(dim, dtype=np.float64)
    g = np.random.default_rng([r, 2]).standard_normal((dim, dim))
    q, upper = np.linalg.qr(g)
    return q * np.sign(np.diag(upper))


def new_doc_id(doc_id: str, r: int) -> str:
    if r == 0:
        return doc_id
    return hashlib.md5(f"{doc_id}#{r}".encode()).hexdigest()[:16]


_SHIFT_MACRO = r"""
CREATE OR REPLACE TEMP MACRO _shift_iso(v, d) AS CASE
  WHEN v IS NULL OR d = 0 THEN v
  WHEN regexp_matches(v, '^\d{4}-\d{2}-\d{2}') AND try_cast(left(v, 10) AS DATE) IS NOT NULL
    THEN strftime(try_cast(left(v, 10) AS DATE) + d::INTEGER, '%Y-%m-%d') || substr(v, 11)
  WHEN regexp_matches(v, '^\d{4}-\d{2}$') AND try_cast(v || '-15' AS DATE) IS NOT NULL
    THEN strftime(try_cast(v || '-15' AS DATE) + d::INTEGER, '%Y-%m')
  WHEN regexp_matches(v, '^\d{4}$')
    THEN strftime(try_cast(v || '-07-01' AS DATE) + d::INTEGER, '%Y')
  ELSE v END
"""


def _column_expr(table: str, col: str) -> str:
    if col == "doc_id":
        return "m.new_id"
    if table == "sentences" and col == "sid":
        return "m.new_id || ':' || t.idx::VARCHAR"
    if (table, col) in DATE_COLUMNS:
        return f"_shift_iso(t.{col}, m.days)"
    if (table, col) in TEXT_COLUMNS:
        return f"CASE WHEN m.r = 0 THEN t.{col} ELSE translate(t.{col}, '{ALPHABET}', m.perm) END"
    if (table, col) in SOURCE_COLUMNS:
        return f"CASE WHEN m.r = 0 THEN t.{col} ELSE t.{col} || '#replica' || m.r::VARCHAR END"
    return f't."{col}"'


def _copy_table(con: Any, table: str) -> int:
    cols = [r[1] for r in con.execute(f"PRAGMA table_info('{table}')").fetchall()]
    select = ", ".join(_column_expr(table, c) for c in cols)
    con.execute(f"INSERT INTO main.{table} ({', '.join(chr(34) + c + chr(34) for c in cols)}) "
                f"SELECT {select} FROM src.{table} t JOIN _rep m USING (doc_id)")
    row = con.execute(f"SELECT count(*) FROM main.{table}").fetchone()
    return int(row[0]) if row else 0


def replicate_store(src: str | Path, dst: str | Path, copies: int,
                    shift_days: int = DEFAULT_SHIFT_DAYS) -> dict[str, Any]:
    """Write a new store at ``dst`` holding the documents of the store at ``src`` ``copies``
    times (see the module docstring); returns row counts and seconds."""
    if copies < 1:
        raise ValueError("copies must be at least 1")
    from narrascope.link.state import ENCODER_STATE
    from narrascope.link.story_features import lead_hash, lead_text
    from narrascope.store.vectors import read_vectors, vector_array

    t0 = time.perf_counter()
    if db_path(dst).exists():
        raise FileExistsError(f"{db_path(dst)} exists: replicate into a new folder")
    with Store(src):  # brings the source up to date with the migrations (and checkpoints)
        pass
    out: dict[str, Any] = {"copies": copies, "shift_days": shift_days}
    with Store(dst) as st:
        con = st.con
        con.execute(f"ATTACH '{db_path(src)}' AS src (READ_ONLY)")
        try:
            ids = [r[0] for r in con.execute(
                "SELECT doc_id FROM src.documents ORDER BY doc_id").fetchall()]
            rep = pa.table({
                "doc_id": [d for _ in range(copies) for d in ids],
                "r": pa.array([r for r in range(copies) for _ in ids], pa.int32()),
                "new_id": [new_doc_id(d, r) for r in range(copies) for d in ids],
                "days": pa.array([r * shift_days for r in range(copies) for _ in ids], pa.int32()),
                "perm": [letter_permutation(r) for r in range(copies) for _ in ids],
            })
            con.register("_rep_arrow", rep)
            con.execute("CREATE TEMP TABLE _rep AS SELECT * FROM _rep_arrow")
            con.unregister("_rep_arrow")
            con.execute(_SHIFT_MACRO)
            for table in ("documents", "doc_sources", *PER_DOC_TABLES, "doc_terms"):
                with st.transaction():
                    out[table] = _copy_table(con, table)
            # claim vectors are keyed by a hash of the claim text, which replicas keep
            con.execute("INSERT INTO main.claim_vectors SELECT * FROM src.claim_vectors "
                        "UNION ALL SELECT * FROM src.claim_vectors_recent")
            out["claim_vectors"] = st.count("claim_vectors")
            # document embeddings: rotated per replica, with the hash of the permuted lead
            keys, mat = read_vectors(con, "SELECT doc_id, vector FROM src.doc_vectors "
                                     "JOIN src.documents USING (doc_id) ORDER BY doc_id",
                                     key="doc_id")
            lead = {d: lead_text(text or "", title) for d, title, text in con.execute(
                "SELECT doc_id, title, left(text, 2000) FROM src.documents").fetchall()}
            # the encoder the copied vectors were made with (link.state), so that the
            # passes keep them
            con.execute("INSERT OR REPLACE INTO main.link_state SELECT * FROM src.link_state "
                        "WHERE starts_with(pass, ?)", [ENCODER_STATE])
        finally:
            con.execute("DETACH src")
        for r in range(copies):
            if not keys:
                break
            letters = str.maketrans(ALPHABET, letter_permutation(r))
            vecs = (mat.astype(np.float64) @ rotation(r, mat.shape[1])).astype(np.float32)
            st.insert_arrow("doc_vectors", pa.table({
                "doc_id": [new_doc_id(d, r) for d in keys],
                "vector": vector_array(vecs),
                "text_hash": [lead_hash(lead[d].translate(letters)) for d in keys],
            }))
        out["doc_vectors"] = st.count("doc_vectors")
        con.execute("CHECKPOINT")
    out["seconds"] = round(time.perf_counter() - t0, 2)
    LOGGER.info("replicated %s x%d into %s: %s", src, copies, dst, out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, help="analysed store (an analyze --out folder)")
    ap.add_argument("dst", type=Path, help="new folder for the replicated store")
    ap.add_argument("--copies", "-k", type=int, required=True)
    ap.add_argument("--shift-days", type=int, default=DEFAULT_SHIFT_DAYS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(replicate_store(args.src, args.dst, args.copies, args.shift_days))
    return 0


if __name__ == "__main__":
    sys.exit(main())
