"""The `hocvuso` command line: one typer app; each area's commands are registered here explicitly.

Command modules (hocvuso/commands/*) define plain functions and a `register(app)`; they import
`hocvuso.commands.common`, never this module, so there is no import cycle to hide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hocvuso.commands import (
    channels,
    gaps,
    journeys,
    knowledge_cmds,
    lessons,
    officers,
    tutor_cmds,
    units,
    voice_cmds,
)
from hocvuso.commands.common import AppState

app = typer.Typer(
    name="hocvuso",
    help="Hocvuso — the AI tutor of the 'Bình dân học vụ số' campaign.\n\nExample: hocvuso --config config.yaml status --json",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Settings file (default: ./config.yaml).", envvar="HOCVUSO_CONFIG"),
    ] = None,
) -> None:
    """Hocvuso: lessons, quizzes and answers about digital skills, in Telegram, Zalo and the web."""
    ctx.obj = AppState(config)
    ctx.call_on_close(ctx.obj.close)


channels.register(app)
knowledge_cmds.register(app)
journeys.register(knowledge_cmds.bench_app)
voice_cmds.register(knowledge_cmds.bench_app)
tutor_cmds.register(app)
gaps.register(app)
units.register(app)
officers.register(app)
app.add_typer(lessons.lessons_app, name="lessons")


def main() -> None:
    """Console-script entry point."""
    app()
