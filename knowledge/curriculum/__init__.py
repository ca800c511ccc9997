"""The course: modules, lessons, quiz items, Q&A cards and the placement test, loaded from `knowledge/lessons/`.

The format is described in docs/COURSE_FORMAT.md. `check_curriculum(root)` returns every problem of a
course, each with the file and line to fix (`check_course(root)` adds the quiz bank's report);
`load_curriculum(root)` returns the typed `Curriculum` or raises `CurriculumError` with its structural
problems. Nothing here imports tutor, bot, ingest or hocvuso.

Modules: models (the typed course), yamlio (files with line numbers), lessons (lesson files and media),
cards (faq.yaml), bank (quiz bank quality), course (the whole course).
"""

from knowledge.curriculum.bank import (
    GIVEAWAY_WORDS,
    MAX_LONGEST_SHARE,
    MAX_POSITION_SHARE,
    NEAR_DUPLICATE,
    BankReport,
    GroupStats,
    answer_is_longest,
    item_similarity,
    item_tokens,
    question_tokens,
    similarity,
)
from knowledge.curriculum.cards import MAX_CARD_ANSWER_CHARS, MIN_CARD_QUESTIONS, MIN_LESSON_CARDS
from knowledge.curriculum.course import (
    MAX_PLACEMENT_ITEMS,
    MIN_LESSON_ITEMS,
    MIN_PLACEMENT_ITEMS,
    CourseCheck,
    check_course,
    check_curriculum,
    load_curriculum,
)
from knowledge.curriculum.lessons import (
    CAPTION_SUFFIXES,
    IMAGE_SUFFIXES,
    MAX_SECTION_CHARS,
    MAX_SECTIONS,
    MEDIA_SEPARATOR,
    MIN_SECTIONS,
    TRANSCRIPT_SUFFIXES,
)
from knowledge.curriculum.models import (
    CARDS_FILE,
    MODULE_FILE,
    PLACEMENT_FILE,
    RECAP_HEADING,
    SKILLS_FILE,
    TRUE_FALSE_ANSWERS,
    Audience,
    Card,
    Curriculum,
    CurriculumError,
    Fact,
    ItemType,
    Lesson,
    Level,
    Module,
    Problem,
    QuizItem,
    Section,
    Skill,
)

__all__ = [
    "CAPTION_SUFFIXES",
    "CARDS_FILE",
    "GIVEAWAY_WORDS",
    "IMAGE_SUFFIXES",
    "MAX_CARD_ANSWER_CHARS",
    "MAX_LONGEST_SHARE",
    "MAX_PLACEMENT_ITEMS",
    "MAX_POSITION_SHARE",
    "MAX_SECTIONS",
    "MAX_SECTION_CHARS",
    "MEDIA_SEPARATOR",
    "MIN_CARD_QUESTIONS",
    "MIN_LESSON_CARDS",
    "MIN_LESSON_ITEMS",
    "MIN_PLACEMENT_ITEMS",
    "MIN_SECTIONS",
    "MODULE_FILE",
    "NEAR_DUPLICATE",
    "PLACEMENT_FILE",
    "RECAP_HEADING",
    "SKILLS_FILE",
    "TRANSCRIPT_SUFFIXES",
    "TRUE_FALSE_ANSWERS",
    "Audience",
    "BankReport",
    "Card",
    "CourseCheck",
    "Curriculum",
    "CurriculumError",
    "Fact",
    "GroupStats",
    "ItemType",
    "Lesson",
    "Level",
    "Module",
    "Problem",
    "QuizItem",
    "Section",
    "Skill",
    "answer_is_longest",
    "item_similarity",
    "item_tokens",
    "check_course",
    "check_curriculum",
    "load_curriculum",
    "question_tokens",
    "similarity",
]
