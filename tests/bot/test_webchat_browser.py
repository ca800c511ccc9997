"""The web chat in a real headless Chromium (Debian's `chromium`, driven by Playwright): a phone-sized
window opens the page served by uvicorn on 127.0.0.1, presses buttons, asks a question and sees the
answer; markup in a reply stays text; screenshots land in test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.server import create_app
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat import PageTutor, make_webchat
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

CHROMIUM = next(
    (
        p
        for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
        if p and Path(p).is_file()
    ),
    None,
)
if CHROMIUM is None:
    pytest.skip(
        "no chromium binary (/usr/bin/chromium): `apt-get install -y chromium` (make install-test) to run the browser test",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip("playwright.async_api", reason="playwright (dev extra) is not installed")

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


class SendButton:
    """Waits until the page is idle again (the send button is re-enabled when a reply arrived)."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self._button = page.locator("#send")

    async def wait_for_enabled(self, timeout: float = 30_000) -> None:
        await playwright_api.expect(self._button).to_be_enabled(timeout=timeout)


async def _bot_texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    return await page.locator("#log .msg.bot .text").all_inner_texts()


async def test_ask_and_press_buttons_on_a_phone_screen(browser) -> None:  # type: ignore[no-untyped-def]
    tutor = PageTutor()
    chat = make_webchat(tutor)
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        page = await browser.new_page(viewport=PHONE)
        await page.goto(base_url + "/")
        # First visit: the page greets through the tutor, whose buttons are real buttons.
        agree = page.get_by_role("button", name="Đồng ý")
        await agree.wait_for(timeout=30_000)
        await agree.focus()
        await page.keyboard.press("Enter")  # keyboard only
        await page.get_by_text("Bài 1: Mật khẩu mạnh", exact=False).wait_for(timeout=30_000)
        assert await agree.is_disabled()
        # Focus moves to the new choices, so keyboard users carry on from there.
        await playwright_api.expect(page.get_by_role("button", name="Làm bài kiểm tra")).to_be_focused()
        # A question typed in the labelled box, sent with Enter.
        box = page.get_by_label("Tin nhắn của bạn")
        await box.fill("Mật khẩu mạnh là gì?")
        await box.press("Enter")
        await page.get_by_text("Bạn hỏi: Mật khẩu mạnh là gì?").wait_for(timeout=30_000)
        assert await page.locator("#log .msg.me .text").last.inner_text() == "Mật khẩu mạnh là gì?"
        # Lesson images are shown.
        await box.fill("ảnh")
        await page.get_by_role("button", name="Gửi").click()
        image = page.get_by_role("img", name="Màn hình Cài đặt cỡ chữ")
        await image.wait_for(timeout=30_000)
        await playwright_api.expect(image).to_have_js_property("complete", True)
        assert await image.evaluate("img => img.naturalWidth") > 0
        # Accessible and phone-sized: live log, no horizontal scrolling at 360 px.
        assert await page.locator("#log").get_attribute("aria-live") == "polite"
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)
        await page.close()
    chat.close()
    assert (ARTIFACTS / "webchat.png").stat().st_size > 5_000
    assert [i.text for i in tutor.inbounds][:1] == ["/start"]
    assert len({i.user_id for i in tutor.inbounds}) == 1  # one cookie, one learner


async def test_script_in_a_reply_is_shown_as_text(browser) -> None:  # type: ignore[no-untyped-def]
    chat = make_webchat(PageTutor())
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        page = await browser.new_page(viewport=PHONE)
        await page.goto(base_url + "/")
        await page.get_by_role("button", name="Đồng ý").wait_for(timeout=30_000)
        box = page.get_by_label("Tin nhắn của bạn")
        await box.fill("script")
        await box.press("Enter")
        shown = page.get_by_text("<script>window.__pwned = 1</script>", exact=False)
        await shown.wait_for(timeout=30_000)
        await page.wait_for_timeout(300)
        assert await page.evaluate("typeof window.__pwned") == "undefined"
        assert await page.locator("#log script, #log img, #log b").count() == 0
        assert "<b>đậm</b>" in (await _bot_texts(page))[-1]
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "webchat-escaped.png"))
        await page.close()
    chat.close()


async def test_real_tutor_onboarding_and_a_cited_answer(browser, ingested_container) -> None:  # type: ignore[no-untyped-def]
    """`hocvuso serve`'s app with the real tutor and the fixture course: consent, profile, a question."""
    app = ingested_container.web_app
    async with serve_app(app) as base_url:
        page = await browser.new_page(viewport=PHONE)
        await page.goto(base_url + "/")
        await page.get_by_role("button", name="Đồng ý").click(timeout=30_000)
        await page.get_by_text("Cảm ơn bạn!").wait_for(timeout=15_000)
        send_enabled = SendButton(page)
        for _ in range(2):  # name, then unit
            await send_enabled.wait_for_enabled()
            await page.get_by_role("button", name="Bỏ qua").last.click(timeout=30_000)
        await send_enabled.wait_for_enabled()
        await page.get_by_role("button", name="Công nhân, người lao động doanh nghiệp").click(timeout=30_000)
        await send_enabled.wait_for_enabled()
        before = await page.locator("#log .msg.bot").count()
        box = page.get_by_label("Tin nhắn của bạn")
        await box.fill("Mật khẩu thế nào thì mạnh?")
        await box.press("Enter")
        await playwright_api.expect(page.locator("#log .msg.bot")).not_to_have_count(before, timeout=30_000)
        await send_enabled.wait_for_enabled(timeout=30_000)
        answer = "\n".join((await page.locator("#log .msg.bot").all_inner_texts())[before:])
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "webchat-real-tutor.png"))
        await page.close()
    assert "Đặt mật khẩu mạnh" in answer  # cited lesson
    assert "mật khẩu" in answer.lower()
