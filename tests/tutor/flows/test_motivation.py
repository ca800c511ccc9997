"""Motivation: the daily goal with the streak, a badge per finished module, the opt-in unit ranking."""

from __future__ import annotations

from datetime import timedelta

from tests.tutor.conversation_kit import Chat, answer_right, learner_id_of, onboard
from tutor.events import EventKind
from tutor.flows.motivation import RANKING_ASK
from tutor.store import LearnerStore


def _finish_lesson(chat: Chat, name: str) -> str:
    chat.say(f"/baihoc {name}")
    for _ in range(20):
        if "Bạn đã học xong bài" in chat.text:
            return chat.text
        chat.press("Tiếp")
    raise AssertionError(chat.text)


def test_a_lesson_ends_with_the_goal_the_streak_and_a_badge(quick_tutor) -> None:
    lan = Chat(quick_tutor, "mo-lan")
    onboard(lan, name="Lan")
    closing = _finish_lesson(lan, "chữ to dễ đọc")  # the only lesson of «Làm quen điện thoại»
    assert "🎯 Mục tiêu hôm nay: ✅ đã đạt" in closing
    assert "🔥 Chuỗi ngày học: 1 ngày" in closing
    assert "🏅 Bạn nhận huy hiệu «Làm quen điện thoại»" in closing
    assert lan.last[-1].text == RANKING_ASK  # asked once, after the first badge
    assert "Làm bài tập" in " ".join(lan.labels())  # the lesson's own buttons are kept

    lan.say("/tiendo")
    assert "🏅 Huy hiệu (1): Làm quen điện thoại" in lan.text
    assert "🏆" not in lan.text  # default no: no ranking without a yes

    closing = _finish_lesson(lan, "mật khẩu mạnh")  # a worker's only lesson of «An toàn tài khoản»
    assert "🏅 Bạn nhận huy hiệu «An toàn tài khoản»" in closing
    assert all(r.text != RANKING_ASK for r in lan.last)  # never asked twice
    closing = _finish_lesson(lan, "mật khẩu mạnh")  # again: no new badge
    assert "huy hiệu" not in closing
    lan.say("/tiendo")
    assert "🏅 Huy hiệu (2): Làm quen điện thoại, An toàn tài khoản" in lan.text


def test_the_daily_goal_counts_todays_answers_and_the_streak_grows(quick_tutor, clock) -> None:
    minh = Chat(quick_tutor, "mo-minh")
    onboard(minh, name="Minh")
    minh.say("/baitap mật khẩu mạnh")
    answer_right(minh, quick_tutor.curriculum)
    answer_right(minh, quick_tutor.curriculum)
    minh.say("/tiendo")
    assert "🎯 Mục tiêu hôm nay: 2/5 câu trả lời" in minh.text
    assert "🏅 Học xong một học phần để nhận huy hiệu đầu tiên." in minh.text
    for _ in range(3):
        if not any(r.quiz for r in minh.last):
            minh.say("/baitap mật khẩu mạnh")
        answer_right(minh, quick_tutor.curriculum)
    minh.say("/tiendo")
    assert "✅ đã đạt" in minh.text

    clock.advance(timedelta(days=1))
    minh.say("/tiendo")
    assert "0/5 câu trả lời" in minh.text and "Chuỗi ngày học: 1 ngày" in minh.text  # yesterday's streak
    minh.say("/baitap mật khẩu mạnh")
    answer_right(minh, quick_tutor.curriculum)
    minh.say("/tiendo")
    assert "1/5 câu trả lời" in minh.text and "Chuỗi ngày học: 2 ngày" in minh.text


def test_the_ranking_is_opt_in_and_names_no_learner(quick_tutor, engine, quick_container, clock) -> None:
    store = LearnerStore()
    names = {"may": ["Hoa", "Cúc", "Đào"], "giay": ["Tùng", "Bách", "Trúc"], "go": ["Mai", "Lê"]}
    units = {"may": "may thanh cong", "giay": "giay da phu loc", "go": "che bien go dong tien"}
    for key, people in names.items():
        for person in people:
            chat = Chat(quick_tutor, f"rk-{person}")
            chat.say("/start")
            chat.press("Đồng ý")
            chat.say(person)
            chat.say(units[key])
            chat.press(chat.labels()[0])
            chat.press("Công nhân")
    certified = [learner_id_of(engine, "telegram", f"rk-{p}") for p in ("Hoa", "Cúc", "Mai", "Lê")]
    with quick_container.session_factory.begin() as session:
        for learner in certified:  # 2 of 3 in May Thành Công; the small unit: all
            store.add_event(session, learner, EventKind.CERTIFIED, clock.now, channel="telegram")

    lan = Chat(quick_tutor, "rk-lan")
    onboard(lan, name="Lan")  # May Thành Công: 4 members, 2 certified
    lan.say("/xephang")
    assert lan.text == RANKING_ASK and "Không" in lan.labels()
    lan.press("Có")
    text = lan.text
    assert "1. Công đoàn Công ty May Thành Công: 50% (2/4) ⬅️ đơn vị bạn" in text
    assert "2. Công đoàn Công ty TNHH Giày da Phú Lộc: 0% (0/3)" in text
    assert "Đồng Tiến" not in text  # 2 members: too few to show without telling who
    for person in ("Lan", *[p for people in names.values() for p in people]):
        assert person not in text
    lan.say("/tiendo")
    assert "🏆 Đơn vị bạn: hạng 1/2 (50% đạt chứng nhận)" in lan.text
    lan.say("/xephang")
    lan.press("Tắt xếp hạng")
    lan.say("/tiendo")
    assert "🏆" not in lan.text
