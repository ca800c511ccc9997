"""The web chat's server-side memory of a consenting learner: `GET /api/history` (the cookie's
conversation, with fresh document links), `GET /api/export/{token}` (a reply's document, while the
tutor still knows the learner), and keeping each turn (or forgetting a learner the tutor no longer
knows as consenting). `bot.webchat.WebChat` composes this."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.tutor_pool import ThreadTutorRunner
from bot.webchat_documents import DocumentLinks, file_response, refresh_message
from bot.webchat_history import WebChatHistory

log = logging.getLogger("bot.webchat")  # the channel's logger: operators grep one name

DOCUMENT_GONE = "Liên kết tải tệp đã hết hạn hoặc không còn. Bạn gõ /taidulieu để tải lại nhé."


class LearnerMemory:
    """History and document downloads of the web chat's learners (nothing kept without consent)."""

    def __init__(
        self,
        channel: str,
        history: WebChatHistory | None,
        documents: DocumentLinks,
        runner: ThreadTutorRunner,
        learner_of: Callable[[Request], str | None],
    ) -> None:
        """`history` None keeps nothing; `learner_of(request)` reads the learner from the cookie."""
        self._channel = channel
        self._history = history
        self._documents = documents
        self._runner = runner
        self._learner_of = learner_of

    def add_routes(self, router: APIRouter) -> None:
        """`GET /api/history` (the cookie's conversation) and `GET /api/export/{token}` (a document)."""

        @router.get("/api/history", include_in_schema=False)
        async def history(request: Request) -> Response:
            learner = self._learner_of(request)
            messages: list[dict[str, Any]] = []
            if learner and self._history is not None:
                messages = await asyncio.to_thread(self._history.recent, learner)
                messages = [refresh_message(self._documents, m, learner) for m in messages]
            return no_store(JSONResponse({"messages": messages}))

        @router.get("/api/export/{token}", include_in_schema=False)
        async def document(token: str, request: Request) -> Response:
            learner = self._learner_of(request)
            found = self._documents.open(token, learner)
            if found is None or not await self._still_known(learner):
                return no_store(PlainTextResponse(DOCUMENT_GONE, status_code=404))
            return file_response(found)

    async def _still_known(self, learner: str | None) -> bool:
        """Whether the tutor still knows `learner` as a consenting learner: a link stops working as
        soon as they deleted their data (or were purged)."""
        if not learner:
            return False
        try:
            return bool(await self._runner.call("consented", self._channel, learner))
        except Exception as exc:  # cannot tell: refuse, the learner can ask again
            log.warning("web chat: cannot check a download's learner (%s)", type(exc).__name__)
            return False

    async def consented(self, learner: str) -> bool | None:
        """Whether the tutor knows `learner` as a consenting learner; None when it cannot say."""
        try:
            return bool(await self._runner.call("consented", self._channel, learner))
        except Exception as exc:  # history and reminders are conveniences: never fail a turn for them
            log.warning("web chat: cannot tell whether the learner consented (%s)", type(exc).__name__)
            return None

    async def remember(
        self,
        learner: str,
        mine: str | None,
        replies: list[dict[str, Any]],
        turn: str | None = None,
        consented: bool | None = None,
    ) -> None:
        """Keep this turn in the learner's history, or forget the history of one the tutor no
        longer knows as a consenting learner (deleted data, never agreed). `consented`: what
        `consented(learner)` said after the turn (asked here when not given)."""
        if self._history is None:
            return
        if consented is None:
            consented = await self.consented(learner)
            if consented is None:
                return
        try:
            if not consented:
                await asyncio.to_thread(self._history.forget, learner)
                return
            rows = ([("me", {"text": mine})] if mine else []) + [("bot", reply) for reply in replies]
            await asyncio.to_thread(self._history.add, learner, rows, None, turn)
        except Exception as exc:
            log.warning("web chat: history not saved (%s)", type(exc).__name__)


def no_store(response: Response) -> Response:
    """The response, marked never to be cached (it carries one learner's data)."""
    response.headers["Cache-Control"] = "no-store"
    return response
