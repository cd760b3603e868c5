"""``ask`` latency on a store of 10,000+ documents (issue 7), one JSON file in bench/results/.

No corpus here is both analysed and that large in the time a benchmark may take, so the
store is a stand-in: an analysed store (PolNeAR's 840 articles by default, see below)
whose per-document rows are copied ``--copies`` times under new document ids
(``<doc_id>-r<k>``), with the FTS index rebuilt over all the sentences. Postings, actor
mention lists and candidate sets are then as long as a real store of that size gives
(every copy names the same actors, so the actor postings are, if anything, longer than in
a real 10,000-document corpus); the texts are real news.

    make eval                      # (or any `narrascope analyze`) to have a source store
    .venv/bin/python bench/ask_latency.py --source /tmp/ns-polnear/narrascope.duckdb \
        [--copies 12] [--questions bench/ask_questions.txt]

Reported: wall and CPU p50/p95/max over the questions on a warm ``Asker`` (model and
in-memory index loaded once, as the web server holds them), with embedding re-rank on
(the default) and off.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
# Tables keyed by document that the ask path reads; stories/doc_vectors come along so the
# copy is a whole store, not only what ask touches.
COPIED = ("documents", "sentences", "mentions", "local_entities", "entity_actor", "quotes",
          "events", "claims", "quantities", "time_expressions", "techniques", "roles", "tone",
          "stories", "doc_vectors")


def build_standin(source: Path, dest: Path, copies: int) -> int:
    """Copy ``source`` to ``dest`` and add ``copies - 1`` renamed copies of its documents."""
    from narrascope.store import Store
    from narrascope.store.db import _load_extension

    shutil.copyfile(source, dest)
    with Store(dest):  # opened for writing once: brings an older store's schema up to date
        pass
    con = duckdb.connect(str(dest))
    con.execute("SET enable_progress_bar = false")
    try:
        have = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()}
        for k in range(1, copies):
            con.execute("BEGIN TRANSACTION")
            for table in COPIED:
                if table not in have:
                    continue
                cols = [r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "'main' AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
                sel = []
                for c in cols:
                    if c == "doc_id":
                        sel.append(f"doc_id || '-r{k}'")
                    elif c == "sid":
                        sel.append(f"split_part(sid, ':', 1) || '-r{k}:' || split_part(sid, ':', 2)")
                    else:
                        sel.append(f'"{c}"')
                con.execute(f"INSERT INTO {table} SELECT {', '.join(sel)} FROM {table} "
                            f"WHERE NOT contains(doc_id, '-r')")
            con.execute("COMMIT")
        _load_extension(con, "fts")
        con.execute("PRAGMA create_fts_index('sentences', 'sid', 'text', stemmer='english', "
                    "stopwords='english', overwrite=1)")
        con.execute("CHECKPOINT")
        return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, required=True, help="an analysed narrascope.duckdb")
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--questions", type=Path, default=HERE / "ask_questions.txt")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--keep", type=Path, default=None, help="keep the stand-in store here")
    args = ap.parse_args()
    if not args.source.exists():
        print(f"skip: {args.source} not found (analyse a corpus first)", file=sys.stderr)
        return 0
    from narrascope.ask import AskOptions, bench_ask

    questions = [q.strip() for q in args.questions.read_text(encoding="utf-8").splitlines()
                 if q.strip() and not q.startswith("#")]
    tmp = Path(tempfile.mkdtemp(prefix="ns-ask-"))
    try:
        store = args.keep or tmp / "standin.duckdb"
        t = time.perf_counter()
        docs = build_standin(args.source, store, args.copies)
        built = time.perf_counter() - t
        print(f"[ask bench] stand-in store: {docs} documents in {built:.0f}s", file=sys.stderr)
        runs = {}
        for name, opts in (("default", AskOptions()), ("no_embeddings", AskOptions(semantic=False))):
            t = time.perf_counter()
            runs[name] = {**bench_ask(store, questions, opts=opts),
                          "seconds_with_index_load": round(time.perf_counter() - t, 1),
                          "options": asdict(replace(opts, memory_index=True))}
            print(f"[ask bench] {name}: {runs[name]}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "load_avg_1m_at_end": round(os.getloadavg()[0], 2)},
        "store": {"source": str(args.source), "copies": args.copies, "documents": docs,
                  "build_seconds": round(built, 1)},
        "questions": len(questions),
        "ask.p95_ms": runs["default"]["p95_ms"],
        "ask.cpu_p95_ms": runs["default"]["cpu_p95_ms"],
        "runs": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"ask-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
