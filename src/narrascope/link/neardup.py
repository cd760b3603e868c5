"""Incremental near-duplicate pass: MinHash signatures and LSH bands kept in the store.

Why: the pass used to re-shingle and re-hash every stored text on every run (tens of ms per
article: most of a re-run's time once the corpus is large). A signature depends only on the
text, and ``doc_id`` is a hash of the text, so signatures and band keys are stored once
(``doc_minhash``, ``doc_lsh_bands``) and a re-run hashes the new documents only, finds their
candidates with one SQL join on band keys, and replaces only the pairs that involve them.

Same result as indexing every text with :class:`narrascope.ingest.dedup.NearDuplicateIndex`
in ``doc_id`` order: the same shingles, seed and permutations (datasketch), the same LSH
banding (candidates share one whole band), the same threshold on the estimated Jaccard;
pairs are stored as (later doc_id, earlier doc_id). ``tests/test_incremental.py`` checks it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import pyarrow as pa
from datasketch import MinHash, MinHashLSH

from narrascope.ingest.dedup import SEED, SHINGLE_WORDS, shingles
from narrascope.store import Store

LOGGER = logging.getLogger(__name__)
THRESHOLD = 0.8
NUM_PERM = 128
PARAMS = f"w{SHINGLE_WORDS}-p{NUM_PERM}-s{SEED}-t{THRESHOLD}-affine32"
_CHUNK = 1_000


@cache
def _permutations() -> np.ndarray:
    # Building a MinHash draws its permutations anew (~several ms); draw them once.
    return np.asarray(MinHash(num_perm=NUM_PERM, seed=SEED).permutations)


@cache
def _hashranges() -> tuple[tuple[int, int], ...]:
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return tuple((int(a), int(b)) for a, b in lsh.hashranges)


def signature(text: str) -> np.ndarray | None:
    """The MinHash hash values of ``text``'s word shingles; None for a text without words."""
    sh = shingles(text)
    if not sh:
        return None
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme="affine32")
    mh.update_batch([s.encode("utf-8") for s in sh])
    return np.asarray(mh.hashvalues)


def _store_signatures(store: Store, ids: Sequence[str]) -> None:
    """Compute and insert the signatures and band keys of ``ids`` (chunked: flat memory)."""
    con = store.con
    ranges = _hashranges()
    for i in range(0, len(ids), _CHUNK):
        chunk = pa.table({"doc_id": list(ids[i : i + _CHUNK])})
        con.register("_nd_ids", chunk)
        rows = con.execute(
            "SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT doc_id FROM _nd_ids)"
        ).fetchall()
        con.unregister("_nd_ids")
        sig_ids: list[str] = []
        sigs: list[bytes | None] = []
        band_ids: list[str] = []
        bands: list[int] = []
        keys: list[bytes] = []
        for doc_id, text in rows:
            sig = signature(text)
            sig_ids.append(doc_id)
            sigs.append(None if sig is None else sig.tobytes())
            if sig is not None:
                for b, (lo, hi) in enumerate(ranges):
                    band_ids.append(doc_id)
                    bands.append(b)
                    keys.append(sig[lo:hi].tobytes())
        con.register("_nd_sig", pa.table({
            "doc_id": sig_ids, "params": [PARAMS] * len(sig_ids),
            "sig": pa.array(sigs, pa.binary()),
        }))
        con.execute("INSERT INTO doc_minhash SELECT doc_id, params, sig FROM _nd_sig")
        con.unregister("_nd_sig")
        if band_ids:
            con.register("_nd_band", pa.table({
                "doc_id": band_ids, "band": pa.array(bands, pa.int16()),
                "key": pa.array(keys, pa.binary()),
            }))
            con.execute("INSERT INTO doc_lsh_bands SELECT doc_id, band, key FROM _nd_band")
            con.unregister("_nd_band")


def _jaccard_pairs(store: Store, cands: Iterable[tuple[str, str]]) -> list[tuple[str, str, float]]:
    """Pairs (later, earlier, estimated Jaccard) of the candidates at or above the threshold."""
    pairs = sorted({(max(a, b), min(a, b)) for a, b in cands})
    ids = sorted({x for p in pairs for x in p})
    sig: dict[str, np.ndarray] = {}
    con = store.con
    for i in range(0, len(ids), _CHUNK):
        con.register("_nd_ids", pa.table({"doc_id": ids[i : i + _CHUNK]}))
        for doc_id, raw in con.execute(
            "SELECT doc_id, sig FROM doc_minhash WHERE doc_id IN (SELECT doc_id FROM _nd_ids)"
        ).fetchall():
            sig[doc_id] = np.frombuffer(raw, dtype=np.uint32)
        con.unregister("_nd_ids")
    out: list[tuple[str, str, float]] = []
    for a, b in pairs:
        score = float(np.count_nonzero(sig[a] == sig[b])) / float(NUM_PERM)
        if score >= THRESHOLD:
            out.append((a, b, round(score, 4)))
    return out


def update_near_duplicates(store: Store) -> int:
    """Bring ``near_duplicates`` up to date with the stored documents; return new documents.

    One transaction: a crash leaves the previous state (signatures and pairs together).
    """
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        stale = con.execute(
            "SELECT count(*) FROM doc_minhash WHERE params <> ?", [PARAMS]).fetchone()
        if stale and stale[0]:  # other settings: every pair may change
            LOGGER.info("near-duplicates: settings changed, recomputing every signature")
            for t in ("doc_minhash", "doc_lsh_bands", "near_duplicates"):
                con.execute(f"DELETE FROM {t}")
        # Documents no longer stored take their signatures and pairs with them.
        con.execute("DELETE FROM doc_minhash WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
        con.execute(
            "DELETE FROM doc_lsh_bands WHERE doc_id NOT IN (SELECT doc_id FROM doc_minhash)")
        con.execute(
            "DELETE FROM near_duplicates WHERE doc_id NOT IN (SELECT doc_id FROM documents) "
            "OR other_doc_id NOT IN (SELECT doc_id FROM documents)")
        new = [r[0] for r in con.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM doc_minhash) "
            "ORDER BY doc_id").fetchall()]
        if new:
            _store_signatures(store, new)
            con.register("_nd_new", pa.table({"doc_id": new}))
            cands = con.execute(
                """SELECT DISTINCT a.doc_id, b.doc_id
                   FROM doc_lsh_bands a JOIN doc_lsh_bands b
                     ON a.band = b.band AND a.key = b.key AND a.doc_id <> b.doc_id
                   WHERE a.doc_id IN (SELECT doc_id FROM _nd_new)"""
            ).fetchall()
            pairs = _jaccard_pairs(store, cands)
            con.execute(
                "DELETE FROM near_duplicates WHERE doc_id IN (SELECT doc_id FROM _nd_new) "
                "OR other_doc_id IN (SELECT doc_id FROM _nd_new)")
            con.unregister("_nd_new")
            if pairs:
                con.register("_nd_pairs", pa.table({
                    "doc_id": [p[0] for p in pairs], "other_doc_id": [p[1] for p in pairs],
                    "jaccard": [p[2] for p in pairs],
                }))
                con.execute("INSERT OR REPLACE INTO near_duplicates "
                            "SELECT doc_id, other_doc_id, jaccard FROM _nd_pairs")
                con.unregister("_nd_pairs")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    LOGGER.info("near-duplicates: %d new documents hashed", len(new))
    return len(new)
