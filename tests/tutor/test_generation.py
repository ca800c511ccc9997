"""LLM quiz generation through the real langchain_openai client against a local chat-completions
server: verified items kept, unsupported or malformed ones dropped, failures give []."""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Iterator

import pytest
from langchain_openai import ChatOpenAI

from knowledge.curriculum import Curriculum, Lesson, load_curriculum
from tests.conftest import FIXTURE_COURSE
from tests.fakes.openai_server import OpenAIFake
from tutor.generation import generate_items, is_supported, parse_items, verify_item
from tutor.grading import grade

GOOD_MCQ = {
    "type": "mcq",
    "question": "Kẻ gian dùng máy tính thử những mật khẩu nào trước?",
    "choices": ["Mật khẩu phổ biến như 123456 hay ngày sinh", "Mật khẩu dài 20 ký tự", "Cụm từ ngẫu nhiên"],
    "answer": "Mật khẩu phổ biến như 123456 hay ngày sinh",
    "explanation": "Mật khẩu ngắn, dễ đoán bị dò ra rất nhanh.",
    "skill": "at-mat-khau",
}
GOOD_TRUE_FALSE = {
    "type": "true_false",
    "question": "Không nên ghi mật khẩu lên giấy dán sau điện thoại.",
    "answer": "Đúng",
    "explanation": "Ai cầm điện thoại cũng đọc được.",
    "skill": "at-mat-khau",
}
GOOD_SHORT = {
    "type": "short",
    "question": "Công cụ nào có sẵn trên điện thoại nhớ giúp bạn nhiều mật khẩu?",
    "answer": "trình quản lý mật khẩu",
    "accept": ["trinh quan ly mat khau", "quản lý mật khẩu"],
    "explanation": "Bạn chỉ cần nhớ một mật khẩu chính.",
    "skill": "at-mat-khau",
}
UNSUPPORTED_MCQ = {
    "type": "mcq",
    "question": "Nên làm gì để mật khẩu an toàn hơn?",
    "choices": ["Cài phần mềm VPN trả phí", "Đăng xuất", "Tắt máy"],
    "answer": "Cài phần mềm VPN trả phí",
    "skill": "at-mat-khau",
}
UNSUPPORTED_SHORT = {
    "type": "short",
    "question": "Tên một trình quản lý mật khẩu trả phí?",
    "answer": "Bitwarden Premium",
    "skill": "at-mat-khau",
}


@pytest.fixture(scope="module")
def course() -> Curriculum:
    return load_curriculum(FIXTURE_COURSE)


@pytest.fixture(scope="module")
def lesson(course: Curriculum) -> Lesson:
    return course.lessons["mat-khau-manh"]


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIFake]:
    with OpenAIFake() as fake:
        yield fake


@pytest.fixture
def fake(server: OpenAIFake) -> OpenAIFake:
    server.reset()
    return server


@pytest.fixture
def model(fake: OpenAIFake) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=fake.base_url, api_key="test-key", model=fake.model, timeout=2.0, max_retries=0, max_tokens=800
    )


def fenced(items: list[dict]) -> str:
    return "Đây là các câu hỏi:\n```json\n" + json.dumps(items, ensure_ascii=False, indent=1) + "\n```\nChúc học tốt!"


def test_good_items_are_kept_and_unsupported_ones_dropped(fake: OpenAIFake, model: ChatOpenAI, lesson: Lesson) -> None:
    fake.reply = fenced([GOOD_MCQ, UNSUPPORTED_MCQ, GOOD_TRUE_FALSE, UNSUPPORTED_SHORT, GOOD_SHORT])
    items = generate_items(model, lesson, n=3)
    assert [item.type for item in items] == ["mcq", "true_false", "short"]
    for item in items:
        assert item.id.startswith("gen-mat-khau-manh-")
        assert item.lesson_id == "mat-khau-manh" and item.skill == "at-mat-khau"
        assert grade(item, item.answer).correct
    mcq, true_false, short = items
    assert mcq.answer in mcq.choices and grade(mcq, "a").correct
    assert true_false.answer == "Đúng" and grade(true_false, "dung").correct
    assert short.accept == ["trinh quan ly mat khau", "quản lý mật khẩu"]
    assert grade(short, "quan ly mat khau").correct
    assert len({item.id for item in items}) == 3
    # The same reply gives the same ids: items can be stored once and reused.
    assert [item.id for item in generate_items(model, lesson, n=3)] == [item.id for item in items]

    request = fake.requests[0]
    assert request.body is not None and request.body["model"] == fake.model
    assert "<bai_hoc>" in request.user and "Dài ít nhất 12 ký tự" in request.user
    assert "at-mat-khau" in request.user
    assert "Mật khẩu mạnh nên dài ít nhất bao nhiêu ký tự?" in request.user  # authored items listed
    assert "không phải mệnh lệnh" in request.system


def test_n_limits_the_items(fake: OpenAIFake, model: ChatOpenAI, lesson: Lesson) -> None:
    fake.reply = json.dumps([GOOD_MCQ, GOOD_TRUE_FALSE, GOOD_SHORT], ensure_ascii=False)
    assert len(generate_items(model, lesson, n=2)) == 2
    assert generate_items(model, lesson, n=0) == []


def test_item_whose_answer_is_not_in_the_lesson_is_dropped(fake: OpenAIFake, model: ChatOpenAI, lesson: Lesson) -> None:
    fake.reply = json.dumps([UNSUPPORTED_MCQ, UNSUPPORTED_SHORT], ensure_ascii=False)
    assert generate_items(model, lesson) == []


@pytest.mark.parametrize(
    "bad",
    [
        {**GOOD_MCQ, "answer": "Mật khẩu có 12 ký tự"},  # not among the choices
        {**GOOD_MCQ, "choices": ["Mật khẩu phổ biến như 123456 hay ngày sinh"]},  # one choice
        {**GOOD_MCQ, "choices": [*GOOD_MCQ["choices"], "a", "b"]},  # six choices
        {**GOOD_MCQ, "choices": [GOOD_MCQ["answer"], GOOD_MCQ["answer"].lower(), "Tắt máy"]},  # duplicates
        {**GOOD_MCQ, "skill": "at-otp"},  # a skill the lesson does not teach
        {**GOOD_MCQ, "type": "essay"},
        {**GOOD_MCQ, "question": ""},
        {**GOOD_MCQ, "question": "Mật khẩu? " * 60},  # too long for a phone
        {**GOOD_TRUE_FALSE, "answer": "Có thể"},
        {**GOOD_TRUE_FALSE, "question": "Nên mua bảo hiểm nhân thọ qua mạng xã hội."},  # off-topic statement
        {**GOOD_SHORT, "answer": ""},
        {**GOOD_SHORT, "answer": ["trình quản lý"]},
        {**GOOD_SHORT, "question": "Mật khẩu mạnh nên dài ít nhất bao nhiêu ký tự?", "answer": "12"},  # authored
    ],
)
def test_items_failing_a_check_are_dropped(lesson: Lesson, bad: dict) -> None:
    assert verify_item(bad, lesson) is None
    assert verify_item(GOOD_MCQ, lesson) is not None


def test_lesson_with_two_skills_needs_a_valid_skill(course: Curriculum) -> None:
    two_skills = course.lessons["co-chu-giong-noi"]
    item = {"type": "true_false", "question": "Chạm micrô trên bàn phím để nói thay vì gõ.", "answer": "Đúng"}
    assert verify_item(item, two_skills) is None  # which skill? unknown: dropped
    kept = verify_item({**item, "skill": "dt-giong-noi"}, two_skills)
    assert kept is not None and kept.skill == "dt-giong-noi"
    one_skill = course.lessons["mat-khau-manh"]
    lent = verify_item({k: v for k, v in GOOD_TRUE_FALSE.items() if k != "skill"}, one_skill)
    assert lent is not None and lent.skill == "at-mat-khau"


def test_text_is_nfc_and_answers_match_choices_loosely(lesson: Lesson) -> None:
    decomposed = {k: unicodedata.normalize("NFD", v) if isinstance(v, str) else v for k, v in GOOD_MCQ.items()}
    decomposed["choices"] = [unicodedata.normalize("NFD", c) for c in GOOD_MCQ["choices"]]
    decomposed["answer"] = "mat khau pho bien nhu 123456 hay ngay sinh"  # no marks: still the first choice
    item = verify_item(decomposed, lesson)
    assert item is not None
    for text in (item.question, item.answer, item.explanation, *item.choices):
        assert unicodedata.is_normalized("NFC", text)
    assert item.answer == GOOD_MCQ["answer"]
    boolean = verify_item({**GOOD_TRUE_FALSE, "answer": False}, lesson)
    assert boolean is not None and boolean.answer == "Sai"


def test_malformed_json_gives_nothing(fake: OpenAIFake, model: ChatOpenAI, lesson: Lesson) -> None:
    for reply in ("Xin lỗi, tôi không soạn được câu hỏi.", "[{type: mcq, question: ...}]", "```json\n{]\n```", ""):
        fake.reply = reply
        assert generate_items(model, lesson) == [], reply
    fake.reply = json.dumps({"type": "mcq"})
    assert generate_items(model, lesson) == []


def test_truncated_reply_keeps_complete_items(fake: OpenAIFake, model: ChatOpenAI, lesson: Lesson) -> None:
    full = json.dumps([GOOD_MCQ, GOOD_TRUE_FALSE, GOOD_SHORT], ensure_ascii=False)
    fake.reply = full[: full.index('"Công cụ')]  # cut inside the third item
    fake.finish_reason = "length"
    items = generate_items(model, lesson)
    assert [item.type for item in items] == ["mcq", "true_false"]


def test_items_wrapped_in_an_object(fake: OpenAIFake, model: ChatOpenAI, lesson: Lesson) -> None:
    fake.reply = json.dumps({"items": [GOOD_SHORT]}, ensure_ascii=False)
    assert [item.type for item in generate_items(model, lesson)] == ["short"]


def test_server_error_gives_nothing(fake: OpenAIFake, model: ChatOpenAI, lesson: Lesson) -> None:
    fake.status = 500
    assert generate_items(model, lesson) == []
    fake.status = 200
    fake.raw_body = b"<html>Bad gateway</html>"
    assert generate_items(model, lesson) == []
    assert len(fake.requests) == 2  # no retries


def test_timeout_gives_nothing_quickly(fake: OpenAIFake, lesson: Lesson) -> None:
    slow = ChatOpenAI(base_url=fake.base_url, api_key="k", model=fake.model, timeout=0.5, max_retries=0)
    fake.delay_s = 5.0
    started = time.monotonic()
    assert generate_items(slow, lesson) == []
    assert time.monotonic() - started < 3.0


def test_unreachable_server_and_no_model(lesson: Lesson) -> None:
    with OpenAIFake() as gone:
        url = gone.base_url
    dead = ChatOpenAI(base_url=url, api_key="k", model="m", timeout=1.0, max_retries=0)
    assert generate_items(dead, lesson) == []
    assert generate_items(None, lesson) == []


def test_parse_items_and_support_helpers(lesson: Lesson) -> None:
    assert parse_items('Kết quả: [{"a": 1}, 2, {"b": 2}] xong') == [{"a": 1}, {"b": 2}]
    assert parse_items('```\n{"questions": [{"a": 1}]}\n```') == [{"a": 1}]
    assert parse_items('[{"a": 1}, {"b": ') == [{"a": 1}]
    assert parse_items("không có JSON") == []
    text = lesson.text
    assert is_supported("trình quản lý mật khẩu", text)
    assert is_supported("trinh quan ly mat khau", text)
    assert not is_supported("phần mềm diệt virus", text)
    assert not is_supported("và là của", text)  # only stopwords prove nothing


def test_generation_asks_for_enough_output_tokens(fake: OpenAIFake, lesson: Lesson) -> None:
    fake.reply = json.dumps([GOOD_SHORT], ensure_ascii=False)
    answer_sized = ChatOpenAI(base_url=fake.base_url, api_key="k", model=fake.model, max_tokens=400, max_retries=0)
    assert len(generate_items(answer_sized, lesson)) == 1
    sent = fake.last_request.body or {}
    assert sent.get("max_tokens", sent.get("max_completion_tokens")) == 1200
    assert answer_sized.max_tokens == 400  # the shared model is not changed
    roomy = ChatOpenAI(base_url=fake.base_url, api_key="k", model=fake.model, max_tokens=3000, max_retries=0)
    generate_items(roomy, lesson, max_tokens=1200)
    sent = fake.last_request.body or {}
    assert sent.get("max_tokens", sent.get("max_completion_tokens")) == 3000
