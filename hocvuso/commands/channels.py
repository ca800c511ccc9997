"""Channel commands: `hocvuso serve` (FastAPI + uvicorn) and `hocvuso telegram` (long polling)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Annotated, Any

import typer

from hocvuso.commands.common import config_error, err_console, state
from hocvuso.container import Container
from hocvuso.settings import ConfigError, Settings

log = logging.getLogger("hocvuso.channels")


def warn_without_public_url(settings: Settings) -> None:
    """One warning at start when certificates will carry no verification address."""
    if not settings.serve.public_url:
        log.warning(
            "serve.public_url is not set: certificates carry their verification code but no address;"
            " set it to the server's public https address"
        )


def _warm_up(container: Container) -> None:
    """Build the tutor and open the store before traffic arrives (not inside worker threads)."""
    _ = container.conversation
    warn_without_public_url(container.settings)
    if container.speech is not None:
        container.speech.warm()  # the speech model is joined and loaded in the background
    try:
        stats = container.store_stats()
        log.info("Knowledge store: %s documents, %s chunks", stats["documents"], stats["chunks"])
    except Exception as exc:  # an empty data dir still serves (answers say "not found")
        log.warning("Knowledge store not ready (%s); run `hocvuso ingest`", type(exc).__name__)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address (default: serve.host).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default: serve.port).")] = None,
) -> None:
    """Serve the web chat, the channel webhooks and /healthz with uvicorn.

    Example: hocvuso serve --port 8000   (then open http://127.0.0.1:8000/)
    """
    import uvicorn

    # Idle OpenMP threads (the embedding engine) must sleep, not spin on the cores that
    # acknowledge webhooks; set before the engine loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    container = state(ctx).container
    settings = container.settings
    try:
        web_app = container.web_app
    except ConfigError as exc:
        raise config_error(exc) from exc
    _warm_up(container)
    # The event loop acknowledges webhooks while tutor threads compute; a short GIL switch
    # interval (default 5 ms) keeps an acknowledgement from waiting behind a whole lesson turn.
    sys.setswitchinterval(0.001)
    listen_host = host or settings.serve.host
    listen_port = port if port is not None else settings.serve.port
    log.info("Serving on http://%s:%d", listen_host, listen_port)
    uvicorn.run(
        web_app,
        host=listen_host,
        port=listen_port,
        log_level=settings.log_level.lower(),
        access_log=settings.log_level.upper() == "DEBUG",
        proxy_headers=True,
    )


def telegram_polling(ctx: typer.Context) -> None:
    """Run the Telegram bot with long polling (telegram.mode: polling), until Ctrl-C.

    Example: HOCVUSO_TELEGRAM__TOKEN=123:abc hocvuso telegram
    """
    container = state(ctx).container
    try:
        channel = container.telegram_channel
    except ConfigError as exc:
        raise config_error(exc) from exc
    if channel is None:
        err_console.print("Telegram is off: set HOCVUSO_TELEGRAM__TOKEN to the bot's token from @BotFather.")
        raise typer.Exit(2)
    if channel.config.mode != "polling":
        err_console.print(
            "telegram.mode is 'webhook': Telegram is served by `hocvuso serve`. "
            "Set telegram.mode: polling to use `hocvuso telegram`."
        )
        raise typer.Exit(2)
    _warm_up(container)
    asyncio.run(_run_polling(channel))


async def _run_polling(channel: Any) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await channel.start_polling()
    try:
        await stop.wait()
    finally:
        log.info("Telegram: stopping")
        await channel.stop()


def register(app: typer.Typer) -> None:
    """Add `serve` and `telegram` to the CLI."""
    app.command("serve")(serve)
    app.command("telegram")(telegram_polling)
