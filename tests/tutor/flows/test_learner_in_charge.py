"""The learner in charge (issue 10): the catalogue, topics chosen by the learner, continuation words,
text during a quiz, safety in every state, questions and goals during onboarding."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from knowledge.curriculum import Curriculum, load_curriculum
from tests.conftest import COURSE_DIR, FIXTURE_COURSE, REPO_ROOT
from tests.tutor.conversation_kit import Chat, Clock, answer_right, events, learner_id_of, onboard
from tutor import texts
from tutor.conversation import Conversation
from tutor.flows import catalogue, onboarding, quiz_text
from tutor.models import ConsentRecord
from tutor.safety import safety_steps

SCAM = "có người gọi bảo tôi đọc mã OTP, tôi vừa đọc cho họ rồi"


@pytest.fixture(scope="module")
def course() -> Curriculum:
    """The real course (12 modules), loaded once: topics are matched against it."""
    return load_curriculum(COURSE_DIR)


@pytest.fixture
def real_tutor(quick_container, course, fake_answerer) -> Iterator[Conversation]:  # type: ignore[no-untyped-def]
    from hocvuso.package_config import tutor_config
    from tutor.units import load_units

    yield Conversation(
        quick_container.session_factory,
        course,
        fake_answerer,
        load_units(REPO_ROOT / "knowledge" / "units_sample.csv"),
        tutor_config(quick_container.settings),
        clock=Clock(),
        payload_secret=b"test-secret",
    )


def _opened(chat: Chat) -> str:
    """The title of the lesson shown in the last replies."""
    for reply in chat.last:
        if reply.text.startswith("📘 ") and " · " in reply.text.splitlines()[0]:
            return reply.text.splitlines()[0][2:].split(" · ")[0]
    raise AssertionError(f"no lesson section in: {chat.text}")


def _finish_lesson(chat: Chat) -> None:
    """Go through the open lesson by typing continuation words until it is completed."""
    for word in ["tiep di", "xong chua", "hiểu rồi", "ok", "next", "Tiếp", "roi"] * 4:
        chat.say(word)
        if "Bạn đã học xong bài" in chat.text:
            return
    raise AssertionError(f"lesson not completed: {chat.text}")


# --- the catalogue --------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["/baihoc", "danh sách bài học", "danh sach bai hoc", "menu", "Danh mục", "danh muc"])
def test_catalogue_words_list_the_modules(real_tutor, course, typed) -> None:
    chat = Chat(real_tutor, f"cat-{typed}")
    onboard(chat)
    chat.say(typed)
    assert chat.last[0].text.startswith(catalogue.CATALOGUE_TITLE)
    assert "Phòng chống lừa đảo trực tuyến – 0/" in chat.text
    assert "Cán bộ công đoàn làm việc số" not in chat.text  # an officers' module, not for a worker
    assert any("Phòng chống lừa đảo" in label for label in chat.labels())


def test_catalogue_module_shows_done_in_progress_and_mastery_and_opens_lessons(
    real_tutor, course, fake_answerer
) -> None:
    chat = Chat(real_tutor, "cat-module")
    onboard(chat)
    chat.say("menu")
    chat.press("Phòng chống lừa đảo")
    lessons = course.lessons_in("lua-dao")
    assert "📂 Phòng chống lừa đảo trực tuyến" in chat.text
    assert f"⬜ 1. {lessons[0].title}" in chat.text and catalogue.LEGEND in chat.text
    chat.press(f"2. {texts.short_label(lessons[1].title, 36)[:20]}")
    assert _opened(chat) == lessons[1].title
    chat.say("/baihoc")
    assert "📖 3. Phòng chống lừa đảo trực tuyến" in chat.text  # the module in progress
    chat.press("Phòng chống lừa đảo")
    assert f"📖 2. {lessons[1].title} (đang học)" in chat.text
    chat.press(catalogue.BTN_STUDY_MODULE)  # the module's first unfinished lesson
    assert _opened(chat) == lessons[0].title
    _finish_lesson(chat)
    chat.press("Làm bài tập")
    answer_right(chat, course)  # evidence on the lesson's skill: mastery is shown from now on
    chat.say("/baihoc lừa đảo")
    assert _opened(chat) == lessons[1].title  # lesson 1 is done: the first unfinished is lesson 2
    chat.say("/baihoc")
    chat.press("Phòng chống lừa đảo")
    assert f"✅ 1. {lessons[0].title} · thành thạo" in chat.text
    assert f"📖 2. {lessons[1].title} (đang học)\n" in chat.text  # no evidence yet: no percentage
    assert fake_answerer.questions == []


# --- topics the learner chooses -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "lesson_id"),
    [
        ("toi muon hoc ve lua dao", "lua-dao-01"),
        ("Tôi muốn học cách tránh bị lừa đảo", "lua-dao-01"),
        ("hoc ve vneid", "dich-vu-cong-01"),
        ("mk mun hoc ve ngan hang so", "ngan-hang-so-01"),
        ("/hoc lua dao", "lua-dao-01"),
        ("/hoc mật khẩu", "internet-an-toan-01"),
        ("/hoc otp", "internet-an-toan-02"),
    ],
)
def test_plain_requests_open_the_topics_first_unfinished_lesson(
    real_tutor, course, fake_answerer, typed, lesson_id
) -> None:
    chat = Chat(real_tutor, f"topic-{typed}")
    onboard(chat)
    chat.say(typed)
    assert _opened(chat) == course.lessons[lesson_id].title
    assert fake_answerer.questions == []  # a request, never searched as a question


def test_the_next_hoc_continues_the_chosen_topic_not_an_older_unfinished_lesson(real_tutor, course) -> None:
    chat = Chat(real_tutor, "topic-next")
    onboard(chat)
    chat.say("/hoc")
    planned = _opened(chat)  # the planner's lesson, left unfinished
    chat.say("toi muon hoc ve lua dao")
    assert _opened(chat) == course.lessons["lua-dao-01"].title
    _finish_lesson(chat)
    chat.say("/hoc")
    assert _opened(chat) == course.lessons["lua-dao-02"].title != planned
    chat.say("Học tiếp")  # resumes the open lesson
    assert _opened(chat) == course.lessons["lua-dao-02"].title


def test_an_unknown_topic_shows_the_catalogue_and_is_not_searched(real_tutor, fake_answerer) -> None:
    chat = Chat(real_tutor, "topic-none")
    onboard(chat)
    chat.say("toi muon hoc ve nau pho")
    assert catalogue.TOPIC_NOT_FOUND in chat.text
    assert fake_answerer.questions == []


# --- continuation words ---------------------------------------------------------------------------
def test_continuation_words_go_on_and_are_never_searched(tutor, fake_answerer) -> None:
    chat = Chat(tutor, "glue-1")
    onboard(chat)
    chat.say("ok")  # idle: «Học tiếp»
    title = _opened(chat)
    assert "· 1/" in chat.text
    chat.say("tiep di")
    assert "· 2/" in chat.text
    chat.say("xong chua")
    assert "· 3/" in chat.text
    chat.say("Hiểu rồi!")
    assert _opened(chat) == title
    assert fake_answerer.questions == []


# --- text during a quiz ---------------------------------------------------------------------------
def _open_quiz(chat: Chat) -> None:
    onboard(chat)
    chat.say("/hoc")
    chat.press("Làm bài tập")
    assert "câu 1/" in chat.text


def test_a_question_in_a_quiz_is_answered_then_the_item_is_shown_again(tutor, fake_answerer) -> None:
    chat = Chat(tutor, "quiz-q")
    _open_quiz(chat)
    item = chat.quiz().item_id
    chat.say("cỡ chữ là gì vậy")  # no "?", still clearly a question
    assert fake_answerer.questions == ["cỡ chữ là gì vậy"]
    texts_in_order = [r.text for r in chat.last]
    assert texts_in_order[0] == fake_answerer.text and quiz_text.BACK_TO_QUIZ in texts_in_order
    assert chat.quiz().item_id == item and "câu 1/" in chat.text
    answer_right(chat, tutor.curriculum)
    assert "Đúng rồi" in chat.text


def test_unmarked_how_to_questions_in_a_choice_quiz_are_answered(tutor, fake_answerer) -> None:
    """Seen using `hocvuso chat`: "cach bat nfc de quet cccd" during a true/false item got only
    "Bấm «Đúng» hoặc «Sai»" — a question without "là gì"/"?" was neither an answer nor answered."""
    chat = Chat(tutor, "quiz-howto")
    _open_quiz(chat)
    for _ in range(10):  # move to an item with choices (true/false or multiple choice)
        if chat.quiz().choices:
            break
        answer_right(chat, tutor.curriculum)
    item = chat.quiz().item_id
    assert chat.quiz().choices, "the fixture quiz has an item with choices"
    for asked in ("cach bat nfc de quet cccd", "vi momo dc chuyen toi da bao nhieu 1 thang"):
        chat.say(asked)
        assert fake_answerer.questions[-1] == asked
        assert quiz_text.BACK_TO_QUIZ in chat.text and chat.quiz().item_id == item
    chat.say("gia vang hom nay")  # not a question, not an answer: the item again with the hint
    assert fake_answerer.questions[-1] != "gia vang hom nay" and chat.quiz().item_id == item


def test_skip_and_unreadable_text_in_a_quiz(tutor, quick_container, fake_answerer) -> None:
    chat = Chat(tutor, "quiz-skip")
    _open_quiz(chat)
    first = chat.quiz().item_id
    chat.say("ok")  # not an answer: the item again, nothing graded
    assert quiz_text.ANSWER_OR_SKIP in chat.text and chat.quiz().item_id == first
    chat.say("bo qua")
    assert texts.SKIPPED in chat.text and "câu 2/" in chat.text
    assert "Chưa đúng" not in chat.text and "❌" not in chat.text  # QA finding 13: a skip is not a wrong answer
    learner = learner_id_of(quick_container.engine, "telegram", "quiz-skip")
    answered = events(quick_container.engine, learner, "quiz_answered")
    assert [(e["item_id"], e["data"]["correct"]) for e in answered] == [(first, False)]
    assert fake_answerer.questions == []


def test_typed_answers_of_any_length_are_graded(tutor, quick_container, fake_answerer) -> None:
    chat = Chat(tutor, "quiz-long")
    _open_quiz(chat)
    for _ in range(8):
        if not chat.quiz().choices:
            break
        answer_right(chat, tutor.curriculum)
    question = chat.quiz()
    assert not question.choices, "the fixture lesson has a short item"
    chat.say("em nghĩ là phải vào phần cài đặt rồi chọn màn hình và cỡ chữ cho to lên")
    learner = learner_id_of(quick_container.engine, "telegram", "quiz-long")
    graded = [e["item_id"] for e in events(quick_container.engine, learner, "quiz_answered")]
    assert graded[-1] == question.item_id
    assert "Đúng rồi" in chat.text or "Chưa đúng" in chat.text
    assert fake_answerer.questions == []


# --- safety first in every state ------------------------------------------------------------------
def test_a_scam_in_a_quiz_gets_the_steps_then_the_item(tutor) -> None:
    chat = Chat(tutor, "safe-quiz")
    _open_quiz(chat)
    item = chat.quiz().item_id
    chat.say(SCAM)
    assert chat.last[0].text == safety_steps()
    assert chat.quiz().item_id == item


def test_a_scam_before_consent_gets_the_steps_and_nothing_is_stored(tutor, engine) -> None:
    chat = Chat(tutor, "safe-new")
    chat.say("toi vua bi lua chuyen khoan 5 trieu cho nguoi la phai lam sao")
    assert chat.last[0].text == safety_steps() and "Đồng ý" in chat.labels()
    learner = learner_id_of(engine, "telegram", "safe-new")
    assert events(engine, learner) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ConsentRecord)).scalar_one() == 0
        states = conn.execute(sa.text("SELECT data FROM tutor_states")).all()
    assert "chuyen" not in repr(states) and "chuyển" not in repr(states)


@pytest.mark.parametrize("before", ["/hoc", "/xoadulieu", "/start"])
def test_a_scam_in_a_lesson_idle_or_a_pending_confirmation_gets_the_steps_first(tutor, before) -> None:
    chat = Chat(tutor, f"safe-{before}")
    onboard(chat)
    chat.say(before)
    chat.say(SCAM)
    assert chat.last[0].text.startswith(safety_steps())


# --- onboarding: questions, names, goals ----------------------------------------------------------
def test_a_question_during_onboarding_is_answered_and_the_step_asked_again(tutor, fake_answerer, engine) -> None:
    chat = Chat(tutor, "onb-q", channel="web")
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say("lam sao dat mat khau manh")
    assert fake_answerer.questions == ["lam sao dat mat khau manh"]
    assert chat.last[0].text == fake_answerer.text and chat.last[-1].text == texts.ASK_NAME
    chat.say("tiep")  # not a name either: the step again
    assert chat.last[-1].text == texts.ASK_NAME
    chat.say("tôi là Nguyễn Văn Lâm")
    assert texts.ASK_UNIT in chat.text
    chat.say("bảo hiểm xã hội là gì?")
    assert fake_answerer.questions[-1] == "bảo hiểm xã hội là gì?" and texts.ASK_UNIT in chat.last[-1].text
    chat.say("may thanh cong")
    chat.press("May Thành Công")
    chat.press("Công nhân")
    assert "Chào Nguyễn Văn Lâm" in chat.text


@pytest.mark.parametrize("text", ["lam sao dat mat khau manh", "toi muon hoc", "mật khẩu của tôi có mạnh không"])
def test_sentences_are_not_names(tutor, text) -> None:
    chat = Chat(tutor, f"onb-name-{text}")
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say(text)
    assert texts.ASK_NAME in chat.text and texts.ASK_UNIT not in chat.text


def test_a_goal_before_consent_is_kept_in_memory_and_opened_after_the_profile(real_tutor, course, engine) -> None:
    chat = Chat(real_tutor, "onb-goal")
    chat.say("toi muon hoc cach tranh bi lua dao")
    title = course.modules["lua-dao"].title
    assert onboarding.GOAL_LATER.format(title=title) in chat.text
    with engine.connect() as conn:  # nothing of it in the database before consent
        assert "lua dao" not in repr(conn.execute(sa.text("SELECT data FROM tutor_states")).all())
    chat.press("Đồng ý")
    assert onboarding.GOAL_NOTED.format(title=title) in chat.text
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    chat.press("Công nhân")
    assert "Hồ sơ đã xong" in chat.text
    assert _opened(chat) == course.lessons["lua-dao-01"].title


def test_a_question_before_consent_is_answered_right_after_agreeing(tutor, fake_answerer) -> None:
    chat = Chat(tutor, "onb-preq")
    chat.say("lam sao biet mat khau minh manh hay yeu")
    assert onboarding.ASKED_LATER in chat.text and fake_answerer.questions == []
    chat.press("Đồng ý")
    assert fake_answerer.questions == ["lam sao biet mat khau minh manh hay yeu"]
    assert [r.text for r in chat.last][-1] == texts.ASK_NAME


def test_the_memo_expires_and_is_bounded() -> None:
    from datetime import UTC, datetime, timedelta

    from tutor.memo import PreConsentMemo, Remembered

    now = datetime(2026, 3, 2, tzinfo=UTC)
    memo = PreConsentMemo(ttl=timedelta(minutes=5), limit=2)
    memo.keep("web", "a", Remembered("question", "a?", now))
    memo.keep("web", "b", Remembered("question", "b?", now))
    memo.keep("web", "c", Remembered("question", "c?", now))
    assert memo.take("web", "a", now) is None  # the oldest went past the limit
    assert memo.take("web", "b", now + timedelta(minutes=6)) is None  # expired
    found = memo.take("web", "c", now)
    assert found is not None and found.text == "c?"
    assert memo.take("web", "c", now) is None  # taken once


def test_fixture_course_still_loads() -> None:
    assert load_curriculum(FIXTURE_COURSE).lessons


def test_dataclass_outcome_after_is_independent() -> None:
    from tutor.flows.base import Outcome

    first, second = Outcome(), Outcome()
    first.after.append(texts)  # type: ignore[arg-type]
    assert second.after == [] and dataclasses.fields(Outcome)


@pytest.mark.parametrize("text", ["cảm ơn", "cam on ban", "chào bạn", "hihi", "thôi", "bỏ qua"])
def test_small_talk_is_never_searched(tutor, fake_answerer, text) -> None:
    chat = Chat(tutor, f"talk-{text}")
    onboard(chat)
    chat.say(text)
    assert fake_answerer.questions == [] and "Học tiếp" in chat.text


def test_hoi_during_the_profile_is_answered_then_the_step_again(tutor, fake_answerer) -> None:
    chat = Chat(tutor, "onb-hoi")
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say("/hoi mật khẩu mạnh là gì")
    assert fake_answerer.questions == ["mật khẩu mạnh là gì"]
    assert chat.last[-1].text == texts.ASK_NAME and texts.PROFILE_FIRST not in chat.text


def test_the_issues_scam_during_the_profile_gets_the_steps_then_the_step_again(tutor, engine) -> None:
    chat = Chat(tutor, "safe-profile", channel="web")
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say("toi vua chuyen tien cho nguoi la phai lam sao")
    assert chat.last[0].text == safety_steps() and chat.last[-1].text == texts.ASK_NAME
    assert texts.PROFILE_FIRST not in chat.text


def test_an_off_topic_question_offers_the_catalogue(tutor) -> None:
    chat = Chat(tutor, "scope-menu")
    onboard(chat)
    chat.say("giá vàng hôm nay bao nhiêu?")
    chat.press("Danh mục")
    assert chat.last[0].text.startswith(catalogue.CATALOGUE_TITLE)


def test_a_finished_topic_shows_its_lessons_and_a_named_lesson_opens_again(tutor) -> None:
    chat = Chat(tutor, "topic-done")
    onboard(chat)  # a worker: «An toàn tài khoản» has one lesson for them
    chat.say("/hoc an toàn tài khoản")
    _finish_lesson(chat)
    chat.say("/hoc an toàn tài khoản")
    assert catalogue.TOPIC_DONE.format(title="An toàn tài khoản").split("«")[0] in chat.text
    assert "✅ 1. Đặt mật khẩu mạnh" in chat.text
    chat.say("/baihoc đặt mật khẩu mạnh")  # the lesson named by its title opens again
    assert _opened(chat) == "Đặt mật khẩu mạnh"


def test_ok_to_the_platform_name_takes_it(tutor) -> None:
    chat = Chat(tutor, "onb-ok")
    chat.say("/start", display_name="Trần Thị Bí")
    chat.payload(chat.button("Đồng ý").payload, display_name="Trần Thị Bí")
    assert "Gọi tôi là Trần Thị Bí" in chat.labels()
    chat.say("ok")
    assert texts.ASK_UNIT in chat.text
    chat.press("Bỏ qua")
    chat.press("Công nhân")
    assert "Chào Trần Thị Bí" in chat.text


def test_deleting_before_consent_forgets_the_kept_question(tutor, fake_answerer) -> None:
    chat = Chat(tutor, "onb-forget")
    chat.say("lam sao biet mat khau minh manh hay yeu")
    chat.say("/xoadulieu")
    chat.say("/start")
    chat.press("Đồng ý")
    assert fake_answerer.questions == [] and texts.ASK_NAME in chat.text
