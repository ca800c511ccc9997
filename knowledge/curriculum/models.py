"""The course's typed models: modules, skills, lessons, quiz items, facts, Q&A cards and the `Curriculum`.

Specs prefixed `_…Spec` are what a file may contain (unknown keys are refused); the public models add
what the loader knows (lesson id of an item, file line of a fact, module of a card).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
)

SKILLS_FILE = "skills.yaml"
PLACEMENT_FILE = "placement.yaml"
MODULE_FILE = "module.yaml"
CARDS_FILE = "faq.yaml"
RECAP_HEADING = "Ghi nhớ"
TRUE_FALSE_ANSWERS = ("Đúng", "Sai")

ItemType = Literal["mcq", "true_false", "short"]
Level = Literal["co-ban", "nang-cao"]
Audience = Literal["worker", "public", "officer", "all"]

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


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


# --- field types -------------------------------------------------------------------------------


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


# --- skills, modules, facts, items -------------------------------------------------------------


class Skill(_Model):
    """A skill tag: lessons teach it, quiz items test it, learner mastery is tracked per skill."""

    id: Ident
    name: Text
    module: Ident


class Module(_Model):
    """A module of the course (a folder with a module.yaml).

    `core` modules count towards the certificate; with `audience` set, only for those groups
    (e.g. `audience: [officer]`: core for officers, optional for everyone else).
    """

    id: Ident
    title: Text
    description: Text
    order: int
    core: StrictBool
    audience: list[Audience] = []

    def core_for(self, group: str) -> bool:
        """True when this module counts towards the certificate of learners of `group`."""
        return self.core and (not self.audience or "all" in self.audience or group in self.audience)


class _FactSpec(_Model):
    """A fact that can change (threshold, agency, date, hotline), with its source and check month."""

    claim: Text
    source: Text
    checked: Annotated[str, Field(pattern=_MONTH_PATTERN)]


class Fact(_FactSpec):
    """A lesson's fact; `line` is its line in the lesson file (0 when unknown)."""

    line: int = 0

    def checked_before(self, when: date) -> bool:
        """True when the fact was last checked before `when` (a month counts from its first day)."""
        year, month = (int(part) for part in self.checked.split("-"))
        return date(year, month, 1) < when


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
    facts: list[_FactSpec] = []
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

    def section(self, heading: str) -> Section | None:
        """The section whose `##` heading is exactly `heading`, if any."""
        return next((s for s in self.sections if s.heading == heading), None)


# --- Q&A cards ---------------------------------------------------------------------------------


class _CardSpec(_Model):
    """A Q&A card as written in a module's faq.yaml."""

    id: Ident
    lesson: Ident
    section: Text
    questions: list[Text]
    answer: Text
    follow_up: list[Ident] = []


class Card(_CardSpec):
    """A curated answer: several phrasings of one question, the answer, and where it comes from.

    `module` is the folder of its faq.yaml, `path`/`line` where it is written.
    """

    module: str
    path: Path
    line: int = 0


class _CardsFile(_Model):
    """faq.yaml as written; each card is validated on its own so one bad card spoils no other."""

    cards: list[dict[str, Any]] = []


class _Placement(_Model):
    """placement.yaml as written."""

    title: str = ""
    description: str = ""
    items: list[_ItemSpec]


class _SkillsFile(_Model):
    skills: list[Skill]


# --- the course --------------------------------------------------------------------------------


class Curriculum(BaseModel):
    """The whole course. `lessons` is ordered by module order, then lesson order; `cards` by lesson."""

    root: Path
    modules: dict[str, Module]
    lessons: dict[str, Lesson]
    skills: dict[str, Skill]
    placement: list[QuizItem]
    cards: dict[str, Card] = {}
    _items: dict[str, QuizItem] = PrivateAttr(default_factory=dict)
    _cards_by_lesson: dict[str, list[Card]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        for lesson in self.lessons.values():
            for item in lesson.quiz:
                self._items.setdefault(item.id, item)
        for item in self.placement:
            self._items.setdefault(item.id, item)
        for card in self.cards.values():
            self._cards_by_lesson.setdefault(card.lesson, []).append(card)

    def item(self, item_id: str) -> QuizItem | None:
        """The quiz item (of a lesson or of the placement test) with this id, if any."""
        return self._items.get(item_id)

    def card(self, card_id: str) -> Card | None:
        """The Q&A card with this id, if any."""
        return self.cards.get(card_id)

    def cards_for(self, lesson_id: str) -> list[Card]:
        """The Q&A cards of one lesson, in file order."""
        return list(self._cards_by_lesson.get(lesson_id, []))

    def lessons_in(self, module_id: str) -> list[Lesson]:
        """The lessons of one module, in order."""
        return [lesson for lesson in self.lessons.values() if lesson.module == module_id]

    def core_modules(self, group: str) -> list[Module]:
        """Modules that count towards the certificate of `group` (see `Module.core_for`), in order."""
        return [module for module in self.modules.values() if module.core_for(group)]

    def core_skills(self, group: str) -> set[str]:
        """Skills taught by lessons meant for `group` in modules core for `group`: what "đạt chuẩn" requires."""
        core = {module.id for module in self.core_modules(group)}
        return {
            skill
            for lesson in self.lessons.values()
            if lesson.module in core and lesson.for_audience(group)
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

    def stale_facts(self, before: date) -> list[tuple[Lesson, Fact]]:
        """Facts last checked before `before`, with their lesson, in course order."""
        return [
            (lesson, fact) for lesson in self.lessons.values() for fact in lesson.facts if fact.checked_before(before)
        ]
