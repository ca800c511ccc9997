"""`hocvuso gaps`: the questions the course did not answer, grouped by similarity, for content editors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Annotated

import typer

from hocvuso.commands.common import err_console, state


def _since(value: str | None) -> datetime | None:
    """`--since` as a UTC moment: a date (YYYY-MM-DD, from its start) or an ISO 8601 time."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        err_console.print(f"[red]--since:[/red] not a date: {value!r} (use YYYY-MM-DD)")
        raise typer.Exit(2) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def gaps(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Only questions asked on or after this date (YYYY-MM-DD).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object with the groups.")] = False,
    reason: Annotated[
        list[str] | None,
        typer.Option("--reason", help="Only these reasons: not_found, thumbs_down, off_topic (repeatable)."),
    ] = None,
) -> None:
    """List the questions nobody could answer (not found or rated 👎), grouped by similarity, with counts.

    No learner is named: the log keeps the question, its time, why, and the best lesson found.
    Example: hocvuso gaps --since 2026-11-01 --json
    """
    moment = _since(since)
    groups = state(ctx).container.gap_log.grouped(moment, reasons=reason or None)
    if as_json:
        typer.echo(
            json.dumps(
                {"since": moment.isoformat() if moment else None, "groups": [g.as_dict() for g in groups]},
                ensure_ascii=False,
            )
        )
        return
    if not groups:
        typer.echo("No unanswered questions recorded" + (f" since {since}." if since else "."))
        return
    total = sum(g.count for g in groups)
    typer.echo(f"{total} unanswered question(s) in {len(groups)} group(s), most asked first:")
    for group in groups:
        reasons = ", ".join(f"{name} {count}" for name, count in sorted(group.reasons.items()))
        typer.echo(f"{group.count:>4} × {group.question}   [{reasons}; last {group.last_at:%Y-%m-%d}]")
        for example in group.examples[1:3]:
            typer.echo(f"       ~ {example}")
        if group.lessons:
            typer.echo(f"       best lesson found: {', '.join(group.lessons)}")


def register(app: typer.Typer) -> None:
    """Add `gaps` to the CLI."""
    app.command("gaps")(gaps)
