"""Officers in chat: /canbo with an invite code, /thongke with bars and weakest sub-units, scope
(nothing outside the officer's unit), /dangnhap, plain-Vietnamese questions, the view log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from knowledge.db import transaction
from tests.tutor.conversation_kit import Chat, build_tutor, onboard
from tutor import texts_officers as tx
from tutor.models import Event, Learner
from tutor.officer_models import OfficerView
from tutor.officer_questions import ACTIVE, CERTIFIED, CONNECTED, OVERVIEW, RATE, WEAKEST, parse_question
from tutor.officers import OfficerConfig, OfficerService
from tutor.store import new_learner_id  # SQLite: ids drawn as the store draws them (never reused)

TARGETS = {"officers_competent": 1.0, "public_staff_competent": 0.8, "workers_competent": 0.8,
           "grassroots_connected": 0.7}  # fmt: skip


@pytest.fixture
def officers(quick_container, clock):  # type: ignore[no-untyped-def]
    from tests.conftest import REPO_ROOT
    from tutor.units import DbUnitRegistry, load_units

    units = DbUnitRegistry(
        quick_container.session_factory, seed=load_units(REPO_ROOT / "knowledge" / "units_sample.csv")
    )
    with transaction(quick_container.session_factory) as session:
        units.sync(session)
    return OfficerService(
        quick_container.session_factory, units, OfficerConfig(min_group=5, targets=TARGETS), clock=lambda: clock.now
    )


@pytest.fixture
def tutor(quick_container, clock, fake_answerer, officers):  # type: ignore[no-untyped-def]
    built = build_tutor(quick_container, clock, answerer=fake_answerer)
    built.context.officers = officers
    return built


def certify(container, unit: str, group: str, count: int, when) -> None:  # type: ignore[no-untyped-def]
    with transaction(container.session_factory) as session:
        for _ in range(count):
            learner = Learner(
                id=new_learner_id(session),
                group=group,
                unit_id=unit,
                consent_state="given",
                created_at=when,
                last_seen_at=when,
            )
            session.add(learner)
            session.flush()
            session.add(Event(learner_id=learner.id, kind="certified", at=when, data={}))


@pytest.mark.parametrize(
    ("text", "kind", "group", "unit", "days"),
    [
        ("tỷ lệ công nhân đạt chuẩn ở công ty may Thành Công?", RATE, "worker", "cong ty may thanh cong", 7),
        ("ty le cong nhan dat chuan o cong ty may thanh cong", RATE, "worker", "cong ty may thanh cong", 7),
        ("đơn vị nào thấp nhất?", WEAKEST, None, None, 7),
        ("don vi nao yeu nhat", WEAKEST, None, None, 7),
        ("tuần này bao nhiêu người học?", ACTIVE, None, None, 7),
        ("thang nay co bao nhieu nguoi hoc o benh vien an phu", ACTIVE, None, "benh vien an phu", 30),
        ("bao nhiêu đoàn viên trong đơn vị tôi đã học xong", CERTIFIED, None, None, 7),
        ("tỷ lệ công chức đạt chuẩn", RATE, "public", None, 7),
        ("bao nhiêu công đoàn cơ sở đã kết nối hệ thống dữ liệu", CONNECTED, None, None, 7),
        ("xem chỉ tiêu của đơn vị tôi", OVERVIEW, None, None, 7),
    ],
)
def test_questions_with_and_without_tone_marks_map_to_a_kind(text, kind, group, unit, days) -> None:  # type: ignore[no-untyped-def]
    q = parse_question(text)
    assert q is not None and (q.kind, q.group, q.unit_text, q.days) == (kind, group, unit, days)


@pytest.mark.parametrize("text", ["mật khẩu mạnh là gì?", "làm sao kích hoạt vneid", "cách học bài", "xin chào"])
def test_ordinary_questions_are_not_statistics(text: str) -> None:
    assert parse_question(text) is None


def test_learners_never_see_statistics(tutor, fake_answerer) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(tutor, "learner-1")
    onboard(chat)
    assert chat.say("/thongke")[0].text == tx.ONLY_OFFICERS
    assert chat.say("/dangnhap")[0].text == tx.ONLY_OFFICERS
    chat.say("đơn vị nào thấp nhất?")  # an ordinary question for a learner
    assert fake_answerer.questions == ["đơn vị nào thấp nhất?"]


def test_invite_code_makes_an_officer_who_sees_the_unit_and_below_only(  # type: ignore[no-untyped-def]
    tutor, officers, quick_container, clock, fake_answerer
) -> None:
    certify(quick_container, "cdcs-may-thanh-cong", "worker", 6, clock.now)
    certify(quick_container, "cdcs-thpt-le-loi", "public", 9, clock.now)  # another branch
    chat = Chat(tutor, "officer-1")
    onboard(chat)
    invite = officers.invite("cd-kcn-tan-hoa")
    assert chat.say("/canbo")[0].text == tx.CODE_MISSING
    assert chat.say("/canbo AAAA2222")[0].text == tx.CODE_BAD
    assert "Công đoàn các Khu công nghiệp Tân Hòa" in chat.say(f"/canbo {invite.code.lower()}")[0].text

    text = chat.say("/thongke")[0].text
    assert text.startswith("📊 Công đoàn các Khu công nghiệp Tân Hòa")
    assert "Công nhân lao động đạt chuẩn:" in text and "(6/6560)" in text and "mục tiêu 80%" in text
    assert "▓" in text or "░" in text
    assert "Công chức, viên chức đạt chuẩn: " + tx.NO_DATA in text  # no public staff in this branch
    assert "Đơn vị cần hỗ trợ thêm:" in text and "Lê Lợi" not in text

    assert "Giày da Phú Lộc" in chat.say("/thongke giay da phu loc")[0].text
    assert chat.say("/thongke truong le loi")[0].text == tx.UNIT_NOT_IN_SCOPE
    assert chat.say("/thongke")[0].text == text  # unchanged data, same answer

    rate = chat.say("ty le cong nhan dat chuan o cong ty may thanh cong?")[0].text
    assert "May Thành Công" in rate and "(6/1850)" in rate
    assert "Đơn vị thấp nhất" in chat.say("đơn vị nào thấp nhất?")[0].text
    assert chat.say("tỷ lệ công chức đạt chuẩn ở trường lê lợi")[0].text == tx.UNIT_NOT_IN_SCOPE
    active = chat.say("tuần này bao nhiêu người học?")[0].text
    assert "người học trong 7 ngày qua" in active
    assert chat.say("xem chỉ tiêu của đơn vị tôi")[0].text == text  # the same as /thongke
    certified = chat.say("bao nhiêu đoàn viên trong đơn vị tôi đã học xong")[0].text
    assert "6 người đạt chuẩn" in certified
    assert fake_answerer.questions == []  # none of these went to the answerer

    link = chat.say("/dangnhap")[0].text
    assert "/admin/login?token=" in link
    with quick_container.session_factory() as session:
        views = session.execute(sa.select(OfficerView.unit_id, OfficerView.what)).all()
    assert ("cd-kcn-tan-hoa", "chat:/thongke") in views
    assert ("cdcs-giay-phu-loc", "chat:/thongke") in views
    assert ("cdcs-may-thanh-cong", "chat:question:rate") in views
    assert all(unit != "cdcs-thpt-le-loi" for unit, _ in views)


def test_small_groups_show_as_fewer_than_five(tutor, officers, quick_container, clock) -> None:  # type: ignore[no-untyped-def]
    certify(quick_container, "cdcs-giay-phu-loc", "worker", 3, clock.now)
    chat = Chat(tutor, "officer-2")
    onboard(chat)
    chat.say(f"/canbo {officers.invite('cdcs-giay-phu-loc').code}")
    text = chat.say("/thongke")[0].text
    assert "Công nhân lao động đạt chuẩn: dưới 5 người/2400" in text
    assert "3/" not in text


def test_wrong_codes_lock_for_ten_minutes(tutor, officers, clock) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(tutor, "guesser")
    onboard(chat)
    for _ in range(5):
        assert chat.say("/canbo WRONG123")[0].text == tx.CODE_BAD
    good = officers.invite("cdcs-may-thanh-cong").code
    assert chat.say(f"/canbo {good}")[0].text == tx.CODE_LOCKED
    clock.advance(timedelta(minutes=11))
    assert "May Thành Công" in chat.say(f"/canbo {good}")[0].text


def test_weekly_digest_on_monday_morning_once_per_officer(tutor, officers, quick_container, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    certify(quick_container, "cdcs-may-thanh-cong", "worker", 6, clock.now)
    officer, learner = Chat(tutor, "officer-d"), Chat(tutor, "learner-d")
    onboard(officer)
    onboard(learner)
    officer.say(f"/canbo {officers.invite('cdcs-may-thanh-cong').code}")
    sunday = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)
    monday_early, monday = datetime(2026, 3, 9, 0, 30, tzinfo=UTC), datetime(2026, 3, 9, 1, 30, tzinfo=UTC)
    assert tutor.due_reminders("telegram", sunday) == []
    assert tutor.due_reminders("telegram", monday_early) == []  # 07:30 in Hà Nội: not yet
    due = tutor.due_reminders("telegram", monday)  # 08:30
    assert [target.user_id for target, _ in due] == ["officer-d"]
    text = due[0][1].text
    assert text.startswith("📬 Tin tuần – Công đoàn Công ty May Thành Công") and "(6/1850)" in text
    assert tutor.due_reminders("telegram", monday) == []  # claimed once
    assert tutor.due_reminders("zalo", monday) == []  # no Zalo identity


def test_linking_two_channels_does_not_count_the_person_twice(tutor, quick_container) -> None:  # type: ignore[no-untyped-def]
    import re

    from tutor.officer_models import StatCounter

    telegram, zalo = Chat(tutor, "link-t"), Chat(tutor, "link-z", channel="zalo")
    onboard(telegram)
    code = re.search(r"\d{6}", telegram.say("/lienket")[0].text).group(0)
    zalo.say("/start")
    zalo.press("Đồng ý")  # a second learner who consented, then joins the first
    zalo.say(f"/lienket {code}")
    with quick_container.session_factory() as session:
        kinds = {c.kind for c in session.query(StatCounter).all()}
        assert session.query(Learner).count() == 1  # the Zalo learner was merged into the first
    assert "last_active" not in kinds and "certified" not in kinds
