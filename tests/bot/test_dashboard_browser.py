"""The officers' dashboard in a real headless Chromium: sign in with a one-time link, see the
indicators chart and the units table, sort it by clicking a header; screenshots in test-artifacts/."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from bot.dashboard import Dashboard
from bot.server import create_app
from knowledge.curriculum import load_curriculum
from tests.bot.telegram_helpers import serve_app
from tests.bot.test_dashboard import add_learners, service  # noqa: F401  (fixture)
from tests.bot.test_webchat_browser import ARGS, ARTIFACTS, CHROMIUM, playwright_api
from tests.conftest import FIXTURE_COURSE
from tutor.officer_dashboard import OfficerDashboard

pytestmark = pytest.mark.slow


async def test_sign_in_see_the_chart_and_sort_the_units(service) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    add_learners(service, "cdcs-may-thanh-cong", 40, certified=True, question="cách mở tài khoản ngân hàng số")
    add_learners(service, "cdcs-giay-phu-loc", 7, certified=True)
    app = create_app(extra_routers=[Dashboard(OfficerDashboard(service, load_curriculum(FIXTURE_COURSE))).router()])
    ARTIFACTS.mkdir(exist_ok=True)
    async with serve_app(app) as base_url, playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            await page.goto(f"{base_url}/admin/")
            assert "/dangnhap" in await page.inner_text("main")
            link = urlparse(service.sign_in_link("cd-kcn-tan-hoa"))
            await page.goto(f"{base_url}{link.path}?{link.query}")
            await page.wait_for_selector("svg.chart")
            assert "Công đoàn các Khu công nghiệp Tân Hòa" in await page.inner_text("h2")
            assert await page.locator("svg.chart rect.fill").count() >= 4
            await page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)
            await page.click("text=Đơn vị")
            await page.click("th >> text=Tỷ lệ")  # ascending: the weakest first
            await page.click("th >> text=Tỷ lệ")  # descending
            first = await page.locator("table.units tbody tr td a").first.inner_text()
            assert first == "Công đoàn Công ty May Thành Công"
            await page.screenshot(path=str(ARTIFACTS / "dashboard-units.png"), full_page=True)
            await page.goto(f"{base_url}/admin/unit/cdcs-thpt-le-loi")
            assert "Lê Lợi" not in await page.content()
        finally:
            await browser.close()
