"""A learner's progress and the certificate: pure computation plus a phone-sized Vietnamese text.

"Đạt chuẩn kỹ năng số cơ bản" (certified) means every core skill of the learner's group (skills
taught by core-module lessons meant for that group) has mastery at or above the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tutor import texts_journey

if TYPE_CHECKING:
    from knowledge.curriculum import Curriculum

CERTIFICATE_TEXT = texts_journey.CERTIFIED
BAR_WIDTH = 5
MAX_SKILL_LINES = 8


@dataclass(frozen=True)
class SkillProgress:
    """One skill: its Vietnamese name, the learner's mastery, and whether it counts for the certificate."""

    id: str
    name: str
    module: str
    mastery: float | None  # None: never graded
    mastered: bool
    core: bool


@dataclass(frozen=True)
class ModuleProgress:
    """Lessons completed in one module (counting only lessons meant for the learner's group)."""

    id: str
    title: str
    done: int
    total: int
    core: bool

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass(frozen=True)
class ProgressSummary:
    """Everything `/tiendo` shows; `certified` when every core skill of the group is mastered."""

    modules: list[ModuleProgress]
    skills: list[SkillProgress]
    lessons_done: int
    lessons_total: int
    core_mastered: int
    core_total: int
    threshold: float
    streak_days: int
    due_reviews: int
    certified: bool
    max_skill_lines: int = field(default=MAX_SKILL_LINES, compare=False)

    @property
    def modules_done(self) -> int:
        return sum(1 for module in self.modules if module.complete)

    @property
    def core_missing(self) -> int:
        return self.core_total - self.core_mastered

    @property
    def missing(self) -> list[SkillProgress]:
        """Every core skill not mastered yet, in course order."""
        return [skill for skill in self.skills if skill.core and not skill.mastered]

    @property
    def tested_out(self) -> bool:
        """True when some skill is mastered although a lesson teaching it is not done (placement, quizzes)."""
        return self.lessons_done < self.lessons_total and any(skill.mastered for skill in self.skills)

    def missing_by_module(self) -> list[tuple[str, list[str]]]:
        """Missing core skills grouped by module title, in course order."""
        titles = {module.id: module.title for module in self.modules}
        grouped: dict[str, list[str]] = {}
        for skill in self.missing:
            grouped.setdefault(titles.get(skill.module, skill.module), []).append(skill.name)
        return list(grouped.items())

    def to_text(self, next_step: str | None = None) -> str:
        """The progress message: short Vietnamese lines with text bars, for a phone screen.

        Every missing core skill is listed (grouped by module), then `next_step` when given."""
        lines = [
            "📊 Tiến độ học tập của bạn",
            f"📚 Bài đã học: {self.lessons_done}/{self.lessons_total}"
            f" · Học phần xong: {self.modules_done}/{len(self.modules)}",
            f"🎯 Kỹ năng cốt lõi đạt chuẩn: {self.core_mastered}/{self.core_total}",
            "",
        ]
        graded = [skill for skill in self.skills if skill.mastery is not None]
        if graded:
            for skill in graded[: self.max_skill_lines]:
                tick = " ✅" if skill.mastered else ""
                lines.append(f"{bar(skill.mastery or 0.0)} {skill.name}{tick}")
            hidden = len(graded) - self.max_skill_lines
            if hidden > 0:
                lines.append(f"… và {hidden} kỹ năng khác")
        else:
            lines.append("Chưa có kết quả kỹ năng nào. Làm bài kiểm tra đầu vào (/kiemtradauvao) để bắt đầu.")
        lines.append("")
        if self.streak_days > 0:
            lines.append(f"🔥 Chuỗi ngày học: {self.streak_days} ngày")
        else:
            lines.append("🔥 Học một bài hôm nay để bắt đầu chuỗi ngày học.")
        if self.due_reviews > 0:
            lines.append(f"🔁 Câu cần ôn hôm nay: {self.due_reviews} (gõ /ontap)")
        else:
            lines.append("🔁 Hôm nay không có câu nào cần ôn.")
        if self.certified:
            lines.append(CERTIFICATE_TEXT)
            if self.lessons_done < self.lessons_total:
                lines.append(texts_journey.TESTED_OUT_CERTIFIED)
        elif self.core_total:
            lines.append(f"Còn {self.core_missing} kỹ năng cốt lõi nữa là bạn đạt chuẩn kỹ năng số cơ bản:")
            lines.extend(texts_journey.missing_skills(self.missing_by_module())[1:])  # every one, by module
            if self.tested_out:
                lines.append(texts_journey.TESTED_OUT)
        if next_step:
            lines.append(next_step)
        return "\n".join(lines)


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A text bar with the percentage: `bar(0.6)` -> "▰▰▰▱▱ 60%"."""
    fraction = min(1.0, max(0.0, fraction))
    filled = min(width, int(fraction * width + 0.5))
    return f"{'▰' * filled}{'▱' * (width - filled)} {int(fraction * 100 + 0.5)}%"


def summarize(
    curriculum: Curriculum,
    group: str,
    mastery: Mapping[str, float],
    completed: set[str],
    threshold: float,
    streak_days: int,
    due_reviews: int,
) -> ProgressSummary:
    """The learner's progress in the lessons and skills meant for `group`."""
    lessons = [lesson for lesson in curriculum.lessons.values() if lesson.for_audience(group)]
    core_skills = curriculum.core_skills(group)

    modules: list[ModuleProgress] = []
    for module in curriculum.modules.values():
        own = [lesson for lesson in lessons if lesson.module == module.id]
        if own:
            done = sum(1 for lesson in own if lesson.id in completed)
            modules.append(ModuleProgress(module.id, module.title, done, len(own), module.core))

    skill_ids: list[str] = []
    for lesson in lessons:
        for skill_id in lesson.skills:
            if skill_id not in skill_ids:
                skill_ids.append(skill_id)
    skills: list[SkillProgress] = []
    for skill_id in skill_ids:
        known = curriculum.skills.get(skill_id)
        value = mastery.get(skill_id)
        skills.append(
            SkillProgress(
                id=skill_id,
                name=known.name if known else skill_id,
                module=known.module if known else "",
                mastery=value,
                mastered=value is not None and value >= threshold,
                core=skill_id in core_skills,
            )
        )
    core_mastered = sum(1 for skill in skills if skill.core and skill.mastered)
    core_total = len(core_skills)
    return ProgressSummary(
        modules=modules,
        skills=skills,
        lessons_done=sum(1 for lesson in lessons if lesson.id in completed),
        lessons_total=len(lessons),
        core_mastered=core_mastered,
        core_total=core_total,
        threshold=threshold,
        streak_days=max(0, streak_days),
        due_reviews=max(0, due_reviews),
        certified=core_total > 0 and core_mastered >= core_total,
    )


def streak_days(active_dates: Iterable[date], today: date) -> int:
    """Consecutive days with activity, ending today (or yesterday, when today has none yet)."""
    days = set(active_dates)
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
