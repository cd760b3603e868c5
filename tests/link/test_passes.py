"""Link passes are skipped when their documents, input tables and code are unchanged."""

from __future__ import annotations

import logging

import pytest

from narrascope.link import passes, state
from narrascope.records import DocAnnotation, Document, Sentence
from narrascope.store import Store

CALLS: list[str] = []


def counting_pass(store: Store) -> None:
    CALLS.append("ran")
    store.con.execute("CREATE TABLE IF NOT EXISTS _seen (n INTEGER)")
    store.con.execute("INSERT INTO _seen VALUES (1)")  # a pass may read its own output


def forcible_pass(store: Store, *, rebuild: bool = False) -> None:
    CALLS.append("rebuilt" if rebuild else "ran")


def _ann(doc_id: str, text: str) -> DocAnnotation:
    doc = Document(doc_id, f"{doc_id}.txt", text, outlet="Outlet")
    return DocAnnotation(doc, sentences=(Sentence(doc_id, 0, 0, len(text)),))


def test_pass_runs_again_only_when_its_inputs_change(tmp_path, monkeypatch):
    monkeypatch.setattr(passes, "PASSES", (
        passes.Pass("counting", f"{__name__}:counting_pass", ("sentences", "_seen"), ("_seen",)),))
    CALLS.clear()
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch([_ann("a", "One sentence here.")], "v1")
        passes.run_passes(store)
        passes.run_passes(store)  # nothing changed, not even its own output
        assert CALLS == ["ran"]
        store.write_batch([_ann("a", "One sentence here.")], "v1")  # same content rewritten
        passes.run_passes(store)
        assert CALLS == ["ran"]
        store.write_batch([_ann("b", "Another document arrives.")], "v1")
        passes.run_passes(store)
        assert CALLS == ["ran", "ran"]
        store.con.execute("UPDATE sentences SET end_char = 5 WHERE doc_id = 'a'")  # edited input
        passes.run_passes(store)
        assert CALLS == ["ran", "ran", "ran"]
        # any change to the link package's code (a helper module, not only the pass's own)
        monkeypatch.setattr(state, "link_code_digest", lambda: "edited|v1")
        passes.run_passes(store)
        assert CALLS == ["ran", "ran", "ran", "ran"]


def test_force_runs_every_pass_with_its_forced_arguments(tmp_path, monkeypatch):
    monkeypatch.setattr(passes, "PASSES", (
        passes.Pass("forcible", f"{__name__}:forcible_pass", ("sentences",), (),
                    (("rebuild", True),)),))
    CALLS.clear()
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch([_ann("a", "One sentence here.")], "v1")
        passes.run_passes(store)
        passes.run_passes(store)
        passes.run_passes(store, force=True)  # inputs unchanged, run all the same
        assert CALLS == ["ran", "rebuilt"]


def test_link_code_digest_covers_every_module_of_the_link_package():
    from pathlib import Path

    files = sorted(Path(state.__file__).parent.glob("*.py"))
    assert {f.name for f in files} >= {"actors.py", "claims.py", "claim_checks.py", "passes.py"}
    assert state.link_code_digest().startswith(state.code_digest(*files))


LIMITS: list[str] = []


def _limit(store: Store) -> str:
    return str(store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0])


def limit_reading_pass(store: Store) -> None:
    LIMITS.append(_limit(store))


def _one_pass_store(tmp_path, monkeypatch, target: str, link_limit: str) -> Store:
    """A store holding one document, whose only link pass is ``target``, run under
    ``link_limit``."""
    monkeypatch.setattr(passes, "PASSES", (
        passes.Pass("one", f"{__name__}:{target}", ("sentences",), ()),))
    monkeypatch.setenv(passes.LINK_MEMORY_ENV, link_limit)
    LIMITS.clear()
    store = Store(tmp_path / "s.duckdb")
    store.write_batch([_ann("a", "One sentence here.")], "v1")
    return store


def test_passes_run_under_the_link_memory_limit_and_restore_the_store_limit(tmp_path, monkeypatch):
    with _one_pass_store(tmp_path, monkeypatch, "limit_reading_pass", "96MB") as store:
        before = _limit(store)
        passes.run_passes(store)
        after = _limit(store)
    # DuckDB reports the limit in its own units (96MB = 91.5 MiB)
    assert len(LIMITS) == 1 and LIMITS[0] != before and LIMITS[0].startswith("91.")
    assert after == before


def background_threads_pass(store: Store) -> None:
    LIMITS.append(str(store.con.execute(
        "SELECT current_setting('allocator_background_threads')").fetchone()[0]))


def test_passes_run_with_allocator_background_threads_and_restore_the_setting(tmp_path, monkeypatch):
    monkeypatch.setattr(passes, "PASSES", (
        passes.Pass("bg", f"{__name__}:background_threads_pass", ("sentences",), ()),))
    LIMITS.clear()
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch([_ann("a", "One sentence here.")], "v1")
        before = store.con.execute(
            "SELECT current_setting('allocator_background_threads')").fetchone()[0]
        passes.run_passes(store)
        after = store.con.execute(
            "SELECT current_setting('allocator_background_threads')").fetchone()[0]
    # jemalloc purges the pages DuckDB freed while the passes run Python code
    assert LIMITS == ["True"] or LIMITS == ["true"]
    assert after == before


def test_link_memory_limit_is_validated(monkeypatch):
    import pytest

    from narrascope.errors import OptionInvalid

    monkeypatch.setenv(passes.LINK_MEMORY_ENV, "lots")
    with pytest.raises(OptionInvalid):
        passes.link_memory_limit()
    monkeypatch.delenv(passes.LINK_MEMORY_ENV)
    assert passes.link_memory_limit() == "256MB"


def test_observe_wraps_each_pass_that_runs(tmp_path, monkeypatch):
    """The benchmark times the passes through run_passes itself (its ``observe`` hook)."""
    monkeypatch.setattr(passes, "PASSES", (
        passes.Pass("counting", f"{__name__}:counting_pass", ("sentences", "_seen"), ("_seen",)),
        passes.Pass("forcible", f"{__name__}:forcible_pass", ("sentences",), (),
                    (("rebuild", True),)),))
    CALLS.clear()
    seen: list[tuple[str, int]] = []

    def observe(name, run):
        before = len(CALLS)
        run()
        seen.append((name, len(CALLS) - before))

    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch([_ann("a", "One sentence here.")], "v1")
        passes.run_passes(store, observe=observe)
        assert seen == [("counting", 1), ("forcible", 1)]
        passes.run_passes(store, observe=observe)  # unchanged: nothing runs, nothing observed
        assert len(seen) == 2
        passes.run_passes(store, force=True, observe=observe)
        assert seen[2:] == [("counting", 1), ("forcible", 1)]
        assert CALLS == ["ran", "ran", "ran", "rebuilt"]


HUNGER = {"times": 1}  # how many times hungry_pass runs short


def hungry_pass(store: Store) -> None:
    """Fails like DuckDB short of memory the first HUNGER times, inside an open transaction."""
    LIMITS.append(_limit(store))
    if len(LIMITS) <= HUNGER["times"]:
        import duckdb

        store.con.execute("BEGIN TRANSACTION")
        store.con.execute("CREATE TABLE _half (n INTEGER)")
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
    store.con.execute("CREATE TABLE _half (n INTEGER)")
    store.con.execute("INSERT INTO _half VALUES (1)")


def masked_hungry_pass(store: Store) -> None:
    """Short of memory the first time, and its clean-up inside the aborted transaction then
    fails over that error, as a pass's ``finally: DROP TABLE ...`` does."""
    LIMITS.append(_limit(store))
    if len(LIMITS) == 1:
        import duckdb

        store.con.execute("BEGIN TRANSACTION")
        try:
            store.con.execute("CREATE TABLE _half (n INTEGER)")
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
        finally:
            store.con.execute("SELECT * FROM no_such_table")  # fails over the first error
    store.con.execute("CREATE TABLE _half (n INTEGER)")


def aborted_pass(store: Store) -> None:
    """The first time, fails as DuckDB's full-text index build did at 100k: a bare "Current
    transaction is aborted", the statement that failed before it not said."""
    LIMITS.append(_limit(store))
    if len(LIMITS) == 1:
        import duckdb

        store.con.execute("BEGIN TRANSACTION")
        store.con.execute("CREATE TABLE _half (n INTEGER)")
        raise duckdb.TransactionException(
            "TransactionContext Error: Current transaction is aborted (please ROLLBACK)")
    store.con.execute("CREATE TABLE _half (n INTEGER)")


def broken_pass(store: Store) -> None:
    """Fails with a DuckDB error that is not about memory, inside its own transaction."""
    LIMITS.append(_limit(store))
    store.con.execute("BEGIN TRANSACTION")
    store.con.execute("CREATE TABLE _t AS SELECT 'x' AS s")
    store.con.execute("SELECT s::INTEGER FROM _t")  # fails as it runs: the transaction aborts


def failing_pass(store: Store) -> None:
    LIMITS.append(_limit(store))
    raise ValueError("not a memory error")


def test_pass_whose_memory_error_is_masked_runs_again_and_other_errors_do_not(
        tmp_path, monkeypatch):
    with _one_pass_store(tmp_path, monkeypatch, "masked_hungry_pass", "64MB") as store:
        passes.run_passes(store)
        assert len(LIMITS) == 2 and LIMITS[0] != LIMITS[1] != _limit(store)
        assert store.con.execute("SELECT count(*) FROM _half").fetchone() == (0,)
    with _one_pass_store(tmp_path / "b", monkeypatch, "failing_pass", "64MB") as store:
        with pytest.raises(ValueError):
            passes.run_passes(store)
        assert len(LIMITS) == 1  # not run again


def test_pass_short_of_duckdb_memory_runs_again_under_twice_the_link_limit(
        tmp_path, monkeypatch, caplog):
    with _one_pass_store(tmp_path, monkeypatch, "hungry_pass", "64MB") as store:
        own = _limit(store)
        with caplog.at_level(logging.WARNING, logger="narrascope.link.passes"):
            passes.run_passes(store)
        # the warning names the statement that ran short, not only the pass, and what
        # DuckDB's memory held then
        (warning,) = [r.getMessage() for r in caplog.records if "out of memory" in r.getMessage()]
        assert "link pass one:" in warning and "test_passes.py:" in warning
        assert "in hungry_pass" in warning and "it holds " in warning
        assert "under 64MB" in warning and "again under 128MB" in warning
        assert len(LIMITS) == 2 and LIMITS[0] != LIMITS[1] != own
        # the first attempt's transaction was rolled back, the second's table is there
        assert store.con.execute("SELECT count(*) FROM _half").fetchone() == (1,)
        assert _limit(store) == own


def test_pass_short_of_memory_twice_runs_under_the_store_limit_and_a_third_time_fails(
        tmp_path, monkeypatch):
    monkeypatch.setitem(HUNGER, "times", 2)
    with _one_pass_store(tmp_path, monkeypatch, "hungry_pass", "64MB") as store:
        own = _limit(store)
        passes.run_passes(store)
        assert len(LIMITS) == 3 and LIMITS[2] == own
        assert store.con.execute("SELECT count(*) FROM _half").fetchone() == (1,)
    monkeypatch.setitem(HUNGER, "times", 3)
    with _one_pass_store(tmp_path / "b", monkeypatch, "hungry_pass", "64MB") as store:
        import duckdb

        with pytest.raises(duckdb.OutOfMemoryException):
            passes.run_passes(store)
        assert len(LIMITS) == 3  # not a fourth time
        assert _limit(store) == own


def test_pass_whose_transaction_aborted_unexplained_runs_again(tmp_path, monkeypatch):
    with _one_pass_store(tmp_path, monkeypatch, "aborted_pass", "64MB") as store:
        passes.run_passes(store)
        assert len(LIMITS) == 2 and LIMITS[0] != LIMITS[1]
        assert store.con.execute("SELECT count(*) FROM _half").fetchone() == (0,)


def test_pass_failing_otherwise_is_rolled_back_and_the_store_stays_usable(
        tmp_path, monkeypatch):
    import duckdb

    with _one_pass_store(tmp_path, monkeypatch, "broken_pass", "64MB") as store:
        with pytest.raises(duckdb.ConversionException):
            passes.run_passes(store)
        assert len(LIMITS) == 1  # not run again
        assert store.count("documents") == 1  # no transaction left aborted


def test_retry_limits_double_the_link_limit_below_the_store_limit() -> None:
    assert passes.retry_limits("256MB", "1GB") == ["256MB", "512MB", "1GB"]
    assert passes.retry_limits("256MiB", "1GB") == ["256MiB", "537MB", "1GB"]
    assert passes.retry_limits("600MB", "1GB") == ["600MB", "1GB"]
    assert passes.retry_limits("1GB", "1GB") == ["1GB"]
    assert passes.retry_limits("2GB", "1GB") == ["2GB"]
