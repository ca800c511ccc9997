"""Conversation glue: "tiếp", "tiep di", "ok", "xong chưa", "hiểu rồi", "rồi", "next" go on.

In a lesson they show the next section; when nothing is open they mean «Học tiếp». They are never
searched as a question. (In a quiz the quiz's own text step reads them; during the profile steps
onboarding asks its question again.) Small talk ("cảm ơn em nhiều", "chào buổi sáng", "em ơi", "hay quá",
"ngu thế", "bạn là ai", a lone "2" with no quiz open) gets a short calm line and the way on, never an
extract from a lesson and never "not found".
"""

from __future__ import annotations

from tutor.flows.base import PROFILE_MODES, QUIZ_MODES, FlowContext, Outcome, Turn, say
from tutor.flows.lessons import learn, next_section
from tutor.intents import is_continuation, is_skip, small_talk
from tutor.payloads import NextSection, lesson_hash
from tutor.registry import Registry, TextStep


def go_on(ctx: FlowContext, t: Turn) -> Outcome | None:
    """A continuation word: the lesson's next section, or «Học tiếp» when no lesson is open."""
    if t.state.mode in QUIZ_MODES or t.state.mode in PROFILE_MODES or not is_continuation(t.text):
        return None
    if t.state.mode == "lesson" and t.state.lesson_id in ctx.curriculum.lessons:
        return next_section(ctx, t, NextSection(lesson_hash(t.state.lesson_id), t.state.section))
    return learn(ctx, t)


SMALL_TALK = {
    "thanks": "Không có gì ạ 😊 Bạn cứ hỏi thêm, hoặc bấm «Học tiếp» để học bài tiếp theo.",
    "hello": "Chào bạn 👋 Bạn gõ câu hỏi, hoặc bấm «Học tiếp» để học, «Danh mục» để chọn bài.",
    "laugh": "😄 Khi nào sẵn sàng, bạn bấm «Học tiếp» hoặc gõ câu hỏi nhé.",
    "no": "Vâng ạ. Khi nào cần, bạn gõ câu hỏi hoặc bấm «Học tiếp» nhé.",
    "praise": "Cảm ơn bạn 😊 Mình học tiếp nhé: bấm «Học tiếp», hoặc gõ câu hỏi.",
    "insult": (
        "Xin lỗi nếu mình trả lời chưa đúng ý 🙏 Bạn gõ lại câu hỏi ngắn hơn, "
        "hoặc bấm 👎 dưới câu trả lời để mình làm tốt hơn."
    ),
    "who": (
        "Mình là trợ lý học kỹ năng số của phong trào «Bình dân học vụ số» do Công đoàn tổ chức 🤖\n"
        "Mình giúp bạn dùng điện thoại, Zalo, VNeID, chuyển khoản, mua sắm online, tránh lừa đảo, dùng AI: "
        "bài học ngắn, câu hỏi, bài tập.\n"
        "Gõ /baihoc để xem các bài học, hoặc cứ hỏi mình."
    ),
    "number": "Chưa có câu hỏi nào đang chờ bạn trả lời 🙂 Bấm «Học tiếp» để học, gõ /baitap để làm bài tập.",
}


def chat(ctx: FlowContext, t: Turn) -> Outcome | None:
    """Small talk outside a quiz: a friendly line, not a search (in a quiz "không" may be an answer)."""
    if t.state.mode in QUIZ_MODES or t.state.mode in PROFILE_MODES:
        return None
    kind = small_talk(t.text) or ("no" if is_skip(t.text) else None)  # "bỏ qua" with nothing open
    return say(SMALL_TALK[kind]) if kind else None


def register(registry: Registry) -> None:
    """Declare the continuation step (before topic requests, quiz answers and questions) and small talk."""
    registry.text(TextStep("continue", 15, go_on))
    registry.text(TextStep("small-talk", 90, chat))
