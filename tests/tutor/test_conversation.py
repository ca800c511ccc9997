"""Scripted end-to-end conversations through the real tutor core: real database (SQLite and,
when configured, PostgreSQL), the fixture course, and a fake answerer (questions answered from the
lessons are in test_conversation_retrieval.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from knowledge.textnorm import fold
from tests.tutor.conversation_kit import (
    Chat,
    answer_right,
    answer_wrong,
    events,
    learner_id_of,
    learner_rows,
    onboard,
)
from tutor import texts
from tutor.conversation import LETTERS
from tutor.flows import onboarding
from tutor.messages import Reply
from tutor.models import ConsentRecord, Learner, Mastery
from tutor.progress import CERTIFICATE_TEXT
from tutor.store import LearnerStore


class SpyAnswerer:
    """Wraps the real answerer and records the questions it was given."""

    def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
        self.real = real
        self.questions: list[str] = []

    def answer(self, question, **kwargs):  # type: ignore[no-untyped-def]
        self.questions.append(question)
        return self.real.answer(question, **kwargs)


def test_consent_comes_first_and_nothing_personal_is_kept_before_it(tutor, engine) -> None:
    spy = SpyAnswerer(tutor._answerer)
    tutor._answerer = spy
    chat = Chat(tutor, "tg-100")
    replies = chat.say("/start", display_name="Trần Thị Bí")
    notice = chat.text
    assert texts.GREETING.splitlines()[0] in notice
    for must in ("/taidulieu", "/xoadulieu", "730 ngày", "Mục đích"):  # no LLM here: no "AI service" line (QA 26)
        assert must in notice
    assert chat.labels() == ["Đồng ý"]
    assert len(replies) == 2

    # A question before consent is neither answered nor stored (kept in memory until «Đồng ý»);
    # "ok" is not consent.
    chat.say("mật khẩu mạnh là gì?", display_name="Trần Thị Bí")
    assert onboarding.ASKED_LATER in chat.text and chat.labels() == ["Đồng ý"]
    chat.say("ok")
    assert texts.CONSENT_NEEDED in chat.text
    assert spy.questions == []
    learner_id = learner_id_of(engine, "telegram", "tg-100")
    with engine.connect() as conn:
        row = conn.execute(sa.select(Learner.__table__).where(Learner.id == learner_id)).one()
        assert row.display_name is None and row.unit_id is None and row.group is None
        assert row.consent_state == "pending"
        assert conn.execute(sa.select(sa.func.count()).select_from(ConsentRecord)).scalar_one() == 0
    assert events(engine, learner_id) == []
    with engine.connect() as conn:  # the platform's name is nowhere in the database yet
        for table in ("tutor_learners", "tutor_states", "tutor_events", "tutor_channel_identities"):
            rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
            assert "Bí" not in repr(rows), table

    chat.payload(chat.button("Đồng ý").payload, display_name="Trần Thị Bí")
    assert texts.ASK_NAME in chat.text
    assert spy.questions == ["mật khẩu mạnh là gì?"]  # answered right after consent, then the name
    assert chat.text.index(texts.CONSENT_THANKS) < chat.text.index(texts.ASK_NAME)
    chat.press("Gọi tôi là Trần Thị Bí")
    assert texts.ASK_UNIT in chat.text
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(Learner.display_name).where(Learner.id == learner_id)).scalar_one() == "Trần Thị Bí"
        )
    with engine.connect() as conn:
        consent = conn.execute(sa.select(ConsentRecord.__table__)).one()
    assert consent.learner_id == learner_id
    assert consent.version == texts.CONSENT_VERSION
    assert consent.text_hash == texts.consent_hash(730)
    assert [e["kind"] for e in events(engine, learner_id)] == ["consent_given", "question_asked"]


def test_typed_dong_y_counts_as_explicit_consent(tutor, engine) -> None:
    chat = Chat(tutor, "tg-101")
    chat.say("xin chào")
    chat.say("Dong y")
    assert texts.ASK_NAME in chat.text


def test_full_journey_onboarding_placement_lesson_quiz_review_progress_export_delete(
    tutor, engine, clock, quick_container
) -> None:
    curriculum = tutor.curriculum
    other = Chat(tutor, "tg-other")
    onboard(other, name="Hùng")
    chat = Chat(tutor, "tg-200")

    # --- onboarding: name, unit typed without tone marks, group
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say("Lan")
    chat.say("giay phu loc")
    assert "Phú Lộc" in chat.labels()[0]
    chat.press("Phú Lộc")
    chat.say("3")  # group by its number
    assert "Chào Lan" in chat.text and "Hồ sơ đã xong" in chat.text
    learner_id = learner_id_of(engine, "telegram", "tg-200")
    with engine.connect() as conn:
        row = conn.execute(sa.select(Learner.__table__).where(Learner.id == learner_id)).one()
    assert (row.display_name, row.unit_id, row.group) == ("Lan", "cdcs-giay-phu-loc", "worker")

    chat.say("/tiendo")  # nothing learned yet: no certificate
    assert CERTIFICATE_TEXT not in chat.text and "Còn" in chat.text

    # --- placement (adaptive): the first module's item wrong, the second module's two items right
    chat.say("/kiemtradauvao")
    assert "câu 1 (tối đa 4)" in chat.text
    answer_wrong(chat, curriculum)
    assert "❌" in chat.text
    while "🏁" not in chat.text:
        answer_right(chat, curriculum)
    assert "đúng 2/3" in chat.text
    assert "An toàn tài khoản: đã vững" in chat.text and "Làm quen điện thoại: cần học" in chat.text
    with engine.connect() as conn:
        placed = dict(conn.execute(sa.select(Mastery.skill, Mastery.p).where(Mastery.learner_id == learner_id)).all())
    assert placed["at-mat-khau"] >= 0.9 and placed["dt-co-chu"] < 0.5
    assert all(0.0 < p <= 1.0 for p in placed.values())

    # --- a lesson, section by section, resumable
    chat.say("hoc")  # typed without slash and tone marks
    assert "📘 Bài:" in chat.text
    title = chat.text.split("📘 Bài: ", 1)[1].split(" (~", 1)[0]
    lesson = next(lesson for lesson in curriculum.lessons.values() if lesson.title == title)
    n = len(lesson.sections)
    assert f"1/{n}" in chat.text and chat.labels()[:3] == [texts.BTN_NEXT, texts.BTN_ASK, texts.BTN_QUIZ]
    chat.press("Tiếp")
    assert f"2/{n}" in chat.text
    chat.say("tien do")  # leave the lesson for a moment…
    assert "Tiến độ" in chat.text or "📊" in chat.text
    chat.say("/hoc")  # …and come back where we stopped
    assert f"2/{n}" in chat.text and "tiếp tục" in chat.text
    for _ in range(n - 1):
        chat.press("Tiếp")
    assert texts.lesson_done(lesson.title) in chat.text
    kinds = [e["kind"] for e in events(engine, learner_id)]
    assert kinds.count("lesson_started") == 1 and kinds.count("lesson_completed") == 1
    assert kinds.count("section_viewed") >= n

    # --- quiz: right (button), wrong (button), not understood, short answer without tone marks
    chat.press("Làm bài tập")
    first = chat.quiz()
    assert first.item_id == lesson.quiz[0].id and first.choice_payloads
    old_payload = first.choice_payloads[first.correct_index]
    answer_right(chat, curriculum)
    assert "✅ Đúng rồi!" in chat.text and "📖 Xem lại:" in chat.text
    open_question = chat.last
    assert chat.payload(old_payload) and texts.QUIZ_CLOSED in chat.text  # answered already
    chat.last = open_question
    answer_wrong(chat, curriculum)
    assert "❌ Chưa đúng. Đáp án:" in chat.text
    missed_item = events(engine, learner_id, "quiz_answered")[-1]["item_id"]
    typed_without_marks = 0
    while "🏁" not in chat.text:
        item = curriculum.item(chat.quiz().item_id)
        if item.type == "mcq":
            chat.say("E")  # not a choice: asked again, not marked wrong
            assert texts.QUIZ_ANSWER_AGAIN in chat.text
            chat.last = open_question = [r for r in chat.last] or open_question
            chat.say(LETTERS[item.choices.index(item.answer)].lower())
        elif item.type == "short":
            chat.say(fold(item.answer))  # typed without tone marks
            typed_without_marks += 1
        else:
            answer_right(chat, curriculum)
        assert "✅ Đúng rồi!" in chat.text, chat.text
    assert typed_without_marks >= 1
    answered = events(engine, learner_id, "quiz_answered")
    assert all("response_s" in e["data"] and "correct" in e["data"] for e in answered)
    assert "🏁 Xong! Bạn đúng" in chat.text

    # --- review: the missed item is due today
    chat.say("/ontap")
    assert "Ôn tập" in chat.text
    review_ids = []
    while "🏁" not in chat.text:
        review_ids.append(chat.quiz().item_id)
        answer_right(chat, curriculum)
    assert missed_item in review_ids

    # --- progress and the certificate once every core skill is mastered
    chat.say("/tiendo")
    assert "▰" in chat.text and "Chuỗi ngày học: 1 ngày" in chat.text
    store = LearnerStore()
    with quick_container.session_factory.begin() as session:
        for skill in curriculum.core_skills("worker"):
            store.set_mastery(session, learner_id, skill, 0.95, clock.now)
    chat.say("/progress")
    assert CERTIFICATE_TEXT in chat.text and "đạt chuẩn kỹ năng số cơ bản" in chat.text
    assert len(events(engine, learner_id, "certified")) == 1

    # --- export: everything about Lan, nothing about Hùng
    chat.say("/taidulieu")
    assert len(chat.last) == 1 and chat.last[0].document_path and "Bài học" in chat.text  # a summary + one file
    exported = json.loads(Path(chat.last[0].document_path).read_text(encoding="utf-8"))
    assert exported["hồ sơ"]["tên"] == "Lan"
    assert {"nhật ký học tập", "kỹ năng", "lịch ôn tập", "bài học", "đồng ý điều khoản", "kênh trò chuyện"} <= set(
        exported
    )
    assert any(e["việc"] == "trả lời câu hỏi" for e in exported["nhật ký học tập"])
    dumped = json.dumps(exported, ensure_ascii=False)
    assert "Hùng" not in dumped and '"stability"' not in dumped and "card_id" not in dumped

    # --- delete, with confirmation; every row of Lan is gone, Hùng is untouched
    other_id = learner_id_of(engine, "telegram", "tg-other")
    other_before = learner_rows(engine, other_id)
    chat.say("/xoadulieu")
    assert texts.DELETE_CONFIRM in chat.text
    chat.press("Xóa hết")
    assert texts.DELETE_DONE in chat.text
    assert set(learner_rows(engine, learner_id).values()) == {0}
    assert learner_id_of(engine, "telegram", "tg-200") is None
    assert learner_rows(engine, other_id) == other_before
    assert len(events(engine, None, "data_deleted")) == 1

    # Coming back starts over with the consent notice.
    chat.say("/start")
    assert "Đồng ý" in chat.labels()


def test_delete_can_be_cancelled(tutor, engine) -> None:
    chat = Chat(tutor, "tg-300")
    onboard(chat)
    chat.say("/delete")
    chat.press("Hủy")
    assert texts.DELETE_CANCELLED in chat.text
    learner_id = learner_id_of(engine, "telegram", "tg-300")
    assert learner_rows(engine, learner_id)["tutor_learners"] == 1


def _due_at_night(tutor, day: int, channel: str = "telegram") -> list[tuple[str, str, Reply]]:
    """Reminders due at 23:50 in Hà Nội, `day` days after the test clock's day (each day claimed once)."""
    at = datetime(2026, 3, 2, 16, 50, tzinfo=UTC) + timedelta(days=day)
    return [(target.user_id, target.time_hhmm, reply) for target, reply in tutor.due_reminders(channel, at)]


def test_reminders(tutor, clock) -> None:
    chat = Chat(tutor, "tg-500")
    onboard(chat)
    chat.say("/nhacnho 25:00")
    assert texts.REMIND_USAGE in chat.text
    chat.say("nhac nho 7h30")  # a bare "7h30": sáng hay tối?
    assert _due_at_night(tutor, 0) == []
    chat.press("07:30 sáng")
    assert "07:30" in chat.text
    due = _due_at_night(tutor, 1)
    assert [(user, hhmm) for user, hhmm, _ in due] == [("tg-500", "07:30")]
    assert _due_at_night(tutor, 1, "zalo") == []
    reminder = due[0][2]
    assert "Đến giờ học" in reminder.text and reminder.buttons

    tutor.set_active("telegram", "tg-500", False)
    assert _due_at_night(tutor, 2) == []
    chat.say("/tatnhacnho")  # writing again reactivates; the reminder is now off
    assert texts.REMIND_OFF in chat.text
    assert _due_at_night(tutor, 3) == []
    chat.say("/remind 19:00")
    assert [hhmm for _, hhmm, _ in _due_at_night(tutor, 4)] == ["19:00"]


def test_reminder_counts_due_reviews(tutor, clock) -> None:
    chat = Chat(tutor, "tg-501")
    onboard(chat)
    chat.say("/nhacnho 20:00")
    chat.say("/hoc")
    chat.press("Làm bài tập")
    answer_wrong(chat, tutor.curriculum)
    clock.advance(timedelta(hours=1))
    due = _due_at_night(tutor, 0)
    assert len(due) == 1 and "1 câu cần ôn" in due[0][2].text


def test_linking_two_channels_to_one_learner(tutor, engine, clock) -> None:
    telegram = Chat(tutor, "tg-600", "telegram")
    onboard(telegram, name="Mai")
    telegram.say("/lienket")
    code = next(word for word in telegram.text.split() if word.isdigit() and len(word) == 6)

    zalo = Chat(tutor, "zl-600", "zalo")
    zalo.say("xin chào")  # first contact on Zalo: consent notice
    assert "Đồng ý" in zalo.labels()
    zalo.say("/lienket 000000" if code != "000000" else "/lienket 111111")
    assert texts.LINK_BAD in zalo.text
    zalo.say(f"/lienket {code}")
    assert texts.LINK_DONE in zalo.text
    assert learner_id_of(engine, "zalo", "zl-600") == learner_id_of(engine, "telegram", "tg-600")
    zalo.say("/taidulieu")
    assert '"tên": "Mai"' in Path(zalo.last[0].document_path or "").read_text(encoding="utf-8")
    zalo.say(f"/lienket {code}")  # used up
    assert texts.LINK_BAD in zalo.text or texts.LINK_SAME in zalo.text

    # Expired codes do not link; too many wrong codes lock linking for a while.
    telegram.say("/lienket")
    late = next(word for word in telegram.text.split() if word.isdigit() and len(word) == 6)
    clock.advance(timedelta(minutes=11))
    web = Chat(tutor, "web-600", "web")
    web.say("/lienket " + late)
    assert texts.LINK_BAD in web.text
    for guess in ("123456", "234567", "345678", "456789"):
        web.say("/lienket " + guess)
    web.say("/lienket 567890")
    assert texts.LINK_LOCKED in web.text


def test_purge_inactive_learners_after_retention(tutor, engine, clock) -> None:
    chat = Chat(tutor, "tg-700")
    onboard(chat)
    learner_id = learner_id_of(engine, "telegram", "tg-700")
    assert tutor.purge_inactive() == 0
    clock.advance(timedelta(days=731))
    assert tutor.purge_inactive() == 1
    assert set(learner_rows(engine, learner_id).values()) == {0}


def test_typed_tiep_advances_and_the_certificate_is_announced_after_a_quiz(
    tutor, engine, clock, quick_container
) -> None:
    curriculum = tutor.curriculum
    chat = Chat(tutor, "tg-800")
    onboard(chat)
    chat.say("/hoc chữ to giọng nói")
    assert "1/" in chat.text
    chat.say("Tiếp")  # typed instead of tapped
    assert "2/" in chat.text
    learner_id = learner_id_of(engine, "telegram", "tg-800")
    core = curriculum.core_skills("worker")
    with quick_container.session_factory.begin() as session:
        for skill in core:
            LearnerStore().set_mastery(session, learner_id, skill, 0.7 if skill == "dt-co-chu" else 0.95, clock.now)
    chat.say("làm bài tập")
    assert chat.quiz()
    while "🏁" not in chat.text:
        assert CERTIFICATE_TEXT not in chat.text
        answer_right(chat, curriculum)
    assert CERTIFICATE_TEXT in chat.text
    assert any(r.image_path and r.image_path.endswith(".png") for r in chat.last)
    assert any(r.document_path and r.document_path.endswith(".pdf") for r in chat.last)
    assert len(events(engine, learner_id, "certified")) == 1
    chat.say("/tiendo")  # shown in the progress, not counted twice
    assert CERTIFICATE_TEXT in chat.text
    assert len(events(engine, learner_id, "certified")) == 1


def test_a_scam_in_progress_gets_safety_steps_even_before_consent(tutor, engine) -> None:
    from tutor.safety import safety_steps

    spy = SpyAnswerer(tutor._answerer)
    tutor._answerer = spy
    chat = Chat(tutor, "tg-scam")
    chat.say("co nguoi goi bao toi chuyen tien gap de khoi bi bat", display_name="Nguyễn Văn A")
    assert chat.last[0].text == safety_steps()
    assert chat.labels() == ["Đồng ý"]  # consent is asked again afterwards
    assert spy.questions == []  # nothing went to the answerer (or an LLM)
    learner_id = learner_id_of(engine, "telegram", "tg-scam")
    assert events(engine, learner_id) == []

    # During onboarding, the same message is not taken as the learner's name.
    chat.press("Đồng ý")
    assert texts.ASK_NAME in chat.text
    chat.say("có người đang bảo tôi đọc mã OTP")
    assert chat.last[0].text == safety_steps() and texts.ASK_NAME in chat.text
    with engine.connect() as conn:
        assert conn.execute(sa.select(Learner.display_name).where(Learner.id == learner_id)).scalar_one() is None


def test_lesson_text_reaches_the_chat_without_markdown_marks() -> None:
    assert texts.plain_markdown("Mở **Cài đặt** rồi chọn `Wi-Fi`.\n- Bước 1\n* Bước 2") == (
        "Mở Cài đặt rồi chọn Wi-Fi.\n• Bước 1\n• Bước 2"
    )
    assert texts.plain_markdown("2 * 3 = 6 và a*b") == "2 * 3 = 6 và a*b"  # not emphasis


def test_long_lesson_titles_are_shortened_at_a_word_boundary() -> None:
    title = "Cuộc gọi và tin nhắn giả danh công an, ngân hàng, điện lực"
    assert texts.short_label(title, 40) == "Cuộc gọi và tin nhắn giả danh công an…"
    assert texts.short_label("Mật khẩu mạnh", 40) == "Mật khẩu mạnh"
