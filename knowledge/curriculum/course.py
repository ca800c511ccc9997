"""The whole course: read every file, check it against the rest, build the `Curriculum`.

`check_course(root)` returns every problem (structural ones, then quality ones: cards per lesson and
the quiz bank's limits) with the bank report; `check_curriculum(root)` only the problems;
`load_curriculum(root)` the typed `Curriculum`, raising `CurriculumError` on structural problems only
(a bank that breaks a quality limit is still a usable course).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.curriculum.bank import BankReport, bank_report
from knowledge.curriculum.cards import (
    CardEntry,
    build_cards,
    card_content_problems,
    card_count_problems,
    card_problems,
    read_cards,
)
from knowledge.curriculum.lessons import MEDIA_SEPARATOR, LessonFile, Media, item_problems, read_lesson, scan_media
from knowledge.curriculum.models import (
    MODULE_FILE,
    PLACEMENT_FILE,
    SKILLS_FILE,
    Curriculum,
    CurriculumError,
    Fact,
    Lesson,
    Module,
    Problem,
    QuizItem,
    Skill,
    _ItemSpec,
    _Placement,
    _SkillsFile,
)
from knowledge.curriculum.yamlio import YamlDoc, load_yaml_file, validate

MIN_LESSON_ITEMS = 5
MIN_PLACEMENT_ITEMS, MAX_PLACEMENT_ITEMS = 10, 24


@dataclass
class _Scan:
    """Everything read from a course folder, and what is wrong with it."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    modules: dict[str, tuple[Module, YamlDoc]] = field(default_factory=dict)
    skills: dict[str, tuple[Skill, int]] = field(default_factory=dict)  # skill -> (skill, line)
    skills_doc: YamlDoc | None = None
    lesson_files: list[LessonFile] = field(default_factory=list)
    media: dict[Path, Media] = field(default_factory=dict)  # folder -> media
    placement: list[tuple[_ItemSpec, tuple[str | int, ...]]] = field(default_factory=list)
    placement_doc: YamlDoc | None = None
    cards: list[CardEntry] = field(default_factory=list)
    invalid_cards: set[int] = field(default_factory=set)
    quality: list[Problem] = field(default_factory=list)  # limits of a good course, not of a loadable one
    report: BankReport | None = None

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))


def _read_skills(scan: _Scan) -> None:
    path = scan.root / SKILLS_FILE
    if not path.is_file():
        scan.add(path, 0, f"missing {SKILLS_FILE} (every skill: id, name, module)")
        return
    doc = load_yaml_file(path, scan.problems)
    parsed = validate(_SkillsFile, doc, scan.problems) if doc else None
    if parsed is None or doc is None:
        return
    scan.skills_doc = doc
    for index, skill in enumerate(parsed.skills):
        line = doc.line("skills", index)
        if skill.id in scan.skills:
            scan.add(path, line, f"duplicate skill id '{skill.id}' (also on line {scan.skills[skill.id][1]})")
            continue
        scan.skills[skill.id] = (skill, line)


def _read_modules(scan: _Scan) -> None:
    for folder in sorted(p for p in scan.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        lesson_paths = _lesson_paths(folder)
        module_path = folder / MODULE_FILE
        if module_path.is_file():
            doc = load_yaml_file(module_path, scan.problems)
            module = validate(Module, doc, scan.problems) if doc else None
            if module is not None and doc is not None:
                if module.id != folder.name:
                    scan.add(
                        module_path,
                        doc.line("id"),
                        f"module id '{module.id}' does not match its folder '{folder.name}'",
                    )
                else:
                    scan.modules[module.id] = (module, doc)
                    if not lesson_paths:
                        scan.add(module_path, doc.line("id"), f"module '{module.id}' has no lessons")
        if module_path.is_file() or lesson_paths:
            for path in lesson_paths:
                scan.lesson_files.append(read_lesson(path, scan.problems))
            stems = {p.stem for p in lesson_paths}
            scan.media[folder] = scan_media(folder, stems, scan.problems)
            scan.cards.extend(read_cards(folder, scan.problems))
    orders: dict[int, str] = {}
    for module, doc in sorted(scan.modules.values(), key=lambda pair: pair[0].id):
        if module.order in orders:
            scan.add(
                doc.path, doc.line("order"), f"module order {module.order} is also used by '{orders[module.order]}'"
            )
        orders.setdefault(module.order, module.id)


def _lesson_paths(folder: Path) -> list[Path]:
    """Lesson files of a module folder: `.md` files whose name holds no `--` (media and captions do)."""
    return sorted(p for p in folder.glob("*.md") if p.is_file() and MEDIA_SEPARATOR not in p.stem)


def _read_placement(scan: _Scan) -> None:
    path = scan.root / PLACEMENT_FILE
    if not path.is_file():
        scan.add(path, 0, f"missing {PLACEMENT_FILE} (the placement test: items:)")
        return
    doc = load_yaml_file(path, scan.problems)
    parsed = validate(_Placement, doc, scan.problems) if doc else None
    if parsed is None or doc is None:
        return
    scan.placement_doc = doc
    count = len(parsed.items)
    if not MIN_PLACEMENT_ITEMS <= count <= MAX_PLACEMENT_ITEMS:
        scan.add(
            path,
            doc.line("items"),
            f"the placement test has {count} items; {MIN_PLACEMENT_ITEMS}–{MAX_PLACEMENT_ITEMS} are required",
        )
    for index, item in enumerate(parsed.items):
        loc = ("items", index)
        scan.placement.append((item, loc))
        scan.problems.extend(item_problems(item, doc, loc))
        if item.skill not in scan.skills and scan.skills_doc is not None:
            scan.add(
                path,
                doc.line(*loc, "skill"),
                f"unknown skill '{item.skill}' of item '{item.id}' (not in {SKILLS_FILE})",
            )


def _check_skills(scan: _Scan, lessons: list[LessonFile]) -> None:
    if scan.skills_doc is None:
        return
    taught = {skill for lf in scan.lesson_files for skill in _raw_skills(lf)}
    for skill, line in scan.skills.values():
        if skill.module not in scan.modules:
            scan.add(scan.skills_doc.path, line, f"skill '{skill.id}' belongs to unknown module '{skill.module}'")
        elif skill.id not in taught and lessons:
            scan.add(scan.skills_doc.path, line, f"skill '{skill.id}' is taught by no lesson")


def _raw_skills(lf: LessonFile) -> list[str]:
    """The skills a lesson file names, even when its front matter is otherwise invalid."""
    data = lf.doc.data if lf.doc is not None else None
    skills = data.get("skills") if isinstance(data, dict) else None
    return [s for s in skills if isinstance(s, str)] if isinstance(skills, list) else []


def _check_lesson(scan: _Scan, lf: LessonFile) -> None:
    """Checks of one valid lesson against the rest of the course."""
    front, doc = lf.front, lf.doc
    assert front is not None and doc is not None
    path = lf.path
    if front.module != lf.folder:
        scan.add(path, doc.line("module"), f"module '{front.module}' does not match the folder '{lf.folder}'")
    elif front.module not in scan.modules and not (path.parent / MODULE_FILE).is_file():
        scan.add(path, doc.line("module"), f"module '{front.module}' has no {MODULE_FILE}")
    known_skills = scan.skills_doc is not None
    for index, skill in enumerate(front.skills):
        if known_skills and skill not in scan.skills:
            scan.add(path, doc.line("skills", index), f"unknown skill '{skill}' (not in {SKILLS_FILE})")
    if len(front.quiz) < MIN_LESSON_ITEMS:
        scan.add(
            path,
            doc.line("quiz"),
            f"the lesson has {len(front.quiz)} quiz items; at least {MIN_LESSON_ITEMS} are required",
        )
    for index, item in enumerate(front.quiz):
        loc = ("quiz", index)
        scan.problems.extend(item_problems(item, doc, loc))
        if known_skills and item.skill not in scan.skills:
            scan.add(
                path,
                doc.line(*loc, "skill"),
                f"unknown skill '{item.skill}' of item '{item.id}' (not in {SKILLS_FILE})",
            )
        elif item.skill not in front.skills:
            scan.add(
                path,
                doc.line(*loc, "skill"),
                f"skill '{item.skill}' of item '{item.id}' is not among the lesson's skills",
            )
    tested = {item.skill for item in front.quiz}
    for index, skill in enumerate(front.skills):
        if skill not in tested and (skill in scan.skills or not known_skills):
            scan.add(path, doc.line("skills", index), f"skill '{skill}' of the lesson is tested by no quiz item")


def _check_unique_ids(scan: _Scan, lessons: list[LessonFile]) -> None:
    seen_lessons: dict[str, tuple[Path, int]] = {}
    seen_items: dict[str, tuple[Path, int]] = {}
    orders: dict[tuple[str, int], str] = {}
    for lf in lessons:
        assert lf.front is not None and lf.doc is not None
        line = lf.doc.line("id")
        if lf.front.id in seen_lessons:
            other = seen_lessons[lf.front.id]
            scan.add(lf.path, line, f"duplicate lesson id '{lf.front.id}' (also in {other[0]}:{other[1]})")
        else:
            seen_lessons[lf.front.id] = (lf.path, line)
        key = (lf.folder, lf.front.order)
        if key in orders:
            scan.add(lf.path, lf.doc.line("order"), f"lesson order {lf.front.order} is also used by '{orders[key]}'")
        orders.setdefault(key, lf.front.id)
        for index, item in enumerate(lf.front.quiz):
            _note_item(scan, seen_items, item.id, lf.path, lf.doc.line("quiz", index, "id"))
    if scan.placement_doc is not None:
        for item, loc in scan.placement:
            _note_item(scan, seen_items, item.id, scan.placement_doc.path, scan.placement_doc.line(*loc, "id"))


def _note_item(scan: _Scan, seen: dict[str, tuple[Path, int]], item_id: str, path: Path, line: int) -> None:
    if item_id in seen:
        other = seen[item_id]
        scan.add(path, line, f"duplicate quiz item id '{item_id}' (also in {other[0]}:{other[1]})")
    else:
        seen[item_id] = (path, line)


def _check_prerequisites(scan: _Scan, lessons: list[LessonFile]) -> None:
    by_id: dict[str, LessonFile] = {}
    for lf in lessons:
        if lf.front is not None:
            by_id.setdefault(lf.front.id, lf)  # a duplicate id is reported by _check_unique_ids
    raw_ids = {lf.raw_id for lf in scan.lesson_files if lf.raw_id}
    graph: dict[str, list[str]] = {}
    for lesson_id, lf in by_id.items():
        assert lf.front is not None and lf.doc is not None
        graph[lesson_id] = []
        for index, prerequisite in enumerate(lf.front.prerequisites):
            if prerequisite in by_id:
                graph[lesson_id].append(prerequisite)
            elif prerequisite not in raw_ids:
                scan.add(lf.path, lf.doc.line("prerequisites", index), f"unknown prerequisite '{prerequisite}'")
    for cycle in _cycles(graph):
        start = by_id[cycle[0]]
        assert start.doc is not None and start.front is not None
        index = start.front.prerequisites.index(cycle[1] if len(cycle) > 1 else cycle[0])
        scan.add(
            start.path,
            start.doc.line("prerequisites", index),
            "prerequisites form a cycle: " + " -> ".join([*cycle, cycle[0]]),
        )


def _cycles(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Each elementary cycle found by depth-first search, once, starting at its smallest id."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> Iterator[list[str]]:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                pivot = cycle.index(min(cycle))
                canonical = tuple(cycle[pivot:] + cycle[:pivot])
                if canonical not in found:
                    found.add(canonical)
                    yield list(canonical)
            elif nxt not in state:
                yield from visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            yield from visit(node)


def _scan(root: Path) -> _Scan:
    scan = _Scan(root=root)
    if not root.is_dir():
        scan.add(root, 0, "not a folder")
        return scan
    _read_skills(scan)
    _read_modules(scan)
    _read_placement(scan)
    valid = [lf for lf in scan.lesson_files if lf.front is not None]
    if not scan.lesson_files:
        scan.add(root, 0, "the course has no lessons (<module>/<NN-slug>.md)")
    for lf in valid:
        _check_lesson(scan, lf)
    _check_skills(scan, valid)
    _check_unique_ids(scan, valid)
    _check_prerequisites(scan, valid)
    _check_cards(scan, valid)
    scan.report = bank_report(
        valid, scan.placement, scan.placement_doc, scan.modules, scan.skills, scan.root / SKILLS_FILE
    )
    scan.quality.extend(scan.report.problems)
    return scan


def _check_cards(scan: _Scan, lessons: list[LessonFile]) -> None:
    by_id: dict[str, LessonFile] = {}
    for lf in lessons:
        assert lf.front is not None
        by_id.setdefault(lf.front.id, lf)
    unreadable = {lf.raw_id for lf in scan.lesson_files if lf.raw_id} - set(by_id)
    broken = {problem.path for problem in scan.problems}
    problems, scan.invalid_cards = card_problems(scan.cards, by_id, unreadable, broken)
    scan.problems.extend(problems)
    scan.quality.extend(card_content_problems(scan.cards))
    scan.quality.extend(card_count_problems(scan.cards, lessons))


def _build(scan: _Scan) -> Curriculum:
    modules = {mid: module for mid, (module, _doc) in scan.modules.items()}
    module_order = {mid: module.order for mid, module in modules.items()}
    lessons: list[Lesson] = []
    for lf in scan.lesson_files:
        if lf.front is None:
            continue
        media = scan.media.get(lf.path.parent, Media())
        data = lf.front.model_dump(exclude={"quiz"})
        quiz = [QuizItem(**item.model_dump(), lesson_id=lf.front.id) for item in lf.front.quiz]
        doc = lf.doc
        assert doc is not None
        data["facts"] = [
            Fact(**fact.model_dump(), line=doc.line("facts", index)) for index, fact in enumerate(lf.front.facts)
        ]
        lessons.append(
            Lesson(
                **data,
                quiz=quiz,
                sections=lf.sections,
                path=lf.path,
                images=media.images.get(lf.path.stem, []),
                videos=media.videos.get(lf.path.stem, []),
            )
        )
    lessons.sort(key=lambda le: (module_order.get(le.module, 10**6), le.module, le.order, le.id))
    return Curriculum(
        root=scan.root,
        modules=dict(sorted(modules.items(), key=lambda pair: (pair[1].order, pair[0]))),
        lessons={lesson.id: lesson for lesson in lessons},
        skills={sid: skill for sid, (skill, _line) in scan.skills.items()},
        placement=[QuizItem(**item.model_dump()) for item, _loc in scan.placement],
        cards=build_cards(scan.cards, scan.invalid_cards, [lesson.id for lesson in lessons]),
    )


@dataclass
class CourseCheck:
    """Everything `hocvuso lessons check` reports: the problems (sorted) and the bank's figures."""

    problems: list[Problem]
    structural: list[Problem]
    report: BankReport | None


def check_course(root: Path) -> CourseCheck:
    """Check the course under `root`: structural problems, quality problems and the bank report."""
    scan = _scan(Path(root))
    structural = sorted(set(scan.problems))
    return CourseCheck(sorted(set(scan.problems + scan.quality)), structural, scan.report)


def check_curriculum(root: Path) -> list[Problem]:
    """Every problem of the course under `root` (structural and quality), sorted by file and line."""
    return check_course(root).problems


def load_curriculum(root: Path, *, strict: bool = True) -> Curriculum:
    """Load the course under `root`.

    Raises CurriculumError (with `.problems`) when the course has a structural problem (a quality
    problem, such as a lesson with too few Q&A cards or a bank over a limit, does not stop it). With `strict=False`
    it returns what could be read instead (invalid lessons left out), e.g. for statistics while the
    course is being written.
    """
    scan = _scan(Path(root))
    if strict and scan.problems:
        raise CurriculumError(sorted(set(scan.problems)))
    return _build(scan)
