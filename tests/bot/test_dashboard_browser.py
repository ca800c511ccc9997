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


async def test_the_list_of_learners_on_a_phone(service) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """390 px wide (a cheap phone): the officer of the grassroots unit opens «Học viên» from the
    navigation; the table scrolls inside itself, the page never scrolls sideways."""
    from tests.bot.test_dashboard_lists import add_learner

    for i in range(12):
        add_learner(service, "cdcs-may-thanh-cong", f"Nguyễn Thị Phương Thảo {i:02d}", listed=True, lessons=i % 4)
    add_learner(service, "cdcs-may-thanh-cong", "Người Không Đồng Ý", listed=False)
    app = create_app(extra_routers=[Dashboard(OfficerDashboard(service, load_curriculum(FIXTURE_COURSE))).router()])
    ARTIFACTS.mkdir(exist_ok=True)
    async with serve_app(app) as base_url, playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            link = urlparse(_officer_link(service, "cdcs-may-thanh-cong"))
            await page.goto(f"{base_url}{link.path}?{link.query}")
            await page.wait_for_selector("svg.chart")
            await page.click("nav >> text=Học viên")
            await page.wait_for_selector("table.learners")
            assert await page.locator("table.learners tbody tr").count() == 12
            assert "Không Đồng Ý" not in await page.inner_text("main")
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 390, wide  # no sideways scrolling of the page
            await page.screenshot(path=str(ARTIFACTS / "dashboard-learners-390.png"), full_page=True)
        finally:
            await browser.close()


def _officer_link(officers, unit: str) -> str:  # type: ignore[no-untyped-def]
    """A sign-in link of a new officer account of `unit` (the account's person is a learner)."""
    from knowledge.db import transaction
    from tests.bot.test_dashboard import NOW
    from tutor.models import Learner
    from tutor.officer_models import Officer
    from tutor.store import new_learner_id

    with transaction(officers.session_factory) as session:
        person = Learner(id=new_learner_id(session), group="officer", unit_id=unit, consent_state="given",
                         created_at=NOW, last_seen_at=NOW)  # fmt: skip
        session.add(person)
        session.flush()
        officer = Officer(learner_id=person.id, unit_id=unit, created_at=NOW)
        session.add(officer)
        session.flush()
        officer_id = officer.id
    return str(officers.sign_in_link(unit, officer_id=officer_id))
