"""The microphone button in a real headless Chromium: with Chromium's fake microphone a recording
goes to POST /api/voice and its answer is shown; without a microphone the button is not there or
goes away, and typing still works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.server import create_app
from bot.webchat import WebChat, WebChatConfig
from tests.bot.speech_clips import fake_speech, needs_ffmpeg
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_webchat_browser import ARGS, CHROMIUM, PHONE, SendButton, _bot_texts, playwright_api
from tests.fakes.tutor_port import FakeTutor

pytestmark = [pytest.mark.slow, needs_ffmpeg]
FAKE_MIC = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]  # a beeping microphone


@pytest.fixture
async def playwright() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as p:
        yield p


async def test_record_send_and_see_the_answer(playwright, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tutor, speech = FakeTutor(), fake_speech("Mật khẩu mạnh là gì?", tmp_path / "t")
    chat = WebChat(WebChatConfig(cookie_secret=b"browser-voice"), tutor, speech=speech)
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + FAKE_MIC, headless=True)
    try:
        async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
            context = await browser.new_context(viewport=PHONE, permissions=["microphone"])
            page = await context.new_page()
            await page.goto(base_url + "/")
            await SendButton(page).wait_for_enabled()
            mic = page.get_by_role("button", name="Ghi âm câu hỏi")
            await mic.click()
            stop = page.get_by_role("button", name="Dừng và gửi ghi âm")
            await playwright_api.expect(stop).to_be_visible(timeout=10_000)
            await page.wait_for_timeout(1500)  # a 1.5 s recording of the fake microphone's beeps
            await stop.click()
            await playwright_api.expect(page.locator("#log .msg.bot .text").last).to_have_text(
                "Bạn hỏi: Mật khẩu mạnh là gì?", timeout=60_000
            )
    finally:
        await browser.close()
        chat.close()
        speech.close()
    voice = [i for i in tutor.inbounds if i.kind == "voice"]
    assert len(voice) == 1 and voice[0].text == "Mật khẩu mạnh là gì?"


async def test_without_a_microphone_typing_still_works(playwright) -> None:  # type: ignore[no-untyped-def]
    tutor = FakeTutor()
    chat = WebChat(WebChatConfig(cookie_secret=b"browser-voice"), tutor)
    # No fake device and no permission: getUserMedia fails, as on a computer without a microphone.
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    try:
        async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
            page = await browser.new_page(viewport=PHONE)
            await page.goto(base_url + "/")
            await SendButton(page).wait_for_enabled()
            mic = page.locator("#mic")
            await playwright_api.expect(mic).to_have_count(1)  # the browser can record, in principle
            await mic.click()  # … but finds no microphone: the button goes, the status says so
            await playwright_api.expect(mic).to_have_count(0, timeout=10_000)
            await playwright_api.expect(page.locator("#status")).to_contain_text("Không dùng được micro")
            await page.locator("#msg").fill("xin chào")
            await page.locator("#send").click()
            await playwright_api.expect(page.locator("#log .msg.bot .text").last).to_have_text(
                "Bạn hỏi: xin chào", timeout=30_000
            )
            assert "Bạn hỏi: xin chào" in await _bot_texts(page)
    finally:
        await browser.close()
        chat.close()
    assert [i.kind for i in tutor.inbounds if i.text == "xin chào"] == ["text"]


async def test_a_browser_that_cannot_record_shows_no_microphone(playwright) -> None:  # type: ignore[no-untyped-def]
    chat = WebChat(WebChatConfig(cookie_secret=b"browser-voice"), FakeTutor())
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    try:
        async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
            page = await browser.new_page(viewport=PHONE)
            await page.add_init_script("delete window.MediaRecorder;")  # an old browser
            await page.goto(base_url + "/")
            await SendButton(page).wait_for_enabled()
            assert await page.locator("#mic").count() == 0
            await page.locator("#msg").fill("xin chào")
            await page.locator("#send").click()
            await playwright_api.expect(page.locator("#log .msg.bot .text").last).to_have_text(
                "Bạn hỏi: xin chào", timeout=30_000
            )
    finally:
        await browser.close()
        chat.close()
