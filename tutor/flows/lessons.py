"""Lessons: the next lesson for the learner, its sections one at a time, illustrations, completion."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.curriculum import Lesson
from knowledge.textnorm import normalize
from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Outcome, Turn, say, words
from tutor.flows.certificate import nothing_to_learn
from tutor.flows.motivation import after_lesson
from tutor.flows.progress import lesson_to_open, topic_lesson
from tutor.messages import Reply, SourceLink
from tutor.payloads import AskPrompt, Learn, NextSection, OpenLesson, QuizLesson, lesson_hash
from tutor.registry import ButtonAction, Registry


def find_lesson(ctx: FlowContext, text: str) -> Lesson | None:
    """A lesson by id, or by words of its title (tone marks optional)."""
    text = text.strip()
    if text in ctx.curriculum.lessons:
        return ctx.curriculum.lessons[text]
    wanted = words(text)
    if not wanted:
        return None
    best: tuple[int, Lesson] | None = None
    for lesson in ctx.curriculum.lessons.values():
        overlap = len(wanted & words(lesson.title))
        if overlap and (best is None or overlap > best[0]):
            best = (overlap, lesson)
    return best[1] if best and best[0] >= max(1, len(wanted) // 2) else None


def learn(ctx: FlowContext, t: Turn, arg: str = "") -> Outcome:
    """The lesson named by `arg`, else the one in progress, else the next of the topic the learner
    chose (`state.data["topic"]`), else the one started last, else the planner's next one."""
    if arg:
        lesson = find_lesson(ctx, arg)
        if lesson is None:
            return say(texts.LESSON_NOT_FOUND)
        return open_lesson(ctx, t, lesson)
    t.state.quiz = None
    lessons = ctx.curriculum.lessons
    if t.state.mode == "lesson" and t.state.lesson_id in lessons:
        lesson = lessons[t.state.lesson_id]
        return Outcome([Reply(texts.lesson_resume(lesson.title))] + show_section(ctx, t, lesson, t.state.section))
    if t.state.data.get("topic") and topic_lesson(ctx, t, ctx.store.completed_lessons(t.session, t.learner.id)) is None:
        t.state.data = {k: v for k, v in t.state.data.items() if k != "topic"}  # the chosen topic is done
    lesson = lesson_to_open(ctx, t)
    if lesson is None:  # nothing left to learn: the certificate, or the skills still missing
        return nothing_to_learn(ctx, t)
    return open_lesson(ctx, t, lesson)


def open_lesson(ctx: FlowContext, t: Turn, lesson: Lesson) -> Outcome:
    """Start a lesson, or resume it where the learner stopped."""
    progress = ctx.store.progress(t.session, t.learner.id, lesson.id)
    t.state.quiz = None
    t.state.mode = "lesson"
    t.state.lesson_id = lesson.id
    if progress is not None and progress.status == "started" and 0 < progress.section < len(lesson.sections):
        return Outcome([Reply(texts.lesson_resume(lesson.title))] + show_section(ctx, t, lesson, progress.section))
    ctx.store.start_lesson(t.session, t.learner.id, lesson.id, t.now)
    ctx.event(t, EventKind.LESSON_STARTED, lesson_id=lesson.id)
    intro = Reply(texts.lesson_intro(lesson.title, lesson.duration_min, list(lesson.objectives)))
    return Outcome([intro] + show_section(ctx, t, lesson, 0))


def show_section(ctx: FlowContext, t: Turn, lesson: Lesson, index: int) -> list[Reply]:
    """One section (with its illustrations) and the «Tiếp», «Hỏi», «Làm bài tập» buttons."""
    if not lesson.sections:
        return complete_lesson(ctx, t, lesson)
    index = max(0, min(index, len(lesson.sections) - 1))
    section = lesson.sections[index]
    t.state.section = index
    progress = ctx.store.start_lesson(t.session, t.learner.id, lesson.id, t.now)
    if progress.status == "started":
        progress.section = index
    ctx.event(t, EventKind.SECTION_VIEWED, lesson_id=lesson.id, data={"section": index})
    lid, lh = t.learner.id, lesson_hash(lesson.id)
    buttons = (
        (ctx.button(lid, texts.BTN_NEXT, NextSection(lh, index)), ctx.button(lid, texts.BTN_ASK, AskPrompt())),
        (ctx.button(lid, texts.BTN_QUIZ, QuizLesson(lh)),),
    )
    text = texts.lesson_section(lesson.title, index + 1, len(lesson.sections), section.heading, section.text)
    images = [
        Reply(caption or lesson.title, image_path=str(path), image_caption=caption or lesson.title)
        for path, caption in images_for(ctx, lesson).get(index, [])
    ]
    source = SourceLink(title=lesson.title, source=ctx.source_path(lesson), heading=section.heading)
    return images + [Reply(text, buttons=buttons, sources=(source,))]


def next_section(ctx: FlowContext, t: Turn, payload: NextSection) -> Outcome:
    """The section after `payload.section`, or the lesson's end (only from the latest message)."""
    lesson = ctx.lesson_by_hash(payload.lesson)
    s = t.state
    if lesson is None or s.mode != "lesson" or s.lesson_id != lesson.id or s.section != payload.section:
        return say(texts.STALE_BUTTON)
    if payload.section + 1 < len(lesson.sections):
        return Outcome(show_section(ctx, t, lesson, payload.section + 1))
    return Outcome(complete_lesson(ctx, t, lesson))


def complete_lesson(ctx: FlowContext, t: Turn, lesson: Lesson) -> list[Reply]:
    progress = ctx.store.start_lesson(t.session, t.learner.id, lesson.id, t.now)
    newly_done = progress.status != "completed"
    if newly_done:
        progress.status = "completed"
        progress.completed_at = t.now
        ctx.event(t, EventKind.LESSON_COMPLETED, lesson_id=lesson.id)
    t.state.mode = "idle"
    lid = t.learner.id
    buttons = (
        (ctx.button(lid, texts.BTN_QUIZ, QuizLesson(lesson_hash(lesson.id))),),
        (ctx.button(lid, texts.BTN_LEARN, Learn()),),
    )
    return after_lesson(ctx, t, lesson, newly_done, Reply(texts.lesson_done(lesson.title), buttons=buttons))


_QUOTED = re.compile(r"“([^”]{3,80})”")  # a caption names its picture: Hình minh họa “Tên”: …


def images_for(ctx: FlowContext, lesson: Lesson) -> dict[int, list[tuple[Path, str]]]:
    """Which section shows which illustration (worked out once per lesson, see `image_plan`)."""
    plan = ctx.image_plans.get(lesson.id)
    if plan is None:
        plan = ctx.image_plans[lesson.id] = image_plan(lesson)
    return plan


def image_plan(lesson: Lesson) -> dict[int, list[tuple[Path, str]]]:
    """Section index -> its illustrations: the section that names the picture («Xem hình “Tên”»), else
    the one its caption's words talk about most."""
    plan: dict[int, list[tuple[Path, str]]] = {}
    for path in lesson.images:
        caption = _caption(path)
        title = _QUOTED.search(caption)
        named = [i for i, s in enumerate(lesson.sections) if title and f"“{title.group(1)}”" in s.text]
        if named:
            best = named[0]
        else:
            found = words(caption or path.stem.replace("-", " "))
            best, best_overlap = 0, -1
            for i, section in enumerate(lesson.sections):
                overlap = len(found & words(section.heading + " " + section.text))
                if overlap > best_overlap:
                    best, best_overlap = i, overlap
        plan.setdefault(best, []).append((path, caption[:300]))
    return plan


def _caption(path: Path) -> str:
    for suffix in (".md", ".txt"):
        caption_file = path.with_suffix(suffix)
        if caption_file.is_file():
            try:
                return normalize(caption_file.read_text(encoding="utf-8")).strip()
            except OSError:
                return ""
    return ""


def _open_by_hash(ctx: FlowContext, t: Turn, payload: OpenLesson) -> Outcome:
    """A lesson the learner picked: its module becomes the topic «Học tiếp» goes on with."""
    lesson = ctx.lesson_by_hash(payload.lesson)
    if lesson is None:
        return say(texts.STALE_BUTTON)
    t.state.data = {**t.state.data, "topic": lesson.module}
    return open_lesson(ctx, t, lesson)


def register(registry: Registry) -> None:
    """Declare the lesson buttons (/hoc itself is declared by the catalogue, which reads topics)."""
    registry.button(ButtonAction(Learn, lambda ctx, t, _p: learn(ctx, t)))
    registry.button(ButtonAction(NextSection, next_section))
    registry.button(ButtonAction(OpenLesson, _open_by_hash))
