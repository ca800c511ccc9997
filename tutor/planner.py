"""Which lesson a learner should take next: pure function over the curriculum and learner state.

Order of preference:
1. a lesson teaching the learner's lowest-mastery core skill that is still under the threshold
   (ties broken by course order), among lessons meant for the learner's group, not completed,
   whose prerequisites are completed;
2. then any other lesson for the group not completed yet, core modules first, in course order,
   skipping lessons whose every skill the learner already masters (shown by placement or quizzes:
   testing out); those stay open from the catalogue and `/hoc <topic>`.
None means nothing is left to learn: every remaining lesson teaches only mastered skills.

A prerequisite the learner cannot take (meant for another group, or unknown) counts as met, so a
learner is never stuck behind a lesson they will never be offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.curriculum import Curriculum, Lesson, QuizItem


def lessons_for_group(curriculum: Curriculum, group: str) -> list[Lesson]:
    """The lessons meant for `group`, in course order."""
    return [lesson for lesson in curriculum.lessons.values() if lesson.for_audience(group)]


def prerequisites_met(curriculum: Curriculum, lesson: Lesson, group: str, completed: set[str]) -> bool:
    """True when every prerequisite of `lesson` that the group can take is completed."""
    for prerequisite in lesson.prerequisites:
        required = curriculum.lessons.get(prerequisite)
        if required is None or not required.for_audience(group):
            continue
        if prerequisite not in completed:
            return False
    return True


def _is_core(curriculum: Curriculum, lesson: Lesson) -> bool:
    module = curriculum.modules.get(lesson.module)
    return bool(module and module.core)


def next_lesson(
    curriculum: Curriculum,
    group: str,
    mastery: Mapping[str, float],
    completed: set[str],
    threshold: float,
) -> Lesson | None:
    """The lesson to take next, or None when every lesson for the group is completed."""
    own = lessons_for_group(curriculum, group)
    # A lesson whose every skill is mastered counts as done (testing out), for prerequisites too.
    mastered = {lesson.id for lesson in own if all(mastery.get(skill, 0.0) >= threshold for skill in lesson.skills)}
    done = completed | mastered
    remaining = [lesson for lesson in own if lesson.id not in done]
    if not remaining:
        return None
    available = [lesson for lesson in remaining if prerequisites_met(curriculum, lesson, group, done)]
    position = {lesson.id: index for index, lesson in enumerate(curriculum.lessons.values())}

    # 1. The weakest core skill below the threshold that an available lesson teaches.
    first_taught: dict[str, int] = {}
    for lesson in available:
        if not _is_core(curriculum, lesson):
            continue
        for skill in lesson.skills:
            first_taught.setdefault(skill, position[lesson.id])
    weak = [
        skill
        for skill in curriculum.core_skills(group)
        if skill in first_taught and mastery.get(skill, 0.0) < threshold
    ]
    if weak:
        weakest = min(weak, key=lambda skill: (mastery.get(skill, 0.0), first_taught[skill], skill))
        for lesson in available:
            if weakest in lesson.skills and _is_core(curriculum, lesson):
                return lesson

    # 2. Everything else, core modules first, in course order.
    pool = available or remaining  # never a dead end, even if prerequisites were inconsistent
    return min(pool, key=lambda lesson: (not _is_core(curriculum, lesson), position[lesson.id]))


def choose_items(
    items: Sequence[QuizItem],
    seen_ok: Mapping[str, bool],
    mastery: Mapping[str, float],
    threshold: float,
    n: int,
) -> list[QuizItem]:
    """`n` items of a quiz spread over its skills: skills below the threshold first, then round-robin
    across skills (so a 5-item quiz on a 2-skill lesson tests each skill at least twice); within a
    skill, items never answered or last missed first, then course order. `seen_ok`: item id ->
    whether its last answer was right."""
    by_skill: dict[str, list[QuizItem]] = {}
    for _, it in sorted(enumerate(items), key=lambda pair: (seen_ok.get(pair[1].id, False), pair[0])):
        by_skill.setdefault(it.skill, []).append(it)
    order = sorted(by_skill, key=lambda skill: mastery.get(skill, 0.0) >= threshold)  # stable: course order kept
    chosen: list[QuizItem] = []
    while len(chosen) < n and any(by_skill[skill] for skill in order):
        for skill in order:
            if by_skill[skill] and len(chosen) < n:
                chosen.append(by_skill[skill].pop(0))
    return chosen


def practice_items(
    curriculum: Curriculum, skills: Iterable[str], seen_ok: Mapping[str, bool], per_skill: int, limit: int
) -> list[QuizItem]:
    """Items drawn from exactly `skills`: `per_skill` each (missed or unseen ones first, items may
    repeat when a skill has fewer), interleaved, at most `limit`."""
    queues: list[list[QuizItem]] = []
    for skill in skills:
        pool = sorted(curriculum.items_for_skill(skill), key=lambda it: seen_ok.get(it.id, False))
        if pool:
            queues.append([pool[i % len(pool)] for i in range(per_skill)])
    chosen: list[QuizItem] = []
    for round_ in range(per_skill):
        for queue in queues:
            if round_ < len(queue) and len(chosen) < limit:
                chosen.append(queue[round_])
    return chosen
