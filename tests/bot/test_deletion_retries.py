"""A retried message of a learner who deleted their data (/xoadulieu), on the real channels and the
real tutor (issue 14): the web chat (same client message id) and the Telegram webhook (same update
id) answer the same confirmation again; nothing runs again, no learner or channel row is created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bot.telegram import SECRET_HEADER
from bot.webchat import COOKIE_NAME
from bot.webchat_cookie import LearnerCookie
from hocvuso.container import Container
from tests.bot.telegram_helpers import WEBHOOK_URL, TelegramLearner, configure, eventually, serve_app
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramApi


def _identities(container: Container, channel: str) -> list[str]:
    with container.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT channel_user_id FROM tutor_channel_identities WHERE channel = :c"), {"c": channel}
        )
        return [row[0] for row in rows]


def _learners(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM tutor_learners")).scalar_one())


async def test_web_chat_retries_after_deletion_get_the_same_confirmation(data_dir: Path, database_url: str) -> None:
    container = Container(make_settings(data_dir, database_url))
    try:
        async with serve_app(container.web_app) as base_url, httpx.AsyncClient(base_url=base_url) as client:

            async def say(body: dict[str, Any]) -> list[str]:
                response = await client.post("/api/chat", json=body)
                assert response.status_code == 200
                return [reply["text"] for reply in response.json()["replies"]]

            start = (await client.post("/api/chat", json={"text": "/start", "id": "w1"})).json()["replies"]
            await say({"payload": start[-1]["buttons"][0][0]["payload"], "id": "w2"})
            learner = LearnerCookie(container.cookie_secret).loads(client.cookies[COOKIE_NAME])
            assert learner in _identities(container, "web")
            # A retried export re-sends the same document (the stored reply), it does not export again.
            first = (await client.post("/api/chat", json={"text": "/taidulieu", "id": "e1"})).json()["replies"]
            retry = (await client.post("/api/chat", json={"text": "/taidulieu", "id": "e1"})).json()["replies"]
            assert [r["text"] for r in retry] == [r["text"] for r in first]
            documents = [(await client.get(r["document"]["url"])).content for r in (first[0], retry[0])]
            assert documents[0] == documents[1] and documents[0].startswith(b"{")
            exports = list((container.settings.data_dir).rglob("hocvuso-du-lieu-*.json"))
            assert len(exports) == 1
            await say({"text": "/xoadulieu", "id": "w3"})
            done = await say({"text": "có", "id": "w4"})
            assert "Đã xóa" in done[-1]
            learners = _learners(container)
            for turn in (
                {"text": "có", "id": "w4"},
                {"text": "/xoadulieu", "id": "w3"},
                {"text": "/start", "id": "w1"},
            ):
                assert await say(turn) == done, turn
            assert _identities(container, "web") == [] and _learners(container) == learners
            assert (await client.get("/api/history")).json()["messages"] == []
    finally:
        container.close()


async def test_telegram_retried_updates_after_deletion_get_the_same_confirmation(
    container: Container, fake_api: FakeTelegramApi
) -> None:
    configure(container, fake_api, mode="webhook", webhook_url=WEBHOOK_URL)
    async with serve_app(container.web_app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        secret = fake_api.webhook["secret_token"]

        async def post(update: dict[str, Any]) -> None:
            response = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: secret})
            assert response.status_code == 200

        learner = TelegramLearner(fake_api, container, post)
        await learner.say("/start")
        await learner.press("Đồng ý")
        asked = fake_api.message_update(learner.user, "/xoadulieu")
        await learner._send(asked)
        call, data = learner.button("Xóa hết")
        confirm = fake_api.callback_update(learner.user, data, fake_api.sent_message(call))

        async def deleting(update: dict[str, Any]) -> list[str]:
            """Post an update that deletes (or finds deleted) the learner: its inbox row goes with
            the learner's data, so wait for the replies instead."""
            before = len(fake_api.find("sendMessage", learner.user))
            await post(update)
            await eventually(lambda: len(fake_api.find("sendMessage", learner.user)) > before)
            return [c.text for c in fake_api.find("sendMessage", learner.user)[before:]]

        done = await deleting(confirm)
        assert "Đã xóa" in done[-1] and str(learner.user) not in _identities(container, "telegram")
        learners = _learners(container)
        # Telegram redelivers the deleting update (its inbox row went with the learner's data): the
        # tutor answers the same confirmation from the id it kept, hashed.
        assert await deleting(confirm) == done
        # An earlier update is still in the inbox (processed, without its content): acknowledged only.
        sent = len(fake_api.find("sendMessage", learner.user))
        again = await client.post("/telegram/webhook", json=asked, headers={SECRET_HEADER: secret})
        assert again.json()["duplicate"] is True and len(fake_api.find("sendMessage", learner.user)) == sent
        assert str(learner.user) not in _identities(container, "telegram") and _learners(container) == learners
        with container.engine.connect() as conn:
            ids = [row[0] for row in conn.execute(sa.text("SELECT message_id FROM tutor_processed_messages"))]
        assert not [i for i in ids if str(learner.user) in i]  # no raw chat id kept
