"""End to end: the real tutor (`container.conversation` over the fixture course) behind the real PTB
Application, talking to a local Bot API server, in polling mode and in webhook mode under uvicorn."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from bot.telegram import SECRET_HEADER
from hocvuso.container import Container
from hocvuso.settings import TelegramSettings
from tests.bot.telegram_helpers import (
    WEBHOOK_URL,
    TelegramLearner,
    configure,
    polling_learner,
    serve_app,
)
from tests.fakes.telegram_api import FakeTelegramApi
from tutor import texts
from tutor.conversation import LETTERS

pytestmark = pytest.mark.slow
_users = itertools.count(5000)


async def _onboard_and_quiz(learner: TelegramLearner, container: Container) -> None:
    await learner.say("/start")
    assert texts.GREETING.splitlines()[0] in learner.text
    assert all(c.params.get("parse_mode") == "HTML" for c in learner.last if c.method == "sendMessage")
    await learner.press("Đồng ý")
    assert texts.ASK_NAME in learner.text
    assert any(c.method == "answerCallbackQuery" for c in learner.fake.find())
    await learner.say("Lan")
    await learner.say("may thanh cong")
    await learner.press("May Thành Công")
    await learner.press("Công nhân")
    assert "Hồ sơ đã xong" in learner.text

    await learner.say("/hoc")
    assert "📘 Bài:" in learner.text
    await learner.press(texts.BTN_QUIZ)
    curriculum = container.curriculum
    question_text = learner.text
    item = next(
        item for lesson in curriculum.lessons.values() for item in lesson.quiz if item.question in question_text
    )
    if item.type == "mcq":
        await learner.press(LETTERS[item.choices.index(item.answer)])
    elif item.type == "true_false":
        await learner.press(texts.BTN_TRUE if item.answer.lower().startswith("đ") else texts.BTN_FALSE)
    else:
        await learner.say(item.answer)
    assert "✅ Đúng rồi!" in learner.text, learner.text


async def test_polling_real_tutor_start_consent_lesson_quiz(
    ingested_container: Container, fake_api: FakeTelegramApi
) -> None:
    configure(ingested_container, fake_api, mode="polling")
    async with polling_learner(ingested_container, fake_api) as learner:
        await _onboard_and_quiz(learner, ingested_container)
        # An answer with sources: the question is answered from the fixture course, escaped for HTML.
        await learner.say("/start")
        assert learner.last, "a /start later still answers"
        # The quick menu rides as a persistent reply keyboard on messages without inline buttons.
        keyboards = [
            c.json("reply_markup")["keyboard"]
            for c in fake_api.find("sendMessage", learner.user)
            if "keyboard" in (c.json("reply_markup") or {})
        ]
        assert keyboards and [b["text"] for row in keyboards[-1] for b in row] == [
            "Học tiếp",
            "Hỏi",
            "Bài tập",
            "Tiến độ",
            "Danh mục",
        ]


async def test_webhook_real_tutor_under_uvicorn(ingested_container: Container, fake_api: FakeTelegramApi) -> None:
    configure(ingested_container, fake_api, mode="webhook", webhook_url=WEBHOOK_URL)
    app = ingested_container.web_app
    async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        secret = fake_api.webhook["secret_token"]
        assert len(secret) >= 32  # generated, stored in the data dir
        assert (ingested_container.settings.data_dir / "telegram_webhook.key").read_text().strip() == secret

        async def post(update: dict[str, Any]) -> None:
            response = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: secret})
            assert response.status_code == 200

        learner = TelegramLearner(fake_api, ingested_container, post)
        await _onboard_and_quiz(learner, ingested_container)

        # A retry of an update already answered: acknowledged, no second reply.
        repeat = fake_api.message_update(learner.user, "/tiendo")
        await learner._send(repeat)
        replies_before = len(fake_api.find("sendMessage", learner.user))
        again = await client.post("/telegram/webhook", json=repeat, headers={SECRET_HEADER: secret})
        assert again.status_code == 200 and again.json()["duplicate"] is True
        forged = await client.post("/telegram/webhook", json=fake_api.message_update(learner.user, "/xoadulieu"))
        assert forged.status_code == 403
        health = (await client.get("/healthz")).json()
        assert len(fake_api.find("sendMessage", learner.user)) == replies_before

    assert health["status"] == "ok" and health["documents"] >= 3 and health["chunks"] > 0
    assert health["channels"]["telegram"]["mode"] == "webhook"


async def test_quiz_polls_with_real_tutor(ingested_container: Container, fake_api: FakeTelegramApi) -> None:
    configure(ingested_container, fake_api, mode="polling", use_quiz_polls=True)
    async with polling_learner(ingested_container, fake_api) as learner:
        await learner.say("/start")
        await learner.press("Đồng ý")
        await learner.say("Lan")
        await learner.say("may thanh cong")
        await learner.press("May Thành Công")
        await learner.press("Công nhân")
        await learner.say("/hoc")
        await learner.press(texts.BTN_QUIZ)
        polls = [c for c in learner.last if c.method == "sendPoll"]
        if not polls:  # a short-answer item first: typed answers need no poll
            pytest.skip("first quiz item of the fixture lesson is not a choice item")
        poll = polls[-1]
        assert poll.params["type"] == "quiz" and poll.params["is_anonymous"] in ("false", "False")
        correct = poll.json("correct_option_ids")[0]
        poll_id = poll.params["_result"]["poll"]["id"]
        await learner._send(fake_api.poll_answer_update(learner.user, poll_id, correct))
        assert "✅ Đúng rồi!" in learner.text


def test_serve_without_token_and_half_configured_webhook(container: Container) -> None:
    """No token: Telegram is simply off; webhook mode without webhook_url refuses to start."""
    from hocvuso.settings import ConfigError

    assert container.telegram_channel is None
    app = container.web_app
    assert all(getattr(r, "path", "") != "/telegram/webhook" for r in app.routes)

    broken = Container(
        container.settings.model_copy(
            update={"telegram": TelegramSettings(token="123:abc", mode="webhook", webhook_url="")}
        )
    )
    with pytest.raises(ConfigError, match="webhook_url is empty"):
        _ = broken.telegram_channel
    plain_http = Container(
        container.settings.model_copy(
            update={
                "telegram": TelegramSettings(token="123:abc", mode="webhook", webhook_url="http://x/telegram/webhook")
            }
        )
    )
    with pytest.raises(ConfigError, match="https"):
        _ = plain_http.telegram_channel


async def test_tutor_in_worker_processes(ingested_container: Container, fake_api: FakeTelegramApi) -> None:
    """telegram.tutor_processes: the same conversation, answered by a spawned worker process."""
    configure(ingested_container, fake_api, mode="polling", tutor_processes=1)
    async with polling_learner(ingested_container, fake_api) as learner:
        await learner.say("/start")
        assert texts.GREETING.splitlines()[0] in learner.text
        await learner.press("Đồng ý")
        assert texts.ASK_NAME in learner.text
        await learner.say("mật khẩu mạnh là gì?")  # the worker searches its own copy of the store
        assert learner.text


def test_hocvuso_serve_starts_without_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`hocvuso serve` with no Telegram token: up on serve.port, /healthz says Telegram is off."""
    import os
    import socket
    import subprocess
    import sys
    import time

    from tests.conftest import FIXTURE_COURSE, REPO_ROOT

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "config.yaml"
    config.write_text(
        f"data_dir: {tmp_path / 'data'}\n"
        f"ingest: {{lessons_dir: {FIXTURE_COURSE}}}\n"
        f"tutor: {{units_file: {REPO_ROOT / 'knowledge' / 'units_sample.csv'}}}\n"
        f"serve: {{host: 127.0.0.1, port: {port}}}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "hocvuso", "--config", str(config), "serve"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = None
        deadline = time.monotonic() + 300  # imports and migrations on a loaded machine take a while
        while health is None and time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                time.sleep(0.2)
        assert health is not None and health["status"] == "ok"
        assert health["channels"]["telegram"] == {"enabled": False, "reason": "no token"}
        forged = httpx.post(f"http://127.0.0.1:{port}/telegram/webhook", json={"update_id": 1}, timeout=5)
        assert forged.status_code in (404, 405)  # no Telegram route when Telegram is off
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Telegram is off: HOCVUSO_TELEGRAM__TOKEN is not set." in output


def test_hocvuso_telegram_long_polling_command(tmp_path, fake_api: FakeTelegramApi) -> None:  # type: ignore[no-untyped-def]
    """`hocvuso telegram` answers a learner through the fake Bot API and stops cleanly on SIGINT."""
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import FIXTURE_COURSE, REPO_ROOT

    config = tmp_path / "config.yaml"
    config.write_text(
        f"data_dir: {tmp_path / 'data'}\n"
        f"ingest: {{lessons_dir: {FIXTURE_COURSE}}}\n"
        f"tutor: {{units_file: {REPO_ROOT / 'knowledge' / 'units_sample.csv'}}}\n"
        f"telegram: {{mode: polling, base_url: '{fake_api.base_url}', tutor_processes: 0}}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env["HOCVUSO_TELEGRAM__TOKEN"] = fake_api.token
    bot = subprocess.Popen(
        [sys.executable, "-m", "hocvuso", "--config", str(config), "telegram"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        fake_api.push_update(fake_api.message_update(4711, "/start"))
        calls = fake_api.wait_for(lambda c: any(x.method == "sendMessage" for x in c), timeout=300)
    finally:
        bot.send_signal(signal.SIGINT)
        output = bot.communicate(timeout=60)[0].decode()
    assert bot.returncode == 0, output
    assert texts.GREETING.splitlines()[0] in next(c for c in calls if c.method == "sendMessage").text
    assert any(c.method == "deleteWebhook" for c in calls)  # polling takes over from a webhook
    assert fake_api.token.split(":")[1] not in output  # the token never reaches the log
