"""The FastAPI application behind `hocvuso serve`: health, channel webhooks, (later) the web chat.

`create_app` receives ready-made channel services from the composition root. A channel service
(`ChannelService`) contributes routes and is started/stopped with the app's lifespan; adding Zalo or
the web chat means passing one more service (or `extra_routers`), not editing this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol, runtime_checkable

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

log = logging.getLogger(__name__)

PLACEHOLDER_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Bình dân học vụ số</title></head>
<body><h1>Bình dân học vụ số</h1><p>Trợ lý học kỹ năng số đang chạy.</p></body></html>"""


@runtime_checkable
class ChannelService(Protocol):
    """A channel served by the app: its routes, and what runs while the app is up."""

    name: str

    def router(self) -> APIRouter:
        """Routes this channel adds (webhooks)."""
        ...

    async def start(self) -> None:
        """Called once when the app starts (register webhooks, start workers)."""
        ...

    async def stop(self) -> None:
        """Called once when the app stops."""
        ...

    def describe(self) -> dict[str, Any]:
        """A small JSON-able status for /healthz (no secrets, no personal data)."""
        ...


def create_app(
    *,
    channels: Sequence[ChannelService] = (),
    off_channels: Mapping[str, str] | None = None,
    stats: Callable[[], dict[str, Any]] | None = None,
    extra_routers: Sequence[APIRouter] = (),
    title: str = "Hocvuso",
) -> FastAPI:
    """Build the app.

    channels: running channel services (their routes are mounted, lifespan starts/stops them);
    off_channels: channels configured off, name -> why (reported by /healthz);
    stats: cheap store statistics for /healthz (e.g. {"documents": 12, "chunks": 340});
    extra_routers: more routes (web chat page, API) that need no lifespan.
    """
    started: list[ChannelService] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            for channel in channels:
                try:
                    await channel.start()
                except Exception as exc:  # e.g. the platform is unreachable: serve the rest
                    # The type only: a rejected token's message repeats the token.
                    log.error(
                        "Channel %s did not start (%s); the other channels keep running",
                        channel.name,
                        type(exc).__name__,
                    )
                    with contextlib.suppress(Exception):
                        await channel.stop()
                    continue
                started.append(channel)
                log.info("Channel %s started", channel.name)
            yield
        finally:
            for channel in reversed(started):
                try:
                    await channel.stop()
                except Exception as exc:  # keep stopping the others
                    log.warning("Channel %s did not stop cleanly (%s)", channel.name, type(exc).__name__)
            started.clear()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        body: dict[str, Any] = {"status": "ok"}
        if stats is not None:
            try:
                body.update(await asyncio.to_thread(stats))
            except Exception as exc:  # the store is not built yet: health is still answered
                body["store"] = f"unavailable ({type(exc).__name__})"
        status: dict[str, Any] = {name: {"enabled": False, "reason": why} for name, why in (off_channels or {}).items()}
        for channel in channels:
            status[channel.name] = channel.describe()
        body["channels"] = status
        return JSONResponse(body)

    for channel in channels:
        app.include_router(channel.router())
    for router in extra_routers:
        app.include_router(router)

    if not any(getattr(r, "path", None) == "/" for r in app.routes):

        @app.get("/", response_class=HTMLResponse, include_in_schema=False)
        async def index() -> HTMLResponse:
            return HTMLResponse(PLACEHOLDER_PAGE)

    return app
