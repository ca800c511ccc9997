"""The learner repository on a real database: dedup, link codes, export, delete, due cards, streak dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from knowledge.db import transaction
from tests.tutor.conversation_kit import learner_rows
from tutor.certificates import issue as issue_certificate
from tutor.models import ProcessedMessage
from tutor.officer_models import OFFICER_TABLES, Officer, OfficerDigest, OfficerInvite, OfficerToken, OfficerView
from tutor.store import LearnerStore, aware
from tutor.store_rights import gone_id

NOW = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 23:30 in Hà Nội
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_claim_message_once_per_channel(container) -> None:  # type: ignore[no-untyped-def]
    store = LearnerStore()
    with transaction(container.session_factory) as s:
        assert store.claim_message(s, "telegram", "1", NOW)
        assert not store.claim_message(s, "telegram", "1", NOW)
        assert store.claim_message(s, "zalo", "1", NOW)
    with transaction(container.session_factory) as s:
        assert not store.claim_message(s, "telegram", "1", NOW)


def test_link_codes_are_single_use_and_expire(container) -> None:  # type: ignore[no-untyped-def]
    store = LearnerStore()
    with transaction(container.session_factory) as s:
        learner, _, _ = store.create_learner(s, "telegram", "u1", NOW)
        code = store.new_link_code(s, learner.id, NOW, timedelta(minutes=10))
        assert len(code) == 6 and code.isdigit()
        again = store.new_link_code(s, learner.id, NOW, timedelta(minutes=10))  # replaces the first
        assert store.take_link_code(s, code, NOW) is None or code == again
        assert store.take_link_code(s, again, NOW + timedelta(minutes=5)) == learner.id
        assert store.take_link_code(s, again, NOW + timedelta(minutes=5)) is None
        late = store.new_link_code(s, learner.id, NOW, timedelta(minutes=10))
        assert store.take_link_code(s, late, NOW + timedelta(minutes=11)) is None


def test_export_and_delete_cover_every_table(container) -> None:  # type: ignore[no-untyped-def]
    store = LearnerStore()
    with transaction(container.session_factory) as s:
        learner, _, _ = store.create_learner(s, "telegram", "u2", NOW)
        keep, other = learner.id, store.create_learner(s, "telegram", "u3", NOW)[0].id
        store.claim_message(s, "telegram", "m1", NOW)
        store.attach_message(s, "telegram", "m1", keep)
        store.add_consent(s, keep, "1", "h" * 64, NOW)
        store.add_event(s, keep, "quiz_answered", NOW, item_id="q1", data={"correct": True})
        store.set_mastery(s, keep, "at-mat-khau", 0.5, NOW)
        store.save_card(s, keep, "q1", {"state": 1}, NOW, True, NOW)
        store.start_lesson(s, keep, "mat-khau-manh", NOW)
        store.new_link_code(s, keep, NOW, timedelta(minutes=10))
        learner.consent_state, learner.reminder_time = "given", "19:00"
        assert store.claim_reminder(s, keep, NOW.date(), "telegram", NOW) is not None
        issue_certificate(s, keep, "Lan", "CĐCS May", "worker", NOW)
        store.add_event(s, other, "consent_given", NOW)
        add_officer_rows(s, keep)
    with transaction(container.session_factory) as s:
        exported = store.export(s, keep)
    assert exported["learner"]["id"] == keep
    for table, rows in exported.items():
        if table != "learner":
            assert rows, f"{table} missing from the export"
    assert learner_rows(container.engine, keep)["tutor_events"] == 1

    with transaction(container.session_factory) as s:
        store.delete_learner(s, keep, keep_message=("telegram", "m1"))
    assert set(learner_rows(container.engine, keep).values()) == {0}
    assert learner_rows(container.engine, other)["tutor_events"] == 1
    with container.engine.connect() as conn:  # the officer account's rows went with it
        for table in OFFICER_TABLES:
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0, table
    with container.engine.connect() as conn:  # the message stays deduplicated: hashed, without a learner
        ids = {r.message_id: r.learner_id for r in conn.execute(sa.select(ProcessedMessage))}
    assert "m1" not in ids and ids[gone_id("telegram", "m1")] is None


def add_officer_rows(session: Session, learner_id: int) -> None:
    """An officer account for the learner, with a used invite, a session, a logged view and a digest."""
    officer = Officer(learner_id=learner_id, unit_id="cdcs-may-thanh-cong", created_at=NOW)
    session.add(officer)
    session.flush()
    later = NOW + timedelta(hours=1)
    session.add_all(
        [
            OfficerInvite(code="ABCD1234", unit_id=officer.unit_id, created_at=NOW, expires_at=later, used_at=NOW,
                          officer_id=officer.id),
            OfficerToken(token_hash="f" * 64, kind="session", unit_id=officer.unit_id, officer_id=officer.id,
                         label=f"officer {officer.id}", created_at=NOW, expires_at=later),
            OfficerView(at=NOW, who=f"officer {officer.id}", officer_id=officer.id, unit_id=officer.unit_id,
                        what="chat:/thongke"),
            OfficerDigest(officer_id=officer.id, week=NOW.date(), channel="telegram", sent_at=NOW),
        ]
    )  # fmt: skip


def test_due_cards_and_active_dates_use_utc_storage_and_local_days(container) -> None:  # type: ignore[no-untyped-def]
    store = LearnerStore()
    with transaction(container.session_factory) as s:
        learner = store.create_learner(s, "telegram", "u4", NOW)[0]
        store.save_card(s, learner.id, "due-now", {}, NOW - timedelta(minutes=1), False, NOW)
        store.save_card(s, learner.id, "due-later", {}, NOW + timedelta(days=2), True, NOW)
        store.add_event(s, learner.id, "lesson_started", NOW)  # 23:30 local on Mar 2
        store.add_event(s, learner.id, "lesson_started", NOW + timedelta(hours=1))  # 00:30 local on Mar 3
    with transaction(container.session_factory) as s:
        due = store.due_cards(s, learner.id, NOW)
        dates = store.active_dates(s, learner.id, HANOI)
    assert [c.item_id for c in due] == ["due-now"] and due[0].due.tzinfo is not None
    assert [d.isoformat() for d in dates] == ["2026-03-02", "2026-03-03"]
    assert aware(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
