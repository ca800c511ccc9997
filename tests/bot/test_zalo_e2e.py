"""Zalo end to end with the real tutor: `hocvuso serve`'s app (container.web_app) on uvicorn, signed
events in, the local Zalo API out: follow → greeting and consent in one message → a tap on «Đồng ý»
→ onboarding; unfollow → no more reminders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from hocvuso.container import Container
from tests.bot.telegram_helpers import serve_app
from tests.bot.zalo_helpers import follow_event, signed, text_event, zalo_settings
from tests.conftest import make_settings
from tests.fakes.zalo_api import FakeZaloApi

pytestmark = pytest.mark.slow
USER = "5521772797175877301"


async def test_follow_consent_and_onboarding_with_the_real_tutor(
    data_dir: Path, database_url: str, fake_zalo: FakeZaloApi
) -> None:
    container = Container(make_settings(data_dir, database_url, zalo=zalo_settings(fake_zalo)))
    channel = container.zalo_channel
    try:
        async with serve_app(container.web_app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
            assert (await client.get("/healthz")).json()["channels"]["zalo"]["running"] is True
            body, headers = signed(follow_event(USER))
            assert (await client.post("/zalo/webhook", content=body, headers=headers)).status_code == 200
            await channel.idle()
            greeting = fake_zalo.messages(USER)
            assert len(greeting) == 1  # greeting and consent notice combined: one counted message
            assert greeting[0].text.startswith("Xin chào!") and "Bấm «Đồng ý»" in greeting[0].text
            assert greeting[0].button_titles == ["Đồng ý"]

            body, headers = signed(text_event(USER, "Đồng ý"))
            assert (await client.post("/zalo/webhook", content=body, headers=headers)).status_code == 200
            await channel.idle()
            thanks = fake_zalo.messages(USER)[-1]
            assert thanks.text.startswith("Cảm ơn bạn!") and "gọi bạn là gì" in thanks.text
            assert thanks.button_titles == ["Bỏ qua"]

            body, headers = signed(text_event(USER, "Bỏ qua"))
            await client.post("/zalo/webhook", content=body, headers=headers)
            await channel.idle()
            assert fake_zalo.messages(USER)[-1].button_titles == ["Bỏ qua"]  # unit step

            # Finish the profile (skip the unit, pick a group): help during onboarding asks the step again.
            for text in ("Bỏ qua", "1"):
                body, headers = signed(text_event(USER, text))
                await client.post("/zalo/webhook", content=body, headers=headers)
                await channel.idle()

            # A reply without buttons of its own carries the quick menu as quick replies (no extra message).
            sent_before = len(fake_zalo.messages(USER))
            body, headers = signed(text_event(USER, "/trogiup"))
            await client.post("/zalo/webhook", content=body, headers=headers)
            await channel.idle()
            assert len(fake_zalo.messages(USER)) == sent_before + 1
            quick = ["Học tiếp", "Hỏi", "Bài tập", "Tiến độ", "Danh mục"]
            assert fake_zalo.messages(USER)[-1].button_titles == quick

            body, headers = signed(follow_event(USER, "unfollow"))
            await client.post("/zalo/webhook", content=body, headers=headers)
            await channel.idle()
        # An unfollowed user is never reminded, whatever the time of day.
        assert container.conversation.due_reminders("zalo", datetime(2026, 3, 2, 16, 50, tzinfo=UTC)) == []
        assert all(len(c.text) <= 2000 for c in fake_zalo.messages())
        assert container.channel_inbox.counts("zalo") == {"processed": 7}
    finally:
        container.close()
