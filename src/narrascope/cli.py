"""The ``narrascope`` command line: thin wrappers over importable functions.

Library code raises ``NarrascopeError``; this module is the one place that turns errors
into messages and exit codes (0 ok, 3 some inputs failed, 1 fatal).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from narrascope.errors import NarrascopeError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Read every side of a contested news story: actors, quotes and evidence, with spans.",
)
console = Console(stderr=True)
StoreOpt = Annotated[Path, typer.Option("--store", help="Output folder of `analyze` (or its .duckdb file).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]


def _fail(exc: BaseException, debug: bool) -> None:
    if debug:
        raise exc
    console.print(f"[bold red]error[/]: {exc}", markup=True, highlight=False)
    raise typer.Exit(1)


def _setup_logging(out: Path | None, verbose: bool) -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(out / "run.log", encoding="utf-8")
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(fh)
    sh = logging.StreamHandler(sys.stderr)
    sh.setLevel(logging.INFO if verbose else logging.ERROR)
    sh.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(sh)


def _count_inputs(paths: list[Path]) -> int | None:
    n = 0
    for p in paths:
        if p.is_dir():
            n += sum(1 for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.exists():
            n += 1
    return n or None


@app.command()
def analyze(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .html .jsonl .jsonl.gz).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: store, report, run log.")] = Path("out"),
    workers: Annotated[int, typer.Option(help="Worker processes for the per-document stage.")] = 1,
    force: Annotated[bool, typer.Option(help="Re-analyse documents already in the store.")] = False,
    max_bytes: Annotated[int, typer.Option(help="Skip input files (or records) larger than this.")] = 20_000_000,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip writing report.html.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    debug: DebugOpt = False,
) -> None:
    """Analyse a corpus into OUT (DuckDB store, report.html, run.log)."""
    from narrascope.ingest import IngestOptions
    from narrascope.pipeline import AnalyzeOptions
    from narrascope.pipeline import analyze as run

    missing = [p for p in paths if not p.exists() and not str(p).startswith(("http://", "https://"))]
    if missing:
        console.print(f"[bold red]error[/]: no such file or folder: {', '.join(map(str, missing))}")
        raise typer.Exit(1)
    _setup_logging(out, verbose)
    opts = AnalyzeOptions(
        workers=workers, force=force, report=not no_report,
        ingest=IngestOptions(max_bytes=max_bytes),
    )
    total = _count_inputs(paths)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True,
            disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task("analysing", total=total)

            def progress(event: str, n: int) -> None:
                if event == "document":
                    bar.advance(task, n)
                else:
                    bar.update(task, description=event)

            summary = run(paths, out, opts, progress)
    except NarrascopeError as exc:
        _fail(exc, debug)
        return
    for s in summary.skipped:
        console.print(f"[red]skipped[/] {s.message()}", markup=True, highlight=False)
    console.print(
        f"{summary.documents} documents ({summary.analysed} analysed, {summary.reused} unchanged, "
        f"{summary.duplicates} duplicates), {len(summary.skipped)} failed, "
        f"{summary.seconds:.1f}s"
    )
    if summary.report_path:
        typer.echo(f"report: {summary.report_path.resolve()}")
    typer.echo(f"store:  {(out / 'narrascope.duckdb').resolve()}")
    raise typer.Exit(summary.status)


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSON file (shared/gold/README.md format).")],
    store: StoreOpt = Path("out"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON object instead of a table.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Score a store against a gold file: per-section precision, recall and F1."""
    from narrascope.eval.run import evaluate, render_table

    try:
        result = evaluate(gold, store)
    except NarrascopeError as exc:
        _fail(exc, debug)
        return
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        # The "other" column holds per-section diagnostics; don't squeeze it to 80 columns.
        Console(width=max(Console().width, 170)).print(render_table(result))


@app.command()
def report(
    store: StoreOpt = Path("out"),
    out: Annotated[Path | None, typer.Option(help="HTML file (default: STORE/report.html).")] = None,
    debug: DebugOpt = False,
) -> None:
    """(Re)write the single-file HTML report of a store."""
    from narrascope.report.render import write_report
    from narrascope.store import Store

    try:
        with Store.open(store, read_only=True) as st:
            path = write_report(st, out or (st.path.parent / "report.html"))
    except NarrascopeError as exc:
        _fail(exc, debug)
        return
    typer.echo(f"report: {path.resolve()}")


@app.command()
def version() -> None:
    """Print the narrascope version and the annotate-stage version."""
    from narrascope.pipeline import pipeline_version

    typer.echo(pipeline_version())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
