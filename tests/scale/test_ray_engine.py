"""The Ray Data engine writes the same store as the local engine (Ray local mode, 2 CPUs)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from narrascope.pipeline import AnalyzeOptions, analyze
from narrascope.store import Store

EXAMPLES = Path(__file__).parents[2] / "examples" / "new-caledonia"
# Columns that differ between any two runs by design: when, and which run.
VOLATILE = {"analysed_at", "applied_at", "started_at", "finished_at", "run_id"}
PER_RUN_TABLES = {"runs", "skipped", "_narrascope_migrations"}


def stored_tables(out: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the store's main schema, rows sorted, volatile columns left out."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with Store.open(out) as st:
        names = [r["table_name"] for r in st.query(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'")]
        for name in sorted(set(names) - PER_RUN_TABLES):
            cols = [r["column_name"] for r in st.query(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [name]) if r["column_name"] not in VOLATILE]
            sel = ", ".join(f'"{c}"' for c in cols)
            rows = st.con.execute(f'SELECT {sel} FROM "{name}"').fetchall()
            tables[name] = sorted(rows, key=repr)
    return tables


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    # On a loaded machine the raylet can take longer than Ray's default wait to register.
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "180")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_engine_option_rejects_unknown_engines(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from narrascope.cli import app

    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        AnalyzeOptions(engine="spark")
    res = CliRunner().invoke(app, ["analyze", str(EXAMPLES), "--out", str(tmp_path),
                                   "--engine", "spark"])
    assert res.exit_code == 1
    assert "unknown --engine 'spark'" in res.output
    assert not (tmp_path / "narrascope.duckdb").exists()


@pytest.mark.model
@pytest.mark.slow
def test_ray_engine_stores_the_same_tables_as_the_process_pool(
    tmp_path: Path, ray_local: Any
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    (corpus / "empty.txt").write_bytes(b"")  # a skipped input goes through both engines alike
    local = analyze([corpus], tmp_path / "local", AnalyzeOptions(workers=2, report=False))
    on_ray = analyze([corpus], tmp_path / "ray",
                     AnalyzeOptions(workers=2, report=False, engine="ray"))
    assert ray_local.is_initialized()  # the engine used the session it found, not its own
    assert (on_ray.analysed, on_ray.documents, len(on_ray.skipped)) == (
        local.analysed, local.documents, len(local.skipped))
    assert local.analysed == 5
    a, b = stored_tables(tmp_path / "local"), stored_tables(tmp_path / "ray")
    assert a.keys() == b.keys()
    assert a["mentions"] and a["quotes"] and a["actors"]
    for name in a:
        assert a[name] == b[name], f"table {name} differs between engines"
