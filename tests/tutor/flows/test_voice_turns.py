"""Voice notes in the tutor: the transcript is shown first, then handled exactly like typed text;
a note that could not be heard gets one short reply and stores nothing."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests.tutor.conversation_kit import Chat, events, learner_id_of, learner_rows, onboard
from tutor.messages import Inbound, Reply
from tutor.voice import as_typed

_ids = itertools.count(1)
LETTER_NAMES = ("a", "bê", "xê", "đê")


def speak(chat: Chat, transcript: str | None, problem: str | None = None, message_id: str | None = None) -> list[Reply]:
    """A voice note as a channel hands it over: kind "voice", the transcript as text."""
    inbound = Inbound(
        chat.channel,
        chat.user,
        message_id or f"v{next(_ids)}",
        text=transcript,
        kind="voice",
        voice_problem=problem,
    )
    return chat.send(inbound)


def test_as_typed_drops_sentence_punctuation_and_reads_letter_names() -> None:
    assert as_typed("Tiếp.") == "Tiếp"
    assert as_typed(" Làm bài tập! ") == "Làm bài tập"
    assert as_typed("Đáp án bê.") == "Đáp án b"
    assert as_typed("Xê") == "c"
    assert as_typed("Mật khẩu mạnh là gì?") == "Mật khẩu mạnh là gì?"  # "?" marks a question
    assert as_typed("Tôi chọn đê!") == "Tôi chọn d"
    assert as_typed("Lá cờ") == "Lá cờ" and as_typed("con dê") == "con dê"  # words, not choices


def test_what_was_heard_comes_first_then_the_command_runs(quick_tutor) -> None:
    chat = Chat(quick_tutor, "v-1")
    onboard(chat)
    replies = speak(chat, "Học tiếp.")
    assert replies[0].text == "🎤 Mình nghe: «Học tiếp.»"
    assert "📘" in chat.text
    first_section = replies[-1].text
    speak(chat, "Tiếp.")  # like the «Tiếp» button
    assert chat.last[0].text == "🎤 Mình nghe: «Tiếp.»"
    assert "📘" in chat.text and chat.last[-1].text != first_section
    speak(chat, "Làm bài tập.")
    assert "câu 1/" in chat.text


def test_a_spoken_quiz_answer_is_graded_like_a_typed_one(quick_tutor) -> None:
    chat = Chat(quick_tutor, "v-2")
    onboard(chat)
    chat.say("/hoc")
    chat.press("Làm bài tập")
    question = chat.quiz()
    assert question.choices, "the fixture course's first quiz item is multiple choice"
    speak(chat, f"Đáp án {LETTER_NAMES[question.correct_index]}.")
    assert chat.last[0].text.startswith("🎤 Mình nghe:")
    assert "Đúng rồi" in chat.text


def test_a_spoken_question_reaches_the_answerer(quick_tutor, fake_answerer) -> None:
    chat = Chat(quick_tutor, "v-3")
    onboard(chat)
    replies = speak(chat, "Mật khẩu mạnh là gì?")
    assert replies[0].text == "🎤 Mình nghe: «Mật khẩu mạnh là gì?»"
    assert replies[-1].text == fake_answerer.text
    assert fake_answerer.questions == ["Mật khẩu mạnh là gì?"]


def test_a_note_that_was_not_heard_gets_one_reply_and_stores_nothing(quick_tutor, quick_container) -> None:
    chat = Chat(quick_tutor, "v-4")
    assert [r.text for r in speak(chat, None, "too_long")] == [
        "Tin nhắn thoại dài quá 🙏 Bạn nói ngắn gọn hơn (dưới 60 giây) hoặc chia làm vài tin nhé."
    ]
    assert "chưa nghe rõ" in speak(chat, None, "silent")[0].text
    assert "không mở được" in speak(chat, "…", "not_audio")[0].text
    assert "chỉ đọc được chữ" in speak(chat, None, None)[0].text  # voice notes off
    assert learner_id_of(quick_container.engine, "telegram", "v-4") is None


def test_a_repeated_voice_note_gets_the_same_replies_once_handled(quick_tutor, quick_container) -> None:
    chat = Chat(quick_tutor, "v-5")
    onboard(chat)
    first = speak(chat, "tiến độ", message_id="same")
    events_before = len(events(quick_container.engine, learner_id_of(quick_container.engine, "telegram", "v-5")))
    again = speak(chat, "tiến độ", message_id="same")  # a platform retry: stored replies, no new turn
    assert [r.text for r in again] == [r.text for r in first]
    assert (
        len(events(quick_container.engine, learner_id_of(quick_container.engine, "telegram", "v-5"))) == events_before
    )


def test_a_transcript_is_the_learners_data_like_a_typed_message(quick_tutor, quick_container) -> None:
    chat = Chat(quick_tutor, "v-6")
    onboard(chat)
    speak(chat, "Cách nhận biết tin nhắn lừa đảo?")
    files = [r.document_path for r in chat.say("/taidulieu") if r.document_path]
    assert files and "Cách nhận biết tin nhắn lừa đảo" in Path(files[0]).read_text(encoding="utf-8")
    chat.say("/xoadulieu")
    chat.press("Xóa")
    assert learner_id_of(quick_container.engine, "telegram", "v-6") is None


def test_the_consent_notice_says_audio_is_not_kept(quick_tutor) -> None:
    chat = Chat(quick_tutor, "v-7")
    chat.say("/start")
    assert "không lưu âm thanh" in chat.text


def test_for_a_learner_a_note_not_heard_leaves_only_an_event(quick_tutor, quick_container) -> None:
    chat = Chat(quick_tutor, "v-8")
    onboard(chat)
    learner = learner_id_of(quick_container.engine, "telegram", "v-8")
    before = learner_rows(quick_container.engine, learner)
    assert "bị lỗi" in speak(chat, None, "corrupt")[0].text
    after = learner_rows(quick_container.engine, learner)
    assert {k: v for k, v in after.items() if v != before[k]} == {"tutor_events": before["tutor_events"] + 1}
    [event] = events(quick_container.engine, learner, "voice_unheard")
    assert event["data"] == {"problem": "corrupt"} and event["channel"] == "telegram"


def test_a_spoken_question_during_a_quiz_is_answered_not_graded(quick_tutor, fake_answerer) -> None:
    chat = Chat(quick_tutor, "v-9")
    onboard(chat)
    chat.say("/hoc")
    chat.press("Làm bài tập")
    speak(chat, "Vì sao không nên dùng ngày sinh làm mật khẩu?")
    assert fake_answerer.questions == ["Vì sao không nên dùng ngày sinh làm mật khẩu?"]
    assert "Đúng rồi" not in chat.text and "Chưa đúng" not in chat.text
