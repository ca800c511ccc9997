"""Activity figures of a set of units: per module (learners started, lessons completed, average
mastery), the weekly trend of active learners, the questions that found no answer, and the quiz
items most often missed. Fixed queries, a bounded number per call (one per module or week at most).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session

from knowledge.textnorm import fold
from tutor.models import Event, Learner, LessonProgress, Mastery
from tutor.officer_models import StatCounter, StatGap, StatModule, StatQuiz, StatQuizTotal, StatSkill
from tutor.stats.aggregates import QUESTION_ASKED, QUIZ_ANSWERED, day_of, missed_sql, unanswered_sql
from tutor.stats.counters import ACTIVE_WEEK, DEFAULT_TZ, week_of
from tutor.stats.gap_counts import question_sql, question_text
from tutor.stats.rebuild import outline_of, stored_outline


@dataclass(frozen=True)
class ModuleFigures:
    module: str
    started: int
    completed: int
    mastery: float | None


@dataclass(frozen=True)
class Gap:
    question: str
    count: int
    last_asked: datetime


def module_figures(
    session: Session,
    codes: set[str],
    lessons_by_module: dict[str, list[str]],
    skills_by_module: dict[str, list[str]],
) -> list[ModuleFigures]:
    """Per module, for learners of `codes`: who started a lesson, lessons completed, average mastery.

    Read from the aggregate tables (a few rows per unit); from the learners' own rows when the
    course outline they were counted with is not this one (`tutor.stats.rebuild.sync_lessons`)."""
    if stored_outline(session) != outline_of(lessons_by_module):
        return _module_figures_raw(session, codes, lessons_by_module, skills_by_module)
    progress = {
        module: (int(started or 0), int(completed or 0))
        for module, started, completed in session.execute(
            select(StatModule.module, func.sum(StatModule.started), func.sum(StatModule.completed))
            .where(StatModule.unit_id.in_(codes))
            .group_by(StatModule.module)
        )
    }
    mastery: dict[str, float] = {}
    for skill, learners, p_sum in session.execute(
        select(StatSkill.skill, func.sum(StatSkill.learners), func.sum(StatSkill.p_sum))
        .where(StatSkill.unit_id.in_(codes))
        .group_by(StatSkill.skill)
    ):
        if learners:
            mastery[skill] = float(p_sum) / int(learners)
    return _figures(lessons_by_module, skills_by_module, progress, mastery)


def _figures(
    lessons_by_module: dict[str, list[str]],
    skills_by_module: dict[str, list[str]],
    progress: dict[str, tuple[int, int]],
    mastery: dict[str, float],
) -> list[ModuleFigures]:
    out = []
    for module in lessons_by_module:
        started, completed = progress.get(module, (0, 0))
        values = [float(mastery[s]) for s in skills_by_module.get(module, []) if s in mastery]
        out.append(ModuleFigures(module, started, completed, sum(values) / len(values) if values else None))
    return out


def _module_figures_raw(
    session: Session,
    codes: set[str],
    lessons_by_module: dict[str, list[str]],
    skills_by_module: dict[str, list[str]],
) -> list[ModuleFigures]:
    """`module_figures` from the learners' lesson progress and mastery rows (the reference)."""
    in_scope = select(Learner.id).where(Learner.unit_id.in_(codes)).scalar_subquery()
    mastery: dict[str, float] = dict(
        session.execute(
            select(Mastery.skill, func.avg(Mastery.p)).where(Mastery.learner_id.in_(in_scope)).group_by(Mastery.skill)
        ).all()
    )
    module_of = case(
        *((LessonProgress.lesson_id.in_(lessons), module) for module, lessons in lessons_by_module.items() if lessons),
        else_="",
    )
    all_lessons = [lesson for lessons in lessons_by_module.values() for lesson in lessons]
    progress = {
        module: (int(started), int(completed))
        for module, started, completed in session.execute(
            select(
                module_of,
                func.count(distinct(LessonProgress.learner_id)),
                func.count().filter(LessonProgress.status == "completed"),
            )
            .where(LessonProgress.lesson_id.in_(all_lessons), LessonProgress.learner_id.in_(in_scope))
            .group_by(module_of)
        )
    } if all_lessons else {}  # fmt: skip
    return _figures(lessons_by_module, skills_by_module, progress, mastery)


def weekly_active(
    session: Session, codes: set[str], now: datetime, weeks: int = 8, tz: ZoneInfo = DEFAULT_TZ
) -> list[tuple[date, int]]:
    """Learners active in each of the last `weeks` local weeks (oldest first), from the anonymous
    weekly counters (deleted learners included; one query whatever the size of the event log)."""
    this_week = week_of(now, tz)
    starts = [this_week - timedelta(weeks=i) for i in reversed(range(weeks))]
    counts = dict(
        session.execute(
            select(StatCounter.week, func.sum(StatCounter.count))
            .where(StatCounter.kind == ACTIVE_WEEK, StatCounter.unit_id.in_(codes), StatCounter.week >= starts[0])
            .group_by(StatCounter.week)
        ).all()
    )
    return [(start, int(counts.get(start, 0) or 0)) for start in starts]


def content_gaps(
    session: Session, codes: set[str], since: datetime, limit: int = 20, *, raw: bool = False
) -> list[Gap]:
    """Questions asked by learners of `codes` since `since` that found no answer, most asked first.

    Whole UTC days after `since` come from the per-unit daily counts (`tutor_stat_gaps`, a few
    thousand rows), the part of the first day after `since` from the events themselves (`raw`:
    every question of the period, the reference). Texts differing only in tone marks, case or
    end punctuation are merged; the wording shown is the one asked most (then the first in order)."""
    if raw:
        return _gaps(_questions(session, codes, since, None), limit)
    codes = codes - {""}  # the counts keep learners without a unit under ""; the events never match it
    first_day = day_of(since)
    edge_end = datetime.combine(first_day + timedelta(days=1), time.min, UTC)
    counted = session.execute(
        select(StatGap.question, func.sum(StatGap.asked), func.max(StatGap.last_at))
        .where(StatGap.unit_id.in_(codes), StatGap.day > first_day)
        .group_by(StatGap.question)
    ).tuples()
    rows = [(text, int(n), at) for text, n, at in counted]
    return _gaps(rows + _questions(session, codes, since, edge_end), limit)


def _questions(
    session: Session, codes: set[str], since: datetime, until: datetime | None
) -> list[tuple[str, int, datetime]]:
    """(shown text, times asked, last asked) of the unanswered questions of `codes` in [since, until)."""
    at_most = (Event.at < until,) if until is not None else ()
    question = question_sql()  # one expression: PostgreSQL matches the GROUP BY to the column
    rows = session.execute(
        select(question, func.count(), func.max(Event.at))
        .join(Learner, Learner.id == Event.learner_id)
        .where(Event.kind == QUESTION_ASKED, Event.at >= since, *at_most, unanswered_sql(), Learner.unit_id.in_(codes))
        .group_by(question)
    ).tuples()
    return [(question_text(text), int(n), at) for text, n, at in rows]


def _gaps(rows: list[tuple[str, int, datetime]], limit: int) -> list[Gap]:
    """Merge (shown text, count, last asked) rows by folded text; most asked first, then by text."""
    wordings: dict[str, dict[str, tuple[int, datetime]]] = {}
    for text, count, at in rows:
        if not text:
            continue
        variants = wordings.setdefault(fold(text).strip(" ?.!"), {})
        n, last = variants.get(text, (0, at))
        variants[text] = (n + count, max(last, at))
    gaps = []
    for variants in wordings.values():
        shown = min(variants, key=lambda t: (-variants[t][0], t))
        total = sum(n for n, _ in variants.values())
        gaps.append(Gap(shown, total, max(at for _, at in variants.values())))
    gaps.sort(key=lambda g: (-g.count, g.question))
    return gaps[:limit]


def missed_items(session: Session, codes: set[str], since: datetime, limit: int = 10) -> list[tuple[str, int, int]]:
    """Quiz items most often answered wrong by learners of `codes` since `since`: (item id, wrong,
    answered), most wrong first.

    Whole UTC days after `since` come from the per-unit daily counts (or, for a scope holding most
    units, the all-units totals minus the units outside it); the part of the first day after
    `since` from the quiz answers themselves. One query, summed and ordered by the database."""
    first_day = day_of(since)
    edge_end = datetime.combine(first_day + timedelta(days=1), time.min, UTC)
    present = {unit or "" for unit in session.scalars(select(Learner.unit_id).distinct())}
    outside = present - codes
    parts: list[Any]
    if len(outside) < len(present & codes):  # cheaper as everything minus the units outside
        parts = [select(StatQuizTotal.item_id, StatQuizTotal.answered, StatQuizTotal.missed)
                 .where(StatQuizTotal.day > first_day)]  # fmt: skip
        if outside:
            parts.append(
                select(StatQuiz.item_id, -StatQuiz.answered, -StatQuiz.missed).where(
                    StatQuiz.unit_id.in_(outside), StatQuiz.day > first_day
                )
            )
    else:
        parts = [select(StatQuiz.item_id, StatQuiz.answered, StatQuiz.missed)
                 .where(StatQuiz.unit_id.in_(codes), StatQuiz.day > first_day)]  # fmt: skip
    parts.append(
        select(Event.item_id, literal(1), missed_sql())
        .join(Learner, Learner.id == Event.learner_id)
        .where(
            Event.kind == QUIZ_ANSWERED,
            Event.at >= since,
            Event.at < edge_end,
            Learner.unit_id.in_(codes),
            Event.item_id.is_not(None),
        )
    )
    both = union_all(*parts).subquery()
    item, answered, missed = both.c[0], both.c[1], both.c[2]
    wrong = func.sum(missed)
    rows = session.execute(
        select(item, wrong, func.sum(answered)).group_by(item).order_by(wrong.desc(), item).limit(limit)
    ).all()
    return [(str(i), int(n), int(total)) for i, n, total in rows if n]


def missed_items_raw(session: Session, codes: set[str], since: datetime, limit: int = 10) -> list[tuple[str, int, int]]:
    """`missed_items` from every quiz answer since `since` (the reference)."""
    wrong = func.count().filter(Event.data["correct"].as_boolean().is_(False))
    rows = session.execute(
        select(Event.item_id, wrong, func.count())
        .join(Learner, Learner.id == Event.learner_id)
        .where(
            Event.kind == "quiz_answered",
            Event.at >= since,
            Learner.unit_id.in_(codes),
            Event.item_id.is_not(None),
        )
        .group_by(Event.item_id)
        .order_by(wrong.desc(), Event.item_id)
        .limit(limit)
    ).all()
    return [(str(item), int(n), int(total)) for item, n, total in rows if n]
