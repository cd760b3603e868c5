"""Fingerprints of what a cross-document pass read, so a re-run with the same input skips it.

Why: corpus-wide passes (actor linking) are global — one new document can merge or split any
cluster — so they cannot be updated for the new documents alone without giving a different
answer than a full run. What a re-run can do exactly is skip a pass whose input tables and
code are unchanged, and feed it lean rows. The fingerprint is an order-independent digest
computed inside DuckDB (no rows are loaded into Python) plus a hash of the code involved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from narrascope.store import Store


def table_digest(store: Store, table: str, columns: str) -> str:
    """``count:sum-of-row-hashes`` of ``columns`` of ``table``: equal iff (in practice) the
    same rows, in any order."""
    row = store.con.execute(
        f"SELECT count(*), coalesce(sum(hash({columns})::HUGEINT), 0) FROM {table}"
    ).fetchone()
    return f"{row[0]}:{row[1]}" if row else "0:0"


def code_digest(*files: Path) -> str:
    h = hashlib.sha1()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def content_columns(store: Store, table: str) -> list[str]:
    """Columns of ``table`` but timestamps and run ids (a re-analysed document rewrites
    those without changing anything a pass reads); empty when the table does not exist."""
    return [c for c, kind in store.columns(table)
            if not kind.startswith("TIMESTAMP") and c not in ("run_id", "analysed_at")]


def full_digest(store: Store, table: str) -> str | None:
    """:func:`table_digest` over :func:`content_columns`; None when the table does not exist."""
    cols = content_columns(store, table)
    if not cols:
        return None
    return table_digest(store, table, ", ".join(f'"{c}"' for c in cols))


def grouped_digests(store: Store, groups: str, table: str, on: str = "doc_id",
                    columns: str | None = None) -> dict[str, str]:
    """:func:`table_digest` of ``table`` per group: ``groups`` names a registered relation
    ``(doc_id, grp)`` and the rows of ``table`` joined to it ``USING (on)`` are digested
    per ``grp`` (``columns`` defaults to :func:`content_columns`, as ``t.col``), in SQL."""
    cols = columns or ", ".join(f't."{c}"' for c in content_columns(store, table))
    if not cols:
        return {}
    rows = store.con.execute(
        f"SELECT g.grp, count(*), coalesce(sum(hash({cols})::HUGEINT), 0) "
        f"FROM {groups} g JOIN {table} t USING ({on}) GROUP BY g.grp").fetchall()
    return {r[0]: f"{r[1]}:{r[2]}" for r in rows}


def link_code_digest() -> str:
    """The code every pass may run: the whole ``narrascope.link`` package (a pass's module
    imports its helpers from there) and the pipeline version (the annotate code)."""
    from narrascope.pipeline import pipeline_version

    return f"{code_digest(*sorted(Path(__file__).parent.glob('*.py')))}|{pipeline_version()}"


def pass_fingerprint(store: Store, reads: tuple[str, ...], code: str,
                     stable: dict[str, str | None] | None = None) -> str:
    """Inputs of a pass: the documents and the tables it declares it reads (per-document
    tables are a function of the document and the pipeline version, the others are
    written by earlier passes), and ``code`` (:func:`link_code_digest`).

    ``stable`` holds digests of tables that do not change while it is in use (the caller
    says which: those no pass writes); a table it names is not digested again."""
    def digest(t: str) -> str | None:
        if stable is None or t not in stable:
            return full_digest(store, t)
        return stable[t]

    parts = [f"{t}={digest(t)}" for t in ("documents", *reads)]
    return "|".join([*parts, code])


def is_current(store: Store, pass_name: str, fingerprint: str) -> bool:
    row = store.con.execute(
        "SELECT fingerprint FROM link_state WHERE pass = ?", [pass_name]).fetchone()
    return row is not None and row[0] == fingerprint


def remember(store: Store, pass_name: str, fingerprint: str) -> None:
    store.con.execute(
        "INSERT OR REPLACE INTO link_state VALUES (?, ?)", [pass_name, fingerprint])


# -- which encoder made the stored vectors ---------------------------------------------------
# Sentence vectors are only comparable with vectors of the same encoder
# (annotate.embed.encoder_id). The store keeps, per family of vector tables, the name of the
# encoder its vectors were made with, as a ``link_state`` row (``encoder:<family>``); vectors
# of another encoder (or of a store from before the rows) are dropped before the passes run,
# and ask does not compare its own vectors with them.
VECTOR_FAMILIES: dict[str, tuple[str, ...]] = {
    "doc_vectors": ("doc_vectors",),
    "claim_vectors": ("claim_vectors", "claim_vectors_recent"),
}
ENCODER_STATE = "encoder:"  # + family


def vectors_match(store: Store, family: str, encoder: str) -> bool:
    """Whether a family's stored vectors were made by ``encoder``."""
    return is_current(store, ENCODER_STATE + family, encoder)


def reset_vectors(store: Store, encoders: dict[str, str]) -> int:
    """Make each family's stored vectors its encoder's (``{family: encoder_id}``): a family
    whose vectors were made by another encoder (or an unrecorded one) loses them all, in one
    transaction with the new names; returns how many rows went. When any went, the link
    passes' remembered inputs go too (their results were computed from those vectors), so
    the next passes run in full and embed again what they need."""
    stale = {f: e for f, e in encoders.items() if not vectors_match(store, f, e)}
    if not stale:
        return 0
    with store.transaction() as con:
        gone = 0
        for family, encoder in stale.items():
            for t in VECTOR_FAMILIES[family]:
                if store.has_table(t):
                    gone += store.count(t)
                    con.execute(f"DELETE FROM {t}")
            remember(store, ENCODER_STATE + family, encoder)
        if gone:
            con.execute("DELETE FROM link_state WHERE pass LIKE 'pass:%'")
    return gone


def changed_groups(store: Store, prefix: str, prints: dict[str, str]
                   ) -> tuple[list[str], list[str]]:
    """For a pass that keeps one fingerprint per group (``link_state`` rows named ``prefix``
    + group): the groups of ``prints`` whose fingerprint differs from the stored one (to
    recompute) and the others (to keep), each in the order of ``prints``."""
    before = {r[0][len(prefix):]: r[1] for r in store.con.execute(
        "SELECT pass, fingerprint FROM link_state WHERE starts_with(pass, ?)", [prefix]
    ).fetchall()}
    todo = [g for g, f in prints.items() if before.get(g) != f]
    kept = [g for g, f in prints.items() if before.get(g) == f]
    return todo, kept


def forget_groups(store: Store, prefix: str, kept: Sequence[str]) -> None:
    """Drop the stored fingerprints of every group under ``prefix`` but the ``kept`` ones
    (in the caller's transaction)."""
    store.con.execute("DELETE FROM link_state WHERE starts_with(pass, ?) AND NOT "
                      "list_contains(?::VARCHAR[], pass)", [prefix, [prefix + g for g in kept]])


def remember_groups(store: Store, prefix: str, prints: dict[str, str]) -> None:
    """Store the fingerprints of the groups of ``prints`` under ``prefix``."""
    store.insert_rows("link_state", [{"pass": prefix + g, "fingerprint": f}
                                     for g, f in prints.items()])
