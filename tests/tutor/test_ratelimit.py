"""The per-learner token bucket: onboarding plus placement at tapping speed passes, a flood is told
once, a button press is never dropped silently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.tutor.conversation_kit import Chat, Clock, build_tutor
from tutor.models import ConversationState
from tutor.ratelimit import take_token

NOTICE = "Bạn gửi nhanh quá"


def test_bucket_refills_and_says_when_to_continue() -> None:
    state = ConversationState(learner_id=1, data={})
    now = datetime(2026, 3, 2, tzinfo=UTC)
    assert all(take_token(state, now, 6, 30, button=False).allowed for _ in range(6))
    verdict = take_token(state, now, 6, 30, button=False)
    assert not verdict.allowed and verdict.notice and "2 giây" in verdict.notice
    assert take_token(state, now, 6, 30, button=False).notice is None  # told once
    # Button presses borrow up to a third of the bucket (2 here), then each gets the notice.
    assert take_token(state, now, 6, 30, button=True).allowed
    assert take_token(state, now, 6, 30, button=True).allowed
    pressed = take_token(state, now, 6, 30, button=True)
    assert not pressed.allowed and pressed.notice and "6 giây" in pressed.notice
    later = now + timedelta(seconds=6)  # the debt (2 tokens) and one more refilled
    assert take_token(state, later, 6, 30, button=False).allowed
    assert not take_token(state, later, 6, 30, button=False).allowed


def test_onboarding_and_placement_at_tapping_speed_pass(quick_container) -> None:
    clock = Clock(step=timedelta(milliseconds=250))  # several readings per turn: about a tap a second
    tutor = build_tutor(quick_container, clock)
    chat = Chat(tutor, "rl-tapper")
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say("Lan")
    chat.say("may thanh cong")
    chat.press("May Thành Công")
    chat.press("Công nhân")
    chat.press("kiểm tra đầu vào")
    for _ in range(24):  # more taps than the placement has items: every one is answered
        if not any(r.quiz for r in chat.last):
            break
        question = chat.quiz()
        if question.choices:
            chat.payload(question.choice_payloads[0])
        else:
            chat.say("không biết")
        assert NOTICE not in chat.text
    # The real course's onboarding plus placement is 21–27 messages: 30 in a row still pass.
    for _ in range(30 - 7 - placement_items(tutor)):
        assert NOTICE not in chat.say("/tiendo")[0].text


def placement_items(tutor) -> int:  # type: ignore[no-untyped-def]
    return len(tutor.curriculum.placement)


def test_a_flood_is_told_once_and_buttons_are_never_silent(quick_container) -> None:
    clock = Clock(step=timedelta(milliseconds=10))
    tutor = build_tutor(quick_container, clock, rate_limit_burst=6, rate_limit_per_minute=30)
    chat, calm = Chat(tutor, "rl-flood"), Chat(tutor, "rl-calm")
    chat.say("/start")  # 1 token
    consent = chat.button("Đồng ý").payload
    for _ in range(5):
        assert NOTICE not in chat.say("/trogiup")[0].text
    told = chat.say("/trogiup")
    assert len(told) == 1 and told[0].text.startswith(NOTICE)
    assert chat.say("/trogiup") == []  # a flood of text gets no more replies
    assert "Cảm ơn" in chat.payload(consent)[0].text  # a tap still goes through (borrowed)
    chat.payload(consent)  # the second borrowed token
    for _ in range(2):
        pressed = chat.payload(consent)
        assert len(pressed) == 1 and pressed[0].text.startswith(NOTICE)  # never silent
    assert calm.say("/trogiup")  # other learners are not slowed down
    clock.advance(timedelta(seconds=8))
    assert chat.say("/trogiup")[0].text == tutor.help_text()
