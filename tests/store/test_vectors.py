"""Vector columns through Arrow: FLOAT[384] and raw float32 bytes (BLOB), and m026."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.link.state import ENCODER_STATE, reset_vectors, vectors_match
from narrascope.store import Store
from narrascope.store.schema import all_migrations
from narrascope.store.vectors import (
    DIM,
    NAMED_KEYS_MAX,
    RECENT_SHARE,
    VECTOR_BYTES,
    _blob_matrix,
    add_claim_vectors,
    blob_array,
    claim_vectors_for,
    count_claim_vectors,
    read_vectors,
    vector_array,
)


def test_vector_width_is_the_encoders() -> None:
    from narrascope.annotate.embed import DIM as ENCODER_DIM

    assert DIM == ENCODER_DIM and VECTOR_BYTES == 4 * DIM


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 30), dim=st.sampled_from([1, 3, 384]), lo=st.integers(0, 5),
       seed=st.integers(0, 2**32 - 1))
def test_blob_vectors_come_back_bit_for_bit(n: int, dim: int, lo: int, seed: int) -> None:
    """Written as bytes, read back as the same float32 (also NaN, -0.0 and subnormals), from
    a query whose rows are a slice of what was stored, as from a FLOAT[dim] column."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    if n:
        v[0, 0] = np.float32(-0.0)
        v[-1, -1] = np.float32(np.nan)
        v[n // 2, 0] = np.float32(1e-42)
    con = duckdb.connect()
    con.register("t", pa.table({"k": pa.array(range(n), pa.int64()), "b": blob_array(v),
                                "f": vector_array(v) if n else pa.array([], pa.list_(pa.float32(), dim))}))
    sql = "SELECT k, {} AS vector FROM t WHERE k >= ? ORDER BY k"
    keys, got = read_vectors(con, sql.format("b"), [lo], key="k")
    assert keys == list(range(lo, n))
    if keys:
        assert got.dtype == np.float32
        assert got.tobytes() == v[lo:].tobytes()
        _, as_floats = read_vectors(con, sql.format("f"), [lo], key="k")
        assert as_floats.tobytes() == got.tobytes()
    # an Arrow slice (an array starting past its buffers' first value) reads the same, with
    # 64-bit offsets and with 32-bit ones
    for arr in (blob_array(v), blob_array(v).cast(pa.binary())):
        part = arr.slice(lo)
        if len(part):
            assert _blob_matrix(part, "t").tobytes() == v[lo:].tobytes()


def test_blob_vectors_of_mixed_sizes_are_refused() -> None:
    con = duckdb.connect()
    con.register("t", pa.table({"k": [1, 2], "vector": pa.array([b"\0" * 8, b"\0" * 12])}))
    with pytest.raises(ValueError, match="different or odd sizes"):
        read_vectors(con, "SELECT * FROM t", key="k")


def test_claim_vectors_become_bytes_with_their_key(tmp_path: Path, monkeypatch) -> None:
    """m026: every stored claim vector is kept, bit for bit, as BLOB bytes, one row per text
    hash (also in a store that had lost the key and held a hash twice), and the key is back."""
    import narrascope.store.db as db

    older = [(n, fn) for n, fn in all_migrations() if n < "m026"]
    monkeypatch.setattr(db, "all_migrations", lambda: older)
    rng = np.random.default_rng(7)
    v = rng.standard_normal((5, DIM)).astype(np.float32)
    keys = [f"h{i}" for i in range(5)]
    with Store(tmp_path) as s:
        con = s.con
        con.execute("ALTER TABLE claim_vectors RENAME TO _old")
        con.execute("CREATE TABLE claim_vectors (text_hash VARCHAR NOT NULL, "
                    "vector FLOAT[384] NOT NULL)")  # as m025 briefly left it: no key
        con.execute("DROP TABLE _old")
        rows = pa.table({"text_hash": [*keys, "h2"], "vector": vector_array(np.vstack([v, v[2]]))})
        con.register("r", rows)
        con.execute("INSERT INTO claim_vectors SELECT * FROM r")
        con.unregister("r")
    monkeypatch.undo()
    with Store(tmp_path) as s:
        assert "m026_claim_vectors_as_bytes" in s.applied_migrations()
        got_keys, got = read_vectors(s.con, "SELECT text_hash, vector FROM claim_vectors "
                                     "ORDER BY text_hash", key="text_hash")
        assert got_keys == keys and got.tobytes() == v.tobytes()
        assert s.con.execute("SELECT DISTINCT typeof(vector) FROM claim_vectors").fetchall() == [("BLOB",)]
        with pytest.raises(duckdb.ConstraintException):
            s.con.execute("INSERT INTO claim_vectors VALUES ('h0', ?)", [v[0].tobytes()])
        with pytest.raises(duckdb.ConstraintException):  # not a 384-float vector
            s.con.execute("INSERT INTO claim_vectors VALUES ('h9', ?)", [b"\0" * 8])


def _vectors(seed: int, n: int, prefix: str) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    return [f"{prefix}{i:03d}" for i in range(n)], rng.standard_normal((n, DIM)).astype(np.float32)


def _fill(s: Store, keys: list[str], v: np.ndarray, n_main: int, n_recent: int) -> None:
    """The first ``n_main`` vectors in the keyed table, the next ``n_recent`` in the other."""
    add_claim_vectors(s, keys[:n_main], v[:n_main])
    add_claim_vectors(s, keys[n_main:n_main + n_recent], v[n_main:n_main + n_recent])
    assert count_claim_vectors(s.con) == (n_main, n_recent)


def _lookup(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, bytes]:
    got_keys, got = claim_vectors_for(con, keys)
    return {k: v.tobytes() for k, v in zip(got_keys, got, strict=True)}


def test_claim_vectors_go_to_the_unkeyed_table_then_move_to_the_keyed_one(tmp_path: Path) -> None:
    """A first batch fills the keyed table; small later batches stay in
    ``claim_vectors_recent`` (an append there does not make DuckDB rewrite the key's index);
    the batch that would pass ``RECENT_SHARE`` of the keyed table moves them all over.
    Lookups see every vector, bit for bit, wherever it is."""
    n = 200
    keys, v = _vectors(3, n + 30, "h")
    small = int(RECENT_SHARE * n) // 2  # two of these fit, a third does not
    assert small >= 2
    with Store(tmp_path) as s:
        assert count_claim_vectors(s.con) == (0, 0)
        assert claim_vectors_for(s.con, ["h000"])[1].shape == (0, DIM)
        _fill(s, keys, v, n, small)
        add_claim_vectors(s, keys[n + small:n + 2 * small], v[n + small:n + 2 * small])
        assert count_claim_vectors(s.con) == (n, 2 * small)
        want = {k: v[i].tobytes() for i, k in enumerate(keys[:n + 2 * small])}
        probe = [keys[0], keys[n - 1], keys[n], keys[n + 2 * small - 1], "absent"]
        assert _lookup(s.con, probe) == {k: want[k] for k in probe[:-1]}
        last = slice(n + 2 * small, n + 3 * small)
        add_claim_vectors(s, keys[last], v[last])
        assert count_claim_vectors(s.con) == (n + 3 * small, 0)
        everything = keys[:n + 3 * small]
        assert _lookup(s.con, everything) == {k: v[i].tobytes() for i, k in enumerate(everything)}
        (dupes,) = s.con.execute("SELECT count(*) - count(DISTINCT text_hash) FROM claim_vectors"
                                 ).fetchone()
        assert dupes == 0


def test_claim_vector_lookups_by_named_keys_and_by_join_agree(tmp_path: Path, monkeypatch) -> None:
    """Few keys are named in the query (the key's index answers), many are joined: the
    same vectors either way, from both tables, absent keys left out."""
    import narrascope.store.vectors as vectors

    keys, v = _vectors(5, 120, "j")
    with Store(tmp_path) as s:
        _fill(s, keys, v, 110, 5)
        probe = [*keys[100:120], keys[3], keys[3]]  # 5 absent, one asked twice
        want = {k: v[keys.index(k)].tobytes() for k in probe if keys.index(k) < 115}
        assert len(probe) <= NAMED_KEYS_MAX
        named = _lookup(s.con, probe)
        monkeypatch.setattr(vectors, "NAMED_KEYS_MAX", 2)
        joined = _lookup(s.con, probe)
        assert named == joined == want


def test_a_failed_move_keeps_the_recent_vectors(tmp_path: Path) -> None:
    """The move and the new rows are one transaction: when it fails, nothing is lost."""
    keys, v = _vectors(4, 60, "k")
    with Store(tmp_path) as s:
        _fill(s, keys, v, 40, 1)
        bad = np.zeros((19, 3), np.float32)  # not 384 floats: the insert after the move fails
        with pytest.raises(duckdb.ConstraintException):
            add_claim_vectors(s, keys[41:], bad)
        assert count_claim_vectors(s.con) == (40, 1)
        assert _lookup(s.con, keys[:41]) == {k: v[i].tobytes() for i, k in enumerate(keys[:41])}


def _vector_rows(s: Store) -> tuple[int, int, int]:
    row = s.con.execute("SELECT (SELECT count(*) FROM doc_vectors), "
                        "(SELECT count(*) FROM claim_vectors), "
                        "(SELECT count(*) FROM claim_vectors_recent)").fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def test_vectors_of_another_encoder_are_dropped_with_the_passes_memory(tmp_path: Path) -> None:
    """Vectors of two encoders must not meet: the store names, per family of vector tables,
    the encoder its vectors are of; a family of another encoder (or an unnamed one) loses
    its vectors, the other family keeps its own, and what the passes remember goes, so they
    run again in full. The same encoders keep everything."""
    keys, v = _vectors(7, 40, "e")
    both = {"doc_vectors": "enc-D", "claim_vectors": "enc-A"}
    with Store(tmp_path) as s:
        assert s.count("link_state") == 0
        assert reset_vectors(s, both) == 0  # nothing stored yet: only the names are kept
        assert vectors_match(s, "claim_vectors", "enc-A")
        assert vectors_match(s, "doc_vectors", "enc-D")
        _fill(s, keys, v, 38, 1)
        s.insert_arrow("doc_vectors", pa.table({"doc_id": ["d1"], "vector": vector_array(v[:1]),
                                                "text_hash": ["x"]}))
        s.con.execute("INSERT INTO link_state VALUES ('pass:stories', 'f1'), "
                      "('reuse:index', 'r1')")
        assert reset_vectors(s, both) == 0
        assert _vector_rows(s) == (1, 38, 1)
        assert reset_vectors(s, {**both, "claim_vectors": "enc-B"}) == 39
        assert _vector_rows(s) == (1, 0, 0)  # the leads' vectors are still enc-D's
        assert not vectors_match(s, "claim_vectors", "enc-A")
        assert vectors_match(s, "claim_vectors", "enc-B")
        left = {r[0] for r in s.con.execute("SELECT pass FROM link_state").fetchall()}
        assert left == {ENCODER_STATE + "doc_vectors", ENCODER_STATE + "claim_vectors",
                        "reuse:index"}


def test_vectors_of_a_store_that_never_named_its_encoder_are_dropped(tmp_path: Path) -> None:
    keys, v = _vectors(8, 10, "u")
    with Store(tmp_path) as s:
        add_claim_vectors(s, keys, v)
        s.insert_arrow("doc_vectors", pa.table({"doc_id": ["d1"], "vector": vector_array(v[:1]),
                                                "text_hash": ["x"]}))
        assert reset_vectors(s, {"doc_vectors": "enc-D", "claim_vectors": "enc-A"}) == 11
        assert _vector_rows(s) == (0, 0, 0)
        assert vectors_match(s, "claim_vectors", "enc-A")
