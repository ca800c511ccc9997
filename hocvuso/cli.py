"""The `hocvuso` command line: one typer app; each area registers its commands from its own module."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hocvuso.container import Container
from hocvuso.settings import ConfigError, load_settings

app = typer.Typer(
    name="hocvuso",
    help="Hocvuso — the AI tutor of the 'Bình dân học vụ số' campaign.\n\nExample: hocvuso --config config.yaml status --json",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


class AppState:
    """What every command receives through typer's context: config path and a lazy container."""

    def __init__(self, config_file: Path | None) -> None:
        self.config_file = config_file
        self._container: Container | None = None

    @property
    def container(self) -> Container:
        if self._container is None:
            try:
                settings = load_settings(self.config_file)
            except ConfigError as exc:
                err_console.print(f"[red]Configuration error:[/red] {exc}")
                raise typer.Exit(2) from exc
            logging.basicConfig(
                level=settings.log_level.upper(),
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                stream=sys.stderr,
            )
            # Third-party chatter stays out of operators' logs unless they ask for DEBUG.
            for noisy in ("alembic", "bm25s", "chromadb", "httpx", "urllib3"):
                logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
            self._container = Container(settings)
        return self._container

    def close(self) -> None:
        if self._container is not None:
            self._container.close()


def state(ctx: typer.Context) -> AppState:
    """The AppState of the running command."""
    return ctx.find_root().obj


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


def _register() -> None:
    # Imported here so each module can `from hocvuso.cli import app, state`.
    from hocvuso.commands import channels, journeys, knowledge_cmds, lessons, tutor_cmds  # noqa: F401


def main() -> None:
    """Console-script entry point."""
    _register()
    app()
