"""CLI commands of the knowledge pipeline: ingest, search, status, bench."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hocvuso.commands.common import err_console, state

console = Console()


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Folders or files to ingest (default: the configured lessons folder).")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild every file, even unchanged ones.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load lesson files, chunk, embed and store them; only what changed is redone.

    Example: hocvuso ingest knowledge/lessons --dry-run
    """
    from ingest.pipeline import IngestLocked

    container = state(ctx).container
    roots = paths or [container.settings.ingest.lessons_dir]
    missing = [p for p in roots if not p.exists()]
    if missing:
        err_console.print(f"[red]Not found:[/red] {', '.join(str(p) for p in missing)}")
        raise typer.Exit(2)
    progress = Progress(
        TextColumn("[bold]Ingesting[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
        disable=as_json or not err_console.is_terminal,
    )
    try:
        with progress:
            task = progress.add_task("", total=None)

            def on_progress(message: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, description=message[-50:])

            report = container.ingestor.run(roots, full=full, dry_run=dry_run, progress=on_progress)
    except IngestLocked as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(3) from exc

    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_report(report)
    raise typer.Exit(0 if report.ok else 1)


def _print_report(report) -> None:  # type: ignore[no-untyped-def]
    title = "Ingestion (dry run: nothing written)" if report.dry_run else "Ingestion"
    table = Table(title=title)
    for column in ("added", "changed", "removed", "unchanged", "failed", "chunks written", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(report.added)),
        str(len(report.changed)),
        str(len(report.removed)),
        str(len(report.unchanged)),
        str(len(report.failed)),
        str(report.chunks_written),
        f"{report.seconds:.1f}",
    )
    console.print(table)
    for name, items in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        for source in items[:50]:
            console.print(f"  {name}: {source}")
    for problem in report.failed:
        console.print(f"[red]  failed: {problem.source}: {problem.reason}[/red]")
    for problem in report.skipped:
        console.print(f"[yellow]  skipped: {problem.source}: {problem.reason}[/yellow]")
    if not report.dry_run:
        if report.chunks_embedded == 0:
            console.print("Nothing to embed: the store is up to date.")
        else:
            console.print(f"Embedded {report.chunks_embedded} chunk(s).")
        if report.repaired:
            console.print(f"Repaired {report.repaired} chunk vector(s) missing after an interrupted run.")


def _read_queries(path: Path) -> list[str]:
    lines = sys.stdin.read().splitlines() if str(path) == "-" else path.read_text(encoding="utf-8").splitlines()
    queries = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                queries.append(str(json.loads(line)["q"]))
                continue
            except (json.JSONDecodeError, KeyError, TypeError):
                pass
        queries.append(line)
    return queries


def _hit_dict(hit) -> dict:  # type: ignore[no-untyped-def]
    return {
        "doc_id": hit.doc_id,
        "source": hit.source,
        "title": hit.title,
        "heading": hit.heading,
        "text": hit.text,
        "score": round(hit.score, 6),
        "relevance": round(hit.relevance, 4),
        "chunk_id": hit.chunk_id,
        "module": hit.module,
        "lesson_id": hit.lesson_id,
        "page": hit.page,
        "timestamp": hit.timestamp,
    }


def search(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="What to look for (tone marks optional).")] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=100, help="How many hits.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output (one line per query).")] = False,
    queries: Annotated[
        Path | None,
        typer.Option("--queries", help="File with one query per line, or JSONL with a 'q' field ('-': stdin)."),
    ] = None,
    module: Annotated[str | None, typer.Option(help="Only this module id.")] = None,
    audience: Annotated[
        str | None, typer.Option(help="Only chunks for this audience (worker, public, officer).")
    ] = None,
) -> None:
    """Search the knowledge store (hybrid: dense + BM25, marks optional).

    Example: hocvuso search "mat khau manh" -k 3 --json
    """
    if (query is None) == (queries is None):
        err_console.print("Give a QUERY or --queries FILE (not both).")
        raise typer.Exit(2)
    container = state(ctx).container
    kb = container.knowledge_base
    if queries is not None:
        if str(queries) != "-" and not queries.is_file():
            err_console.print(f"[red]Queries file not found:[/red] {queries}")
            raise typer.Exit(2)
        for q in _read_queries(queries):
            hits = kb.search(q, k, module=module, audience=audience)
            print(json.dumps({"q": q, "hits": [_hit_dict(h) for h in hits]}, ensure_ascii=False))
        return
    hits = kb.search(query or "", k, module=module, audience=audience)
    if as_json:
        print(json.dumps({"q": query, "hits": [_hit_dict(h) for h in hits]}, ensure_ascii=False))
        return
    if not hits:
        console.print("No results. Is the store empty? Run: hocvuso ingest")
        return
    for rank, hit in enumerate(hits, start=1):
        where = f" ({hit.locator})" if hit.locator else ""
        console.print(
            f"[bold]{rank}. {hit.title}[/bold] — {hit.heading}{where}  [dim]{hit.source} score={hit.score:.4f}[/dim]"
        )
        console.print(f"   {hit.text[:300]}")


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Show what the knowledge store holds.

    Example: hocvuso status --json
    """
    info = state(ctx).container.knowledge_base.status().as_dict()
    if as_json:
        print(json.dumps(info, ensure_ascii=False))
        return
    table = Table(title="Knowledge store")
    table.add_column("item")
    table.add_column("value")
    for key, value in info.items():
        table.add_row(key, str(value))
    console.print(table)


bench_app = typer.Typer(help="Benchmarks (numbers go to docs/benchmarks.md).", no_args_is_help=True)


@bench_app.command("retrieval")
def bench_retrieval(
    ctx: typer.Context,
    dataset: Annotated[Path, typer.Option(help="XQuAD-style JSON (SQuAD format).")] = Path(
        "../shared/data/xquad/xquad.vi.json"
    ),
    limit: Annotated[int, typer.Option(help="Use only the first N questions (0 = all).")] = 0,
    output: Annotated[Path | None, typer.Option(help="Write the results as JSON here too.")] = None,
) -> None:
    """Retrieval quality and speed on XQuAD-vi: dense, lexical, hybrid; marked and unmarked questions.

    Example: hocvuso bench retrieval --dataset ../shared/data/xquad/xquad.vi.json
    """
    from hocvuso.bench_retrieval import run_retrieval_benchmark

    if not dataset.is_file():
        err_console.print(f"[red]Dataset not found:[/red] {dataset}")
        raise typer.Exit(2)
    settings = state(ctx).container.settings
    results = run_retrieval_benchmark(settings, dataset, limit=limit, console=console)
    if output:
        output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


@bench_app.command("answers")
def bench_answers(
    ctx: typer.Context,
    questions: Annotated[Path | None, typer.Option(help="Question set (default: the bundled one).")] = None,
    ingest: Annotated[bool, typer.Option(help="Ingest `ingest.lessons_dir` first (incremental).")] = True,
    calibrate: Annotated[bool, typer.Option(help="Also measure card policies, leave-one-out on the cards.")] = False,
    calibrate_limit: Annotated[int, typer.Option(help="Card phrasings asked when calibrating (0 = all).")] = 400,
    show_failures: Annotated[bool, typer.Option("--failures", help="List the questions that went wrong.")] = False,
    output: Annotated[Path | None, typer.Option(help="Write the results (and failures) as JSON here too.")] = None,
) -> None:
    """Answer quality on questions as workers type them: correct, false "don't know", scope, urgent, latency.

    Example: hocvuso bench answers --failures
    """
    from hocvuso.bench_answers import (
        DEFAULT_QUESTIONS,
        calibrate_cards,
        card_policy_table,
        card_trial,
        failures,
        load_items,
        run_items,
        summarize,
    )

    container = state(ctx).container
    settings = container.settings
    if ingest:
        report = container.ingestor.run([settings.ingest.lessons_dir])
        if not report.ok:
            err_console.print(f"[red]Ingestion failed for {len(report.failed)} file(s).[/red]")
            raise typer.Exit(1)
    items = load_items(questions or DEFAULT_QUESTIONS)
    titles = {lesson.title: lesson.id for lesson in container.curriculum.lessons.values()}
    outcomes = run_items(container.answerer.answer, items, titles)
    results: dict = {"summary": summarize(outcomes)}
    if calibrate:
        search = container.knowledge_base.search
        trials = calibrate_cards(search, settings.ingest.lessons_dir, limit=calibrate_limit)
        off = [
            t
            for item in items
            if item.type in ("off_topic", "outside") and (t := card_trial(search, item.q, None)) is not None
        ]
        results["card_calibration"] = {"trials": len(trials), "policies": card_policy_table(trials, off)}
    wrong = failures(outcomes)
    results["failures"] = wrong
    table = Table(title="Answers benchmark")
    table.add_column("measure")
    table.add_column("value")
    for key, value in results["summary"].items():
        table.add_row(key, str(value))
    console.print(table)
    if calibrate:
        policies = results["card_calibration"]["policies"]
        best = sorted(policies, key=lambda r: (r["precision"] >= 0.97, r["answered"], r["precision"]), reverse=True)
        cal = Table(title=f"Card policies, leave-one-out on {results['card_calibration']['trials']} phrasings")
        for column in ("min_score", "sure_score", "min_coverage", "answered", "precision", "off_topic_accepted"):
            cal.add_column(column)
        for row in best[:10]:
            cal.add_row(*(str(row[c]) for c in row))
        console.print(cal)
    if show_failures:
        for failure in wrong:
            console.print(json.dumps(failure, ensure_ascii=False))
    if output:
        output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add `ingest`, `search`, `status` and the `bench` group to the CLI."""
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.command("status")(status)
    app.add_typer(bench_app, name="bench")
