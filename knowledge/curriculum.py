"""The course: modules, lessons, quiz items and the placement test, loaded from `knowledge/lessons/`.

The format is described in docs/COURSE_FORMAT.md. `check_curriculum(root)` returns every problem of a
course, each with the file and line to fix; `load_curriculum(root)` returns the typed `Curriculum` or
raises `CurriculumError` with those problems. Nothing here imports tutor, bot, ingest or hocvuso.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    ValidationError,
)

SKILLS_FILE = "skills.yaml"
PLACEMENT_FILE = "placement.yaml"
MODULE_FILE = "module.yaml"
RECAP_HEADING = "Ghi nhớ"
TRUE_FALSE_ANSWERS = ("Đúng", "Sai")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
TRANSCRIPT_SUFFIXES = (".vtt", ".srt")
CAPTION_SUFFIXES = (".md", ".txt")
MEDIA_SEPARATOR = "--"
MIN_SECTIONS, MAX_SECTIONS = 3, 6
MAX_SECTION_CHARS = 700
MIN_LESSON_ITEMS = 5
MIN_PLACEMENT_ITEMS, MAX_PLACEMENT_ITEMS = 10, 16

ItemType = Literal["mcq", "true_false", "short"]
Level = Literal["co-ban", "nang-cao"]
Audience = Literal["worker", "public", "officer", "all"]

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


# --- problems ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the course, at a file and line (1-based; 0 when no line applies)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CurriculumError(Exception):
    """The course is invalid; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in the course:\n{shown}{more}")


# --- models ------------------------------------------------------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _no_yaml_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError('YAML read this as true/false; write the text in quotes (e.g. "Đúng")')
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
Answer = Annotated[str, BeforeValidator(_no_yaml_bool), AfterValidator(_not_blank)]
Ident = Annotated[str, Field(pattern=_ID_PATTERN)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Skill(_Model):
    """A skill tag: lessons teach it, quiz items test it, learner mastery is tracked per skill."""

    id: Ident
    name: Text
    module: Ident


class Module(_Model):
    """A module of the course (a folder with a module.yaml).

    `core` modules count towards the certificate; with `audience` set, only for those groups.
    """

    id: Ident
    title: Text
    description: Text
    order: int
    core: StrictBool
    audience: list[Audience] = []


class Fact(_Model):
    """A fact that can change (threshold, agency, date, hotline), with its source and check month."""

    claim: Text
    source: Text
    checked: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class _ItemSpec(_Model):
    """A quiz item as written in YAML (a lesson's `quiz` or the placement test's `items`)."""

    id: Ident
    type: ItemType
    question: Text
    choices: list[Answer] = []
    answer: Answer
    accept: list[Answer] = []
    explanation: str = ""
    skill: Ident


class QuizItem(_ItemSpec):
    """A quiz item; `lesson_id` is None for placement-test items."""

    lesson_id: str | None = None


class Section(BaseModel):
    """A `##` section of a lesson body: heading (without `## `), text, and the heading's file line."""

    heading: str
    text: str
    line: int


class _FrontMatter(_Model):
    id: Ident
    title: Text
    module: Ident
    order: int = Field(ge=0)
    level: Level
    audience: list[Audience] = Field(min_length=1)
    skills: list[Ident] = Field(min_length=1)
    prerequisites: list[Ident] = []
    duration_min: int = Field(ge=1)
    objectives: list[Text] = Field(min_length=2, max_length=4)
    facts: list[Fact] = []
    quiz: list[_ItemSpec]


class Lesson(BaseModel):
    """One lesson: its front matter, quiz, body sections and the media files that belong to it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    module: str
    order: int
    level: Level
    audience: list[Audience]
    skills: list[str]
    prerequisites: list[str] = []
    duration_min: int
    objectives: list[str]
    facts: list[Fact] = []
    quiz: list[QuizItem]
    sections: list[Section]
    path: Path
    images: list[Path] = []
    videos: list[Path] = []

    def for_audience(self, group: str) -> bool:
        """True when the lesson is meant for `group` (worker, public, officer) or for everyone."""
        return "all" in self.audience or group in self.audience

    @property
    def text(self) -> str:
        """The body as plain text: each section's heading and text."""
        return "\n\n".join(f"{s.heading}\n{s.text}" for s in self.sections)


class _Placement(_Model):
    """placement.yaml as written."""

    title: str = ""
    description: str = ""
    items: list[_ItemSpec]


class _SkillsFile(_Model):
    skills: list[Skill]


class Curriculum(BaseModel):
    """The whole course. `lessons` is ordered by module order, then lesson order."""

    root: Path
    modules: dict[str, Module]
    lessons: dict[str, Lesson]
    skills: dict[str, Skill]
    placement: list[QuizItem]
    _items: dict[str, QuizItem] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        for lesson in self.lessons.values():
            for item in lesson.quiz:
                self._items.setdefault(item.id, item)
        for item in self.placement:
            self._items.setdefault(item.id, item)

    def item(self, item_id: str) -> QuizItem | None:
        """The quiz item (of a lesson or of the placement test) with this id, if any."""
        return self._items.get(item_id)

    def lessons_in(self, module_id: str) -> list[Lesson]:
        """The lessons of one module, in order."""
        return [lesson for lesson in self.lessons.values() if lesson.module == module_id]

    def core_skills(self, group: str) -> set[str]:
        """Skills taught by core-module lessons meant for `group`: what "đạt chuẩn" requires."""
        return {
            skill
            for lesson in self.lessons.values()
            if lesson.for_audience(group) and self._is_core(lesson.module)
            for skill in lesson.skills
        }

    def lessons_for_skill(self, skill_id: str, group: str | None = None) -> list[Lesson]:
        """Lessons teaching `skill_id` (meant for `group`, when given), in course order."""
        return [
            lesson
            for lesson in self.lessons.values()
            if skill_id in lesson.skills and (group is None or lesson.for_audience(group))
        ]

    def lesson_for_skill(self, skill_id: str, group: str | None = None) -> Lesson | None:
        """The first lesson (in course order) teaching `skill_id` for `group`, or None."""
        found = self.lessons_for_skill(skill_id, group)
        return found[0] if found else None

    def items_for_skill(self, skill_id: str) -> list[QuizItem]:
        """Lesson quiz items testing `skill_id` (placement items excluded), in course order."""
        return [item for lesson in self.lessons.values() for item in lesson.quiz if item.skill == skill_id]

    def _is_core(self, module_id: str) -> bool:
        module = self.modules.get(module_id)
        return bool(module and module.core)


# --- reading files -----------------------------------------------------------------------------


@dataclass
class _Yaml:
    """A parsed YAML document that remembers the file line of every key and list entry."""

    path: Path
    data: Any
    node: yaml.Node | None
    first_line: int  # file line of the document's first line

    def line(self, *loc: str | int) -> int:
        """File line of the deepest node found along `loc` (a key's own line for mapping keys)."""
        node = self.node
        if node is None:
            return self.first_line
        best = node.start_mark.line
        for part in loc:
            found: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == part:
                        best, found = key.start_mark.line, value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                found = node.value[part]
                best = found.start_mark.line
            if found is None:
                break
            node = found
        return best + self.first_line


class _ReadError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise _ReadError(1, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise _ReadError(0, f"cannot read: {exc.strerror or exc}") from exc


def _parse_yaml(path: Path, text: str, first_line: int) -> _Yaml:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        reason = getattr(exc, "problem", None) or str(exc)
        raise _ReadError(line, f"invalid YAML: {reason}") from exc
    finally:
        loader.dispose()
    return _Yaml(path, data, node, first_line)


def _duplicate_keys(doc: _Yaml) -> list[Problem]:
    """YAML silently keeps the last of two equal keys; report them instead."""
    problems: list[Problem] = []

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        problems.append(
                            Problem(doc.path, key.start_mark.line + doc.first_line, f"duplicate key '{key.value}'")
                        )
                    seen.add(key.value)
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child)

    if doc.node is not None:
        walk(doc.node)
    return problems


def _load_yaml_file(path: Path, problems: list[Problem]) -> _Yaml | None:
    """Parse a YAML file; on failure record a problem and return None."""
    try:
        text = _read_text(path)
        problems.extend(_nfc_problems(path, text))
        doc = _parse_yaml(path, text, 1)
    except _ReadError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return None
    problems.extend(_duplicate_keys(doc))
    return doc


def _validate(model: type[BaseModel], doc: _Yaml, problems: list[Problem]) -> Any | None:
    """Validate `doc.data` against `model`; record each error at its line and return None on failure."""
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.path, doc.first_line, "expected a mapping of fields (key: value)"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(Problem(doc.path, doc.line(*err["loc"]), _error_message(err)))
        return None


def _format_loc(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_message(err: Any) -> str:
    loc = _format_loc(err["loc"])
    kind = err["type"]
    if kind == "missing":
        return f"missing field '{loc}'"
    if kind == "extra_forbidden":
        return f"unknown field '{loc}'"
    message = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if isinstance(value, (str, int, float, bool)):
        return f"{loc}: {message} (got {value!r})"
    return f"{loc}: {message}"


def _nfc_problems(path: Path, text: str) -> list[Problem]:
    """One problem per line that is not in Unicode NFC form."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not unicodedata.is_normalized("NFC", line):
            word = next(
                (w for w in line.split() if not unicodedata.is_normalized("NFC", w)),
                line.strip(),
            )
            fixed = unicodedata.normalize("NFC", word)
            problems.append(Problem(path, number, f"text is not NFC-normalized: '{fixed}' (decomposed)"))
    return problems


# --- lessons -----------------------------------------------------------------------------------


@dataclass
class _LessonFile:
    """What was read from one lesson file, valid or not."""

    path: Path
    folder: str
    doc: _Yaml | None = None
    front: _FrontMatter | None = None
    sections: list[Section] = field(default_factory=list)
    raw_id: str | None = None


_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _split_front_matter(path: Path, text: str) -> tuple[str, int, list[str], int]:
    """Return (front matter YAML, its first file line, body lines, first body line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise _ReadError(1, "no YAML front matter (the file must start with a line '---')")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), 2, lines[index + 1 :], index + 2
    raise _ReadError(1, "the front matter is not closed by a line '---'")


def _parse_sections(body: list[str], first_line: int) -> tuple[list[Section], list[tuple[int, str]]]:
    """Split a body into `##` sections; also return stray text lines before the first section."""
    sections: list[Section] = []
    stray: list[tuple[int, str]] = []
    heading: str | None = None
    heading_line = 0
    text: list[str] = []
    in_fence = False
    for offset, raw in enumerate(body):
        number = first_line + offset
        if _FENCE.match(raw):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(raw)
        if match:
            if heading is not None:
                sections.append(Section(heading=heading, text="\n".join(text).strip(), line=heading_line))
            heading, heading_line, text = match.group(1), number, []
        elif heading is None:
            if raw.strip() and not raw.startswith("# "):
                stray.append((number, raw))
        else:
            text.append(raw)
    if heading is not None:
        sections.append(Section(heading=heading, text="\n".join(text).strip(), line=heading_line))
    return sections, stray


def _read_lesson(path: Path, problems: list[Problem]) -> _LessonFile:
    lesson = _LessonFile(path=path, folder=path.parent.name)
    try:
        text = _read_text(path)
    except _ReadError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return lesson
    problems.extend(_nfc_problems(path, text))
    try:
        yaml_text, yaml_line, body, body_line = _split_front_matter(path, text)
        lesson.doc = _parse_yaml(path, yaml_text, yaml_line)
    except _ReadError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return lesson
    problems.extend(_duplicate_keys(lesson.doc))
    if isinstance(lesson.doc.data, dict) and isinstance(lesson.doc.data.get("id"), str):
        lesson.raw_id = lesson.doc.data["id"]
    lesson.front = _validate(_FrontMatter, lesson.doc, problems)
    lesson.sections, stray = _parse_sections(body, body_line)
    problems.extend(_body_problems(path, lesson.sections, stray, body_line))
    return lesson


def _body_problems(path: Path, sections: list[Section], stray: list[tuple[int, str]], body_line: int) -> list[Problem]:
    problems = []
    if stray:
        problems.append(Problem(path, stray[0][0], "text before the first '##' section; put it inside a section"))
    if not MIN_SECTIONS <= len(sections) <= MAX_SECTIONS:
        where = sections[0].line if sections else body_line
        problems.append(
            Problem(
                path, where, f"the body has {len(sections)} '##' sections; {MIN_SECTIONS}–{MAX_SECTIONS} are required"
            )
        )
    for section in sections:
        if not section.heading:
            problems.append(Problem(path, section.line, "a '##' heading without a title"))
        if not section.text:
            problems.append(Problem(path, section.line, f"section '## {section.heading}' is empty"))
        elif len(section.text) > MAX_SECTION_CHARS:
            problems.append(
                Problem(
                    path,
                    section.line,
                    f"section '## {section.heading}' has {len(section.text)} characters; "
                    f"at most {MAX_SECTION_CHARS} fit a phone screen",
                )
            )
    if sections and sections[-1].heading != RECAP_HEADING:
        last = sections[-1]
        problems.append(
            Problem(path, last.line, f"the last section must be '## {RECAP_HEADING}', not '## {last.heading}'")
        )
    return problems


def _item_problems(item: _ItemSpec, doc: _Yaml, loc: tuple[str | int, ...]) -> list[Problem]:
    """Type-specific checks of one quiz item."""
    problems = []

    def at(*key: str) -> int:
        return doc.line(*loc, *key)

    if item.type == "mcq":
        if len(item.choices) < 2:
            problems.append(Problem(doc.path, at("choices"), f"mcq item '{item.id}' needs at least 2 choices"))
        duplicates = sorted({c for c in item.choices if item.choices.count(c) > 1})
        if duplicates:
            problems.append(Problem(doc.path, at("choices"), f"item '{item.id}' repeats the choice '{duplicates[0]}'"))
        if item.choices and item.answer not in item.choices:
            problems.append(
                Problem(
                    doc.path, at("answer"), f"the answer '{item.answer}' of item '{item.id}' is not one of its choices"
                )
            )
    elif item.type == "true_false":
        if item.answer not in TRUE_FALSE_ANSWERS:
            problems.append(
                Problem(
                    doc.path,
                    at("answer"),
                    f"true_false item '{item.id}' must answer 'Đúng' or 'Sai', not '{item.answer}'",
                )
            )
        if item.choices and not set(item.choices) <= set(TRUE_FALSE_ANSWERS):
            problems.append(
                Problem(doc.path, at("choices"), f"true_false item '{item.id}' takes no choices other than Đúng/Sai")
            )
    elif item.choices:
        problems.append(
            Problem(doc.path, at("choices"), f"short item '{item.id}' takes no choices (only mcq items do)")
        )
    return problems


# --- media -------------------------------------------------------------------------------------


@dataclass
class _Media:
    images: dict[str, list[Path]] = field(default_factory=dict)  # lesson stem -> files
    videos: dict[str, list[Path]] = field(default_factory=dict)
    captions: set[Path] = field(default_factory=set)


_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})\s+-->\s+(?P<end>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})(?:\s.*)?$"
)


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return sum(float(part) * 60**power for power, part in enumerate(reversed(parts)))


def _transcript_problems(path: Path) -> list[Problem]:
    """A transcript must be readable, NFC, and have well-formed, increasing cue timings."""
    try:
        text = _read_text(path)
    except _ReadError as exc:
        return [Problem(path, exc.line, exc.message)]
    problems = _nfc_problems(path, text)
    lines = text.splitlines()
    if path.suffix.lower() == ".vtt" and (not lines or not lines[0].startswith("WEBVTT")):
        problems.append(Problem(path, 1, "a WebVTT file must start with the line 'WEBVTT'"))
    cues = 0
    previous = 0.0
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        match = _TIMING.match(line)
        if not match:
            problems.append(Problem(path, number, f"malformed cue timing '{line.strip()}'"))
            continue
        start, end = _seconds(match["start"]), _seconds(match["end"])
        if end <= start:
            problems.append(Problem(path, number, "a cue must end after it starts"))
        elif start < previous:
            problems.append(Problem(path, number, "cues must be in time order"))
        previous = start
        cues += 1
    if cues == 0:
        problems.append(Problem(path, 1, "no cues with timestamps (00:00:01.000 --> 00:00:05.000)"))
    return problems


def _scan_media(folder: Path, lesson_stems: set[str], problems: list[Problem]) -> _Media:
    """Attach `<stem>--*` images and transcripts to lessons; captions are `.md`/`.txt` with an image's stem."""
    media = _Media()
    files = sorted(p for p in folder.iterdir() if p.is_file())
    image_stems = {p.stem for p in files if p.suffix.lower() in IMAGE_SUFFIXES}
    for path in files:
        suffix = path.suffix.lower()
        if suffix not in IMAGE_SUFFIXES + TRANSCRIPT_SUFFIXES + CAPTION_SUFFIXES:
            continue
        if MEDIA_SEPARATOR not in path.stem:
            if suffix in IMAGE_SUFFIXES + TRANSCRIPT_SUFFIXES:
                problems.append(
                    Problem(path, 0, f"a media file is named '<lesson-stem>{MEDIA_SEPARATOR}<name>{suffix}'")
                )
            continue
        owner = path.stem.split(MEDIA_SEPARATOR, 1)[0]
        if suffix in CAPTION_SUFFIXES:
            if path.stem in image_stems:
                media.captions.add(path)
                problems.extend(_caption_problems(path))
            else:
                problems.append(
                    Problem(path, 0, f"caption without an image: no '{path.stem}.png' or '.jpg' next to it")
                )
            continue
        if owner not in lesson_stems:
            problems.append(Problem(path, 0, f"media file belongs to no lesson: no '{owner}.md' in this folder"))
            continue
        if suffix in IMAGE_SUFFIXES:
            media.images.setdefault(owner, []).append(path)
            if not any((folder / f"{path.stem}{s}").is_file() for s in CAPTION_SUFFIXES):
                problems.append(Problem(path, 0, f"image has no caption file '{path.stem}.md'"))
        else:
            media.videos.setdefault(owner, []).append(path)
            problems.extend(_transcript_problems(path))
    return media


def _caption_problems(path: Path) -> list[Problem]:
    try:
        text = _read_text(path)
    except _ReadError as exc:
        return [Problem(path, exc.line, exc.message)]
    problems = _nfc_problems(path, text)
    if not text.strip():
        problems.append(Problem(path, 1, "the caption is empty"))
    return problems


# --- the whole course --------------------------------------------------------------------------


@dataclass
class _Scan:
    """Everything read from a course folder, and what is wrong with it."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    modules: dict[str, tuple[Module, _Yaml]] = field(default_factory=dict)
    skills: dict[str, tuple[Skill, int]] = field(default_factory=dict)  # skill -> (skill, line)
    skills_doc: _Yaml | None = None
    lesson_files: list[_LessonFile] = field(default_factory=list)
    media: dict[Path, _Media] = field(default_factory=dict)  # folder -> media
    placement: list[tuple[_ItemSpec, tuple[str | int, ...]]] = field(default_factory=list)
    placement_doc: _Yaml | None = None

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))


def _read_skills(scan: _Scan) -> None:
    path = scan.root / SKILLS_FILE
    if not path.is_file():
        scan.add(path, 0, f"missing {SKILLS_FILE} (every skill: id, name, module)")
        return
    doc = _load_yaml_file(path, scan.problems)
    parsed = _validate(_SkillsFile, doc, scan.problems) if doc else None
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
            doc = _load_yaml_file(module_path, scan.problems)
            module = _validate(Module, doc, scan.problems) if doc else None
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
                scan.lesson_files.append(_read_lesson(path, scan.problems))
            stems = {p.stem for p in lesson_paths}
            scan.media[folder] = _scan_media(folder, stems, scan.problems)
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
    doc = _load_yaml_file(path, scan.problems)
    parsed = _validate(_Placement, doc, scan.problems) if doc else None
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
        scan.problems.extend(_item_problems(item, doc, loc))
        if item.skill not in scan.skills and scan.skills_doc is not None:
            scan.add(
                path,
                doc.line(*loc, "skill"),
                f"unknown skill '{item.skill}' of item '{item.id}' (not in {SKILLS_FILE})",
            )


def _check_skills(scan: _Scan, lessons: list[_LessonFile]) -> None:
    if scan.skills_doc is None:
        return
    taught = {skill for lf in scan.lesson_files for skill in _raw_skills(lf)}
    for skill, line in scan.skills.values():
        if skill.module not in scan.modules:
            scan.add(scan.skills_doc.path, line, f"skill '{skill.id}' belongs to unknown module '{skill.module}'")
        elif skill.id not in taught and lessons:
            scan.add(scan.skills_doc.path, line, f"skill '{skill.id}' is taught by no lesson")


def _raw_skills(lf: _LessonFile) -> list[str]:
    """The skills a lesson file names, even when its front matter is otherwise invalid."""
    data = lf.doc.data if lf.doc is not None else None
    skills = data.get("skills") if isinstance(data, dict) else None
    return [s for s in skills if isinstance(s, str)] if isinstance(skills, list) else []


def _check_lesson(scan: _Scan, lf: _LessonFile) -> None:
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
        scan.problems.extend(_item_problems(item, doc, loc))
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


def _check_unique_ids(scan: _Scan, lessons: list[_LessonFile]) -> None:
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


def _check_prerequisites(scan: _Scan, lessons: list[_LessonFile]) -> None:
    by_id: dict[str, _LessonFile] = {}
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
    return scan


def _build(scan: _Scan) -> Curriculum:
    modules = {mid: module for mid, (module, _doc) in scan.modules.items()}
    module_order = {mid: module.order for mid, module in modules.items()}
    lessons: list[Lesson] = []
    for lf in scan.lesson_files:
        if lf.front is None:
            continue
        media = scan.media.get(lf.path.parent, _Media())
        data = lf.front.model_dump(exclude={"quiz"})
        quiz = [QuizItem(**item.model_dump(), lesson_id=lf.front.id) for item in lf.front.quiz]
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
    )


def check_curriculum(root: Path) -> list[Problem]:
    """Every problem of the course under `root`, sorted by file and line (empty when valid)."""
    return sorted(set(_scan(Path(root)).problems))


def load_curriculum(root: Path, *, strict: bool = True) -> Curriculum:
    """Load the course under `root`.

    Raises CurriculumError (with `.problems`) when the course has any problem. With `strict=False`
    it returns what could be read instead (invalid lessons left out), e.g. for statistics while the
    course is being written.
    """
    scan = _scan(Path(root))
    if strict and scan.problems:
        raise CurriculumError(sorted(set(scan.problems)))
    return _build(scan)
