"""Motivation: the daily goal, module badges and the ranking of grassroots units (issue 10).

- Daily goal: answer `goal` questions (quiz, review or placement) or finish one lesson in a local day.
- Badge: one per module whose lessons (those meant for the learner's group) are all finished.
- Ranking: grassroots units by the share of their members (consenting, active learners) who are
  certified. No learner is ever named; a unit with fewer than `min_members` learners is left out,
  since its share would tell who is certified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutor.events import EventKind
from tutor.models import Event, Learner
from tutor.progress import ProgressSummary
from tutor.units import UnitRegistry

MIN_UNIT_MEMBERS = 3
RANKING_LENGTH = 10


@dataclass(frozen=True)
class DailyGoal:
    """Today's activity against the goal."""

    answers: int
    lessons: int
    goal: int

    @property
    def met(self) -> bool:
        return self.lessons > 0 or self.answers >= self.goal

    def line(self) -> str:
        """One phone-sized line: "🎯 Mục tiêu hôm nay: 3/5 câu hoặc 1 bài" or "… ✅ đã đạt"."""
        if self.met:
            return "🎯 Mục tiêu hôm nay: ✅ đã đạt. Giỏi lắm!"
        return f"🎯 Mục tiêu hôm nay: {self.answers}/{self.goal} câu trả lời (hoặc học xong 1 bài)"


@dataclass(frozen=True)
class UnitRank:
    """A grassroots unit's place: members counted, members certified, and the share."""

    unit_id: str
    name: str
    members: int
    certified: int

    @property
    def share(self) -> float:
        return self.certified / self.members if self.members else 0.0


def daily_goal(session: Session, learner_id: int, start: datetime, end: datetime, goal: int) -> DailyGoal:
    """The learner's answers and finished lessons between `start` and `end` (a local day, in UTC)."""
    rows = session.execute(
        select(Event.kind, func.count())
        .where(
            Event.learner_id == learner_id,
            Event.at >= start,
            Event.at <= end,
            Event.kind.in_((EventKind.QUIZ_ANSWERED.value, EventKind.LESSON_COMPLETED.value)),
        )
        .group_by(Event.kind)
    ).all()
    counts = {str(kind): int(n) for kind, n in rows}
    return DailyGoal(
        answers=counts.get(EventKind.QUIZ_ANSWERED.value, 0),
        lessons=counts.get(EventKind.LESSON_COMPLETED.value, 0),
        goal=max(1, goal),
    )


def badges(summary: ProgressSummary) -> list[str]:
    """Titles of the modules the learner finished (one badge each), in course order."""
    return [module.title for module in summary.modules if module.complete]


def unit_ranking(session: Session, units: UnitRegistry, min_members: int = MIN_UNIT_MEMBERS) -> list[UnitRank]:
    """Grassroots units by share of members certified (then by members); small units left out."""
    members = dict(
        session.execute(
            select(Learner.unit_id, func.count())
            .where(Learner.unit_id.is_not(None), Learner.active.is_(True), Learner.consent_state == "given")
            .group_by(Learner.unit_id)
        ).all()
    )
    certified_ids = select(Event.learner_id).where(Event.kind == EventKind.CERTIFIED.value).distinct()
    certified = dict(
        session.execute(
            select(Learner.unit_id, func.count())
            .where(
                Learner.unit_id.is_not(None),
                Learner.active.is_(True),
                Learner.consent_state == "given",
                Learner.id.in_(certified_ids),
            )
            .group_by(Learner.unit_id)
        ).all()
    )
    ranks = []
    for unit_id, count in members.items():
        unit = units.get(unit_id)
        if unit is None or unit.level != "grassroots" or count < min_members:
            continue
        ranks.append(UnitRank(unit.id, unit.name, int(count), int(certified.get(unit_id, 0))))
    return sorted(ranks, key=lambda r: (-r.share, -r.members, r.name))


def ranking_text(ranks: list[UnitRank], own_unit: str | None, length: int = RANKING_LENGTH) -> str:
    """The ranking message: the top units and, when outside them, the learner's own unit."""
    if not ranks:
        return (
            "🏆 Chưa đủ số liệu để xếp hạng: mỗi công đoàn cơ sở cần ít nhất"
            f" {MIN_UNIT_MEMBERS} người học. Rủ đồng nghiệp cùng học nhé!"
        )
    lines = ["🏆 Xếp hạng công đoàn cơ sở theo tỷ lệ người học đạt chứng nhận (không có tên ai):"]
    for place, rank in enumerate(ranks, start=1):
        mine = rank.unit_id == own_unit
        if place <= length or mine:
            marker = " ⬅️ đơn vị bạn" if mine else ""
            lines.append(f"{place}. {rank.name}: {round(rank.share * 100)}% ({rank.certified}/{rank.members}){marker}")
    return "\n".join(lines)


def own_rank_line(ranks: list[UnitRank], own_unit: str | None) -> str | None:
    """ "🏆 Đơn vị bạn: hạng 2/7 (40% đạt chứng nhận)", or None when the unit is not ranked."""
    for place, rank in enumerate(ranks, start=1):
        if rank.unit_id == own_unit:
            return f"🏆 Đơn vị bạn: hạng {place}/{len(ranks)} ({round(rank.share * 100)}% đạt chứng nhận) · /xephang"
    return None
