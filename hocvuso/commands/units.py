"""CLI commands: `hocvuso units import|list|template` (the union registry: units and member counts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hocvuso.commands.common import err_console, state

units_app = typer.Typer(
    name="units",
    help="The union registry: units, their levels and member counts (the indicators' denominators).\n\n"
    "Example: hocvuso units import registry.xlsx",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@units_app.command("import")
def import_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX file, one unit per row.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and show the changes; write nothing.")] = False,
) -> None:
    """Import the registry from CSV or XLSX: all rows valid or nothing written (exit 1).

    Columns: code, name, level (grassroots|district|province), parent, sector (enterprise|public|union),
    officers, public_staff, workers — Vietnamese headers accepted (Mã đơn vị, Tên đơn vị, Cấp, Mã cấp trên,
    Khu vực, Cán bộ công đoàn, Công chức viên chức, Công nhân lao động). A re-import updates in place.
    Example: hocvuso units import registry.xlsx
    """
    from knowledge.db import transaction
    from tutor.unit_import import ImportFileError, import_units

    if not path.is_file():
        err_console.print(f"[red]No such file:[/red] {path}", highlight=False)
        raise typer.Exit(2)
    container = state(ctx).container
    registry = container.units  # seeds the sample registry first, so the import replaces it
    try:
        with transaction(container.session_factory) as session:
            report, errors = import_units(session, path, dry_run=dry_run)
    except ImportFileError as exc:
        err_console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from exc
    if errors:
        for problem in errors:
            typer.echo(problem)
        typer.echo(f"{len(errors)} problem(s); nothing was imported.", err=True)
        raise typer.Exit(1)
    registry.refresh(force=True)
    prefix = "Would import: " if dry_run else "Imported: "
    lines = report.lines()
    typer.echo(prefix + lines[0])
    for line in lines[1:]:
        typer.echo(line)


@units_app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the registry's units (code, level, parent, sector, member counts).

    Example: hocvuso units list --json
    """
    units = state(ctx).container.units.all()
    if as_json:
        rows = [
            {
                "code": u.id,
                "name": u.name,
                "level": u.level,
                "parent": u.parent,
                "sector": u.sector,
                "officers": u.officers,
                "public_staff": u.public_staff,
                "workers": u.workers,
                "sample": u.sample,
            }
            for u in units
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if any(u.sample for u in units):
        typer.echo("SAMPLE DATA (a fictional city union): import your registry with `hocvuso units import FILE`.")
    for u in units:
        counts = f"{u.officers}/{u.public_staff}/{u.workers}"
        typer.echo(f"{u.id:<28} {u.level:<10} {u.parent or '-':<20} {u.sector:<10} {counts:<14} {u.name}")
    typer.echo(f"{len(units)} unit(s); counts are officers/public_staff/workers.", err=True)


@units_app.command("template")
def template_cmd(
    path: Annotated[Path, typer.Argument(help="Where to write the XLSX template.")],
) -> None:
    """Write an XLSX template of the registry (header, example rows, a help sheet).

    Example: hocvuso units template registry.xlsx
    """
    from tutor.unit_import import write_template

    if path.suffix.lower() != ".xlsx":
        err_console.print("[red]The template is an .xlsx file.[/red]")
        raise typer.Exit(2)
    write_template(path)
    typer.echo(f"Wrote {path}")


def register(app: typer.Typer) -> None:
    """Add `units …` to the CLI."""
    app.add_typer(units_app, name="units")
