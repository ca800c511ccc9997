"""`hocvuso bench journeys`: simulated learners through the real conversation (logic in hocvuso.bench_journeys)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hocvuso.commands.common import err_console, state

console = Console()


def bench_journeys(
    ctx: typer.Context,
    course: Annotated[Path | None, typer.Option(help="Course folder (default: ingest.lessons_dir).")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Learner group(s): worker, public, officer.")] = None,
    max_turns: Annotated[int, typer.Option(help="Give up on a learner after this many turns.")] = 5000,
    output: Annotated[Path | None, typer.Option(help="Write the results as JSON here too.")] = None,
) -> None:
    """Drive simulated learners (perfect, wrong 1 in 8, placement all right, placement all wrong) through
    the real conversation to the certificate; print turns, messages per lesson and turn times.

    Questions are answered by a canned answerer (no search): the times are the tutor core's.
    Exit code 1 when a learner does not reach the certificate.

    Example: hocvuso bench journeys --group worker --group officer --output journeys.json
    """
    from hocvuso.bench_journeys import markdown_table, run_journeys
    from hocvuso.package_config import tutor_config
    from knowledge.curriculum import load_curriculum

    container = state(ctx).container
    settings = container.settings
    curriculum = load_curriculum(course) if course else container.curriculum
    groups = tuple(group or ["worker"])
    for name in groups:
        if name not in ("worker", "public", "officer"):
            err_console.print(f"[red]Unknown group:[/red] {name}")
            raise typer.Exit(2)
    results = run_journeys(
        curriculum, container.units, tutor_config(settings), groups=groups, max_turns=max_turns, workdir=None
    )
    console.print(markdown_table(results))
    if output:
        output.write_text(json.dumps([r.summary() for r in results], ensure_ascii=False, indent=2), encoding="utf-8")
    if not all(r.certified for r in results):
        raise typer.Exit(1)


def register(bench: typer.Typer) -> None:
    """Add `journeys` to the `bench` group."""
    bench.command("journeys")(bench_journeys)
