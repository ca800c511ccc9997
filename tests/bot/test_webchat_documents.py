"""Web chat files over real HTTP: opaque download links that work for their whole TTL (more than once)
and stop with the learner; the certificate's image shown through such a link; its verification
address offered as a link; restored history with fresh links; the favicon; spoken button names."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.server import create_app
from bot.webchat import WebChat, WebChatConfig
from bot.webchat_documents import LINK_PREFIX, DocumentLinks
from bot.webchat_history import WebChatHistory
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat import IMAGE, SECRET, PageTutor
from tests.bot.test_webchat_history import history  # noqa: F401 (the fixture)
from tests.conftest import FIXTURE_COURSE
from tutor.messages import Button, Reply

pytestmark = pytest.mark.slow
VERIFY = "https://hocvuso.example.vn/certificates/M83N7U3JP5"
SCAM_EXAMPLE = "http://vietcombank-xacthuc.com/dang-nhap"


class CertificateTutor(PageTutor):
    """PageTutor plus a certificate (message, PNG, PDF) and an answer with 👍/👎."""

    certificate_dir: Path

    def handle(self, inbound):  # type: ignore[no-untyped-def]
        replies = super().handle(inbound)
        if inbound.text == "/chungnhan" and replies:
            png, pdf = self.certificate_dir / "M83N7U3JP5.png", self.certificate_dir / "M83N7U3JP5.pdf"
            caption = "Giấy chứng nhận HVS-2026-000001"
            return [
                Reply(f"🎉 Bạn đã đạt chuẩn!\n🔑 Mã kiểm tra: M83N7U3JP5\nKiểm tra tại: {VERIFY}"),
                Reply(caption, image_path=str(png), image_caption=caption),
                Reply(caption + " (PDF)", document_path=str(pdf), document_name="chung-nhan.pdf"),
            ]
        if inbound.text == "lừa" and replies:
            return [
                Reply(
                    f"Đường link giả thường giống thật, ví dụ {SCAM_EXAMPLE}",
                    buttons=((Button("👍", "fb:u"), Button("👎", "fb:d")),),
                )
            ]
        return replies


@contextlib.asynccontextmanager
async def _site(store: WebChatHistory, tmp_path: Path, ttl_s: int) -> AsyncIterator[tuple[CertificateTutor, str, Path]]:
    folder = tmp_path / "certificates"
    folder.mkdir()
    (folder / "M83N7U3JP5.png").write_bytes(IMAGE.read_bytes())
    (folder / "M83N7U3JP5.pdf").write_bytes(b"%PDF-1.4 chung nhan")
    exports = tmp_path / "exports"
    exports.mkdir()
    tutor = CertificateTutor()
    tutor.certificate_dir = folder
    tutor.document_path = str(exports / "hocvuso-du-lieu-20261130-abc.json")
    Path(tutor.document_path).write_text(json.dumps({"tên": "Lan"}, ensure_ascii=False), "utf-8")
    config = WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE, temp_dir=exports, document_ttl_s=ttl_s)
    chat = WebChat(config, tutor, store)
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        yield tutor, base_url, folder
    chat.close()


@pytest.fixture
async def site(history: WebChatHistory, tmp_path: Path) -> AsyncIterator[tuple[CertificateTutor, str, Path]]:  # noqa: F811
    async with _site(history, tmp_path, 600) as served:
        yield served


@pytest.fixture
async def short_site(history: WebChatHistory, tmp_path: Path) -> AsyncIterator[tuple[CertificateTutor, str, Path]]:  # noqa: F811
    """Links that expire after 2 seconds."""
    async with _site(history, tmp_path, 2) as served:
        yield served


async def _agreed(client: httpx.AsyncClient) -> None:
    await client.post("/api/chat", json={"text": "/start"})
    await client.post("/api/chat", json={"payload": "consent:yes", "label": "Đồng ý"})


def _payload_bytes(url: str) -> bytes:
    """Whatever base64 in the token decodes to (an encrypted token: nothing readable)."""
    decoded = b""
    for part in url.removeprefix(LINK_PREFIX).split("."):
        with contextlib.suppress(ValueError):
            decoded += base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return decoded


async def test_an_export_link_is_opaque_reusable_and_dies_with_the_learner(site) -> None:  # type: ignore[no-untyped-def]
    tutor, base_url, _ = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        await _agreed(client)
        learner = tutor.inbounds[-1].user_id
        url = (await client.post("/api/chat", json={"text": "/taidulieu"})).json()["replies"][0]["document"]["url"]
        raw = _payload_bytes(url)
        for secret in (tutor.document_path, "exports", "hocvuso-du-lieu", learner):
            assert secret.encode() not in raw and secret not in url  # nothing readable in the token
        for _ in range(2):  # a download that broke halfway can be tried again
            again = await client.get(url)
            assert again.status_code == 200 and json.loads(again.content) == {"tên": "Lan"}
            assert "attachment" in again.headers["content-disposition"]
        assert Path(tutor.document_path).is_file()  # the tutor sweeps it after its TTL, not the link
        await client.post("/api/chat", json={"text": "/xoadulieu"})
        gone = await client.get(url)  # the file is still there, the learner is not
        assert gone.status_code == 404 and "hết hạn" in gone.text


async def test_the_certificate_image_is_shown_through_a_learner_only_link(short_site) -> None:  # type: ignore[no-untyped-def]
    _tutor, base_url, folder = short_site
    async with httpx.AsyncClient(base_url=base_url) as client:
        await _agreed(client)
        message, picture, pdf = (await client.post("/api/chat", json={"text": "/chungnhan"})).json()["replies"]
        assert message["links"] == [VERIFY]  # the verification address is a link in the page
        assert picture["image"].startswith(LINK_PREFIX) and picture["caption"] == "Giấy chứng nhận HVS-2026-000001"
        assert str(folder) not in json.dumps([message, picture, pdf])
        shown = await client.get(picture["image"])
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
        assert shown.headers["content-disposition"].startswith("inline")
        assert shown.content == (folder / "M83N7U3JP5.png").read_bytes()
        assert (await client.get(pdf["document"]["url"])).content.startswith(b"%PDF")
        async with httpx.AsyncClient(base_url=base_url) as stranger:
            assert (await stranger.get(picture["image"])).status_code == 404

        # After the TTL the live links stop; a reload's history gets fresh ones.
        deadline = asyncio.get_running_loop().time() + 30
        while (await client.get(picture["image"])).status_code == 200:
            assert asyncio.get_running_loop().time() < deadline, "the link never expired"
            await asyncio.sleep(0.2)
        restored = (await client.get("/api/history")).json()["messages"]
        image = next(m for m in restored if m.get("image"))["image"]
        document = next(m for m in restored if m.get("document"))["document"]["url"]
        assert image != picture["image"] and (await client.get(image)).status_code == 200
        assert (await client.get(document)).status_code == 200
        (folder / "M83N7U3JP5.png").unlink()  # a file gone (deleted with the learner): no image
        restored = (await client.get("/api/history")).json()["messages"]
        assert not any(m.get("image") for m in restored)


async def test_only_verification_addresses_become_links_and_emoji_buttons_get_a_name(site) -> None:  # type: ignore[no-untyped-def]
    _tutor, base_url, _ = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        await _agreed(client)
        reply = (await client.post("/api/chat", json={"text": "lừa"})).json()["replies"][0]
    assert "links" not in reply  # a scam example in a lesson must never be clickable
    assert reply["buttons"] == [
        [
            {"label": "👍", "payload": "fb:u", "aria": "Hữu ích"},
            {"label": "👎", "payload": "fb:d", "aria": "Chưa hữu ích"},
        ]
    ]


async def test_the_favicon_is_a_bundled_icon(site) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    _tutor, base_url, _ = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        icon = await client.get("/favicon.ico")
        page = await client.get("/")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert Image.open(io.BytesIO(icon.content)).format == "ICO"
    assert 'rel="icon" href="/favicon.ico"' in page.text


def test_links_refuse_forgeries_other_learners_and_other_secrets(tmp_path: Path) -> None:
    kept = tmp_path / "chung-nhan.pdf"
    kept.write_bytes(b"%PDF-1.4")
    links = DocumentLinks(SECRET, ttl_s=600)
    url = links.link("lan", str(kept), None)
    token = url.removeprefix(LINK_PREFIX)
    assert links.open(token, "lan") is not None and links.open(token, "minh") is None
    assert DocumentLinks(b"another-secret").open(token, "lan") is None
    assert links.open(token[:-4] + "AAAA", "lan") is None and links.open("not-a-token", "lan") is None
    assert links.refresh(url, "minh") is None and links.refresh("/media/x.png", "lan") is None
    kept.unlink()
    assert links.open(token, "lan") is None and links.refresh(url, "lan") is None


async def test_the_real_tutors_certificate_in_the_web_chat(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real tutor (quick tier) certifies a web learner: the PNG is shown through a learner-only
    link, the PDF downloads, the verification address is a link, and the files are private."""
    import stat

    from bot.webchat_cookie import LearnerCookie
    from hocvuso.container import Container
    from tests.tutor.conversation_kit import Chat, Clock, FakeAnswerer, build_tutor, learner_id_of, onboard
    from tutor.store import LearnerStore

    container = Container(settings)
    clock = Clock()
    certs = tmp_path / "certs"
    tutor = build_tutor(
        container, clock, answerer=FakeAnswerer(), certificate_dir=str(certs), public_url="https://hocvuso.example.vn"
    )
    chat = Chat(tutor, "web-cert-1", channel="web")
    onboard(chat)
    learner_id = learner_id_of(container.engine, "web", "web-cert-1")
    with container.session_factory.begin() as session:
        for skill in tutor.curriculum.core_skills("worker"):
            LearnerStore().set_mastery(session, learner_id, skill, 0.95, clock.now)
    web = WebChat(WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE), tutor)
    cookie = {"hocvuso_web": LearnerCookie(SECRET).dumps("web-cert-1")}
    try:
        async with (
            serve_app(create_app(extra_routers=[web.router()])) as base_url,
            httpx.AsyncClient(base_url=base_url, cookies=cookie, timeout=30) as client,
        ):
            replies = (await client.post("/api/chat", json={"text": "/chungnhan", "id": "c1"})).json()["replies"]
            image = next(r["image"] for r in replies if r.get("image"))
            links = [link for r in replies for link in r.get("links", [])]
            document = next(r["document"] for r in replies if r.get("document"))
            assert image.startswith(LINK_PREFIX) and str(certs) not in json.dumps(replies)
            assert len(links) == 1 and links[0].startswith("https://hocvuso.example.vn/certificates/")
            shown = await client.get(image)
            assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
            assert shown.content.startswith(b"\x89PNG")
            assert (await client.get(document["url"])).content.startswith(b"%PDF")
    finally:
        web.close()
        container.close()
    assert stat.S_IMODE(certs.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in certs.iterdir()} == {0o600}
