"""Quick-tier conversations through the real tutor core with a fake answerer (no embedding model)."""

from __future__ import annotations

from tests.tutor.conversation_kit import Chat, answer_right, events, learner_id_of, onboard
from tutor import texts
from tutor.messages import APOLOGY


def test_onboarding_then_labels_run_their_commands(quick_tutor, quick_container) -> None:
    chat = Chat(quick_tutor, "q-1")
    onboard(chat)
    chat.say("Học tiếp")
    assert "📘" in chat.text and "Tiếp" in " ".join(chat.labels())
    chat.say("hoc tiep")  # folded label: the lesson resumes
    assert texts.lesson_resume("").split("«")[0] in chat.text
    chat.say("Tiến độ")
    assert "Học bài" in " ".join(chat.labels())
    chat.say("Danh mục")
    assert "📚 Danh mục bài học" in chat.text


def test_free_text_is_a_question_answered_by_the_answerer(quick_tutor, quick_container, fake_answerer) -> None:
    chat = Chat(quick_tutor, "q-2")
    onboard(chat)
    replies = chat.say("mật khẩu mạnh là gì?")
    assert replies[-1].text == fake_answerer.text
    assert fake_answerer.questions == ["mật khẩu mạnh là gì?"]
    assert {"👍", "👎"} <= set(chat.labels())
    chat.press("👍")
    assert chat.text == texts.FEEDBACK_THANKS_UP
    learner = learner_id_of(quick_container.engine, "telegram", "q-2")
    assert [e["kind"] for e in events(quick_container.engine, learner, "feedback")] == ["feedback"]


def test_quiz_from_a_lesson_button(quick_tutor) -> None:
    from knowledge.curriculum import load_curriculum
    from tests.conftest import FIXTURE_COURSE

    chat = Chat(quick_tutor, "q-3")
    onboard(chat)
    chat.say("/hoc")
    chat.press("Làm bài tập")
    assert "câu 1/" in chat.text
    answer_right(chat, load_curriculum(FIXTURE_COURSE))
    assert "Đúng rồi" in chat.text


def test_trogiup_before_and_after_consent(quick_tutor) -> None:
    chat = Chat(quick_tutor, "q-4")
    chat.say("/trogiup")
    assert chat.last[0].text == quick_tutor.help_text() and "Đồng ý" in chat.labels()
    onboard(chat)
    assert chat.say("tro giup")[0].text == quick_tutor.help_text()
    assert chat.say("/xyz")[0].text == texts.unknown_command("/xyz")


def test_a_failing_answerer_gives_the_one_apology(quick_tutor) -> None:
    class Broken:
        def answer(self, question, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    chat = Chat(quick_tutor, "q-5")
    onboard(chat)
    quick_tutor._answerer = Broken()
    assert [r.text for r in chat.say("một câu hỏi")] == [APOLOGY]
