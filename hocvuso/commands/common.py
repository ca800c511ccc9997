"""What every command module shares: the per-invocation state (config path, lazy container) and
the error console. Command modules import this, never `hocvuso.cli`, so the CLI can import them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
from rich.console import Console

from hocvuso.container import Container
from hocvuso.settings import ConfigError, load_settings

err_console = Console(stderr=True)

# Third-party chatter stays out of operators' logs unless they ask for DEBUG.
_NOISY_LOGGERS = ("alembic", "bm25s", "chromadb", "faster_whisper", "fontTools", "httpx", "urllib3")


class AppState:
    """What every command receives through typer's context: config path and a lazy container."""

    def __init__(self, config_file: Path | None) -> None:
        self.config_file = config_file
        self._container: Container | None = None

    @property
    def container(self) -> Container:
        """The composition root, built from the settings on first use (exit 2 on a config error)."""
        if self._container is None:
            try:
                settings = load_settings(self.config_file)
            except ConfigError as exc:
                raise config_error(exc) from exc
            logging.basicConfig(
                level=settings.log_level.upper(),
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                stream=sys.stderr,
            )
            for noisy in _NOISY_LOGGERS:
                logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
            self._container = Container(settings)
        return self._container

    def close(self) -> None:
        """Release what the container built."""
        if self._container is not None:
            self._container.close()


def state(ctx: typer.Context) -> AppState:
    """The AppState of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):
        raise RuntimeError("command run outside the hocvuso app (no AppState in the context)")
    return obj


def config_error(exc: ConfigError) -> typer.Exit:
    """Print a configuration problem for the operator; the Exit (code 2) to raise."""
    err_console.print(f"[red]Configuration error:[/red] {exc}")
    return typer.Exit(2)
