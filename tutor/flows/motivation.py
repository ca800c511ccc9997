"""Motivation in the conversation: the daily goal and streak, module badges, and /xephang.

The daily goal and streak are shown in /tiendo and in the message that closes a lesson; finishing
a module's last lesson gives its badge. The ranking of grassroots units is only for learners who
allow it: asked once (when the first badge is earned, or on /xephang), «no» until they say yes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC
from typing import ClassVar

from knowledge.curriculum import Lesson
from tutor.flows.base import FlowContext, Outcome, Turn, group_of, say
from tutor.messages import Reply
from tutor.motivation import DailyGoal, badges, daily_goal, own_rank_line, ranking_text, unit_ranking
from tutor.payloads import Payload
from tutor.progress import ProgressSummary, streak_days
from tutor.registry import ButtonAction, Command, Registry

RANKING_KEY = "ranking"  # in ConversationState.data: "yes" | "no" (asked, declined or not answered)
RANKING_ASK = (
    "🏆 Bạn có muốn xem bảng xếp hạng các công đoàn cơ sở theo tỷ lệ người học đạt chứng nhận không?"
    " Bảng chỉ có tên đơn vị, không có tên ai."
)
RANKING_OFF = "Đã tắt bảng xếp hạng. Muốn xem lại, gõ /xephang."
BTN_RANKING_YES = "Có, cho tôi xem"
BTN_RANKING_NO = "Không"


@dataclass(frozen=True)
class RankingChoice(Payload):
    """The answer to «xem bảng xếp hạng?»: 1 yes, 0 no."""

    code: ClassVar[str] = "rk"
    yes: int


def goal_today(ctx: FlowContext, t: Turn) -> DailyGoal:
    """Today's (local day) answers and finished lessons against the daily goal."""
    local = t.now.astimezone(ctx.tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return daily_goal(t.session, t.learner.id, start, ctx.end_of_day(t.now), ctx.config.daily_goal_answers)


def progress_lines(ctx: FlowContext, t: Turn, summary: ProgressSummary) -> list[str]:
    """The lines /tiendo adds: today's goal, the badges, and the unit's rank (when allowed)."""
    lines = [goal_today(ctx, t).line()]
    earned = badges(summary)
    if earned:
        lines.append(f"🏅 Huy hiệu ({len(earned)}): " + ", ".join(earned))
    else:
        lines.append("🏅 Học xong một học phần để nhận huy hiệu đầu tiên.")
    if t.state.data.get(RANKING_KEY) == "yes":
        line = own_rank_line(unit_ranking(t.session, ctx.units), t.learner.unit_id)
        if line:
            lines.append(line)
    return lines


def _ranking_question(ctx: FlowContext, t: Turn) -> Reply:
    lid = t.learner.id
    buttons = ((ctx.button(lid, BTN_RANKING_YES, RankingChoice(1)), ctx.button(lid, BTN_RANKING_NO, RankingChoice(0))),)
    return Reply(RANKING_ASK, buttons=buttons)


def _module_finished(ctx: FlowContext, t: Turn, lesson: Lesson) -> bool:
    group = group_of(t.learner)
    own = [other.id for other in ctx.curriculum.lessons.values() if other.module == lesson.module]
    own = [lid for lid in own if ctx.curriculum.lessons[lid].for_audience(group)] or own
    done = ctx.store.completed_lessons(t.session, t.learner.id)
    return all(lid in done for lid in own)


def after_lesson(ctx: FlowContext, t: Turn, lesson: Lesson, newly_done: bool, done: Reply) -> list[Reply]:
    """The lesson's closing message with today's goal and the streak (and a new badge); the ranking
    question follows the first badge, once."""
    t.session.flush()  # the lesson_completed event counts towards today's goal
    today = t.now.astimezone(ctx.tz).date()
    streak = streak_days(ctx.store.active_dates(t.session, t.learner.id, ctx.tz), today)
    lines = [done.text, "", goal_today(ctx, t).line(), f"🔥 Chuỗi ngày học: {max(streak, 1)} ngày"]
    badge = newly_done and _module_finished(ctx, t, lesson)
    module = ctx.curriculum.modules.get(lesson.module)
    if badge and module is not None:
        lines.append(f"🏅 Bạn nhận huy hiệu «{module.title}»: đã học xong cả học phần!")
    replies = [replace(done, text="\n".join(lines))]
    if badge and RANKING_KEY not in t.state.data:
        t.state.data = {**t.state.data, RANKING_KEY: "no"}  # asked once; «no» until they say yes
        replies.append(_ranking_question(ctx, t))
    return replies


def ranking_command(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    """/xephang: the ranking for learners who allow it; otherwise ask (default no)."""
    if t.state.data.get(RANKING_KEY) != "yes":
        t.state.data = {**t.state.data, RANKING_KEY: "no"}
        return say(_ranking_question(ctx, t))
    return _show_ranking(ctx, t)


def _show_ranking(ctx: FlowContext, t: Turn) -> Outcome:
    text = ranking_text(unit_ranking(t.session, ctx.units), t.learner.unit_id)
    off = ((ctx.button(t.learner.id, "Tắt xếp hạng", RankingChoice(0)),),)
    return say(Reply(text, buttons=off))


def _ranking_choice(ctx: FlowContext, t: Turn, payload: RankingChoice) -> Outcome:
    if payload.yes:
        t.state.data = {**t.state.data, RANKING_KEY: "yes"}
        return _show_ranking(ctx, t)
    t.state.data = {**t.state.data, RANKING_KEY: "no"}
    return say(RANKING_OFF)


def register(registry: Registry) -> None:
    """Declare /xephang and its yes/no buttons."""
    registry.command(
        Command("xephang", "xếp hạng công đoàn cơ sở (không có tên ai)", ranking_command, aliases=("ranking", "bxh"))
    )
    registry.button(ButtonAction(RankingChoice, _ranking_choice))
