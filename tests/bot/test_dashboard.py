"""The officers' dashboard over HTTP (FastAPI TestClient, real database): sign-in with a one-time
link, the session cookie, scope (an officer of unit A gets nothing of unit B in pages and exports),
suppression, sortable units table, CSV/XLSX downloads, the content-gap list, the view log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.dashboard import Dashboard
from bot.server import create_app
from knowledge.curriculum import load_curriculum
from knowledge.db import transaction
from tests.conftest import FIXTURE_COURSE, REPO_ROOT
from tutor.models import Event, Learner
from tutor.officer_dashboard import OfficerDashboard
from tutor.officer_models import OfficerView
from tutor.officers import OfficerConfig, OfficerService
from tutor.store import new_learner_id  # SQLite: ids drawn as the store draws them (never reused)
from tutor.units import DbUnitRegistry, load_units

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def service(settings):  # type: ignore[no-untyped-def]
    from hocvuso.container import Container

    container = Container(settings)
    units = DbUnitRegistry(container.session_factory, seed=load_units(REPO_ROOT / "knowledge" / "units_sample.csv"))
    with transaction(container.session_factory) as session:
        units.sync(session)
    yield OfficerService(container.session_factory, units, OfficerConfig(min_group=5), clock=lambda: NOW)
    container.close()


@pytest.fixture
def client(service):  # type: ignore[no-untyped-def]
    app = create_app(extra_routers=[Dashboard(OfficerDashboard(service, load_curriculum(FIXTURE_COURSE))).router()])
    with TestClient(app) as test_client:
        yield test_client


def add_learners(service, unit: str, count: int, *, certified: bool, question: str | None = None) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.session_factory) as session:
        for _ in range(count):
            learner = Learner(
                id=new_learner_id(session),
                group="worker",
                unit_id=unit,
                consent_state="given",
                created_at=NOW,
                last_seen_at=NOW,
            )
            session.add(learner)
            session.flush()
            session.add(Event(learner_id=learner.id, kind="lesson_started", at=NOW - timedelta(hours=1), data={}))
            if certified:
                session.add(Event(learner_id=learner.id, kind="certified", at=NOW, data={}))
            if question:
                data = {"question": question, "answered": False}
                session.add(Event(learner_id=learner.id, kind="question_asked", at=NOW, data=data))


def sign_in(client: TestClient, service, unit: str):  # type: ignore[no-untyped-def]
    link = urlparse(service.sign_in_link(unit))
    response = client.get(f"{link.path}?{link.query}", follow_redirects=False)
    assert response.status_code == 303 and "hocvuso_admin" in response.cookies
    return link


def test_without_a_session_only_the_sign_in_page_and_no_data(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learners(service, "cdcs-may-thanh-cong", 6, certified=True)
    for path in ("/admin/", "/admin/units", "/admin/gaps", "/admin/unit/cdcs-may-thanh-cong"):
        page = client.get(path)
        assert "/dangnhap" in page.text and "May Thành Công" not in page.text and "<table" not in page.text
    assert client.get("/admin/export/units.csv").status_code == 401
    assert client.get("/admin/login?token=forged").status_code == 401
    client.cookies.set("hocvuso_admin", "forged", path="/admin")
    assert "/dangnhap" in client.get("/admin/").text


def test_sign_in_link_works_once_and_the_session_shows_the_unit(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learners(service, "cdcs-may-thanh-cong", 6, certified=True)
    link = sign_in(client, service, "cd-kcn-tan-hoa")
    home = client.get("/admin/")
    assert home.status_code == 200 and "Công đoàn các Khu công nghiệp Tân Hòa" in home.text
    assert "<svg" in home.text and "Công nhân lao động đạt chuẩn" in home.text
    assert "script" not in home.text and "http" not in home.text.split("<body>")[1]  # no CDN, no script
    assert home.headers["content-security-policy"].startswith("default-src 'none'")
    again = TestClient(client.app).get(f"{link.path}?{link.query}", follow_redirects=False)
    assert again.status_code == 401  # one-time
    client.get("/admin/logout")
    assert "/dangnhap" in client.get("/admin/").text


def test_an_officer_of_one_branch_gets_nothing_of_another(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learners(service, "cdcs-may-thanh-cong", 6, certified=True, question="cách mở tài khoản ngân hàng số")
    add_learners(service, "cdcs-thpt-le-loi", 7, certified=True, question="câu hỏi của trường Lê Lợi")
    sign_in(client, service, "cd-kcn-tan-hoa")
    units = client.get("/admin/units").text
    assert "May Thành Công" in units and "Lê Lợi" not in units
    outside = client.get("/admin/unit/cdcs-thpt-le-loi")
    assert outside.status_code == 404 and "Lê Lợi" not in outside.text
    exported = client.get("/admin/export/units.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert {r["code"] for r in rows} == {u.id for u in service.units.subtree("cd-kcn-tan-hoa")}
    may = next(r for r in rows if r["code"] == "cdcs-may-thanh-cong")
    assert (may["certified"], may["learners"], may["members"]) == ("6", "6", "1853")
    gaps = client.get("/admin/gaps").text
    assert "cách mở tài khoản ngân hàng số" in gaps and "Lê Lợi" not in gaps
    assert client.get("/admin/export/unit/cdcs-thpt-le-loi/modules.csv").status_code == 404
    with service.session_factory() as session:
        views = session.execute(sa.select(OfficerView.who, OfficerView.unit_id, OfficerView.what)).all()
    assert ("operator", "cd-kcn-tan-hoa", "dashboard:units") in views
    assert ("operator", "cd-kcn-tan-hoa", "export:units.csv") in views
    assert ("operator", "cd-kcn-tan-hoa", "dashboard:gaps") in views


def test_small_groups_read_fewer_than_five_everywhere(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learners(service, "cdcs-giay-phu-loc", 3, certified=True)
    sign_in(client, service, "cdcs-giay-phu-loc")
    home = client.get("/admin/").text
    assert "&lt; 5" in home
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/export/units.csv").content.decode("utf-8-sig"))))
    assert rows[0]["certified"] == "< 5" and rows[0]["learners"] == "< 5" and rows[0]["share"] == ""


def test_units_table_sorts_and_exports_xlsx(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learners(service, "cdcs-may-thanh-cong", 6, certified=True)
    sign_in(client, service, "ldld-tp-an-phu")
    page = client.get("/admin/units?sort=members&dir=desc").text
    names = [line.split(">")[-1] for line in page.split("</a></td>")[:-1]]
    assert names[0] == "Liên đoàn Lao động thành phố An Phú"  # the whole city has the most members
    assert "sort=members&amp;dir=asc" in page  # clicking again flips the order
    by_share = client.get("/admin/units?sort=share&dir=desc").text
    assert by_share.index("May Thành Công") < by_share.index("Giày da Phú Lộc")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/admin/export/units.xlsx").content))
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert header[:3] == ["code", "name", "level"] and book.active.max_row == 1 + len(service.units.all())
    modules = client.get("/admin/export/unit/cdcs-may-thanh-cong/modules.csv")
    assert modules.status_code == 200 and modules.content.decode("utf-8-sig").startswith("module,title")


def test_the_quiz_items_most_often_missed(client, service) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.session_factory) as session:
        for i in range(6):
            learner = Learner(id=new_learner_id(session), group="worker", unit_id="cdcs-may-thanh-cong",
                              consent_state="given", created_at=NOW, last_seen_at=NOW)  # fmt: skip
            session.add(learner)
            session.flush()
            session.add(Event(learner_id=learner.id, kind="quiz_answered", at=NOW, item_id="cc-1",
                              data={"correct": i >= 4}))  # fmt: skip
    sign_in(client, service, "cdcs-may-thanh-cong")
    page = client.get("/admin/missed").text
    assert "Câu hỏi kiểm tra hay sai nhất" in page
    assert "Muốn chữ trên điện thoại to hơn, bạn mở đâu?</td><td>4</td><td>6</td>" in page
    exported = client.get("/admin/export/missed.csv").content.decode("utf-8-sig")
    assert exported.splitlines()[1] == "cc-1," + '"Muốn chữ trên điện thoại to hơn, bạn mở đâu?"' + ",4,6"
    sign_in(client, service, "cdcs-giay-phu-loc")  # another unit: nothing of May Thành Công
    assert "Muốn chữ" not in client.get("/admin/missed").text
