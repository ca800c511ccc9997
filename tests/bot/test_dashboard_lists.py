"""The list of learners on the dashboard (FastAPI TestClient, real database): only for an officer of
the grassroots unit itself, only learners who agreed to be listed, page and CSV/XLSX download, a
district officer or an operator refused, nothing without a session, every view logged."""

# ruff: noqa: F811  (pytest fixtures imported from other test modules are redefined as arguments)
from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlparse

import sqlalchemy as sa
from fastapi.testclient import TestClient

from knowledge.db import transaction
from tests.bot.test_dashboard import NOW, client, service  # noqa: F401  (fixtures)
from tutor.models import Event, Learner, LessonProgress
from tutor.officer_models import Officer, OfficerView
from tutor.store import new_learner_id


def add_learner(service, unit: str, name: str, *, listed: bool, certified: bool = False, lessons: int = 0) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.session_factory) as session:
        learner = Learner(
            id=new_learner_id(session),
            display_name=name,
            group="worker",
            unit_id=unit,
            consent_state="given",
            created_at=NOW - timedelta(days=30),
            last_seen_at=NOW - timedelta(days=8),
            listed_at=NOW - timedelta(days=20) if listed else None,
        )
        session.add(learner)
        session.flush()
        for i in range(lessons):
            session.add(LessonProgress(learner_id=learner.id, lesson_id=f"lesson-{i}", status="completed",
                                       started_at=NOW, completed_at=NOW))  # fmt: skip
        session.add(LessonProgress(learner_id=learner.id, lesson_id="open", status="started", started_at=NOW))
        if certified:
            session.add(Event(learner_id=learner.id, kind="certified", at=NOW, data={}))


def officer_signs_in(client: TestClient, service, unit: str) -> int:  # type: ignore[no-untyped-def]
    """A learner with an officer account of `unit` signs in with their own link; the account id."""
    with transaction(service.session_factory) as session:
        person = Learner(id=new_learner_id(session), display_name="Cán bộ", group="officer", unit_id=unit,
                         consent_state="given", created_at=NOW, last_seen_at=NOW)  # fmt: skip
        session.add(person)
        session.flush()
        officer = Officer(learner_id=person.id, unit_id=unit, created_at=NOW)
        session.add(officer)
        session.flush()
        officer_id = officer.id
    link = urlparse(service.sign_in_link(unit, officer_id=officer_id))
    assert client.get(f"{link.path}?{link.query}", follow_redirects=False).status_code == 303
    return officer_id


def test_the_officer_of_the_unit_sees_its_consenting_learners(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learner(service, "cdcs-may-thanh-cong", "Nguyễn Thị Hoa", listed=True, certified=True, lessons=3)
    add_learner(service, "cdcs-may-thanh-cong", "<b>Trần Văn An</b>", listed=True)
    add_learner(service, "cdcs-may-thanh-cong", "Lê Văn Kín", listed=False)  # never said yes
    add_learner(service, "cdcs-giay-phu-loc", "Phạm Thị Bích", listed=True)  # another unit
    officer_signs_in(client, service, "cdcs-may-thanh-cong")

    assert 'href="/admin/learners"' in client.get("/admin/").text
    page = client.get("/admin/learners")
    assert page.status_code == 200
    assert "Nguyễn Thị Hoa</td><td>Công nhân</td><td>3</td><td>Đạt</td>" in page.text
    assert "&lt;b&gt;Trần Văn An&lt;/b&gt;" in page.text  # escaped
    assert "Kín" not in page.text and "Bích" not in page.text and "Cán bộ" not in page.text

    rows = list(csv.DictReader(io.StringIO(client.get("/admin/export/learners.csv").content.decode("utf-8-sig"))))
    assert [(r["name"], r["lessons_completed"], r["certified"]) for r in rows] == [
        ("<b>Trần Văn An</b>", "0", "no"),
        ("Nguyễn Thị Hoa", "3", "yes"),
    ]
    assert rows[0]["last_active_week"] == "2026-11-16"  # the Monday of 8 days before NOW (Hà Nội time)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/admin/export/learners.xlsx").content))
    assert [c.value for c in next(book.active.iter_rows(max_row=1))][0] == "name" and book.active.max_row == 3
    with service.session_factory() as session:
        seen = session.execute(sa.select(OfficerView.unit_id, OfficerView.what)).all()
    for what in ("dashboard:learners", "export:learners.csv", "export:learners.xlsx"):
        assert ("cdcs-may-thanh-cong", what) in seen


def test_district_officers_operators_and_strangers_get_no_list(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learner(service, "cdcs-may-thanh-cong", "Nguyễn Thị Hoa", listed=True)
    for path in ("/admin/learners", "/admin/export/learners.csv"):
        signed_out = client.get(path)
        assert "Hoa" not in signed_out.text and signed_out.status_code in (200, 401)

    officer_signs_in(client, service, "cd-kcn-tan-hoa")  # the district above the unit
    assert 'href="/admin/learners"' not in client.get("/admin/").text
    for path in ("/admin/learners", "/admin/export/learners.csv", "/admin/export/learners.xlsx"):
        refused = client.get(path)
        assert (
            refused.status_code == 403
            and "Hoa" not in refused.text
            and "chỉ dành cho cán bộ công đoàn cơ sở" in refused.text
        )

    link = urlparse(service.sign_in_link("cdcs-may-thanh-cong"))  # an operator's link to the unit itself
    client.get(f"{link.path}?{link.query}")
    assert client.get("/admin/learners").status_code == 403
    with service.session_factory() as session:
        seen = session.execute(sa.select(OfficerView.what)).scalars().all()
    assert not any("learners" in what for what in seen)


def test_a_revoked_officer_sees_no_list(client, service) -> None:  # type: ignore[no-untyped-def]
    add_learner(service, "cdcs-may-thanh-cong", "Nguyễn Thị Hoa", listed=True)
    officer_id = officer_signs_in(client, service, "cdcs-may-thanh-cong")
    assert "Hoa" in client.get("/admin/learners").text
    service.revoke(officer_id)
    assert "Hoa" not in client.get("/admin/learners").text
