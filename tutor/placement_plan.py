"""The adaptive entry test: which item to ask next, when to stop, and what the answers show.

Pure functions over the curriculum. The test walks the modules meant for the learner's group in
course order. Each module gets one item; a right answer earns a confirming second item while the
budget allows (one item stays reserved for each module not reached yet). The test stops early when
the picture is clear: the first `stop_after_wrong` answers all wrong (a beginner: start at lesson 1).

A module is "đã vững" (tested out) when none of its answers is wrong, at least two were right and
at least one of the right ones is not a True/False item (a coin toss is no evidence). Only the
skills of the items answered right are then shown mastered; the module's other skills get a
moderate prior below the threshold and are closed by «Luyện kỹ năng còn thiếu», so the certificate
never comes from the entry test alone. The planner skips the lessons of a tested-out module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.curriculum import Curriculum

MIN_RIGHT = 2  # right answers a module needs to be shown "đã vững"


@dataclass(frozen=True)
class ModuleItems:
    """A module of the test and its placement items, in file order."""

    module: str
    items: tuple[str, ...]
    true_false: frozenset[str] = frozenset()  # the items that are True/False (weak evidence)


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
    true_false = frozenset(item.id for item in curriculum.placement if item.type == "true_false")
    for item in curriculum.placement:
        skill = curriculum.skills.get(item.skill)
        if skill is not None:
            by_module.setdefault(skill.module, []).append(item.id)
    out: list[ModuleItems] = []
    for module in sorted(curriculum.modules.values(), key=lambda m: m.order):
        has_lessons = any(lesson.for_audience(group) for lesson in curriculum.lessons_in(module.id))
        if has_lessons and by_module.get(module.id):
            items = tuple(by_module[module.id])
            out.append(ModuleItems(module.id, items, true_false.intersection(items)))
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
            if asked_here and all(item in current.true_false for item in asked_here):
                # a True/False right answer is confirmed by an item that is not a coin toss
                spare.sort(key=lambda item: item in current.true_false)
            modules_left = len(plan) - index - 1
            if len(asked_here) < 2 and spare and max_items - asked - 1 >= modules_left:
                return spare[0]  # confirm a right answer, keeping one item for each module to come
    start = max(reached) + 1 if reached else 0
    for module in plan[start:]:
        fresh = [item for item in module.items if item not in done]
        if fresh:
            return fresh[0]
    return None


def results(plan: Sequence[ModuleItems], answers: Sequence[tuple[str, bool]]) -> list[ModuleResult]:
    """Per module of the plan: items asked, right, and whether it is "đã vững" (see the module doc)."""
    module_of = _module_of(plan)
    out: list[ModuleResult] = []
    for module in plan:
        mine = [(item, ok) for item, ok in answers if module_of.get(item) == module.module]
        right = sum(1 for _, ok in mine if ok)
        no_wrong = bool(mine) and right == len(mine)
        beyond_coin_toss = any(ok and item not in module.true_false for item, ok in mine)
        strong = no_wrong and right >= MIN_RIGHT and beyond_coin_toss
        out.append(ModuleResult(module.module, len(mine), right, strong))
    return out


def expected_length(plan: Sequence[ModuleItems], max_items: int) -> int:
    """The most items this plan can ask (for the "câu 3/…" header)."""
    return min(max_items, sum(min(2, len(m.items)) for m in plan))
