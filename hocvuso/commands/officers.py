"""CLI commands: `hocvuso officers invite|list|revoke|link`, `hocvuso stats` and `hocvuso stats rebuild`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hocvuso.commands.common import err_console, state

officers_app = typer.Typer(
    name="officers",
    help="Union officers: invite codes, accounts, dashboard sign-in links.\n\n"
    "Example: hocvuso officers invite --unit cdcs-may-thanh-cong",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
stats_app = typer.Typer(
    name="stats",
    invoke_without_command=True,
    rich_markup_mode="rich",
)
UnitOption = Annotated[str, typer.Option("--unit", help="Registry code of the unit (see `hocvuso units list`).")]


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]{message}[/red]", highlight=False)
    return typer.Exit(1)


@officers_app.command("invite")
def invite_cmd(
    ctx: typer.Context,
    unit: UnitOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print code, unit, expires_at as JSON.")] = False,
) -> None:
    """Print a one-time code; the officer sends `/canbo CODE` in any channel to become an officer of the unit.

    Example: hocvuso officers invite --unit cdcs-may-thanh-cong --json
    """
    from tutor.officers import OfficerError

    try:
        invite = state(ctx).container.officer_service.invite(unit)
    except OfficerError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(invite.as_json(), ensure_ascii=False))
    else:
        typer.echo(f"{invite.code}  (unit {invite.unit}, valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC)")
        typer.echo(f"The officer sends: /canbo {invite.code}", err=True)


@officers_app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List officer accounts and unused invite codes.

    Example: hocvuso officers list
    """
    rows = state(ctx).container.officer_service.list_officers()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        if "invite" in row:
            typer.echo(f"invite {row['invite']}  unit {row['unit']}  until {row['expires_at']}")
        else:
            status = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
            typer.echo(f"officer {row['id']}  unit {row['unit']}  since {row['created_at']}  {status}")
    if not rows:
        typer.echo("No officers yet: hocvuso officers invite --unit CODE", err=True)


@officers_app.command("revoke")
def revoke_cmd(
    ctx: typer.Context,
    officer_id: Annotated[int, typer.Argument(help="Officer id (see `hocvuso officers list`).")],
) -> None:
    """End an officer account (and its dashboard sessions).

    Example: hocvuso officers revoke 3
    """
    from tutor.officers import OfficerError

    try:
        state(ctx).container.officer_service.revoke(officer_id)
    except OfficerError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Officer {officer_id} revoked.")


@officers_app.command("link")
def link_cmd(ctx: typer.Context, unit: UnitOption) -> None:
    """Print a one-time dashboard sign-in link scoped to the unit (for an operator).

    Example: hocvuso officers link --unit ldld-tp-an-phu
    """
    from tutor.officers import OfficerError

    service = state(ctx).container.officer_service
    try:
        typer.echo(service.sign_in_link(unit))
    except OfficerError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Valid once, for {service.config.link_ttl_minutes:g} minutes.", err=True)


@stats_app.callback()
def stats_cmd(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", help="A unit and the units under it (default: all).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON: unit and indicators.")] = False,
) -> None:
    """The campaign's four indicators against their targets (config.yaml `targets.*`).

    Example: hocvuso stats --unit cd-kcn-tan-hoa --json
    """
    if ctx.invoked_subcommand is not None:  # `hocvuso stats rebuild`
        return
    from tutor.officers import OfficerError

    service = state(ctx).container.officer_service
    try:
        data = service.stats_json(unit)
    except OfficerError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(data["unit_name"] or "All units")
    for item in data["indicators"]:
        value = "n/a" if item["value"] is None else f"{item['value']:.1%}"
        numerator = f"< {data['min_group']}" if item.get("suppressed") else item["numerator"]
        typer.echo(f"{item['id']:<24} {value:>7}  ({numerator}/{item['denominator']})  target {item['target']:.0%}")


@stats_app.command("rebuild")
def rebuild_cmd(ctx: typer.Context) -> None:
    """Recount the statistics' aggregate tables from the learners' live records, in one transaction,
    and print what changed (rows added, removed, changed per table). Safe to run at any time;
    needed after rows were loaded with bulk inserts or edited by hand.

    Example: hocvuso stats rebuild
    """
    from knowledge.db import transaction
    from tutor.stats.rebuild_report import rebuild_with_report

    with transaction(state(ctx).container.session_factory) as session:
        changes = rebuild_with_report(session)
    for change in changes:
        typer.echo(
            f"{change.table:<24} {change.rows_after:>10,} rows (before {change.rows_before:,}): "
            f"{change.added:,} added, {change.removed:,} removed, {change.changed:,} changed"
        )
    differing = sum(1 for change in changes if change.any)
    typer.echo(
        f"Recounted; {differing} table(s) differed from the live records."
        if differing
        else "Recounted; every table already matched the live records."
    )


def register(app: typer.Typer) -> None:
    """Add `officers …`, `stats` and `stats rebuild` to the CLI."""
    app.add_typer(officers_app, name="officers")
    app.add_typer(stats_app, name="stats")
