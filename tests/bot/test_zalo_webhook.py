"""The Zalo webhook end to end: signed events posted over real HTTP to the app served by uvicorn on
127.0.0.1, replies sent to a local server speaking the Zalo OA message API, on a real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.server import create_app
from bot.zalo import DOCUMENT_NOT_SENT, ZaloChannel
from tests.bot.telegram_helpers import serve_app
from tests.bot.zalo_helpers import (
    ZaloRepos,
    follow_event,
    make_zalo_channel,
    make_zalo_repos,
    now_ms,
    signed,
    sticker_event,
    text_event,
)
from tests.fakes.tutor_port import LONG_TEXT, FakeTutor
from tests.fakes.zalo_api import FakeZaloApi

pytestmark = pytest.mark.slow
USER = "2468458835296117922"


@pytest.fixture
def repos(database_url: str) -> Iterator[ZaloRepos]:
    built, engine = make_zalo_repos(database_url)
    yield built
    engine.dispose()


@pytest.fixture
def tutor() -> FakeTutor:
    return FakeTutor()


@pytest.fixture
async def served(
    fake_zalo: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor
) -> AsyncIterator[tuple[ZaloChannel, httpx.AsyncClient]]:
    channel = make_zalo_channel(fake_zalo, repos, tutor)
    async with serve_app(create_app(channels=[channel])) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            yield channel, client


async def post(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/zalo/webhook", content=body, headers=headers)


async def test_valid_text_event_is_answered(served, fake_zalo: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor) -> None:
    channel, client = served
    event = text_event(USER, "mật khẩu mạnh là gì")
    response = await post(client, *signed(event))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "duplicate": False}
    await channel.idle()
    sent = fake_zalo.messages(USER)
    assert [c.text for c in sent] == ["Bạn hỏi: mật khẩu mạnh là gì"]
    assert sent[0].headers["access_token"] == "access-0"
    assert sent[0].body["recipient"] == {"user_id": USER}
    assert tutor.inbounds[0].channel == "zalo" and tutor.inbounds[0].message_id == event["message"]["msg_id"]
    assert repos.inbox.status("zalo", event["message"]["msg_id"]) == "processed"
    window = repos.users.window(USER)
    assert window.last_user_at is not None and window.sent_since == 1


async def test_signature_without_mac_prefix_is_accepted(served, fake_zalo: FakeZaloApi) -> None:
    channel, client = served
    response = await post(client, *signed(text_event(USER, "xin chào"), prefix=""))
    assert response.status_code == 200
    await channel.idle()
    assert [c.text for c in fake_zalo.messages(USER)] == ["Bạn hỏi: xin chào"]


async def test_one_changed_byte_is_rejected_and_nothing_stored(
    served, fake_zalo: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor
) -> None:
    channel, client = served
    body, headers = signed(text_event(USER, "chuyển tiền cho tôi"))
    tampered = body.replace(b"chuy", b"chuz", 1)
    assert len(tampered) == len(body) and tampered != body
    response = await post(client, tampered, headers)
    assert response.status_code == 401
    missing = await post(client, body, {"Content-Type": "application/json"})
    assert missing.status_code == 401
    wrong_key = await post(client, *signed(text_event(USER, "x"), secret="not-the-key"))
    assert wrong_key.status_code == 401
    await channel.idle()
    assert repos.inbox.counts("zalo") == {}
    assert tutor.inbounds == []
    assert fake_zalo.calls == []


async def test_replayed_event_is_acknowledged_and_ignored(served, fake_zalo: FakeZaloApi, tutor: FakeTutor) -> None:
    channel, client = served
    event = text_event(USER, "câu hỏi một lần")
    first = await post(client, *signed(event))
    await channel.idle()
    again = dict(event, timestamp=now_ms())  # Zalo's retry, freshly signed, same msg_id
    second = await post(client, *signed(again))
    await channel.idle()
    assert first.json()["duplicate"] is False
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert len(fake_zalo.messages(USER)) == 1
    assert len(tutor.inbounds) == 1


async def test_old_timestamp_is_rejected(served, fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    channel, client = served
    old = str(int(now_ms()) - 301_000)  # window is 300 s
    response = await post(client, *signed(text_event(USER, "cũ rồi", timestamp=old)))
    assert response.status_code == 401
    future = str(int(now_ms()) + 301_000)
    assert (await post(client, *signed(text_event(USER, "tương lai", timestamp=future)))).status_code == 401
    await channel.idle()
    assert repos.inbox.counts("zalo") == {}
    assert fake_zalo.calls == []


async def test_other_app_id_is_rejected(served, repos: ZaloRepos) -> None:
    _channel, client = served
    event = dict(text_event(USER, "app khác"), app_id="999")
    assert (await post(client, *signed(event))).status_code == 401
    assert (await post(client, b"not json", {"X-ZEvent-Signature": "mac=00"})).status_code == 401
    assert repos.inbox.counts("zalo") == {}


async def test_follow_greets_with_buttons_and_a_tap_comes_back_as_the_payload(
    served, fake_zalo: FakeZaloApi, tutor: FakeTutor
) -> None:
    channel, client = served
    assert (await post(client, *signed(follow_event(USER)))).status_code == 200
    await channel.idle()
    greeting = fake_zalo.messages(USER)
    assert len(greeting) == 1
    assert greeting[0].text.startswith("Chào bạn!")
    assert greeting[0].buttons == [
        {"title": "Đồng ý", "type": "oa.query.show", "payload": "Đồng ý"},
        {"title": "Không", "type": "oa.query.show", "payload": "Không"},
    ]
    assert greeting[0].body["message"]["attachment"]["type"] == "template"
    assert tutor.inbounds[0].text == "/start"
    # The learner taps «Đồng ý»: Zalo sends the label as the learner's text.
    await post(client, *signed(text_event(USER, "Đồng ý")))
    await channel.idle()
    tap = tutor.inbounds[-1]
    assert tap.kind == "button" and tap.payload == "consent:yes"
    assert fake_zalo.messages(USER)[-1].text.startswith("Bài 1: Mật khẩu mạnh")
    # Typing text that is no label stays text.
    await post(client, *signed(text_event(USER, "Đồng ý nhé")))
    await channel.idle()
    assert tutor.inbounds[-1].kind == "text" and tutor.inbounds[-1].payload is None


async def test_unfollow_marks_inactive_and_other_events_are_ignored(
    served, fake_zalo: FakeZaloApi, tutor: FakeTutor, repos: ZaloRepos
) -> None:
    channel, client = served
    assert (await post(client, *signed(follow_event(USER, "unfollow")))).status_code == 200
    assert (await post(client, *signed(sticker_event(USER)))).status_code == 200
    await channel.idle()
    assert tutor.active_changes == [("zalo", USER, False)]
    assert tutor.inbounds == []
    assert fake_zalo.calls == []
    assert repos.inbox.counts("zalo") == {"processed": 2}


async def test_long_answer_is_split_under_2000_characters(served, fake_zalo: FakeZaloApi) -> None:
    channel, client = served
    await post(client, *signed(text_event(USER, "dài")))
    await channel.idle()
    sent = fake_zalo.messages(USER)
    assert len(sent) >= 6
    assert all(0 < len(c.text) <= 2000 for c in sent)
    assert " ".join(c.text for c in sent).split() == LONG_TEXT.split()


async def test_tutor_failure_gets_an_apology_not_a_traceback(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    tutor = FakeTutor(fail_on="hỏng")
    channel = make_zalo_channel(fake_zalo, repos, tutor)
    async with serve_app(create_app(channels=[channel])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        event = text_event(USER, "hỏng")
        assert (await post(client, *signed(event))).status_code == 200
        await channel.idle()
    texts = [c.text for c in fake_zalo.messages(USER)]
    assert texts == ["Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút nhé."]
    assert repos.inbox.status("zalo", event["message"]["msg_id"]) == "failed"


async def test_events_left_by_a_crash_are_processed_on_start(
    fake_zalo: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor
) -> None:
    event = text_event(USER, "trước khi sập")
    assert repos.inbox.record("zalo", event["message"]["msg_id"], event)  # acknowledged, then the crash
    channel = make_zalo_channel(fake_zalo, repos, tutor)
    await channel.start()
    try:
        await channel.idle()
    finally:
        await channel.stop()
    assert [c.text for c in fake_zalo.messages(USER)] == ["Bạn hỏi: trước khi sập"]
    assert repos.inbox.status("zalo", event["message"]["msg_id"]) == "processed"


async def test_acknowledges_before_the_work_is_done(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    class SlowTutor(FakeTutor):
        def handle(self, inbound):  # type: ignore[no-untyped-def]
            import time

            time.sleep(3)
            return super().handle(inbound)

    channel = make_zalo_channel(fake_zalo, repos, SlowTutor())
    async with serve_app(create_app(channels=[channel])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = await post(client, *signed(text_event(USER, "chậm")))
        elapsed = loop.time() - started
        assert response.status_code == 200
        assert elapsed < 2.0
        assert fake_zalo.messages(USER) == []
        await channel.idle()
    assert [c.text for c in fake_zalo.messages(USER)] == ["Bạn hỏi: chậm"]


async def test_one_followers_events_are_handled_in_order(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    class JitterTutor(FakeTutor):
        def handle(self, inbound):  # type: ignore[no-untyped-def]
            import random
            import time

            time.sleep(random.uniform(0, 0.05))
            return super().handle(inbound)

    tutor = JitterTutor()
    channel = make_zalo_channel(fake_zalo, repos, tutor)
    words = [f"câu {i}" for i in range(8)]
    async with serve_app(create_app(channels=[channel])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        for word in words:
            assert (await post(client, *signed(text_event(USER, word)))).status_code == 200
            assert (await post(client, *signed(text_event("other", word)))).status_code == 200
        await channel.idle()
    assert [i.text for i in tutor.inbounds if i.user_id == USER] == words
    assert [c.text for c in fake_zalo.messages(USER)] == [f"Bạn hỏi: {w}" for w in words]
    assert len(fake_zalo.messages("other")) == len(words)
    assert channel.runtime.locked_learners == 0  # locks are forgotten


async def test_lesson_image_is_uploaded_once_and_sent_with_its_text(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    from tests.conftest import FIXTURE_COURSE

    image = FIXTURE_COURSE / "dien-thoai" / "01-co-chu-giong-noi--cai-dat-co-chu.png"
    tutor = FakeTutor(image_path=str(image))
    channel = make_zalo_channel(fake_zalo, repos, tutor)
    async with serve_app(create_app(channels=[channel])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        fake_zalo.expire("access-0")  # the upload meets the expired token first
        await post(client, *signed(text_event(USER, "ảnh")))
        await channel.idle()
        await post(client, *signed(text_event(USER, "ảnh")))
        await channel.idle()
    uploads = [c for c in fake_zalo.upload_calls() if c.ok]
    assert len(uploads) == 1 and len(fake_zalo.oauth_calls()) == 1
    (attachment,) = fake_zalo.uploads
    assert fake_zalo.uploads[attachment] == image.read_bytes()
    sent = fake_zalo.messages(USER)
    assert len(sent) == 2
    assert all(c.attachment_ids == [attachment] for c in sent)
    assert sent[0].text == "Màn hình cài đặt <b>\n\nXem hình minh hoạ nhé."


async def test_an_image_that_cannot_be_uploaded_is_replaced_by_its_caption(
    fake_zalo: FakeZaloApi, repos: ZaloRepos, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    fake_png = tmp_path / "hong.png"
    fake_png.write_bytes(b"not really a png")
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor(image_path=str(fake_png)))
    async with serve_app(create_app(channels=[channel])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        await post(client, *signed(text_event(USER, "ảnh")))
        await channel.idle()
    sent = fake_zalo.messages(USER)
    assert len(sent) == 1 and sent[0].attachment_ids == [] and "attachment" not in sent[0].body["message"]
    assert sent[0].text == "Màn hình cài đặt <b>\n\nXem hình minh hoạ nhé."


async def test_a_document_is_uploaded_and_sent_as_a_file(fake_zalo: FakeZaloApi, repos: ZaloRepos, tmp_path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "hocvuso-du-lieu-1.json"
    export.write_text('{"hồ sơ": {"tên": "Lan"}}', encoding="utf-8")
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor(document_path=str(export)))
    async with serve_app(create_app(channels=[channel])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        await post(client, *signed(text_event(USER, "/taidulieu")))
        await channel.idle()
        fake_zalo.refused_file_suffixes.add(".json")  # a type Zalo will not take: a note instead
        await post(client, *signed(text_event(USER, "/taidulieu")))
        await channel.idle()
    (token,) = fake_zalo.files
    assert fake_zalo.files[token] == ("du-lieu.json", export.read_bytes())
    sent = fake_zalo.messages(USER)
    assert [c.text for c in sent] == ["📦 Dữ liệu của bạn", "", "📦 Dữ liệu của bạn", DOCUMENT_NOT_SENT]
    assert sent[1].body["message"] == {"attachment": {"type": "file", "payload": {"token": token}}}
