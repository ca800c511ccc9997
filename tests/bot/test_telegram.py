"""Telegram channel with the real PTB Application against a local Bot API server (fake tutor)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.server import create_app
from bot.telegram import SECRET_HEADER
from tests.bot.telegram_helpers import (
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    Repos,
    eventually,
    make_channel,
    make_repos,
    payloads,
    sent_texts,
    serve_app,
    wait_calls,
)
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.tutor_port import LONG_TEXT, QUIZ, FakeTutor
from tutor.messages import MenuEntry, ReminderTarget

pytestmark = pytest.mark.slow
USER = 4242


@pytest.fixture
def repos(database_url: str) -> Iterator[Repos]:
    built, engine = make_repos(database_url)
    yield built
    engine.dispose()


async def test_polling_round_trip_start_consent_lesson_quiz(
    fake_api: FakeTelegramApi, repos: Repos, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    tutor = FakeTutor()
    channel = make_channel(fake_api, repos, tutor)
    await channel.start_polling()
    try:
        fake_api.push_update(fake_api.message_update(USER, "/start"))
        calls = await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 1)
        welcome = sent_texts(calls, USER)[0]
        assert "Chào bạn" in welcome.text
        assert welcome.params["parse_mode"] == "HTML"
        assert payloads(welcome) == ["consent:yes", "consent:no"]

        fake_api.push_update(fake_api.callback_update(USER, "consent:yes", fake_api.sent_message(welcome)))
        calls = await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 2)
        lesson = sent_texts(calls, USER)[1]
        assert "Mật khẩu mạnh" in lesson.text
        assert fake_api.find("answerCallbackQuery"), "button press answered"
        edited = fake_api.find("editMessageText", USER)
        assert edited and edited[0].text.endswith("✓ Đồng ý")  # the pressed choice is shown

        fake_api.push_update(fake_api.callback_update(USER, "quiz:start", fake_api.sent_message(lesson)))
        calls = await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 3)
        question = sent_texts(calls, USER)[2]
        assert question.text == QUIZ.question
        assert payloads(question)[:3] == list(QUIZ.choice_payloads)

        fake_api.push_update(fake_api.callback_update(USER, QUIZ.choice_payloads[2], fake_api.sent_message(question)))
        calls = await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 4)
        assert "Đúng rồi" in sent_texts(calls, USER)[3].text
        await eventually(lambda: repos.inbox.counts("telegram").get("processed") == 4)
    finally:
        await channel.stop()
    assert [i.kind for i in tutor.inbounds] == ["text", "button", "button", "button"]
    assert tutor.inbounds[0].text == "/start" and tutor.inbounds[0].user_id == str(USER)
    assert repos.inbox.counts("telegram") == {"processed": 4}
    secret_part = fake_api.token.split(":")[1]
    assert secret_part not in caplog.text  # no request URL (it holds the token) in INFO logs
    assert "Chào bạn" not in caplog.text  # nor what learners read


async def test_polling_same_update_twice_gets_one_reply(fake_api: FakeTelegramApi, repos: Repos) -> None:
    tutor = FakeTutor()
    update = fake_api.message_update(USER, "xin chào")
    fake_api.push_update(update)
    fake_api.push_update(update)  # Telegram delivers it again (same update_id)
    channel = make_channel(fake_api, repos, tutor)
    await channel.start_polling()
    try:
        await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 1)
    finally:
        await channel.stop()  # drains: a second (wrong) processing would have happened by now
    assert len(sent_texts(fake_api.find(), USER)) == 1
    assert len(tutor.inbounds) == 1


async def test_webhook_served_by_uvicorn(fake_api: FakeTelegramApi, repos: Repos) -> None:
    tutor = FakeTutor()
    channel = make_channel(fake_api, repos, tutor, mode="webhook")
    app = create_app(channels=[channel])
    async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        # Registered with the secret, for the updates we asked for.
        assert fake_api.webhook["url"] == WEBHOOK_URL
        assert fake_api.webhook["secret_token"] == WEBHOOK_SECRET
        assert "callback_query" in fake_api.webhook["allowed_updates"]

        start = fake_api.message_update(USER, "/start")
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        first = await client.post("/telegram/webhook", json=start, headers=headers)
        again = await client.post("/telegram/webhook", json=start, headers=headers)
        assert first.status_code == 200 and first.json() == {"ok": True, "duplicate": False}
        assert again.status_code == 200 and again.json()["duplicate"] is True

        long = fake_api.message_update(USER, "dài")
        assert (await client.post("/telegram/webhook", json=long, headers=headers)).status_code == 200
        await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 4)

        # Wrong or missing secret: 403, nothing recorded, nothing sent.
        intruder = fake_api.message_update(USER, "tấn công")
        wrong = await client.post("/telegram/webhook", json=intruder, headers={SECRET_HEADER: "nope"})
        missing = await client.post("/telegram/webhook", json=intruder)
        assert wrong.status_code == 403 and missing.status_code == 403
        health = (await client.get("/healthz")).json()
    # serve_app stopped the app, and the channel drained what it held.

    messages = sent_texts(fake_api.find(), USER)
    assert sum("Chào bạn" in m.text for m in messages) == 1  # the retry got no second reply
    parts = [m.text for m in messages if "Câu số" in m.text]
    assert len(parts) >= 3 and all(len(p) <= 4096 for p in parts)
    assert " ".join(parts).split() == LONG_TEXT.split()  # nothing lost at the cuts
    assert all(p.rstrip().endswith(".") for p in parts)  # cut at sentence ends
    assert not any("tấn công" in (i.text or "") for i in tutor.inbounds)
    assert repos.inbox.status("telegram", str(intruder["update_id"])) is None
    assert health["channels"]["telegram"] == {"enabled": True, "mode": "webhook", "running": True}


async def test_webhook_rejects_bad_secret_before_reading_body(fake_api: FakeTelegramApi, repos: Repos) -> None:
    channel = make_channel(fake_api, repos, FakeTutor(), mode="webhook")
    app = create_app(channels=[channel])
    async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        # Not even valid JSON: a 403 proves the body was never parsed.
        response = await client.post(
            "/telegram/webhook", content=b"{not json", headers={SECRET_HEADER: WEBHOOK_SECRET[:-1] + "x"}
        )
        assert response.status_code == 403
        bad_json = await client.post("/telegram/webhook", content=b"{not json", headers={SECRET_HEADER: WEBHOOK_SECRET})
        assert bad_json.status_code == 400
    assert repos.inbox.counts("telegram") == {}


async def test_unprocessed_updates_are_processed_on_start(fake_api: FakeTelegramApi, repos: Repos) -> None:
    """A crash after the acknowledgement left a row 'received': the next start answers it."""
    tutor = FakeTutor()
    update = fake_api.message_update(USER, "câu hỏi trước khi sập")
    assert repos.inbox.record("telegram", str(update["update_id"]), update)
    channel = make_channel(fake_api, repos, tutor, mode="webhook")
    await channel.start()
    try:
        calls = await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 1)
    finally:
        await channel.stop()
    assert "câu hỏi trước khi sập" in sent_texts(calls, USER)[0].text
    assert repos.inbox.status("telegram", str(update["update_id"])) == "processed"
    assert repos.inbox.pending("telegram") == []


async def test_quiz_as_poll_and_poll_answer_maps_back(fake_api: FakeTelegramApi, repos: Repos) -> None:
    tutor = FakeTutor()
    channel = make_channel(fake_api, repos, tutor, use_quiz_polls=True)
    await channel.start_polling()
    try:
        fake_api.push_update(fake_api.callback_update(USER, "quiz:start"))
        calls = await wait_calls(fake_api, lambda c: any(x.method == "sendPoll" for x in c))
        poll_call = next(c for c in calls if c.method == "sendPoll")
        assert poll_call.json("options") == list(QUIZ.choices) or [
            o["text"] for o in poll_call.json("options")
        ] == list(QUIZ.choices)
        assert poll_call.params["type"] == "quiz"
        assert poll_call.params["is_anonymous"] in ("false", "False", False)
        assert poll_call.json("correct_option_ids") == [2]
        assert payloads(poll_call) == ["quiz:skip"]  # other buttons stay, under the poll
        poll_id = poll_call.params["_result"]["poll"]["id"]
        assert await eventually(lambda: repos.polls.get(poll_id))

        fake_api.push_update(fake_api.poll_answer_update(USER, poll_id, 2))
        calls = await wait_calls(fake_api, lambda c: any("Đúng rồi" in x.text for x in sent_texts(c, USER)))
    finally:
        await channel.stop()
    answer = tutor.inbounds[-1]
    assert answer.kind == "button" and answer.payload == QUIZ.choice_payloads[2]


async def test_a_document_reply_is_sent_as_a_document(fake_api: FakeTelegramApi, repos: Repos, tmp_path: Path) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(b"%PDF-1.4 fake certificate")
    channel = make_channel(fake_api, repos, FakeTutor(document_path=str(pdf)))
    await channel.start_polling()
    try:
        fake_api.push_update(fake_api.message_update(USER, "tệp"))
        calls = await wait_calls(fake_api, lambda c: any(x.method == "sendDocument" for x in c))
    finally:
        await channel.stop()
    document = next(c for c in calls if c.method == "sendDocument")
    assert document.files["document"] == pdf.read_bytes()
    assert document.params["caption"] == "Giấy chứng nhận &lt;1&gt;"  # the reply's text, escaped


async def test_photo_sticker_and_failure(
    fake_api: FakeTelegramApi, repos: Repos, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    image = tmp_path / "caidat.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nfake-image-bytes")
    tutor = FakeTutor(image_path=str(image), fail_on="lỗi")
    channel = make_channel(fake_api, repos, tutor)
    await channel.start_polling()
    try:
        fake_api.push_update(fake_api.message_update(USER, "ảnh"))
        fake_api.push_update(fake_api.sticker_update(USER))
        failing = fake_api.push_update(fake_api.message_update(USER, "lỗi"))
        calls = await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 3)
        await eventually(lambda: repos.inbox.status("telegram", str(failing["update_id"])) == "failed")
    finally:
        await channel.stop()
    photo = next(c for c in calls if c.method == "sendPhoto")
    assert photo.files["photo"] == image.read_bytes()
    assert photo.params["caption"] == "Màn hình cài đặt &lt;b&gt;"  # escaped for HTML
    texts = [c.text for c in sent_texts(calls, USER)]
    assert texts[0] == "Xem hình minh hoạ nhé."
    assert "chỉ đọc được chữ" in texts[1]
    assert "thử lại" in texts[2] and "Error" not in texts[2]  # a polite apology, no traceback
    assert [i.kind for i in tutor.inbounds] == ["text", "sticker", "text"]
    assert repos.inbox.status("telegram", str(failing["update_id"])) == "failed"
    assert "RuntimeError" in caplog.text and "failure for lỗi" not in caplog.text  # type, not message


async def test_due_reminders_sent_once_and_blocked_user_marked_inactive(
    fake_api: FakeTelegramApi, repos: Repos
) -> None:
    tutor = FakeTutor(
        targets=[ReminderTarget("telegram", "77", "19:30"), ReminderTarget("telegram", str(USER), "07:05")]
    )
    fake_api.block(77)
    channel = make_channel(fake_api, repos, tutor, mode="webhook")
    now = [datetime(2026, 11, 28, 0, 0, tzinfo=UTC)]  # 07:00 in Hanoi: nothing due yet
    channel._clock = lambda: now[0]
    await channel.start()
    try:
        assert await channel.send_due_reminders() == {}
        now[0] += timedelta(minutes=6)  # 07:06
        assert await channel.send_due_reminders() == {str(USER): "sent"}
        assert await channel.send_due_reminders() == {}  # once a day
        now[0] = datetime(2026, 11, 28, 12, 30, 30, tzinfo=UTC)  # 19:30 in Hanoi
        assert await channel.send_due_reminders() == {"77": "blocked"}
        assert ("telegram", "77", False) in tutor.active_changes
        assert await channel.send_due_reminders() == {}  # not retried the same day
        now[0] += timedelta(days=1)  # the next day at 19:30: due again
        assert await channel.send_due_reminders() == {"77": "blocked"}
    finally:
        await channel.stop()
    assert len(fake_api.find("sendMessage", USER)) == 1
    assert "Đến giờ học" in fake_api.find("sendMessage", USER)[0].text
    assert len(fake_api.find("sendMessage", 77)) == 2  # one attempt a day


async def test_command_menu_set_from_the_tutor(fake_api: FakeTelegramApi, repos: Repos) -> None:
    tutor = FakeTutor()
    tutor.menu_entries.append(MenuEntry("Bad-Name", "Telegram would refuse this one", "x"))
    channel = make_channel(fake_api, repos, tutor, mode="webhook")
    await channel.start()
    await channel.stop()
    [call] = fake_api.find("setMyCommands")
    commands = call.json("commands")
    assert [c["command"] for c in commands] == ["hoc", "on", "tiendo", "trogiup"]
    assert commands[0]["description"] == "Học bài tiếp theo"


async def test_unreachable_bot_api_keeps_the_server_up(repos: Repos) -> None:
    """Telegram unreachable at start: /healthz still answers, the channel says it is not running."""
    with FakeTelegramApi() as gone:
        base_url = gone.base_url  # a port nobody listens on once stopped
    with FakeTelegramApi() as api:
        channel = make_channel(api, repos, FakeTutor(), mode="webhook", base_url=base_url)
        app = create_app(channels=[channel])
        async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
            health = (await client.get("/healthz")).json()
    assert health["status"] == "ok"
    assert health["channels"]["telegram"]["running"] is False
