"""Web chat history (restored after a reload, forgotten with the learner) and document download links."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.server import create_app
from bot.webchat import COOKIE_NAME, WebChat, WebChatConfig
from bot.webchat_documents import DocumentLinks
from bot.webchat_history import WebChatHistory
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat import SECRET, PageTutor
from tests.conftest import FIXTURE_COURSE


@pytest.fixture
def history(settings) -> Iterator[WebChatHistory]:  # type: ignore[no-untyped-def]
    from hocvuso.container import Container

    built = Container(settings)
    yield WebChatHistory(built.session_factory, max_messages=8)
    built.close()


@pytest.fixture
async def site(history: WebChatHistory, tmp_path: Path) -> AsyncIterator[tuple[PageTutor, str, Path]]:
    temp = tmp_path / "exports"
    temp.mkdir()
    tutor = PageTutor()
    tutor.document_path = str(temp / "hocvuso-du-lieu-test.json")
    config = WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE, temp_dir=temp)
    chat = WebChat(config, tutor, history)
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        yield tutor, base_url, temp
    chat.close()


async def _history(client: httpx.AsyncClient) -> list[dict]:  # type: ignore[type-arg]
    response = await client.get("/api/history")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    return response.json()["messages"]


async def test_history_is_kept_after_consent_and_forgotten_with_the_learner(site, history) -> None:  # type: ignore[no-untyped-def]
    tutor, base_url, _ = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        await client.post("/api/chat", json={"text": "/start", "id": "h1"})
        assert await _history(client) == []  # nothing kept before «Đồng ý»
        await client.post("/api/chat", json={"payload": "consent:yes", "label": "Đồng ý", "id": "h2"})
        await client.post("/api/chat", json={"payload": "quiz:start", "label": "Làm bài kiểm tra", "id": "h3"})
        await client.post("/api/chat", json={"text": "Mật khẩu mạnh là gì?", "id": "h4"})
        await client.post("/api/chat", json={"text": "Mật khẩu mạnh là gì?", "id": "h4"})  # a retry: kept once
        messages = await _history(client)
        assert [(m["role"], m["text"][:20]) for m in messages] == [
            ("me", "Đồng ý"),
            ("bot", "Bài 1: Mật khẩu mạnh"),
            ("me", "Làm bài kiểm tra"),
            ("bot", "Mật khẩu nào mạnh nh"),
            ("me", "Mật khẩu mạnh là gì?"),
            ("bot", "Bạn hỏi: Mật khẩu mạ"),
        ]
        quiz = messages[3]
        assert quiz["quiz"] is True and quiz["buttons"][0][0]["payload"] == "ans:q-matkhau-1:0"
        async with httpx.AsyncClient(base_url=base_url) as stranger:  # another browser sees nothing
            await stranger.post("/api/chat", json={"text": "/start"})
            assert await _history(stranger) == []
        for n in range(5):  # only the latest messages are kept
            await client.post("/api/chat", json={"text": f"câu {n}", "id": f"n{n}"})
        messages = await _history(client)
        assert len(messages) == 8 and messages[-1]["text"] == "Bạn hỏi: câu 4"

        learner = tutor.inbounds[-1].user_id
        await client.post("/api/chat", json={"text": "/xoadulieu", "id": "del"})
        assert await _history(client) == []
        assert history.recent(learner) == []


async def test_a_document_is_a_short_lived_link_for_the_cookies_learner_only(site) -> None:  # type: ignore[no-untyped-def]
    tutor, base_url, temp = site
    Path(tutor.document_path).write_text(json.dumps({"hồ sơ": {"tên": "Lan"}}, ensure_ascii=False), "utf-8")
    async with httpx.AsyncClient(base_url=base_url) as client:
        await client.post("/api/chat", json={"text": "/start"})
        await client.post("/api/chat", json={"payload": "consent:yes", "label": "Đồng ý"})
        reply = (await client.post("/api/chat", json={"text": "/taidulieu"})).json()["replies"][0]
        document = reply["document"]
        assert document["name"] == "du-lieu.json" and document["url"].startswith("/api/export/")
        assert tutor.document_path not in json.dumps(reply)  # the server path never reaches the page

        async with httpx.AsyncClient(base_url=base_url) as other:  # another browser: refused
            refused = await other.get(document["url"])
            assert refused.status_code == 404 and "/taidulieu" in refused.text
        assert (await client.get(document["url"][:-3] + "abc")).status_code == 404  # tampered

        for _ in range(2):  # works for its whole TTL, more than once (a broken download is tried again)
            downloaded = await client.get(document["url"])
            assert downloaded.status_code == 200
            assert json.loads(downloaded.content)["hồ sơ"]["tên"] == "Lan"
            assert "attachment" in downloaded.headers["content-disposition"]
            assert "du-lieu.json" in downloaded.headers["content-disposition"]
        assert Path(tutor.document_path).exists()  # the tutor sweeps its exports after their TTL
        restored = await _history(client)
        assert restored[-1]["document"]["name"] == "du-lieu.json"
        assert (await client.get(restored[-1]["document"]["url"])).status_code == 200  # a fresh link
    assert COOKIE_NAME  # the cookie is what ties a link to its learner


def test_links_expire(tmp_path: Path) -> None:
    kept = tmp_path / "certificate.pdf"
    kept.write_bytes(b"%PDF-1.4")
    links = DocumentLinks(SECRET, ttl_s=600)
    token = links.link("lan", str(kept), None).removeprefix("/api/export/")
    found = links.open(token, "lan")
    assert found is not None and found.name == "certificate.pdf" and not found.inline
    assert links.open(token, "minh") is None and links.open(token, None) is None
    expired = DocumentLinks(SECRET, ttl_s=-1)
    assert expired.open(expired.link("lan", str(kept), None).removeprefix("/api/export/"), "lan") is None


def test_rows_can_be_exported_and_deleted_on_a_callers_session(history: WebChatHistory) -> None:
    from bot.webchat_history import delete_rows, export_rows

    history.add("lan", [("me", {"text": "chào"}), ("bot", {"text": "Chào Lan!", "buttons": []})])
    history.add("minh", [("me", {"text": "hi"})])
    with history._factory.begin() as session:  # noqa: SLF001 (the composition root's factory)
        rows = export_rows(session, "lan")
        assert [(r["role"], r["body"]["text"]) for r in rows] == [("me", "chào"), ("bot", "Chào Lan!")]
        delete_rows(session, "lan")
    assert history.recent("lan") == [] and len(history.recent("minh")) == 1
    assert history.forget("minh") == 1


def test_a_turn_answered_again_is_kept_once(history: WebChatHistory) -> None:
    turn = [("me", {"text": "chào"}), ("bot", {"text": "Chào bạn!"})]
    history.add("lan", turn, turn="m1")
    history.add("lan", turn, turn="m1")  # a retry whose replies the tutor gave again
    history.add("lan", turn, turn="m2")
    assert len(history.recent("lan")) == 4
