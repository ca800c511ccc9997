"""QA findings on the journey in the tutor (fix round): /tiendo and /hoc agree, no hard wraps,
compact missing skills, the group step, the consent line, skips, and commands during onboarding."""

from __future__ import annotations

from tests.tutor.conversation_kit import Chat, onboard


def test_tiendo_next_step_is_the_lesson_in_progress(quick_tutor) -> None:
    """QA finding 25a: the next step /tiendo names is the lesson /hoc resumes."""
    chat = Chat(quick_tutor, "fx-25a")
    onboard(chat)
    chat.press("Bỏ qua")
    chat.say("/hoc mat khau")  # not the planner's first lesson
    title = quick_tutor.curriculum.lessons["mat-khau-manh"].title
    assert title in chat.text
    chat.say("/tiendo")
    assert f"«{title}»" in chat.text, chat.text
    chat.say("/hoc")
    assert title in chat.text
