"""Q&A cards: `<module>/faq.yaml` files of curated answers, each tied to one `##` section of a lesson.

Format: docs/COURSE_FORMAT.md (Q&A cards). A card is structurally invalid (and left out of the course)
when a field is missing or wrong, its lesson or section does not exist, or its id is taken. Its text
(id form, phrasings, answer length, self-references) and a lesson with too few cards are quality
problems: reported by `hocvuso lessons check`, but the card is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.curriculum.lessons import LessonFile
from knowledge.curriculum.models import CARDS_FILE, Card, Problem, _CardsFile, _CardSpec
from knowledge.curriculum.yamlio import YamlDoc, load_yaml_file, validate, validate_at

MIN_CARD_QUESTIONS = 3
MAX_CARD_ANSWER_CHARS = 600
MIN_LESSON_CARDS = 5

# Words by which an answer points at a page, picture or video the learner does not have in the chat.
# Only unambiguous phrases: "phần trên", "ảnh trên", "xem ảnh" also mean "the upper part", "photos on
# (Facebook)", "look at the (product) photos".
SELF_REFERENCES = (
    "bài này",
    "bài học này",
    "video này",
    "đoạn này",
    "đoạn trên",
    "hình bên",
    "ảnh bên",
    "hình minh họa",
    "xem video",
    "trong video",
    "nói ở trên",
    "nêu ở trên",
    "như trên đây",
    "mục trên",
)
_SELF_REFERENCE = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in SELF_REFERENCES) + r")(?!\w)", re.I)
# A video time stamp ("phút 2:16", "(02:16)", "00:02:16"), not a time of day written as "20:30" alone.
_TIME_STAMP = re.compile(r"(phút\s+\d{1,2}:\d{2})|(\(\s*\d{1,2}:\d{2}\s*\))|(\b\d{1,2}:\d{2}:\d{2}\b)", re.I)


@dataclass
class CardEntry:
    """One card as read from a faq.yaml, with its place in the file."""

    spec: _CardSpec
    module: str
    doc: YamlDoc
    index: int

    @property
    def path(self) -> Path:
        return self.doc.path

    def line(self, *key: str | int) -> int:
        """File line of the card (or of one of its keys)."""
        return self.doc.line("cards", self.index, *key)


def read_cards(folder: Path, problems: list[Problem]) -> list[CardEntry]:
    """The cards of one module folder's faq.yaml (none when the file is absent or invalid)."""
    path = folder / CARDS_FILE
    if not path.is_file():
        return []
    doc = load_yaml_file(path, problems)
    parsed = validate(_CardsFile, doc, problems) if doc else None
    if parsed is None or doc is None:
        return []
    entries = []
    for index, raw in enumerate(parsed.cards):
        spec = validate_at(_CardSpec, raw, doc, ("cards", index), problems)
        if spec is not None:
            entries.append(CardEntry(spec, folder.name, doc, index))
    return entries


def card_problems(
    entries: list[CardEntry], lessons: dict[str, LessonFile], unreadable: set[str], broken: set[Path]
) -> tuple[list[Problem], set[int]]:
    """Problems of the cards against the valid `lessons`; also the positions (in `entries`) of invalid cards.

    Cards of a lesson whose front matter is invalid (`unreadable` ids) are left out without a problem of
    their own, and the sections of a lesson file with problems (`broken`) are not checked: the lesson's
    problems say what to fix first.
    """
    problems: list[Problem] = []
    invalid: set[int] = set()
    seen: dict[str, CardEntry] = {}
    for position, entry in enumerate(entries):
        if entry.spec.lesson not in lessons and entry.spec.lesson in unreadable:
            invalid.add(position)
            seen.setdefault(entry.spec.id, entry)
            continue
        found = _one_card_problems(entry, lessons, broken)
        card_id = entry.spec.id
        if card_id in seen:
            other = seen[card_id]
            found.append(
                Problem(
                    entry.path,
                    entry.line("id"),
                    f"duplicate card id '{card_id}' (also in {other.path}:{other.line('id')})",
                )
            )
        else:
            seen[card_id] = entry
        if found:
            invalid.add(position)
        problems.extend(found)
    for entry in entries:
        for index, target in enumerate(entry.spec.follow_up):
            if target not in seen:
                problems.append(
                    Problem(
                        entry.path,
                        entry.line("follow_up", index),
                        f"unknown follow_up card '{target}' of card '{entry.spec.id}'",
                    )
                )
            elif target == entry.spec.id:
                problems.append(
                    Problem(entry.path, entry.line("follow_up", index), f"card '{target}' follows up on itself")
                )
    return problems, invalid


def _one_card_problems(entry: CardEntry, lessons: dict[str, LessonFile], broken: set[Path]) -> list[Problem]:
    """Structural problems of one card: its lesson and section must exist (else the card is left out)."""
    card, path = entry.spec, entry.path
    problems: list[Problem] = []
    lesson = lessons.get(card.lesson)
    if lesson is None or lesson.front is None:
        problems.append(Problem(path, entry.line("lesson"), f"unknown lesson '{card.lesson}' of card '{card.id}'"))
    else:
        if lesson.folder != entry.module:
            problems.append(
                Problem(
                    path,
                    entry.line("lesson"),
                    f"lesson '{card.lesson}' of card '{card.id}' is in module '{lesson.folder}'; "
                    f"its cards go in {lesson.folder}/{CARDS_FILE}",
                )
            )
        headings = [section.heading for section in lesson.sections]
        if card.section not in headings and lesson.path not in broken:
            problems.append(
                Problem(
                    path,
                    entry.line("section"),
                    f"section '{card.section}' of card '{card.id}' is not a '##' heading of lesson '{card.lesson}' "
                    f"({' | '.join(headings)})",
                )
            )
    return problems


def card_content_problems(entries: list[CardEntry]) -> list[Problem]:
    """Quality problems of the cards' own text: id form, phrasings, answer length, self-references.

    The card is still usable (and loaded); `lessons check` fails until it is fixed.
    """
    problems: list[Problem] = []
    for entry in entries:
        problems.extend(_content_problems(entry))
    return problems


def _content_problems(entry: CardEntry) -> list[Problem]:
    card, path = entry.spec, entry.path
    problems: list[Problem] = []
    if not re.fullmatch(re.escape(card.lesson) + r"-c\d+", card.id):
        problems.append(Problem(path, entry.line("id"), f"card id '{card.id}' must be '{card.lesson}-c<N>'"))
    if len(card.questions) < MIN_CARD_QUESTIONS:
        problems.append(
            Problem(
                path,
                entry.line("questions"),
                f"card '{card.id}' has {len(card.questions)} question phrasings; at least {MIN_CARD_QUESTIONS} "
                "are required",
            )
        )
    answer = card.answer.strip()
    if len(answer) > MAX_CARD_ANSWER_CHARS:
        problems.append(
            Problem(
                path,
                entry.line("answer"),
                f"the answer of card '{card.id}' has {len(answer)} characters; at most {MAX_CARD_ANSWER_CHARS}",
            )
        )
    for pattern, what in (
        (_SELF_REFERENCE, "refers to a page, picture or video"),
        (_TIME_STAMP, "has a video time stamp"),
    ):
        match = pattern.search(answer)
        if match:
            problems.append(
                Problem(path, entry.line("answer"), f"the answer of card '{card.id}' {what}: '{match.group(0)}'")
            )
    return problems


def card_count_problems(entries: list[CardEntry], lessons: list[LessonFile]) -> list[Problem]:
    """One problem per lesson with fewer than MIN_LESSON_CARDS cards, at the lesson's id line.

    A card with a problem of its own still counts: its own problem says what to fix.
    """
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.spec.lesson] = counts.get(entry.spec.lesson, 0) + 1
    problems = []
    for lf in lessons:
        if lf.front is None or lf.doc is None:
            continue
        count = counts.get(lf.front.id, 0)
        if count < MIN_LESSON_CARDS:
            problems.append(
                Problem(
                    lf.path,
                    lf.doc.line("id"),
                    f"lesson '{lf.front.id}' has {count} Q&A cards in {lf.folder}/{CARDS_FILE}; "
                    f"at least {MIN_LESSON_CARDS} are required",
                )
            )
    return problems


def build_cards(entries: list[CardEntry], invalid: set[int], lesson_order: list[str]) -> dict[str, Card]:
    """The valid cards as `Card`s, ordered by lesson (course order), then file order."""
    rank = {lesson_id: n for n, lesson_id in enumerate(lesson_order)}
    valid = [(pos, e) for pos, e in enumerate(entries) if pos not in invalid and e.spec.lesson in rank]
    valid.sort(key=lambda pair: (rank[pair[1].spec.lesson], pair[0]))
    cards: dict[str, Card] = {}
    for _pos, entry in valid:
        cards[entry.spec.id] = Card(**entry.spec.model_dump(), module=entry.module, path=entry.path, line=entry.line())
    return cards
