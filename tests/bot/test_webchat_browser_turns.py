"""The web chat page in headless Chromium at 390 px: a pressed choice that was refused (too fast,
nothing handled, 429, offline) can be pressed again and the learner is always told why; the
certificate's image and verification link; spoken names of emoji buttons; the whole quick bar
visible. Screenshots land in test-artifacts/."""

from __future__ import annotations

import pytest

from bot.server import create_app
from bot.webchat import SLOW_DOWN, WebChat, WebChatConfig
from bot.webchat_history import WebChatHistory
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat import SECRET, PageTutor, make_webchat
from tests.bot.test_webchat_browser import ARTIFACTS, SendButton, browser, playwright_api  # noqa: F401
from tests.bot.test_webchat_documents import SCAM_EXAMPLE, VERIFY, CertificateTutor
from tests.conftest import FIXTURE_COURSE
from tutor.messages import Reply

pytestmark = pytest.mark.slow
PHONE_390 = {"width": 390, "height": 740}
TOO_FAST = "Bạn gửi nhanh quá 😅 Chờ khoảng 5 giây rồi gửi tiếp nhé."
NOT_HANDLED = "Bạn gửi nhanh quá nên tin này chưa được xử lý"
OFFLINE = "Không gửi được tin nhắn"


class RefusingTutor(PageTutor):
    """PageTutor that refuses the next turns as the tutor's rate limit does: "notice" (a button
    press gets the wait line, no buttons) or "silent" (a flood gets no reply at all)."""

    mode: str | None = None

    def handle(self, inbound):  # type: ignore[no-untyped-def]
        replies = super().handle(inbound)
        if self.mode == "notice" and replies:
            return [Reply(TOO_FAST)]
        if self.mode == "silent":
            return []
        return replies


async def _last_bot_text(page) -> str:  # type: ignore[no-untyped-def]
    return (await page.locator("#log .msg.bot .text").all_inner_texts())[-1]


async def test_a_refused_press_can_be_pressed_again_and_is_always_explained(browser, settings) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from hocvuso.container import Container

    container = Container(settings)
    tutor = RefusingTutor()
    config = WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE)
    chat = WebChat(config, tutor, WebChatHistory(container.session_factory))
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        page = await browser.new_page(viewport=PHONE_390)
        idle = SendButton(page)
        await page.goto(base_url + "/")
        await page.get_by_role("button", name="Đồng ý").click(timeout=30_000)
        await page.get_by_role("button", name="Làm bài kiểm tra").click(timeout=30_000)
        choice = page.get_by_role("button", name="Tr@ng-Xanh-42-Mua")
        await choice.wait_for(timeout=30_000)
        await idle.wait_for_enabled()

        async def press_and_expect(expected: str) -> None:
            before = await page.locator("#log .msg.bot").count()
            await choice.click()
            await playwright_api.expect(page.locator("#log .msg.bot")).to_have_count(before + 1, timeout=30_000)
            await idle.wait_for_enabled()
            assert expected in await _last_bot_text(page)
            await playwright_api.expect(choice).to_be_enabled()  # the learner can press it again

        tutor.mode = "notice"  # the tutor's bucket: a press answered with the wait line
        await press_and_expect(TOO_FAST)
        await page.reload()  # the restored conversation keeps the refused choice usable too
        await page.get_by_text(TOO_FAST).wait_for(timeout=30_000)
        await playwright_api.expect(choice).to_be_enabled()
        tutor.mode = "silent"  # the tutor said nothing: the page says something
        await press_and_expect(NOT_HANDLED)
        assert "chosen" not in (await choice.get_attribute("class") or "")
        tutor.mode = None
        slow = {"error": "too many requests", "replies": [{"text": SLOW_DOWN, "buttons": [], "image": None}]}
        await page.route(
            "**/api/chat", lambda route: route.fulfill(status=429, json=slow, headers={"Retry-After": "60"}), times=1
        )
        await press_and_expect(SLOW_DOWN)  # the web chat's own per-address limit
        await page.route("**/api/chat", lambda route: route.abort(), times=1)
        await press_and_expect(OFFLINE)  # no connection
        await press_and_expect("✅ Đúng rồi!")  # at last it counts
        assert "chosen" in (await choice.get_attribute("class") or "")
        assert [i.payload for i in tutor.inbounds].count("ans:q-matkhau-1:2") == 3  # 429 and offline never arrived

        tutor.mode = "silent"  # a typed message dropped silently is explained too
        box = page.get_by_label("Tin nhắn của bạn")
        await box.fill("câu hỏi nữa")
        await box.press("Enter")
        await page.get_by_text(NOT_HANDLED).last.wait_for(timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "webchat-refused-press.png"))
        await page.close()
    chat.close()
    container.close()


async def test_certificate_image_link_and_spoken_feedback_buttons(browser, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.bot.test_webchat import IMAGE

    folder = tmp_path / "certificates"
    folder.mkdir()
    (folder / "M83N7U3JP5.png").write_bytes(IMAGE.read_bytes())
    (folder / "M83N7U3JP5.pdf").write_bytes(b"%PDF-1.4")
    tutor = CertificateTutor()
    tutor.certificate_dir = folder
    chat = WebChat(WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE), tutor)
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        page = await browser.new_page(viewport=PHONE_390)
        await page.goto(base_url + "/")
        await page.get_by_role("button", name="Đồng ý").click(timeout=30_000)
        await SendButton(page).wait_for_enabled()
        box = page.get_by_label("Tin nhắn của bạn")
        await box.fill("/chungnhan")
        await box.press("Enter")
        image = page.get_by_role("img", name="Giấy chứng nhận HVS-2026-000001")
        await image.wait_for(timeout=30_000)
        await playwright_api.expect(image).to_have_js_property("complete", True)
        assert await image.evaluate("img => img.naturalWidth") > 0
        link = page.get_by_role("link", name=VERIFY)
        assert await link.get_attribute("href") == VERIFY
        assert await page.get_by_role("link", name="chung-nhan.pdf", exact=False).count() == 1
        await SendButton(page).wait_for_enabled()
        await box.fill("lừa")
        await box.press("Enter")
        await page.get_by_role("button", name="Hữu ích", exact=True).wait_for(timeout=30_000)
        assert await page.get_by_role("button", name="Chưa hữu ích", exact=True).count() == 1
        assert await page.get_by_role("link", name=SCAM_EXAMPLE).count() == 0  # a scam example stays text
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "webchat-certificate.png"), full_page=True)
        await page.close()
    chat.close()


async def test_the_five_quick_buttons_are_all_visible_at_390_px(browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tutor.flows import build_registry

    tutor = PageTutor()
    tutor.menu_entries = build_registry().menu()  # the real quick menu
    quick = [e.label for e in tutor.menu_entries if e.quick]
    assert len(quick) >= 5
    chat = make_webchat(tutor)
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        for width in (390, 360):
            page = await browser.new_page(viewport={"width": width, "height": 740})
            await page.goto(base_url + "/")
            bar = page.get_by_role("navigation", name="Lối tắt")
            await bar.get_by_role("button", name=quick[-1]).wait_for(timeout=30_000)
            assert await bar.get_by_role("button").all_inner_texts() == quick
            for button in await bar.get_by_role("button").all():
                box = await button.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, await button.inner_text()
                assert box["height"] >= 40  # a thumb-sized target
                # The whole label is shown (not cut by the button).
                assert await button.evaluate("b => b.scrollWidth <= b.clientWidth")
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / f"webchat-quickbar-{width}.png"))
            await page.close()
    chat.close()
