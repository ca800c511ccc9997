"""The catalogue (/baihoc, «Danh mục», "danh sách bài học", "menu"): modules → lessons, with what the
learner has done (✅ học xong, 📖 đang học) and their mastery; and topics chosen by the learner.

"/hoc lừa đảo", "/baihoc vneid" and plain requests ("tôi muốn học về lừa đảo", "hoc ve vneid") open
the topic's first unfinished lesson (a module named first, else lesson titles; `tutor.topics`).
The chosen module is kept in `state.data["topic"]`, so the next «Học tiếp» goes on in that topic
instead of dragging the learner back to an older unfinished lesson (see `lessons.learn`).
"""

from __future__ import annotations

from knowledge.curriculum import Lesson, Module
from tutor import texts
from tutor.flows.base import QUIZ_MODES, FlowContext, Outcome, Turn, group_of, say
from tutor.flows.lessons import learn, open_lesson
from tutor.intents import topic_request
from tutor.messages import Button, Reply
from tutor.payloads import Catalogue, OpenLesson, OpenModule, StudyModule, lesson_hash
from tutor.registry import ButtonAction, Command, Registry, TextStep
from tutor.topics import TopicMatch, find_topic, first_unfinished, topic_words

CATALOGUE_TITLE = "📚 Danh mục bài học"
CATALOGUE_HINT = "Bấm một chủ đề để xem các bài, hoặc gõ điều bạn muốn học, ví dụ: học về lừa đảo."
LEGEND = "✅ đã học · 📖 đang học · ⬜ chưa học"
BTN_CATALOGUE = "📚 Danh mục"
BTN_STUDY_MODULE = "▶️ Học tiếp chủ đề này"
TOPIC_DONE = "🎉 Bạn đã học xong các bài của chủ đề «{title}». Bạn có thể học lại bất kỳ bài nào dưới đây."
TOPIC_NOT_FOUND = "Mình chưa có bài về chủ đề này. Bạn xem các chủ đề có sẵn nhé:"
TOPIC_CHOSEN = "👍 Mình mở chủ đề «{title}» cho bạn."


def _modules(ctx: FlowContext, t: Turn) -> list[tuple[Module, list[Lesson]]]:
    """The modules with lessons for this learner's group, in course order, with those lessons."""
    group = group_of(t.learner)
    listed = []
    for module in sorted(ctx.curriculum.modules.values(), key=lambda m: m.order):
        lessons = [lesson for lesson in ctx.curriculum.lessons_in(module.id) if lesson.for_audience(group)]
        if lessons:
            listed.append((module, lessons))
    return listed


def _module_by_hash(ctx: FlowContext, tag: str) -> Module | None:
    return next((m for m in ctx.curriculum.modules.values() if lesson_hash(m.id) == tag), None)


def _percent(mastery: dict[str, float], skills: list[str]) -> int | None:
    """Mean mastery of the skills the learner has shown anything on (None before any evidence)."""
    known = [mastery[skill] for skill in skills if skill in mastery]
    return round(100 * sum(known) / len(known)) if known else None


def catalogue(ctx: FlowContext, t: Turn, arg: str = "") -> Outcome:
    """/baihoc: the modules with progress; "/baihoc <topic words>" opens that topic."""
    if arg.strip():
        return study_words(ctx, t, arg)
    return say(catalogue_reply(ctx, t))


def catalogue_reply(ctx: FlowContext, t: Turn, lead: str = CATALOGUE_TITLE) -> Reply:
    """The list of modules: lessons done of total, 📖 for the module in progress, one button each."""
    completed = ctx.store.completed_lessons(t.session, t.learner.id)
    current = ctx.store.unfinished_lesson(t.session, t.learner.id)
    current_module = (
        ctx.curriculum.lessons[current.lesson_id].module
        if current and current.lesson_id in ctx.curriculum.lessons
        else None
    )
    lines, rows = [lead], []
    for i, (module, lessons) in enumerate(_modules(ctx, t), 1):
        done = sum(1 for lesson in lessons if lesson.id in completed)
        mark = "✅" if done == len(lessons) else ("📖" if module.id == current_module else "▫️")
        lines.append(f"{mark} {i}. {module.title} – {done}/{len(lessons)} bài")
        label = f"{i}. {texts.short_label(module.title, 36)}"
        rows.append((ctx.button(t.learner.id, label, OpenModule(lesson_hash(module.id))),))
    lines.append(CATALOGUE_HINT)
    return Reply("\n".join(lines), buttons=tuple(rows))


def module_reply(ctx: FlowContext, t: Turn, module: Module, lead: str = "") -> Reply:
    """One module: its lessons with ✅/📖/⬜ and mastery, a button per lesson, «Học tiếp chủ đề này»."""
    lid = t.learner.id
    mastery = ctx.store.mastery(t.session, lid)
    lines = [lead] if lead else []
    lines += [f"📂 {module.title}", module.description, ""]
    rows: list[tuple[Button, ...]] = []
    for n, lesson in enumerate(_modules_lessons(ctx, t, module), 1):
        progress = ctx.store.progress(t.session, lid, lesson.id)
        status = progress.status if progress is not None else ""
        mark = "✅" if status == "completed" else ("📖" if status == "started" else "⬜")
        suffix = " (đang học)" if status == "started" else ""
        percent = _percent(mastery, list(lesson.skills))
        level = f" · thành thạo {percent}%" if percent is not None else ""
        lines.append(f"{mark} {n}. {lesson.title}{suffix}{level}")
        rows.append(
            (ctx.button(lid, f"{n}. {texts.short_label(lesson.title, 36)}", OpenLesson(lesson_hash(lesson.id))),)
        )
    lines += ["", LEGEND]
    rows.append((ctx.button(lid, BTN_STUDY_MODULE, StudyModule(lesson_hash(module.id))),))
    rows.append((ctx.button(lid, BTN_CATALOGUE, Catalogue()),))
    return Reply("\n".join(lines), buttons=tuple(rows))


def _modules_lessons(ctx: FlowContext, t: Turn, module: Module) -> list[Lesson]:
    group = group_of(t.learner)
    return [lesson for lesson in ctx.curriculum.lessons_in(module.id) if lesson.for_audience(group)]


def study(ctx: FlowContext, t: Turn, match: TopicMatch, words: str = "") -> Outcome:
    """Open the topic's first unfinished lesson and remember the topic for the next «Học tiếp».

    When every lesson of a named module is done: the lesson whose title holds all of `words` opens
    again (the learner named it), else the module's list with «học xong» is shown."""
    t.state.data = {**t.state.data, "topic": match.module}
    completed = ctx.store.completed_lessons(t.session, t.learner.id)
    lesson = first = first_unfinished(ctx.curriculum, match, completed)
    module = ctx.curriculum.modules.get(match.module)
    if lesson is None and match.whole_module:
        lesson = _named_lesson(ctx, match, words)
        if lesson is None and module is not None:
            return say(module_reply(ctx, t, module, lead=TOPIC_DONE.format(title=module.title)))
    if lesson is None:  # the lessons named are done: open the first again (the learner asked for it)
        lesson = ctx.curriculum.lessons[match.lessons[0]]
    outcome = open_lesson(ctx, t, lesson)
    if match.whole_module and module is not None and lesson is first:
        outcome.replies.insert(0, Reply(TOPIC_CHOSEN.format(title=module.title)))
    return outcome


def _named_lesson(ctx: FlowContext, match: TopicMatch, words: str) -> Lesson | None:
    """The topic's lesson whose title holds every topic word of `words`, if one does."""
    wanted = topic_words(words)
    if not wanted:
        return None
    for lesson_id in match.lessons:
        lesson = ctx.curriculum.lessons.get(lesson_id)
        if lesson is not None and wanted <= topic_words(lesson.title):
            return lesson
    return None


def topic_title(ctx: FlowContext, match: TopicMatch) -> str:
    """How a topic is named to the learner: its module's title, or its lesson's for a lesson match."""
    if not match.whole_module and len(match.lessons) == 1 and match.lessons[0] in ctx.curriculum.lessons:
        return ctx.curriculum.lessons[match.lessons[0]].title
    module = ctx.curriculum.modules.get(match.module)
    return module.title if module is not None else match.module


def study_words(ctx: FlowContext, t: Turn, words: str) -> Outcome:
    """Open the topic named by `words`; the catalogue when no topic is named clearly."""
    match = find_topic(ctx.curriculum, words, group_of(t.learner))
    if match is None:
        return say(catalogue_reply(ctx, t, lead=TOPIC_NOT_FOUND))
    return study(ctx, t, match, words)


def _topic_text(ctx: FlowContext, t: Turn) -> Outcome | None:
    """ "tôi muốn học về lừa đảo": open the topic (outside a quiz, where text is an answer)."""
    if t.state.mode in QUIZ_MODES:
        return None
    words = topic_request(t.text)
    return study_words(ctx, t, words) if words else None


def _open_module(ctx: FlowContext, t: Turn, payload: OpenModule) -> Outcome:
    module = _module_by_hash(ctx, payload.module)
    return say(texts.STALE_BUTTON) if module is None else say(module_reply(ctx, t, module))


def _study_module(ctx: FlowContext, t: Turn, payload: StudyModule) -> Outcome:
    module = _module_by_hash(ctx, payload.module)
    if module is None:
        return say(texts.STALE_BUTTON)
    lessons = tuple(lesson.id for lesson in _modules_lessons(ctx, t, module))
    return study(ctx, t, TopicMatch(module.id, lessons, whole_module=True))


def learn_command(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    """/hoc: the next lesson; "/hoc <topic words>" (or a lesson id) opens that topic's first unfinished one."""
    if not arg.strip():
        return learn(ctx, t)
    if arg.strip() in ctx.curriculum.lessons:
        return learn(ctx, t, arg.strip())
    return study_words(ctx, t, arg)


def register(registry: Registry) -> None:
    """Declare /hoc and /baihoc (also "danh sách bài học", "menu", "danh mục"), its buttons and topic requests."""
    registry.command(
        Command(
            "hoc",
            "học bài tiếp theo (hoặc /hoc tên chủ đề)",
            learn_command,
            aliases=("learn",),
            label="Học tiếp",
            quick=0,
        ),
    )
    registry.command(
        Command(
            "baihoc",
            "danh mục bài học (hoặc /baihoc tên chủ đề)",
            catalogue,
            aliases=("lessons", "danh sach bai hoc", "danh sach", "menu", "danh muc bai hoc", "muc luc", "cac bai hoc"),
            usage="",
            label="Danh mục",
            quick=4,
        )
    )
    registry.button(ButtonAction(Catalogue, lambda ctx, t, _p: catalogue(ctx, t)))
    registry.button(ButtonAction(OpenModule, _open_module))
    registry.button(ButtonAction(StudyModule, _study_module))
    registry.text(TextStep("topic-request", 25, _topic_text))
