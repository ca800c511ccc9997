"""The web chat in headless Chromium at 390 px: a reload restores the conversation, used and
superseded buttons are disabled, and /taidulieu gives a download link (screenshots in test-artifacts/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.server import create_app
from bot.webchat import WebChat, WebChatConfig
from bot.webchat_history import WebChatHistory
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat import SECRET, PageTutor
from tests.bot.test_webchat_browser import ARTIFACTS, SendButton, browser, playwright_api  # noqa: F401
from tests.conftest import FIXTURE_COURSE

pytestmark = pytest.mark.slow
PHONE_390 = {"width": 390, "height": 844}


async def test_reload_restores_the_conversation_and_old_buttons_stay_disabled(browser, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from hocvuso.container import Container

    container = Container(settings)
    temp = tmp_path / "exports"
    temp.mkdir()
    tutor = PageTutor()
    tutor.document_path = str(temp / "hocvuso-du-lieu-test.json")
    Path(tutor.document_path).write_text(json.dumps({"hồ sơ": {"tên": "Lan"}}, ensure_ascii=False), "utf-8")
    config = WebChatConfig(cookie_secret=SECRET, media_root=FIXTURE_COURSE, temp_dir=temp)
    chat = WebChat(config, tutor, WebChatHistory(container.session_factory))
    try:
        async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
            page = await browser.new_page(viewport=PHONE_390)
            await page.goto(base_url + "/")
            idle = SendButton(page)
            await page.get_by_role("button", name="Đồng ý").click(timeout=30_000)
            await page.get_by_role("button", name="Làm bài kiểm tra").click(timeout=30_000)
            first_choice = page.get_by_role("button", name="123456")
            await first_choice.wait_for(timeout=30_000)
            await idle.wait_for_enabled()
            # A typed answer uses up the quiz buttons.
            box = page.get_by_label("Tin nhắn của bạn")
            await box.fill("Mật khẩu mạnh là gì?")
            await box.press("Enter")
            await page.get_by_text("Bạn hỏi: Mật khẩu mạnh là gì?").wait_for(timeout=30_000)
            assert await first_choice.is_disabled()
            await idle.wait_for_enabled()
            await box.fill("/taidulieu")
            await box.press("Enter")
            link = page.get_by_role("link", name="Tải tệp du-lieu.json", exact=False)
            await link.wait_for(timeout=30_000)
            await idle.wait_for_enabled()
            before = await page.locator("#log .msg").all_inner_texts()

            await page.reload()
            # Everything from «Đồng ý» on comes back (the notice before consent is not kept).
            expected = [before[0], *before[2:]]
            await playwright_api.expect(page.locator("#log .msg")).to_have_count(len(expected), timeout=30_000)
            assert await page.locator("#log .msg").all_inner_texts() == expected
            buttons = page.locator("#log .buttons button")
            assert await buttons.count() >= 4
            for i in range(await buttons.count()):  # every choice shown before the last message is history
                assert await buttons.nth(i).is_disabled()
            chosen = page.locator("#log .buttons button.chosen")
            assert await chosen.all_inner_texts() == ["Làm bài kiểm tra"]  # the consent notice is not kept
            assert [i.text for i in tutor.inbounds].count("/start") == 1  # a reload does not start over

            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="Tải tệp du-lieu.json", exact=False).click()
            download = await download_info.value
            saved = tmp_path / "downloaded.json"
            await download.save_as(str(saved))
            assert json.loads(saved.read_text("utf-8"))["hồ sơ"]["tên"] == "Lan"
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "webchat-history-390.png"), full_page=True)
            await page.close()
    finally:
        chat.close()
        container.close()
    assert (ARTIFACTS / "webchat-history-390.png").stat().st_size > 5_000
