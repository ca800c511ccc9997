"""The web chat API and page over real HTTP (uvicorn on 127.0.0.1): signed learner cookie, JSON-only
API, escaping-friendly JSON, lesson images from the lessons folder only, and the real tutor behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.server import create_app
from bot.webchat import COOKIE_NAME, LearnerCookie, WebChat, WebChatConfig
from hocvuso.container import Container
from tests.bot.telegram_helpers import serve_app
from tests.conftest import FIXTURE_COURSE, make_settings
from tests.fakes.tutor_port import FakeTutor
from tutor.messages import APOLOGY, ReminderTarget, Reply

pytestmark = pytest.mark.slow
SECRET = b"cookie-secret-for-tests"
IMAGE = FIXTURE_COURSE / "dien-thoai" / "01-co-chu-giong-noi--cai-dat-co-chu.png"


class PageTutor(FakeTutor):
    """FakeTutor plus a reply with markup and one with a lesson image."""

    def handle(self, inbound):  # type: ignore[no-untyped-def]
        replies = super().handle(inbound)
        if inbound.text == "script":
            return [Reply('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> <b>đậm</b>')]
        if inbound.text == "ảnh" and replies:
            return [Reply("Cỡ chữ trong Cài đặt.", image_path=str(IMAGE), image_caption="Màn hình Cài đặt cỡ chữ")]
        return replies


def make_webchat(tutor: FakeTutor) -> WebChat:
    return WebChat(WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE), tutor)


@pytest.fixture
async def site() -> AsyncIterator[tuple[PageTutor, str]]:
    tutor = PageTutor()
    chat = make_webchat(tutor)
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        yield tutor, base_url
    chat.close()


async def test_first_message_sets_a_signed_cookie_that_identifies_the_learner(site) -> None:
    tutor, base_url = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        first = await client.post("/api/chat", json={"text": "xin chào", "id": "m1"})
        assert first.status_code == 200
        assert first.json()["replies"] == [
            {"text": "Bạn hỏi: xin chào", "buttons": [], "image": None, "caption": "", "sources": []}
        ]
        cookie_header = first.headers["set-cookie"]
        assert "httponly" in cookie_header.lower() and "samesite=lax" in cookie_header.lower()
        learner = LearnerCookie(SECRET).loads(client.cookies[COOKIE_NAME])
        assert learner and tutor.inbounds[0].user_id == learner and tutor.inbounds[0].channel == "web"
        second = await client.post("/api/chat", json={"text": "lần hai", "id": "m2"})
        assert "set-cookie" not in second.headers
        assert tutor.inbounds[1].user_id == learner
        assert tutor.inbounds[1].message_id == f"{learner}:m2"
        # The same client message id again (a double click, a retry) is handled once.
        again = await client.post("/api/chat", json={"text": "lần hai", "id": "m2"})
        assert again.json()["replies"] == []
    async with httpx.AsyncClient(
        base_url=base_url, cookies={COOKIE_NAME: client.cookies[COOKIE_NAME][:-2] + "xx"}
    ) as forged:
        response = await forged.post("/api/chat", json={"text": "giả mạo"})
        assert response.status_code == 200
        assert tutor.inbounds[-1].user_id != learner
        assert COOKIE_NAME in response.headers["set-cookie"]


async def test_buttons_are_posted_back_as_payloads(site) -> None:
    tutor, base_url = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        start = (await client.post("/api/chat", json={"text": "/start"})).json()["replies"][0]
        assert start["buttons"] == [
            [{"label": "Đồng ý", "payload": "consent:yes"}, {"label": "Không", "payload": "consent:no"}]
        ]
        lesson = (await client.post("/api/chat", json={"payload": "consent:yes"})).json()["replies"][0]
    assert lesson["text"].startswith("Bài 1: Mật khẩu mạnh")
    assert tutor.inbounds[-1].kind == "button" and tutor.inbounds[-1].payload == "consent:yes"


async def test_bad_requests_are_refused(site) -> None:
    tutor, base_url = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        assert (await client.post("/api/chat", data={"text": "form"})).status_code == 415
        assert (
            await client.post("/api/chat", content=b"{", headers={"Content-Type": "application/json"})
        ).status_code == 400
        assert (await client.post("/api/chat", json={"text": "   "})).status_code == 400
        assert (await client.post("/api/chat", json=["x"])).status_code == 400
        assert (await client.post("/api/chat", json={"payload": 5})).status_code == 400
    assert tutor.inbounds == []


async def test_markup_in_a_reply_is_plain_json_text(site) -> None:
    _tutor, base_url = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        reply = (await client.post("/api/chat", json={"text": "script"})).json()["replies"][0]
    assert reply["text"].startswith("<script>window.__pwned = 1</script>")


async def test_page_static_files_and_images(site) -> None:
    _tutor, base_url = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        page = await client.get("/")
        assert page.status_code == 200 and '<html lang="vi">' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert 'aria-live="polite"' in page.text and '<label for="msg"' in page.text
        assert "http" not in page.text.replace("http-equiv", "")  # no CDN, works offline
        js = await client.get("/static/chat.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in js.text
        assert (await client.get("/static/chat.css")).status_code == 200
        assert (await client.get("/static/index.html")).status_code == 404
        reply = (await client.post("/api/chat", json={"text": "ảnh"})).json()["replies"][0]
        assert reply["image"] == "/media/dien-thoai/01-co-chu-giong-noi--cai-dat-co-chu.png"
        assert reply["caption"] == "Màn hình Cài đặt cỡ chữ"
        image = await client.get(reply["image"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content == IMAGE.read_bytes()
        assert (await client.get("/media/dien-thoai/01-co-chu-giong-noi.md")).status_code == 404
        assert (await client.get("/media/..%2F..%2Fconftest.py")).status_code == 404
        assert (await client.get("/media/../../../etc/passwd")).status_code == 404


def test_images_outside_the_lessons_folder_are_not_offered(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(IMAGE.read_bytes())
    chat = make_webchat(FakeTutor())
    assert chat.image_url(str(outside)) is None
    assert chat.image_url(str(IMAGE)) == "/media/dien-thoai/01-co-chu-giong-noi--cai-dat-co-chu.png"
    chat.close()


async def test_the_real_tutor_behind_hocvuso_serve_app(data_dir: Path, database_url: str) -> None:
    container = Container(make_settings(data_dir, database_url))
    try:
        async with serve_app(container.web_app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
            assert (await client.get("/")).text.count("Bình dân học vụ số") >= 1
            start = (await client.post("/api/chat", json={"text": "/start", "id": "s1"})).json()["replies"]
            agree = start[-1]["buttons"][0][0]
            assert agree["label"] == "Đồng ý"
            after = (await client.post("/api/chat", json={"payload": agree["payload"], "id": "s2"})).json()["replies"]
            assert after[0]["text"].startswith("Cảm ơn bạn!")
            # A payload signed for this learner is refused for another one.
            async with httpx.AsyncClient(base_url=base_url) as other:
                stolen = (await other.post("/api/chat", json={"payload": agree["payload"]})).json()["replies"]
            assert not any(r["text"].startswith("Cảm ơn bạn!") for r in stolen)
        assert (data_dir / "cookie.key").is_file()
    finally:
        container.close()


async def test_reminders_wait_for_the_learners_next_poll_or_message() -> None:
    """A browser cannot be pushed to: the scheduler's reminder is queued, handed over once."""
    tutor = PageTutor()
    chat = make_webchat(tutor)
    async with serve_app(create_app(channels=[chat])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        await client.post("/api/chat", json={"payload": "consent:yes", "id": "m1"})
        learner = LearnerCookie(SECRET).loads(client.cookies[COOKIE_NAME])
        assert learner is not None
        tutor.targets = [ReminderTarget("web", learner, "19:30"), ReminderTarget("web", "gone", "19:30")]
        chat.reminders._clock = lambda: datetime(2026, 11, 28, 12, 31, tzinfo=UTC)  # 19:31 in Hanoi
        assert await chat.reminders.tick() == {learner: "queued", "gone": "queued"}
        assert await chat.reminders.tick() == {}  # claimed once
        polled = (await client.get("/api/pending")).json()["replies"]
        assert [r["text"] for r in polled] == [tutor.reminder_text]
        assert (await client.get("/api/pending")).json()["replies"] == []  # handed over once
        await chat.deliver_reminder(learner, Reply("Nhắc lần hai"))
        turn = (await client.post("/api/chat", json={"text": "ôn", "id": "m2"})).json()["replies"]
        assert [r["text"] for r in turn] == ["Nhắc lần hai", "Bạn hỏi: ôn"]
        health = (await client.get("/healthz")).json()
    assert health["channels"]["web"] == {"enabled": True, "running": True, "reminders_waiting": 1}  # "gone"


async def test_reminders_waiting_in_memory_go_with_the_learners_data() -> None:
    """/xoadulieu drops the reminders kept for the learner, and one claimed before the deletion but
    delivered after it; a learner deleted elsewhere (retention purge, CLI) loses them at the next poll."""
    tutor = PageTutor()
    chat = make_webchat(tutor)
    async with serve_app(create_app(channels=[chat])) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        await client.post("/api/chat", json={"text": "/start", "id": "d1"})
        await client.post("/api/chat", json={"payload": "consent:yes", "id": "d2"})
        learner = LearnerCookie(SECRET).loads(client.cookies[COOKIE_NAME])
        assert learner is not None
        assert await chat.deliver_reminder(learner, Reply("Nhắc trước khi xóa")) == "queued"
        deleted = (await client.post("/api/chat", json={"text": "/xoadulieu", "id": "d3"})).json()["replies"]
        assert [r["text"] for r in deleted] == ["🗑️ Đã xóa toàn bộ dữ liệu của bạn."]
        assert await chat.deliver_reminder(learner, Reply("Nhắc muộn")) == "dropped"
        assert (await client.get("/api/pending")).json()["replies"] == []
        assert chat.describe()["reminders_waiting"] == 0

        async with httpx.AsyncClient(base_url=base_url) as other:
            await other.post("/api/chat", json={"payload": "consent:yes", "id": "o1"})
            someone = LearnerCookie(SECRET).loads(other.cookies[COOKIE_NAME])
            assert someone is not None
            assert await chat.deliver_reminder(someone, Reply("Nhắc người kia")) == "queued"
            tutor.agreed.discard(("web", someone))  # deleted by the retention purge or the CLI
            assert (await other.get("/api/pending")).json()["replies"] == []
            assert chat.describe()["reminders_waiting"] == 0
            # Consenting again (a new learner on the same cookie) lifts the mark.
            await client.post("/api/chat", json={"payload": "consent:yes", "id": "d4"})
            assert await chat.deliver_reminder(learner, Reply("Nhắc mới")) == "queued"
    chat.close()


async def test_menu_comes_from_the_tutor(site) -> None:
    _tutor, base_url = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        menu = (await client.get("/api/menu")).json()["menu"]
    assert [m["command"] for m in menu] == ["hoc", "on", "tiendo", "trogiup"]
    assert menu[0] == {"command": "hoc", "label": "Học tiếp", "description": "Học bài tiếp theo", "quick": True}


async def test_a_failing_tutor_gets_the_one_apology(site) -> None:
    tutor, base_url = site
    tutor.fail_on = "hỏng"
    async with httpx.AsyncClient(base_url=base_url) as client:
        replies = (await client.post("/api/chat", json={"text": "hỏng", "id": "m1"})).json()["replies"]
    assert [r["text"] for r in replies] == [APOLOGY]
