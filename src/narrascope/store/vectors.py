"""Embedding columns in and out of DuckDB as numpy arrays, through Arrow.

Why: fetching a vector column with ``fetchall`` builds a Python list of 384 floats per row
(5 s for the 44,000 claim vectors of an 840-article store); Arrow hands the same column
over as one flat buffer, and writing goes the same way round.

A vector column is either ``FLOAT[384]`` or a BLOB of the vector's raw bytes (384
little-endian float32, :data:`VECTOR_BYTES`), which DuckDB stores uncompressed and so reads
without decompressing rows a query then drops (``claim_vectors``, store migration m026).
:func:`read_vectors` reads either kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from narrascope.store.db import Store


def arrow_table(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()
                ) -> pa.Table:
    """The result of ``sql`` as one Arrow table."""
    table = con.execute(sql, list(params)).arrow()
    if hasattr(table, "read_all"):  # a RecordBatchReader in some DuckDB versions
        table = table.read_all()
    return table


DIM = 384  # the sentence encoder's width (annotate.embed.DIM)
VECTOR_BYTES = 4 * DIM
_FLOAT32_LE = np.dtype("<f4")


def read_vectors(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = (),
                 *, key: str, column: str = "vector") -> tuple[list[Any], np.ndarray]:
    """Run ``sql`` and return its ``key`` column and its ``column`` of fixed-size float
    lists (or of :func:`blob_array` bytes) as a float32 matrix ``(rows, dim)``."""
    table = arrow_table(con, sql, params)
    keys = table.column(key).to_pylist()
    col = table.column(column).combine_chunks()
    if not len(keys):
        return keys, np.zeros((0, 0), dtype=np.float32)
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
        return keys, _blob_matrix(col, f"{column} of {sql!r}")
    flat = np.asarray(col.flatten(), dtype=np.float32)
    return keys, flat.reshape(len(keys), -1)


def _blob_matrix(col: pa.Array, what: str) -> np.ndarray:
    """The float32 matrix of a (large) binary Arrow array of equal-sized raw vectors."""
    if col.null_count:
        raise ValueError(f"{what}: a NULL vector")
    lengths = pc.binary_length(col).to_numpy(zero_copy_only=False)
    if (lengths != lengths[0]).any() or lengths[0] % 4:
        raise ValueError(f"{what}: vectors of different or odd sizes")
    kind = np.int64 if pa.types.is_large_binary(col.type) else np.int32
    _, obuf, dbuf = col.buffers()
    # the array may start past the first value of its buffers (a slice)
    offsets = np.frombuffer(obuf, dtype=kind)[col.offset:col.offset + len(col) + 1]
    raw = np.frombuffer(dbuf, dtype=np.uint8)[offsets[0]:offsets[-1]]
    return raw.view(_FLOAT32_LE).astype(np.float32).reshape(len(col), -1)


def blob_array(vectors: np.ndarray) -> pa.LargeBinaryArray:
    """A float32 matrix ``(rows, dim)`` as an Arrow column of its rows' raw bytes
    (little-endian float32), built from one buffer (no Python object per row)."""
    v = np.ascontiguousarray(vectors, dtype=_FLOAT32_LE)
    if v.ndim != 2:
        raise ValueError(f"blob_array: a matrix (rows, dim) is needed, not shape {v.shape}")
    n, width = v.shape[0], v.shape[1] * v.itemsize
    offsets = np.arange(n + 1, dtype=np.int64) * width
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(v.tobytes())])


def vector_array(vectors: np.ndarray) -> pa.FixedSizeListArray:
    """A float32 matrix as an Arrow column of fixed-size lists (one row per vector)."""
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(v.reshape(-1)), v.shape[1])


# -- the claim-vector cache -------------------------------------------------------------------
# One vector per distinct claim text, keyed by its hash (link/claims.py ``text_hash``): in
# ``claim_vectors`` (primary key) and, for those the last runs added, ``claim_vectors_recent``
# (no key: store migration m030 says why). Read both with :func:`claim_vectors_for`, write
# with :func:`add_claim_vectors`.

# The recent table's rows move to the keyed table once they would be more than this share
# of it: a first run's vectors go straight to the (empty) keyed table, and a lookup's scan
# of the unkeyed rows stays a twentieth of the cache.
RECENT_SHARE = 0.05


# Up to this many keys a lookup names them in the query (``IN (...)``), which DuckDB
# answers from the primary key's index; past it, a join with the keys, which scans the
# table's hashes. Measured with 2M stored vectors (and 50,000 unkeyed): 60 keys 2.9 ms
# named, 45 ms joined (ask looks up a few dozen); 5,000 keys 124 ms named, 60 ms joined
# (the claims pass looks up a chunk's thousands).
NAMED_KEYS_MAX = 1000


def claim_vectors_for(con: duckdb.DuckDBPyConnection, hashes: Sequence[str]
                      ) -> tuple[list[str], np.ndarray]:
    """The stored vectors of those of ``hashes`` that have one: (hashes, float32 matrix),
    in no particular order."""
    wanted = sorted(set(hashes))
    if not wanted:
        return [], np.zeros((0, DIM), dtype=np.float32)
    if len(wanted) <= NAMED_KEYS_MAX:
        marks = ", ".join("?" * len(wanted))
        keys, mat = read_vectors(
            con, f"SELECT text_hash, vector FROM claim_vectors WHERE text_hash IN ({marks}) "
            f"UNION ALL SELECT text_hash, vector FROM claim_vectors_recent "
            f"WHERE text_hash IN ({marks})", [*wanted, *wanted], key="text_hash")
    else:
        con.register("_cv_hashes", pa.table({"h": pa.array(wanted, pa.string())}))
        try:
            keys, mat = read_vectors(
                con, "SELECT text_hash, vector FROM claim_vectors JOIN _cv_hashes ON text_hash = h "
                "UNION ALL SELECT text_hash, vector FROM claim_vectors_recent "
                "JOIN _cv_hashes ON text_hash = h", key="text_hash")
        finally:
            con.unregister("_cv_hashes")
    return keys, (mat if len(keys) else np.zeros((0, DIM), dtype=np.float32))


def count_claim_vectors(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Rows of ``claim_vectors`` and of ``claim_vectors_recent``."""
    row = con.execute("SELECT (SELECT count(*) FROM claim_vectors), "
                      "(SELECT count(*) FROM claim_vectors_recent)").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def add_claim_vectors(store: Store, keys: Sequence[str], vectors: np.ndarray) -> None:
    """Store vectors of claim texts not stored yet (the caller looked them up with
    :func:`claim_vectors_for`), in one transaction: into ``claim_vectors_recent`` while it
    stays within ``RECENT_SHARE`` of ``claim_vectors``, else into ``claim_vectors`` with
    the recent ones moved over."""
    if not len(keys):
        return
    rows = pa.table({"text_hash": pa.array(list(keys), pa.string()),
                     "vector": blob_array(vectors)})
    main, recent = count_claim_vectors(store.con)
    store.con.register("_cv_new", rows)
    try:
        with store.transaction() as con:
            if recent + len(keys) <= RECENT_SHARE * main:
                con.execute("INSERT INTO claim_vectors_recent SELECT text_hash, vector FROM _cv_new")
            else:
                con.execute("INSERT OR IGNORE INTO claim_vectors SELECT text_hash, vector "
                            "FROM claim_vectors_recent")
                con.execute("DELETE FROM claim_vectors_recent")
                con.execute("INSERT OR IGNORE INTO claim_vectors SELECT text_hash, vector "
                            "FROM _cv_new")
    finally:
        store.con.unregister("_cv_new")

