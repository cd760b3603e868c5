"""The DuckDB store: one file per output folder, written one transaction per batch.

A crash mid-batch rolls the whole batch back, so a document is either fully stored
(document row, sentences, mentions, entities, quotes) or not at all. Re-analysing a
document replaces its rows; the same input twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import threading
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from narrascope.errors import OptionInvalid, StoreMissing, StoreVersionMismatch
from narrascope.records import Actor, DocAnnotation, LocalEntity, Mention, Skipped
from narrascope.store.schema import PER_DOC_TABLES, all_migrations

LOGGER = logging.getLogger(__name__)
DB_NAME = "narrascope.duckdb"
_LINK_BATCH = 100_000  # entity_actor rows written at once
_ENTITY_BATCH = 100_000  # local entities read at once (local_entities_with_counts)


def _load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD an extension from its pinned PyPI package (no download at run time)."""
    import importlib

    mod = importlib.import_module(f"duckdb_extension_{name}")
    path = next(Path(mod.__file__ or "").parent.glob(f"extensions/*/{name}.duckdb_extension"))
    con.execute(f"LOAD '{path}'")


def db_path(out_dir: str | Path) -> Path:
    p = Path(out_dir)
    return p if p.suffix == ".duckdb" else p / DB_NAME


MEMORY_ENV = "NARRASCOPE_DB_MEMORY"


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT])(i?)B", flags=re.IGNORECASE)


def memory_limit(env: str = MEMORY_ENV, default: str = "1GB") -> str:
    """DuckDB's memory limit: ``$NARRASCOPE_DB_MEMORY`` (e.g. ``4GB``) or 1GB (another
    variable and default with ``env`` and ``default``)."""
    value = os.environ.get(env, "").strip() or default
    if not _SIZE.fullmatch(value):
        raise OptionInvalid(f"{env}={value!r} is not a size such as 512MB or 4GB")
    return value


def size_bytes(size: str) -> int:
    """Bytes of a DuckDB size setting as :func:`memory_limit` accepts it ("256MB" is
    256 * 1000**2, "1GiB" 1024**3)."""
    m = _SIZE.fullmatch(size.strip())
    if m is None:
        raise ValueError(f"not a size: {size!r}")
    base = 1024 if m.group(3) else 1000
    return int(float(m.group(1)) * base ** ("KMGT".index(m.group(2).upper()) + 1))


def slice_count(con: Any, count_sql: str, per: int) -> int:
    """How many slices of a key's hash (``hash(key) % n = i``) keep each to about ``per``
    of the rows ``count_sql`` counts (a one-value query), at least one. For queries whose
    state (a hash aggregate, a sort, a join's build side) DuckDB cannot spill far enough
    under the link passes' memory limit."""
    row = con.execute(count_sql).fetchone()
    return max(1, -(-int(row[0] if row and row[0] else 0) // per))


def in_slice(key: str, i: int, slices: int) -> str:
    """SQL condition: the row of ``key`` (an expression) is in slice ``i`` of ``slices``
    (:func:`slice_count`); ``true`` when there is one slice."""
    return f"hash({key}) % {slices} = {i}" if slices > 1 else "true"


# -- Arrow's first conversion, imported ahead -----------------------------------------------
# pyarrow imports pandas (when installed: Ray Data needs it) the first time it converts
# Python values, 0.25-0.35 s on this machine, which a re-run of a few documents spends
# after its workers are done. warm_arrow() starts that import in a thread while the workers
# annotate (the parent only waits on their pipes then). A fork while the thread imports
# could leave an import lock held in the child, so a fork first waits for it.
_warm: threading.Thread | None = None


def _import_pandas() -> None:
    with suppress(ImportError):
        import pandas  # noqa: F401


def warm_arrow() -> None:
    """Import, in a background thread, what Arrow's first conversion of Python values
    imports. Call it when this process is about to wait (once its workers are forked)."""
    global _warm
    if _warm is None:
        _warm = threading.Thread(target=_import_pandas, name="warm-arrow", daemon=True)
        _warm.start()


def _finish_warm() -> None:
    if _warm is not None and _warm.is_alive():
        _warm.join()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_finish_warm)


class Store:
    """A narrascope store. Use as a context manager; ``Store.open(dir)`` for an existing one."""

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True) -> None:
        self.path = db_path(path)
        if not self.path.exists():
            if not create or read_only:
                raise StoreMissing(
                    f"no narrascope store at {self.path}; run `narrascope analyze ... --out "
                    f"{self.path.parent}` first"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # DuckDB's default cache is 80% of RAM; a bound keeps a long run's footprint
        # predictable (larger work spills to a temporary directory instead).
        self.memory_limit = memory_limit()
        self.con = duckdb.connect(str(self.path), read_only=read_only,
                                  config={"memory_limit": self.memory_limit})
        self.read_only = read_only
        self._fts_loaded = False
        self._limit_now = self.memory_limit
        self._columns: dict[str, list[tuple[str, str]]] = {}
        self._migrate()

    def set_memory_limit(self, limit: str) -> None:
        """DuckDB's memory limit for what runs next (:meth:`drop_cache` comes back to it)."""
        self.con.execute(f"SET memory_limit = '{limit}'")
        self._limit_now = limit

    def drop_cache(self, above: int | None = None) -> None:
        """Have DuckDB give up the table blocks and finished query memory it keeps cached,
        up to its limit, before work done outside it (a pass's NumPy and Python stages),
        when it holds more than ``above`` bytes (default: three quarters of the limit set):
        the limit is set to 16 MB, which evicts them, and back. Best effort: blocks still
        pinned (an open result, a temporary table) stay.

        Rows written since the last checkpoint (DuckDB's ``IN_MEMORY_TABLE`` memory) are
        not a cache and do not count: evicting them writes them to the temporary directory,
        to be read back at the checkpoint. A re-run's first write, 4 documents into 30
        tables, holds 95 MB of them (a fresh block per column); with the claims pass's
        writes they passed the bound, and their eviction cost 0.1 s of the 4.7 s re-run
        of 400 AllSides articles plus 4. In a larger run DuckDB checkpoints as its
        write-ahead log grows, which keeps them small.

        A cache below that is kept: on 400 AllSides articles plus 4, DuckDB held 20-160 MB
        between the passes, and evicting it after each cost the re-run 0.3-0.6 s of 5 s
        (the next pass read the blocks again).

        Why: on 100,000 replicated documents the stories pass's clustering holds its
        features (word counts and TF-IDF of 32M cells, embeddings) beside up to 256 MB
        of blocks the queries that built them left cached."""
        if above is None:
            above = int(size_bytes(self._limit_now) * 3 / 4)
        row = self.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory() "
                               "WHERE tag <> 'IN_MEMORY_TABLE'").fetchone()
        if not row or int(row[0] or 0) <= above:
            return
        with suppress(duckdb.Error):
            self.con.execute("SET memory_limit = '16MB'")
        self.con.execute(f"SET memory_limit = '{self._limit_now}'")

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = True) -> Store:
        return cls(path, read_only=read_only, create=False)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        con = self.con
        if self.read_only:
            applied = self.applied_migrations()
        else:
            con.execute(
                "CREATE TABLE IF NOT EXISTS _narrascope_migrations "
                "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
            )
            applied = self.applied_migrations()
        migrations = all_migrations()
        known = [name for name, _ in migrations]
        unknown = [a for a in applied if a not in known]
        if unknown:
            raise StoreVersionMismatch(
                f"store {self.path} was written by a newer narrascope (migrations {unknown}); "
                "upgrade narrascope or analyse into a new --out folder"
            )
        pending = [(n, fn) for n, fn in migrations if n not in applied]
        if pending and self.read_only:
            raise StoreVersionMismatch(
                f"store {self.path} needs migrations {[n for n, _ in pending]}; "
                "open it once for writing (re-run `narrascope analyze`) to upgrade it"
            )
        for name, fn in pending:
            con.execute("BEGIN TRANSACTION")
            try:
                fn(con)
                con.execute(
                    "INSERT INTO _narrascope_migrations VALUES (?, ?)", [name, datetime.now(UTC)]
                )
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            LOGGER.info("store %s: applied migration %s", self.path, name)

    def applied_migrations(self) -> list[str]:
        try:
            rows = self.con.execute("SELECT name FROM _narrascope_migrations ORDER BY name").fetchall()
        except duckdb.CatalogException:
            return []
        return [r[0] for r in rows]

    # -- writing --------------------------------------------------------------------------
    def stored_versions(self) -> dict[str, str]:
        """doc_id -> pipeline_version of every stored document."""
        return dict(self.con.execute("SELECT doc_id, pipeline_version FROM documents").fetchall())

    def write_batch(self, anns: Sequence[DocAnnotation], pipeline_version: str) -> None:
        """Store (or replace) the annotations of a batch of documents in one transaction."""
        if not anns:
            return
        tables = _batch_tables(anns, pipeline_version)
        ids = pa.table({"doc_id": [a.doc.doc_id for a in anns]})
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.register("_ids", ids)
            for t in [*PER_DOC_TABLES, "documents"]:
                con.execute(f"DELETE FROM {t} WHERE doc_id IN (SELECT doc_id FROM _ids)")
            con.unregister("_ids")
            for name, tbl in tables.items():
                if tbl.num_rows:
                    con.register("_batch", tbl)
                    cols = ", ".join(f'"{c}"' for c in tbl.column_names)
                    con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _batch")
                    con.unregister("_batch")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise

    def record_sources(self, rows: Iterable[tuple[str, int, str]]) -> None:
        """Upsert (source, line, doc_id): where each stored document was read from."""
        data = list(rows)
        if not data:
            return
        tbl = pa.table(
            {
                "source": [r[0] for r in data],
                "line": [r[1] for r in data],
                "doc_id": [r[2] for r in data],
            }
        )
        self.con.register("_src", tbl)
        # A re-run reads every source again and most map to the document they did: only
        # the rows that are new or changed are written (the others would each update the
        # key's index and be written again at the next checkpoint).
        self.con.execute("""
            INSERT OR REPLACE INTO doc_sources SELECT s.source, s.line, s.doc_id FROM _src s
            WHERE NOT EXISTS (SELECT 1 FROM doc_sources d WHERE d.source = s.source
                              AND d.line = s.line AND d.doc_id = s.doc_id)""")
        self.con.unregister("_src")

    def replace_actors(self, actors: Sequence[Actor],
                       links: Mapping[tuple[str, int], str] | Iterable[tuple[str, int, str]]
                       ) -> None:
        """Make the corpus-wide actor tables hold the result of a link pass. ``links``
        maps ``(doc_id, local_id)`` to an actor id, or is ``(doc_id, local_id, actor_id)``
        rows in ``(doc_id, local_id)`` order (read ``_LINK_BATCH`` at a time).

        Only the rows that differ are written: a row the new result does not hold as it is
        is deleted, and the new rows the tables do not hold are inserted. The actors pass
        links the whole corpus on every run, and a re-run with a few new documents changes
        a few hundred of its rows; deleting and writing every row again made DuckDB write
        both tables whole at its next checkpoint (400 AllSides articles plus 4: 0.21 s of
        the re-run's 5 s, and 3.1M entity rows on 100,000 documents)."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _links_new (doc_id VARCHAR, "
                        "local_id INTEGER, actor_id VARCHAR)")
            rows: Iterable[tuple[str, int, str]] = (
                [(d, i, a) for (d, i), a in sorted(links.items())]
                if isinstance(links, Mapping) else links)
            it = iter(rows)
            while batch := list(islice(it, _LINK_BATCH)):
                con.register("_l", pa.table({
                    "doc_id": pa.array([r[0] for r in batch], pa.string()),
                    "local_id": pa.array([r[1] for r in batch], pa.int32()),
                    "actor_id": pa.array([r[2] for r in batch], pa.string())}))
                con.execute("INSERT INTO _links_new SELECT * FROM _l")
                con.unregister("_l")
            con.execute("""
                DELETE FROM entity_actor e WHERE NOT EXISTS (
                    SELECT 1 FROM _links_new n WHERE n.doc_id = e.doc_id
                    AND n.local_id = e.local_id AND n.actor_id = e.actor_id)""")
            con.execute("""
                INSERT INTO entity_actor SELECT * FROM _links_new n WHERE NOT EXISTS (
                    SELECT 1 FROM entity_actor e WHERE e.doc_id = n.doc_id
                    AND e.local_id = n.local_id)
                ORDER BY doc_id, local_id""")
            con.execute("DROP TABLE _links_new")
            con.register("_a", pa.table({
                "actor_id": pa.array([a.actor_id for a in actors], pa.string()),
                "canonical": pa.array([a.canonical for a in actors], pa.string()),
                "type": pa.array([a.type for a in actors], pa.string()),
                "key": pa.array([a.key for a in actors], pa.string()),
                "aliases": pa.array([list(a.aliases) for a in actors], pa.list_(pa.string())),
                "mention_count": pa.array([a.mention_count for a in actors], pa.int32()),
            }))
            con.execute("""
                DELETE FROM actors o WHERE NOT EXISTS (
                    SELECT 1 FROM _a n WHERE n.actor_id = o.actor_id
                    AND n.canonical IS NOT DISTINCT FROM o.canonical
                    AND n.type IS NOT DISTINCT FROM o.type AND n.key IS NOT DISTINCT FROM o.key
                    AND n.aliases IS NOT DISTINCT FROM o.aliases
                    AND n.mention_count IS NOT DISTINCT FROM o.mention_count)""")
            con.execute("""
                INSERT INTO actors SELECT * FROM _a n WHERE NOT EXISTS (
                    SELECT 1 FROM actors o WHERE o.actor_id = n.actor_id)""")
            con.unregister("_a")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """``with store.transaction() as con:`` commits at the end, rolls back on error."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _insert(self, table: str, rows: pa.Table, verb: str = "INSERT") -> None:
        self.con.register("_insert_rows", rows)
        try:
            self.con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM _insert_rows")
        finally:
            self.con.unregister("_insert_rows")

    def insert_arrow(self, table: str, rows: pa.Table, *, on_conflict: str = "error") -> None:
        """Insert ``rows`` into ``table`` by column name, in one transaction (rolled back
        on error). ``on_conflict``: "error", "replace" (INSERT OR REPLACE) or "ignore"."""
        verb = {"error": "INSERT", "replace": "INSERT OR REPLACE", "ignore": "INSERT OR IGNORE"}
        with self.transaction():
            self._insert(table, rows, verb[on_conflict])

    def replace_tables(self, tables: Mapping[str, pa.Table | Sequence[Mapping[str, Any]]]
                       ) -> None:
        """Replace the whole content of each table with its rows, all in one transaction
        (what a link pass writes). Rows given as dicts keep only the table's columns."""
        with self.transaction() as con:
            for name, rows in tables.items():
                con.execute(f"DELETE FROM {name}")
                if isinstance(rows, pa.Table):
                    if rows.num_rows:
                        self._insert(name, rows)
                    continue
                self.insert_rows(name, rows)

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert dict rows, keeping only ``table``'s columns, inside the caller's transaction."""
        if rows:
            cols = [r[1] for r in self.con.execute(f"PRAGMA table_info('{table}')").fetchall()]
            self._insert(table, pa.Table.from_pylist(
                [{k: r.get(k) for k in cols if k in r} for r in rows]))

    def replace_near_duplicates(self, pairs: Sequence[tuple[str, str, float]]) -> None:
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM near_duplicates")
            if pairs:
                con.register(
                    "_d",
                    pa.table(
                        {
                            "doc_id": [p[0] for p in pairs],
                            "other_doc_id": [p[1] for p in pairs],
                            "jaccard": [p[2] for p in pairs],
                        }
                    ),
                )
                con.execute("INSERT OR REPLACE INTO near_duplicates SELECT * FROM _d")
                con.unregister("_d")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise

    def record_run(
        self,
        run_id: str,
        started: datetime,
        inputs: Sequence[str],
        counts: dict[str, int],
        status: int,
        skipped: Sequence[Skipped],
    ) -> None:
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id, started, datetime.now(UTC), list(inputs), counts.get("documents", 0),
                    counts.get("analysed", 0), counts.get("reused", 0), len(skipped), status,
                ],
            )
            for s in skipped:
                con.execute(
                    "INSERT INTO skipped VALUES (?, ?, ?, ?, ?)",
                    [run_id, s.source, s.line, s.code, s.detail],
                )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise

    def build_fts(self) -> None:
        """(Re)build the BM25 full-text index over sentences."""
        _load_extension(self.con, "fts")
        self.con.execute(
            "PRAGMA create_fts_index('sentences', 'sid', 'text', stemmer='english', "
            "stopwords='english', overwrite=1)"
        )

    # -- reading --------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        cols = [d[0] for d in cur.description or []]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def iter_query(self, sql: str, params: Sequence[Any] = (), chunk: int = 10_000,
                   before: Sequence[str] = ()) -> Iterator[dict[str, Any]]:
        """:meth:`query` as a stream: rows are fetched ``chunk`` at a time (on a cursor of
        their own), so a pass that folds them into totals holds one chunk, not the table.
        ``before``: statements run first on that cursor (say, filling a temporary table,
        which only its own connection sees)."""
        cur = self.con.cursor()
        try:
            for stmt in before:
                cur.execute(stmt)
            cur.execute(sql, list(params))
            cols = [d[0] for d in cur.description or []]
            while rows := cur.fetchmany(chunk):
                for row in rows:
                    yield dict(zip(cols, row, strict=True))
        finally:
            cur.close()

    def search(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        """BM25 search over sentences."""
        if not self._fts_loaded:
            _load_extension(self.con, "fts")
            self._fts_loaded = True
        return self.query(
            """SELECT s.sid, s.doc_id, s.start_char, s.end_char, s.text, score
               FROM (SELECT *, fts_main_sentences.match_bm25(sid, ?) AS score FROM sentences) s
               WHERE score IS NOT NULL ORDER BY score DESC, sid LIMIT ?""",
            [q, limit],
        )

    def local_entities_with_counts(self) -> tuple[list[LocalEntity], array[int]]:
        """Every local entity in ``(doc_id, local_id)`` order and, aligned, how many mentions
        it has (counted in SQL). Equal strings and name tuples are one object: an actor
        named in thousands of documents costs its names once, not once per document.

        Read as Arrow batches, each string column dictionary-encoded so that a batch's
        distinct values are interned once, not once per row: on 100,000 replicated
        documents (3.1M entities) the row-by-row read and interning took 22.6 s, this
        11.5 s."""
        shared: dict[Any, Any] = {}

        def one(x: Any) -> Any:
            return x if x is None else shared.setdefault(x, x)

        def strings(col: pa.Array) -> list[Any]:
            enc = pc.dictionary_encode(col)
            values = [one(v) for v in enc.dictionary.to_pylist()]
            return [None if i is None else values[i] for i in enc.indices.to_pylist()]

        def tuples(col: pa.Array) -> list[Any]:
            # a list<string> column: its values interned as above, then a tuple per row
            flat = strings(pc.list_flatten(col))
            out, at = [], 0
            for n in pc.list_value_length(col).fill_null(0).to_pylist():
                out.append(one(tuple(flat[at:at + n])))
                at += n
            return out

        ents: list[LocalEntity] = []
        counts = array("q")
        cur = self.con.cursor()
        try:
            cur.execute(
                "SELECT doc_id, local_id, canonical, type, key, names, titles, affiliation, "
                "coalesce(n, 0) AS n FROM local_entities LEFT JOIN (SELECT doc_id, local_id, "
                "count(*) AS n FROM mentions WHERE local_id IS NOT NULL GROUP BY ALL) "
                "USING (doc_id, local_id) ORDER BY doc_id, local_id")
            for batch in cur.to_arrow_reader(_ENTITY_BATCH):
                cols = [strings(batch.column(i)) if i in (0, 2, 3, 4, 7)
                        else tuples(batch.column(i)) if i in (5, 6)
                        else batch.column(i).to_pylist() for i in range(8)]
                ents += map(LocalEntity, *cols)
                counts.extend(batch.column(8).to_pylist())
        finally:
            cur.close()
        return ents, counts

    def iter_mentions(self) -> Iterator[Mention]:
        cur = self.con.execute(
            "SELECT doc_id, idx, start_char, end_char, text, kind, type, local_id, sent_idx "
            "FROM mentions ORDER BY doc_id, idx"
        )
        while rows := cur.fetchmany(10_000):
            for r in rows:
                yield Mention(*r)

    def iter_texts(self) -> Iterator[tuple[str, str]]:
        cur = self.con.execute("SELECT doc_id, text FROM documents ORDER BY doc_id")
        while rows := cur.fetchmany(2_000):
            yield from rows

    def has_table(self, name: str) -> bool:
        """Whether the store has a table ``name`` (a stage that has not run may not)."""
        return bool(self.columns(name))

    def columns(self, table: str) -> list[tuple[str, str]]:
        """``(name, type)`` of each column of table ``table`` (schema ``main``), in order;
        empty when there is no such table. Every table's columns are read in one query and
        kept: the link passes ask before and after each pass, for each table they read
        (31 asks in a re-run, 2.4 ms each from ``information_schema``). A table not found
        is looked up again, in case it was created since; the store's tables change their
        columns only in migrations, which run before anything asks."""
        if table not in self._columns:
            found: dict[str, list[tuple[str, str]]] = {}
            for t, c, kind in self.con.execute(
                    "SELECT table_name, column_name, data_type FROM duckdb_columns() "
                    "WHERE database_name = current_database() AND schema_name = 'main' "
                    "AND NOT internal ORDER BY table_name, column_index").fetchall():
                found.setdefault(t, []).append((c, kind))
            self._columns = found
        return list(self._columns.get(table, ()))

    def count(self, table: str) -> int:
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0


def _batch_tables(anns: Sequence[DocAnnotation], version: str) -> dict[str, pa.Table]:
    now = datetime.now(UTC)
    d = [a.doc for a in anns]
    docs = pa.table(
        {
            "doc_id": [x.doc_id for x in d],
            "source": [x.source for x in d],
            "line": pa.array([x.line for x in d], pa.int32()),
            "title": pa.array([x.title for x in d], pa.string()),
            "outlet": pa.array([x.outlet for x in d], pa.string()),
            "url": pa.array([x.url for x in d], pa.string()),
            "published": pa.array([x.published for x in d], pa.string()),
            "published_precision": pa.array([x.published_precision for x in d], pa.string()),
            "author": pa.array([x.author for x in d], pa.string()),
            "encoding": [x.encoding for x in d],
            "text": [x.text for x in d],
            "body": [json.dumps([list(r) for r in x.body]) for x in d],
            "notes": pa.array([list(x.notes) for x in d], pa.list_(pa.string())),
            "words": [a.words for a in anns],
            "pipeline_version": [version] * len(d),
            "analysed_at": pa.array([now] * len(d), pa.timestamp("us", tz="UTC")),
        }
    )
    sent_rows = [
        (f"{s.doc_id}:{s.idx}", s.doc_id, s.idx, s.start, s.end, a.doc.text[s.start : s.end])
        for a in anns
        for s in a.sentences
    ]
    sentences = _rows_table(
        sent_rows,
        ("sid", pa.string()), ("doc_id", pa.string()), ("idx", pa.int32()),
        ("start_char", pa.int32()), ("end_char", pa.int32()), ("text", pa.string()),
    )
    mentions = _rows_table(
        [
            (m.doc_id, m.idx, m.start, m.end, m.text, m.kind, m.type, m.local_id, m.sent_idx)
            for a in anns
            for m in a.mentions
        ],
        ("doc_id", pa.string()), ("idx", pa.int32()), ("start_char", pa.int32()),
        ("end_char", pa.int32()), ("text", pa.string()), ("kind", pa.string()),
        ("type", pa.string()), ("local_id", pa.int32()), ("sent_idx", pa.int32()),
    )
    entities = _rows_table(
        [
            (e.doc_id, e.local_id, e.canonical, e.type, e.key, list(e.names), list(e.titles),
             e.affiliation)
            for a in anns
            for e in a.entities
        ],
        ("doc_id", pa.string()), ("local_id", pa.int32()), ("canonical", pa.string()),
        ("type", pa.string()), ("key", pa.string()), ("names", pa.list_(pa.string())),
        ("titles", pa.list_(pa.string())), ("affiliation", pa.string()),
    )
    quotes = _rows_table(
        [
            (q.doc_id, q.idx, q.start, q.end, q.direct, q.cue, q.cue_start, q.cue_end,
             q.speaker_text, q.speaker_start, q.speaker_end, q.speaker_local_id,
             q.sent_start, q.sent_end, q.confidence)
            for a in anns
            for q in a.quotes
        ],
        ("doc_id", pa.string()), ("idx", pa.int32()), ("start_char", pa.int32()),
        ("end_char", pa.int32()), ("direct", pa.bool_()), ("cue", pa.string()),
        ("cue_start", pa.int32()), ("cue_end", pa.int32()), ("speaker_text", pa.string()),
        ("speaker_start", pa.int32()), ("speaker_end", pa.int32()),
        ("speaker_local_id", pa.int32()), ("sent_start", pa.int32()), ("sent_end", pa.int32()),
        ("confidence", pa.float64()),
    )
    out = {
        "documents": docs,
        "sentences": sentences,
        "mentions": mentions,
        "local_entities": entities,
        "quotes": quotes,
    }
    extra: dict[str, list[dict[str, Any]]] = {}
    for a in anns:
        for table, records in a.extras.items():
            if table not in PER_DOC_TABLES:
                raise ValueError(f"extras table {table!r} is not declared with per_doc_table()")
            extra.setdefault(table, []).extend(record_row(r) for r in records)
    for table, rows in extra.items():
        out[table] = pa.Table.from_pylist(rows)
    return out


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(v: Any) -> Any:
    """``v`` with records turned into dicts and tuples into lists (what ``as_dict`` gives,
    without its deep copy of every value: that copy was most of a batch write's time)."""
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {k: _plain(getattr(v, k)) for k in _field_names(type(v))}
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def record_row(record: Any) -> dict[str, Any]:
    """A record as a table row: fields by name, ``start``/``end`` stored as ``start_char``/``end_char``."""
    if isinstance(record, dict):
        row = {k: _plain(v) for k, v in record.items()}
    else:
        row = {k: _plain(getattr(record, k)) for k in _field_names(record.__class__)}
    for a, b in (("start", "start_char"), ("end", "end_char")):
        if a in row:
            row[b] = row.pop(a)
    return row


def _rows_table(rows: list[tuple[Any, ...]], *schema: tuple[str, pa.DataType]) -> pa.Table:
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.table(
        {name: pa.array(list(col), typ) for (name, typ), col in zip(schema, cols, strict=True)}
    )
