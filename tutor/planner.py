"""Which lesson a learner should take next: pure function over the curriculum and learner state.

Order of preference:
1. a lesson teaching the learner's lowest-mastery core skill that is still under the threshold
   (ties broken by course order), among lessons meant for the learner's group, not completed,
   whose prerequisites are completed;
2. then any other lesson for the group not completed yet, core modules first, in course order
   (non-core modules, and core lessons whose skills the learner already masters).

A prerequisite the learner cannot take (meant for another group, or unknown) counts as met, so a
learner is never stuck behind a lesson they will never be offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.curriculum import Curriculum, Lesson


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
    remaining = [lesson for lesson in lessons_for_group(curriculum, group) if lesson.id not in completed]
    if not remaining:
        return None
    available = [lesson for lesson in remaining if prerequisites_met(curriculum, lesson, group, completed)]
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
