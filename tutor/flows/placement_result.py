"""The adaptive entry test inside a quiz session: the next item after each answer, and the result.

The quiz engine (`tutor.flows.quiz`) asks and grades; this module chooses (`tutor.placement_plan`)
and, at the end, sets mastery: every answered item updates its skill (BKT). In a module shown
"đã vững", the skills answered right get `PlacementConfig.mastery` and its other skills
`PlacementConfig.untested_prior` (below the threshold); the planner skips the module's lessons
(`state.data["tested_out"]`) and «Luyện kỹ năng còn thiếu» closes the untested skills, so testing
out is quicker than the lessons but the certificate never comes from the entry test alone.
"""

from __future__ import annotations

from typing import Any

from tutor import texts
from tutor import texts_journey as tj
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Turn, group_of, planner_done
from tutor.flows.certificate import award
from tutor.mastery import initial_mastery, update_mastery
from tutor.messages import Reply
from tutor.payloads import Learn, PracticeMissing
from tutor.placement_plan import ModuleItems, expected_length, next_item, plan_modules, results
from tutor.planner import next_lesson


def plan(ctx: FlowContext, t: Turn) -> list[ModuleItems]:
    """The test's modules for this learner's group."""
    return plan_modules(ctx.curriculum, group_of(t.learner))


def first(ctx: FlowContext, t: Turn) -> tuple[str | None, int]:
    """The first item and the most items the test can ask."""
    modules = plan(ctx, t)
    cfg = ctx.config.placement
    return next_item(modules, [], cfg.max_items, cfg.stop_after_wrong), expected_length(modules, cfg.max_items)


def _answers(quiz: dict[str, Any]) -> list[tuple[str, bool]]:
    """(item id, correct) of the answers so far: [skill, correct, item id] each (older sessions
    stored no item id: answers[i] answered items[i])."""
    out: list[tuple[str, bool]] = []
    for i, answer in enumerate(quiz.get("answers", [])):
        item_id = answer[2] if len(answer) > 2 else (quiz["items"][i] if i < len(quiz["items"]) else "")
        out.append((str(item_id), bool(answer[1])))
    return out


def extend(ctx: FlowContext, t: Turn, quiz: dict[str, Any]) -> dict[str, Any]:
    """The session with the next item appended (none when the test is over)."""
    cfg = ctx.config.placement
    following = next_item(plan(ctx, t), _answers(quiz), cfg.max_items, cfg.stop_after_wrong)
    asked = quiz["items"][: int(quiz["pos"])]  # the items shown so far (answered or skipped)
    return {**quiz, "items": asked if following is None else [*asked, following]}


def finish(ctx: FlowContext, t: Turn, quiz: dict[str, Any], correct: int, total: int) -> list[Reply]:
    """Set mastery from the answers, say per module đã vững / cần học, and award the certificate
    when the test showed every core skill."""
    store, lid, cfg = ctx.store, t.learner.id, ctx.config.placement
    group = group_of(t.learner)
    modules = plan(ctx, t)
    answers = _answers(quiz)
    mastery = store.mastery(t.session, lid)
    for item_id, ok in answers:
        found = ctx.curriculum.item(item_id)
        if found is not None:
            before = mastery.get(found.skill, initial_mastery(ctx.bkt))
            mastery[found.skill] = update_mastery(before, ok, ctx.bkt)
            store.set_mastery(t.session, lid, found.skill, mastery[found.skill], t.now)
    verdicts = results(modules, answers)
    strong = [v.module for v in verdicts if v.strong]
    shown = {found.skill for item_id, ok in answers if ok and (found := ctx.curriculum.item(item_id)) is not None}
    untested: set[str] = set()
    for module in strong:
        for lesson in ctx.curriculum.lessons_in(module):
            if not lesson.for_audience(group):
                continue
            for skill in lesson.skills:
                value = cfg.mastery if skill in shown else cfg.untested_prior
                if skill not in shown and mastery.get(skill, 0.0) < ctx.threshold:
                    untested.add(skill)
                if mastery.get(skill, 0.0) < value:
                    mastery[skill] = value
                    store.set_mastery(t.session, lid, skill, value, t.now)
    t.state.data = {**t.state.data, "placement_done": True, "tested_out": strong}
    ctx.event(t, EventKind.PLACEMENT_COMPLETED, data={"correct": correct, "total": total, "strong_modules": strong})
    titles = {m.id: m.title for m in ctx.curriculum.modules.values()}
    start = next_lesson(ctx.curriculum, group, mastery, planner_done(ctx, t), ctx.threshold)
    text = tj.placement_result(
        correct,
        total,
        [titles[v.module] for v in verdicts if v.strong],
        [titles[v.module] for v in verdicts if not v.strong],
        start.title if start else None,
        bool(untested),
    )
    row = [ctx.button(lid, texts.BTN_LEARN, Learn())] if start else []
    if untested:
        row.append(ctx.button(lid, tj.BTN_PRACTICE_MISSING, PracticeMissing()))
    replies = [Reply(text, buttons=(tuple(row),) if row else ())]
    return replies + award(ctx, t)
