"""JSONL and Parquet: every data table of the store, one file per table.

Tables are listed from DuckDB's catalog (``_*`` bookkeeping and the FTS index schema are
left out), and rows are sorted by all columns (``ORDER BY ALL``). Run bookkeeping is not
part of the evidence and differs between two runs over the same input, so the ``runs`` and
``skipped`` tables and the run-time columns (``analysed_at``, ``run_id``, ``started_at``,
``finished_at``) are not exported; the store keeps them.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from narrascope.export import register
from narrascope.report.pages import table_columns, user_tables
from narrascope.store import Store

RUN_TABLES = frozenset({"runs", "skipped"})
RUN_COLUMNS = frozenset({"analysed_at", "run_id", "started_at", "finished_at"})


def exported_tables(store: Store) -> dict[str, list[str]]:
    """Table -> exported columns, for every table that holds findings or documents."""
    out = {}
    for t in user_tables(store):
        if t in RUN_TABLES:
            continue
        cols = [c for c in table_columns(store, t) if c not in RUN_COLUMNS]
        if cols:
            out[t] = cols
    return out


def _select(table: str, cols: list[str]) -> str:
    quoted = ", ".join(f'"{c}"' for c in cols)
    return f'SELECT {quoted} FROM "{table}" ORDER BY ALL'


def _plain(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def _out_dir(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_jsonl(store: Store, out: Path) -> list[Path]:
    """``out/<table>.jsonl``: one JSON object per row, keys in column order."""
    written = []
    for table, cols in exported_tables(store).items():
        path = _out_dir(out) / f"{table}.jsonl"
        cur = store.con.execute(_select(table, cols))
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            while rows := cur.fetchmany(5_000):
                for r in rows:
                    fh.write(json.dumps({c: _plain(v) for c, v in zip(cols, r, strict=True)},
                                        ensure_ascii=False) + "\n")
        written.append(path)
    return written


def write_parquet(store: Store, out: Path) -> list[Path]:
    """``out/<table>.parquet`` with DuckDB's column types (zstd, one row group per 100k rows)."""
    written = []
    for table, cols in exported_tables(store).items():
        path = _out_dir(out) / f"{table}.parquet"
        tbl = store.con.execute(_select(table, cols)).to_arrow_table()
        pq.write_table(tbl.combine_chunks(), path, compression="zstd", row_group_size=100_000)
        written.append(path)
    return written


register("jsonl", ".jsonl", write_jsonl)
register("parquet", ".parquet", write_parquet)
