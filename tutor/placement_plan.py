"""The adaptive entry test: which item to ask next, when to stop, and what the answers show.

Pure functions over the curriculum. The test walks the modules meant for the learner's group in
course order. Each module gets one item; a right answer earns a confirming second item while the
budget allows (one item stays reserved for each module not reached yet). The test stops early when
the picture is clear: the first `stop_after_wrong` answers all wrong (a beginner: start at lesson 1).

A module is "đã vững" when none of its answers is wrong and either two were right, or one was
right and no second item could be asked (none left, or the budget ran out) while the learner's
whole test is at least 90% right. Every skill the module teaches for the group is then shown
mastered, so the planner skips the module and the certificate can come from placement alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.curriculum import Curriculum

STRONG_OVERALL = 0.9  # share right over the whole test that lets one right answer count for a module


@dataclass(frozen=True)
class ModuleItems:
    """A module of the test and its placement items, in file order."""

    module: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ModuleResult:
    """What the test showed about one module."""

    module: str
    asked: int
    right: int
    strong: bool  # "đã vững"


def plan_modules(curriculum: Curriculum, group: str) -> list[ModuleItems]:
    """Modules with lessons for `group` and at least one placement item, in course order."""
    by_module: dict[str, list[str]] = {}
    for item in curriculum.placement:
        skill = curriculum.skills.get(item.skill)
        if skill is not None:
            by_module.setdefault(skill.module, []).append(item.id)
    out: list[ModuleItems] = []
    for module in sorted(curriculum.modules.values(), key=lambda m: m.order):
        has_lessons = any(lesson.for_audience(group) for lesson in curriculum.lessons_in(module.id))
        if has_lessons and by_module.get(module.id):
            out.append(ModuleItems(module.id, tuple(by_module[module.id])))
    return out


def _module_of(plan: Sequence[ModuleItems]) -> dict[str, str]:
    return {item: m.module for m in plan for item in m.items}


def next_item(
    plan: Sequence[ModuleItems], answers: Sequence[tuple[str, bool]], max_items: int, stop_after_wrong: int
) -> str | None:
    """The next item to ask after `answers` ((item id, correct) in order), or None: the test is over."""
    asked = len(answers)
    if asked >= max_items:
        return None
    if stop_after_wrong > 0 and asked >= stop_after_wrong and not any(ok for _, ok in answers):
        return None  # clear enough: a beginner starts at lesson 1
    module_of = _module_of(plan)
    done = {item for item, _ in answers}
    reached = [i for i, m in enumerate(plan) if any(module_of.get(item) == m.module for item, _ in answers)]
    if answers:
        last_item, last_ok = answers[-1]
        index = next((i for i, m in enumerate(plan) if m.module == module_of.get(last_item)), None)
        if index is not None and last_ok:
            current = plan[index]
            asked_here = [item for item, _ in answers if module_of.get(item) == current.module]
            spare = [item for item in current.items if item not in done]
            modules_left = len(plan) - index - 1
            if len(asked_here) < 2 and spare and max_items - asked - 1 >= modules_left:
                return spare[0]  # confirm a right answer, keeping one item for each module to come
    start = max(reached) + 1 if reached else 0
    for module in plan[start:]:
        fresh = [item for item in module.items if item not in done]
        if fresh:
            return fresh[0]
    return None


def results(plan: Sequence[ModuleItems], answers: Sequence[tuple[str, bool]], max_items: int) -> list[ModuleResult]:
    """Per module of the plan: items asked, right, and whether it is "đã vững" (see the module doc)."""
    module_of = _module_of(plan)
    total_right = sum(1 for _, ok in answers if ok)
    strong_overall = bool(answers) and total_right / len(answers) >= STRONG_OVERALL
    out: list[ModuleResult] = []
    for module in plan:
        mine = [ok for item, ok in answers if module_of.get(item) == module.module]
        right = sum(1 for ok in mine if ok)
        no_wrong = bool(mine) and right == len(mine)
        could_not_confirm = len(module.items) < 2 or len(answers) >= max_items
        strong = no_wrong and (right >= 2 or (right == 1 and could_not_confirm and strong_overall))
        out.append(ModuleResult(module.module, len(mine), right, strong))
    return out


def expected_length(plan: Sequence[ModuleItems], max_items: int) -> int:
    """The most items this plan can ask (for the "câu 3/…" header)."""
    return min(max_items, sum(min(2, len(m.items)) for m in plan))
