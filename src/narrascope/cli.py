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
from narrascope.terminal import PrintableFormatter, rich_safe

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
    console.print(f"[bold red]error[/]: {rich_safe(exc)}", markup=True, highlight=False)
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
    sh.setFormatter(PrintableFormatter("%(message)s"))  # log lines quote untrusted text
    root.addHandler(sh)


def _count_inputs(paths: list[Path | str]) -> int | None:
    n = 0
    for p in paths:
        if isinstance(p, str):
            continue  # a URL: how many documents it holds is unknown until fetched
        if p.is_dir():
            n += sum(1 for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.exists():
            n += 1
    return n or None


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(
        help="Files, folders (.txt .md .html .jsonl(.gz) .rss .atom .warc(.gz)) or http(s) URLs "
             "(a page or an RSS/Atom feed).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: store, report, run log.")] = Path("out"),
    workers: Annotated[int, typer.Option(help="Worker processes for the per-document stage.")] = 1,
    force: Annotated[bool, typer.Option(help="Re-analyse documents already in the store.")] = False,
    max_bytes: Annotated[int, typer.Option(help="Skip input files (or records) larger than this.")] = 20_000_000,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip writing report.html.")] = False,
    engine: Annotated[str, typer.Option(
        help="Per-document engine: 'local' (process pool of --workers) or 'ray' "
             "(Ray Data, --workers actors).")] = "local",
    ray_address: Annotated[str | None, typer.Option(
        "--ray-address", help="Ray cluster to use with --engine ray (e.g. ray://head:10001, "
                              "auto); default: a local Ray.")] = None,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="Let URLs reach private, loopback and link-local addresses "
                                "(intranet use; refused by default).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    debug: DebugOpt = False,
) -> None:
    """Analyse a corpus into OUT (DuckDB store, report.html, run.log)."""
    from narrascope.ingest import IngestOptions
    from narrascope.pipeline import AnalyzeOptions
    from narrascope.pipeline import analyze as run

    # URLs stay strings (Path would fold "https://" into "https:/").
    inputs: list[Path | str] = [
        p if p.lower().startswith(("http://", "https://")) else Path(p) for p in paths
    ]
    missing = [p for p in inputs if isinstance(p, Path) and not p.exists()]
    if missing:
        console.print(f"[bold red]error[/]: no such file or folder: {rich_safe(', '.join(map(str, missing)))}")
        raise typer.Exit(1)
    from narrascope.pipeline import ENGINES

    if engine not in ENGINES:
        console.print(f"[bold red]error[/]: unknown --engine {engine!r}; choose one of {', '.join(ENGINES)}")
        raise typer.Exit(1)
    if ray_address and engine != "ray":
        console.print("[yellow]warning[/]: --ray-address is only used with --engine ray")
    _setup_logging(out, verbose)
    opts = AnalyzeOptions(
        workers=workers, force=force, report=not no_report,
        ingest=IngestOptions(max_bytes=max_bytes, allow_private=allow_private), engine=engine,
        ray_address=ray_address,
    )
    total = _count_inputs(inputs)
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

            summary = run(inputs, out, opts, progress)
    except NarrascopeError as exc:
        _fail(exc, debug)
        return
    for s in summary.skipped:
        console.print(f"[red]skipped[/] {rich_safe(s.message())}", markup=True, highlight=False)
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


@app.command()
def serve(
    store: Annotated[Path, typer.Argument(help="Output folder of `analyze` (or its .duckdb file).")],
    host: Annotated[str, typer.Option(help="Address to bind; keep 127.0.0.1 unless others must reach it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    get: Annotated[str | None, typer.Option("--get", help="Print the response for this path (e.g. /actors.json) and exit, without starting a server.")] = None,
    debug: DebugOpt = False,
) -> None:
    """Browse a store in a local web UI (every page also as JSON: add .json to its path)."""
    from narrascope import web

    try:
        if get is not None:
            status, body = web.get(store, get)
            typer.echo(body)
            raise typer.Exit(0 if status < 400 else 1)
        console.print(f"narrascope UI on http://{host}:{port}/ (Ctrl-C to stop)")
        web.serve(store, host=host, port=port)
    except NarrascopeError as exc:
        _fail(exc, debug)


@app.command("export")
def export_cmd(
    store: StoreOpt = Path("out"),
    fmt: Annotated[str, typer.Option("--format", help="jsonl, parquet (one file per table), stix (STIX 2.1 bundle) or labelstudio (tasks + labelling config).")] = "jsonl",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for jsonl/parquet; file (or folder) for stix/labelstudio.")] = Path("export"),
    debug: DebugOpt = False,
) -> None:
    """Export a store for other tools; equal stores export byte-identical files."""
    from narrascope.export import export
    from narrascope.store import Store

    try:
        with Store.open(store, read_only=True) as st:
            paths = export(st, fmt, out)
    except NarrascopeError as exc:
        _fail(exc, debug)
        return
    for p in paths:
        typer.echo(str(p))


@app.command("import-labelstudio")
def import_labelstudio_cmd(
    file: Annotated[Path, typer.Argument(help="Label Studio JSON export of the tasks from `narrascope export --format labelstudio`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Gold JSON file to write.")] = Path("gold.json"),
    debug: DebugOpt = False,
) -> None:
    """Turn analysts' Label Studio corrections into a gold file for `narrascope eval`."""
    from narrascope.export.labelstudio import import_labelstudio

    if not file.exists():
        console.print(f"[bold red]error[/]: no such file: {file}")
        raise typer.Exit(1)
    try:
        path = import_labelstudio(file, out)
    except (NarrascopeError, ValueError, KeyError) as exc:
        _fail(exc, debug)
        return
    typer.echo(f"gold: {path}")


@app.command("ask")
def ask_cmd(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    store: StoreOpt = Path("out"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    sentences: Annotated[int, typer.Option(help="How many evidence sentences to quote.")] = 6,
    semantic: Annotated[bool, typer.Option(help="Re-rank with sentence embeddings.")] = True,
    llm: Annotated[str, typer.Option(help="Rewrite backend: none, openai, gguf.")] = "none",
    llm_endpoint: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL.")] = None,
    llm_model: Annotated[str | None, typer.Option(help="Model name, or .gguf path.")] = None,
    debug: DebugOpt = False,
) -> None:
    """Answer a question from the corpus; every answer sentence cites stored spans."""
    from narrascope.ask import AskOptions, ask
    from narrascope.store import Store

    try:
        opts = AskOptions(sentences=sentences, semantic=semantic, llm=llm,
                          llm_endpoint=llm_endpoint, llm_model=llm_model)
        with Store.open(store, read_only=True) as st:
            answer = ask(st, question, opts)
    except NarrascopeError as exc:
        _fail(exc, debug)
        return
    if as_json:
        typer.echo(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
        return
    if not answer.sentences:
        typer.echo("No stored sentence answers this question.")
        return
    for s in answer.sentences:
        typer.echo(s.text + " " + "".join(f"[{c}]" for c in s.citations))
    typer.echo("")
    for c in answer.citations:
        typer.echo(f"[{c.id}] {c.outlet or c.doc}, {c.published or 'undated'} ({c.doc} "
                   f"{c.start}-{c.end}): {' '.join(c.text.split())}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
