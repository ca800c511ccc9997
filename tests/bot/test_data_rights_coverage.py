"""Data rights cover every table (issue 14, item 8): every table is either deleted and exported
with the learner or declared free of personal data; a Zalo follower's `/xoadulieu` leaves no row
anywhere, their export shows the channel rows; learner ids are never reused (SQLite too)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from bot.models import INBOX_FAILED
from bot.personal_data import TABLES as CHANNEL_TABLES
from hocvuso.container import Container
from hocvuso.migrate import load_models
from tests.bot.telegram_helpers import serve_app
from tests.bot.zalo_helpers import follow_event, signed, text_event, zalo_settings
from tests.conftest import make_settings
from tests.fakes.zalo_api import FakeZaloApi
from tutor.messages import Inbound
from tutor.models import LEARNER_TABLES
from tutor.officer_models import OFFICER_TABLES

USER = "7712345678901234567"
LEARNER_OWNED = {"tutor_learners"} | {table.__tablename__ for table in LEARNER_TABLES + OFFICER_TABLES}
# Tables that hold nothing about a person (reviewed one by one; a new table must be added here
# or to a personal-data list, or this test fails).
NOT_PERSONAL = {
    "kb_chunks": "lesson text",
    "kb_documents": "lesson files",
    "kb_ingest_runs": "ingestion runs",
    "tutor_units": "the union's organization registry",
    "tutor_generated_items": "quiz items written from lessons",
    "tutor_learner_ids": "empty: draws learner ids",
    "zalo_tokens": "the OA's own token pair",
    "tutor_content_gaps": "unanswered questions with no learner id (numbers and e-mails masked)",
    "tutor_stat_counters": "anonymous counts per unit, group and week (no learner id)",
    "webchat_address_minutes": "new web learners per keyed hash of an address and minute, kept 3 minutes",
    "tutor_stat_quiz": "quiz answers counted per unit, item and day (no learner id)",
    "tutor_stat_quiz_totals": "quiz answers counted per item and day over every unit (no learner id)",
    "tutor_stat_modules": "lesson progress counted per unit and module (no learner id)",
    "tutor_stat_skills": "mastery summed per unit and skill (no learner id)",
    "tutor_stat_lessons": "the course outline (lesson -> module), no person",
    "tutor_stat_gaps": "unanswered questions counted per unit, day and text (no learner id; a deleted "
    "learner's days are recounted without them)",
}


def test_every_table_is_covered_by_deletion_and_export_or_declared_impersonal() -> None:
    tables = set(load_models().tables)
    covered = LEARNER_OWNED | set(CHANNEL_TABLES) | set(NOT_PERSONAL)
    assert tables - covered == set(), "a table nobody deletes: add it to a personal-data list"
    assert covered - tables == set(), "a listed table does not exist"
    assert not (LEARNER_OWNED | set(CHANNEL_TABLES)) & set(NOT_PERSONAL)


def _rows_mentioning(engine: sa.Engine, needle: str) -> dict[str, int]:
    """Rows of every table whose text (any column) contains `needle`."""
    found: dict[str, int] = {}
    metadata = load_models()
    present = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table in [t for t in metadata.sorted_tables if t.name in present]:
            for row in conn.execute(sa.select(table)):
                if any(needle in str(value) for value in row):
                    found[table.name] = found.get(table.name, 0) + 1
    return found


async def test_zalo_xoadulieu_leaves_no_row_anywhere(data_dir: Path, database_url: str, fake_zalo: FakeZaloApi) -> None:
    container = Container(make_settings(data_dir, database_url, zalo=zalo_settings(fake_zalo)))
    channel = container.zalo_channel
    inbox = container.channel_inbox
    try:
        async with serve_app(container.web_app) as base_url, httpx.AsyncClient(base_url=base_url) as client:

            async def send(event: dict) -> None:  # type: ignore[type-arg]
                body, headers = signed(event)
                assert (await client.post("/zalo/webhook", content=body, headers=headers)).status_code == 200
                await channel.idle()

            await send(follow_event(USER))
            await send(text_event(USER, "Đồng ý"))
            await send(text_event(USER, "Hoa Trần"))
            # A failed update still holds the follower's words (kept for the operator until purged).
            failed = text_event(USER, "tin nhắn lỗi", msg_id="failed-1")
            assert inbox.record("zalo", "failed-1", failed)
            inbox.mark_failed("zalo", "failed-1", "TimeoutError")

            files_before = set(fake_zalo.files)
            await send(text_event(USER, "/taidulieu"))
            (token,) = set(fake_zalo.files) - files_before  # the export arrives as one JSON file
            exported = json.dumps(json.loads(fake_zalo.files[token][1]), ensure_ascii=False)
            assert USER in exported and '"tài khoản Zalo"' in exported
            assert '"external_id": "failed-1"' in exported and "tin nhắn lỗi" in exported

            before = _rows_mentioning(container.engine, USER)
            assert {"zalo_users", "tutor_channel_identities"} <= set(before)
            await send(text_event(USER, "/xoadulieu"))
            await send(text_event(USER, "có"))
            assert "đã xóa" in fake_zalo.messages(USER)[-1].text.lower()
        inbox_engine = container.__dict__.get("_inbox_engine")  # its own SQLite file, when SQLite
        for engine in (container.engine, inbox_engine) if inbox_engine is not None else (container.engine,):
            assert _rows_mentioning(engine, USER) == {}
            assert _rows_mentioning(engine, "Hoa Trần") == {}
        assert inbox.rows_of_user("zalo", USER) == []
        assert inbox.counts("zalo").get(INBOX_FAILED, 0) == 0
    finally:
        container.close()


def test_learner_ids_are_never_reused(data_dir: Path, database_url: str) -> None:
    container = Container(make_settings(data_dir, database_url))
    tutor = container.conversation
    try:
        ids = []
        for n in range(3):
            user = f"reuse-{n}"
            tutor.handle(Inbound("web", user, f"{user}:1", text="/start"))
            with container.engine.connect() as conn:
                ids.append(
                    conn.execute(
                        sa.text("SELECT learner_id FROM tutor_channel_identities WHERE channel_user_id = :u"),
                        {"u": user},
                    ).scalar_one()
                )
            replies = tutor.handle(Inbound("web", user, f"{user}:2", text="/xoadulieu"))
            assert replies and "xóa" in replies[0].text.lower()
        assert ids == sorted(set(ids)), ids  # each new learner got a fresh id
        with container.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM tutor_learners")).scalar_one() == 0
        assert datetime.now(UTC)
    finally:
        container.close()
