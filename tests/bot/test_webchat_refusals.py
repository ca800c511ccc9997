"""What the page's rule for refused presses relies on, with the real tutor (quick tier: no embedding
model) behind the web chat: a press the tutor's rate limit refuses is answered with its wait line
and no buttons (so the page lets the learner press again), and a typed flood past it gets nothing
(the page then says so itself)."""

from __future__ import annotations

import httpx
import pytest

from bot.server import create_app
from bot.webchat import WebChat, WebChatConfig
from hocvuso.container import Container
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat import SECRET
from tests.conftest import FIXTURE_COURSE
from tests.tutor.conversation_kit import Clock, FakeAnswerer, build_tutor

pytestmark = pytest.mark.slow


async def test_a_rate_limited_press_gets_the_wait_line_without_buttons(settings) -> None:  # type: ignore[no-untyped-def]
    container = Container(settings)
    tutor = build_tutor(container, Clock(), answerer=FakeAnswerer(), rate_limit_burst=4, rate_limit_per_minute=1)
    chat = WebChat(WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE), tutor)
    try:
        async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
            async with httpx.AsyncClient(base_url=base_url) as client:
                start = (await client.post("/api/chat", json={"text": "/start", "id": "s"})).json()["replies"]
                agree = start[-1]["buttons"][0][0]
                assert agree["label"] == "Đồng ý"
                refused = None
                for n in range(12):  # tapping fast, as in placement
                    body = {"payload": agree["payload"], "label": agree["label"], "id": f"p{n}"}
                    replies = (await client.post("/api/chat", json=body)).json()["replies"]
                    if replies and replies[0]["text"].startswith("Bạn gửi nhanh quá"):
                        refused = replies
                        break
                assert refused is not None, "the tutor never refused a press"
                assert len(refused) == 1 and refused[0]["buttons"] == []  # no new choices: press again
                typed = [
                    (await client.post("/api/chat", json={"text": f"câu {n}", "id": f"t{n}"})).json()["replies"]
                    for n in range(3)
                ]
                assert typed[-1] == []  # a typed flood is dropped silently: the page explains it
    finally:
        chat.close()
        container.close()
