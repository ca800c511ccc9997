"""`GET /certificates/{code}` over real HTTP, answered by the real tutor: valid, unknown, JSON and HTML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.certificates import certificate_router
from bot.server import create_app
from hocvuso.container import Container
from tests.bot.telegram_helpers import serve_app
from tests.tutor.conversation_kit import Chat, Clock, FakeAnswerer, build_tutor, learner_id_of, onboard
from tutor.conversation import Conversation
from tutor.models import Learner
from tutor.store import LearnerStore


@pytest.fixture
def tutor_and_code(settings, tmp_path: Path) -> Iterator[tuple[Conversation, str]]:  # type: ignore[no-untyped-def]
    container = Container(settings)
    clock = Clock()
    tutor = build_tutor(container, clock, answerer=FakeAnswerer(), certificate_dir=str(tmp_path / "certs"))
    chat = Chat(tutor, "route-1")
    onboard(chat, name="Trần Hùng")
    learner_id = learner_id_of(container.engine, "telegram", "route-1")
    with container.session_factory.begin() as session:
        # A platform's display name (the «use my name» button) may hold markup: the page must escape it.
        session.get(Learner, learner_id).display_name = "Trần <b>Hùng</b>"
        for skill in tutor.curriculum.core_skills("worker"):
            LearnerStore().set_mastery(session, learner_id, skill, 0.95, clock.now)
    chat.say("/chungnhan")
    code = chat.text.split("Mã kiểm tra: ", 1)[1].split()[0]
    yield tutor, code
    container.close()


async def test_a_valid_code_and_an_unknown_one(tutor_and_code) -> None:  # type: ignore[no-untyped-def]
    tutor, code = tutor_and_code
    async with serve_app(create_app(extra_routers=[certificate_router(tutor)])) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            as_json = await client.get(f"/certificates/{code}", headers={"Accept": "application/json"})
            assert as_json.status_code == 200
            body = as_json.json()
            assert body["valid"] is True and body["code"] == code and body["name"] == "Trần <b>Hùng</b>"
            assert body["number"].startswith("HVS-") and body["issued_on"] == "2026-03-02"

            page = await client.get(f"/certificates/{code.lower()}")
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assert "Chứng nhận hợp lệ" in page.text and body["number"] in page.text
            assert "Trần &lt;b&gt;Hùng&lt;/b&gt;" in page.text and "<b>Hùng</b>" not in page.text

            unknown = await client.get("/certificates/ZZZZZZZZZZ", headers={"Accept": "application/json"})
            assert unknown.status_code == 404 and unknown.json()["valid"] is False
            unknown_page = await client.get("/certificates/%3Cscript%3E")
            assert unknown_page.status_code == 404 and "Không tìm thấy chứng nhận" in unknown_page.text
            assert "<script>" not in unknown_page.text

            # The files, linked from the page (how web-chat learners download their certificate).
            assert f"/certificates/{code}/chung-nhan.pdf" in page.text
            png = await client.get(f"/certificates/{code}/image.png")
            assert png.status_code == 200 and png.headers["content-type"] == "image/png"
            assert png.content.startswith(b"\x89PNG")
            pdf = await client.get(f"/certificates/{code}/chung-nhan.pdf")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert (await client.get("/certificates/ZZZZZZZZZZ/chung-nhan.pdf")).status_code == 404
