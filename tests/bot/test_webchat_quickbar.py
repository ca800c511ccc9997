"""The web chat's quick-action bar in headless Chromium at phone size: built from the tutor's menu
(quick entries only); a tap sends the label as the learner's text."""

from __future__ import annotations

import pytest

from bot.server import create_app
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat import PageTutor, make_webchat
from tests.bot.test_webchat_browser import ARTIFACTS, PHONE, browser  # noqa: F401 (the fixture)

pytestmark = pytest.mark.slow


async def test_quick_bar_sends_its_labels_as_text(browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    tutor = PageTutor()
    chat = make_webchat(tutor)
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        page = await browser.new_page(viewport={"width": 390, "height": 740})
        await page.goto(base_url + "/")
        bar = page.get_by_role("navigation", name="Lối tắt")
        await bar.get_by_role("button", name="Học tiếp").wait_for(timeout=30_000)
        assert await bar.get_by_role("button").all_inner_texts() == ["Học tiếp", "Ôn tập", "Tiến độ"]
        await page.get_by_role("button", name="Đồng ý").wait_for(timeout=30_000)
        await bar.get_by_role("button", name="Tiến độ").click()
        await page.get_by_text("Bạn hỏi: Tiến độ").wait_for(timeout=30_000)
        assert [i.text for i in tutor.inbounds][-1] == "Tiến độ"
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "webchat-quickbar.png"))
        await page.close()
    chat.close()
    assert PHONE["width"] <= 390
