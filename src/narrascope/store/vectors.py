"""Embedding columns (``FLOAT[384]``) in and out of DuckDB as numpy arrays, through Arrow.

Why: fetching a vector column with ``fetchall`` builds a Python list of 384 floats per row
(5 s for the 44,000 claim vectors of an 840-article store); Arrow hands the same column
over as one flat buffer, and writing goes the same way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa


def arrow_table(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()
                ) -> pa.Table:
    """The result of ``sql`` as one Arrow table."""
    table = con.execute(sql, list(params)).arrow()
    if hasattr(table, "read_all"):  # a RecordBatchReader in some DuckDB versions
        table = table.read_all()
    return table


def read_vectors(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = (),
                 *, key: str, column: str = "vector") -> tuple[list[Any], np.ndarray]:
    """Run ``sql`` and return its ``key`` column and its ``column`` of fixed-size float
    lists as a float32 matrix ``(rows, dim)``."""
    table = arrow_table(con, sql, params)
    keys = table.column(key).to_pylist()
    col = table.column(column).combine_chunks()
    if not len(keys):
        return keys, np.zeros((0, 0), dtype=np.float32)
    flat = np.asarray(col.flatten(), dtype=np.float32)
    return keys, flat.reshape(len(keys), -1)


def vector_array(vectors: np.ndarray) -> pa.FixedSizeListArray:
    """A float32 matrix as an Arrow column of fixed-size lists (one row per vector)."""
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(v.reshape(-1)), v.shape[1])
