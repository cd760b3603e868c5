"""Crash safety: ``narrascope analyze`` killed with SIGKILL at random moments, then re-run.

After every kill the store must open, and every stored document must be whole: its
document row and all its per-document rows (sentences, mentions, entities, quotes, and
the component tables) exactly as an uninterrupted run stores them, or none of them.
After the kills, one more run to completion must leave the store equal to the
uninterrupted run's (all tables, timestamps and run bookkeeping aside).

The runs use a snapshot of the source tree, so engineers editing the annotate code
meanwhile cannot change the pipeline version half-way. Kill times are drawn from a
seeded generator (``NARRASCOPE_KILL_SEED``) printed on failure.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.model]

KILLS = int(os.environ.get("NARRASCOPE_KILLS", "20"))
SRC = Path(__file__).resolve().parents[1] / "src" / "narrascope"
# Bookkeeping that legitimately differs between runs (plus timestamp and run-id columns).
SKIP_TABLES = {"runs", "skipped", "_narrascope_migrations"}

PEOPLE = ["Marta Silva", "Jonas Berg", "Aiko Tanaka", "Samuel Okafor", "Lena Novak",
          "Pierre Dubois", "Ines Costa", "Tomasz Wolak"]
PLACES = ["Lisbon", "Gdansk", "Rotterdam", "Marseille", "Genoa", "Hamburg", "Valencia", "Antwerp"]
ORGS = ["the dockers' union", "the port authority", "the transport ministry", "the shipping association"]


def _article(i: int) -> str:
    """A small hand-made news text, different for every ``i``."""
    person, other = PEOPLE[i % len(PEOPLE)], PEOPLE[(i * 3 + 1) % len(PEOPLE)]
    place, org = PLACES[i % len(PLACES)], ORGS[i % len(ORGS)]
    return (
        f"Strike talks stall in {place} for day {i + 1}\n\n"
        f"Dock workers in {place} stayed off the job on Monday, {i + 2} days after talks with "
        f"{org} broke down, officials said.\n\n"
        f"“We will not go back until the safety rules change,” said {person}, who speaks for "
        f"the workers. {other} told reporters that {100 + 7 * i} containers were waiting.\n\n"
        f"According to {org}, cargo worth ${i + 3} million has been diverted since May {i % 28 + 1}, 2024. "
        f"{person} said the next meeting would take place on Thursday.\n"
    )


def _analyze_cmd(corpus: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "narrascope.cli", "analyze", str(corpus), "--out", str(out),
            "--no-report", *extra]


def _rows(con: duckdb.DuckDBPyConnection, table: str, where: str = "", params: Any = ()) -> list[tuple[Any, ...]]:
    cols = _columns(con, table)
    sql = f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {table} {where}"
    rows = [tuple(tuple(v) if isinstance(v, list) else v for v in r)
            for r in con.execute(sql, list(params)).fetchall()]
    return sorted(rows, key=repr)


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema='main' "
        "AND table_type='BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [n[0] for n in names if n[0] not in SKIP_TABLES]


def _per_doc_tables() -> list[str]:
    from narrascope.store.schema import PER_DOC_TABLES, all_migrations

    all_migrations()
    return list(PER_DOC_TABLES)


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {t: _rows(con, t) for t in _tables(con)}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"article-{i:02d}.txt").write_text(_article(i), encoding="utf-8")
    src = root / "src"
    shutil.copytree(SRC, src / "narrascope", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(src), "NARRASCOPE_DOC_TIMEOUT": "600"}
    base = root / "baseline"
    started = time.monotonic()
    done = subprocess.run(_analyze_cmd(corpus, base), env=env, capture_output=True, text=True,
                          timeout=900)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    con = duckdb.connect(str(base / "narrascope.duckdb"), read_only=True)
    try:
        baseline = _snapshot(con)
    finally:
        con.close()
    assert len(baseline["documents"]) == 40
    return {"root": root, "corpus": corpus, "env": env, "baseline": baseline, "seconds": seconds}


def _check_whole_documents(db: Path, baseline: dict[str, list[tuple[Any, ...]]],
                           per_doc: list[str]) -> int:
    """Open the store after a kill; every stored document complete, no orphan rows."""
    con = duckdb.connect(str(db))  # read-write: replays the WAL as the next run would
    try:
        tables = set(_tables(con))
        if "documents" not in tables:
            return 0  # killed before the schema existed
        doc_ids = [r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall()]
        base_docs = {r[0]: r for r in baseline["documents"]}
        for doc_id in doc_ids:
            [row] = _rows(con, "documents", "WHERE doc_id = ?", [doc_id])
            assert row == base_docs[doc_id], f"document {doc_id} differs from the baseline"
        for table in per_doc:
            if table not in tables:
                continue
            orphans = con.execute(
                f"SELECT count(*) FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
            ).fetchone()
            assert orphans == (0,), f"{table} has rows of documents that are not stored"
            stored = _rows(con, table)
            at = _columns(con, table).index("doc_id")
            wanted = set(doc_ids)
            expected = [r for r in baseline.get(table, []) if r[at] in wanted]
            assert stored == expected, f"{table}: a stored document is not whole"
        return len(doc_ids)
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema='main' "
        "AND table_name=? AND data_type NOT LIKE 'TIMESTAMP%' AND column_name NOT IN "
        "('run_id', 'analysed_at') ORDER BY ordinal_position",
        [table]).fetchall()]


def test_sigkill_at_random_points_never_corrupts_or_half_stores(setup: dict[str, Any]) -> None:
    seed = int(os.environ.get("NARRASCOPE_KILL_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    out = setup["root"] / f"killed-{seed}"
    db = out / "narrascope.duckdb"
    per_doc = _per_doc_tables()
    # A run that finds every document stored ends much sooner than the first run, and
    # forced runs sooner than a cold one: kill times are drawn below the shortest run
    # seen so far of the same kind, so most kills land mid-run on any machine speed.
    shortest = {False: setup["seconds"], True: setup["seconds"]}
    started = time.monotonic()
    log: list[str] = []
    attempts = 0
    while sum("killed" in line for line in log) < KILLS and attempts < 2 * KILLS:
        forced = bool(attempts % 2)  # forced runs rewrite stored documents
        attempts += 1
        extra = ("--force",) if forced else ()
        began = time.monotonic()
        proc = subprocess.Popen(_analyze_cmd(setup["corpus"], out, *extra), env=setup["env"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.3, max(0.4, 0.9 * shortest[forced]))
        try:
            proc.wait(timeout=delay)
            outcome = f"finished ({proc.returncode})"
            shortest[forced] = min(shortest[forced], time.monotonic() - began)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            outcome = "killed"
        stored = _check_whole_documents(db, setup["baseline"], per_doc) if db.exists() else 0
        log.append(f"run {attempts}{' --force' if forced else ''}: {delay:.1f}s {outcome}, "
                   f"{stored} documents stored")
    final = subprocess.run(_analyze_cmd(setup["corpus"], out), env=setup["env"],
                           capture_output=True, text=True, timeout=900)
    assert final.returncode == 0, final.stderr[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        after = _snapshot(con)
    finally:
        con.close()
    elapsed = time.monotonic() - started
    kills = sum("killed" in line for line in log)
    print(f"seed {seed}; baseline {setup['seconds']:.1f}s; {attempts} runs, {kills} kills, "
          f"final run {elapsed:.1f}s")
    print("\n".join(log))
    assert kills >= KILLS // 2, f"too few kills landed (seed {seed})"
    assert set(after) == set(setup["baseline"]), f"seed {seed}"
    for table, rows in setup["baseline"].items():
        assert after[table] == rows, f"table {table} differs from an uninterrupted run (seed {seed})"
