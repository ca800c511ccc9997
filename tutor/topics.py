"""Which part of the course a learner's topic words name ("lua dao", "vneid", "mật khẩu").

A module is matched first (its title and id count double, its description once; words shared by
many modules, like "số" or "trực tuyến", weigh less); only when no module is clearly named are
lesson titles tried. Pure functions over the curriculum: no database, no model.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.curriculum import Curriculum, Lesson
from knowledge.textnorm import fold

_TOKENS = re.compile(r"\w+", re.UNICODE)

# Words of a request that never name a topic.
_STOP = {
    "toi",
    "em",
    "minh",
    "muon",
    "hoc",
    "ve",
    "cach",
    "bai",
    "cho",
    "cac",
    "nhung",
    "mot",
    "va",
    "la",
    "gi",
    "cua",
    "voi",
    "nhe",
    "nha",
    "di",
    "ạ",
    "them",
    "tim",
    "hieu",
    "biet",
    "de",
    "phan",
    "khi",
    "the",
    "nao",
    "lam",
    "sao",
    "duoc",
}


@dataclass(frozen=True)
class TopicMatch:
    """The module a topic belongs to and its candidate lessons, in course order."""

    module: str
    lessons: tuple[str, ...]
    whole_module: bool  # True: the module itself was named; False: lesson titles matched


def topic_words(text: str) -> set[str]:
    """The folded words of `text` that can name a topic (no stop words, no one-letter words)."""
    return {w for w in _TOKENS.findall(fold(text)) if len(w) > 1 and w not in _STOP}


def _words(text: str) -> set[str]:
    return {w for w in _TOKENS.findall(fold(text)) if len(w) > 1}


def _module_lessons(curriculum: Curriculum, module_id: str, group: str | None) -> list[Lesson]:
    lessons = curriculum.lessons_in(module_id)
    return [lesson for lesson in lessons if group is None or lesson.for_audience(group)]


def find_topic(curriculum: Curriculum, text: str, group: str | None = None) -> TopicMatch | None:
    """The module (or lessons) that `text` names for a learner of `group`; None when unclear."""
    wanted = topic_words(text)
    if not wanted:
        return None
    return _by_module(curriculum, wanted, group) or _by_lesson(curriculum, wanted, group)


def _idf(documents: Iterable[set[str]]) -> dict[str, float]:
    docs = list(documents)
    counts = Counter(w for doc in docs for w in doc)
    return {w: math.log(1 + len(docs) / n) for w, n in counts.items()}


def _by_module(curriculum: Curriculum, wanted: set[str], group: str | None) -> TopicMatch | None:
    modules = [m for m in sorted(curriculum.modules.values(), key=lambda m: m.order)]
    modules = [m for m in modules if _module_lessons(curriculum, m.id, group)]
    names = {m.id: _words(m.title) | set(m.id.split("-")) for m in modules}
    about = {m.id: _words(m.description) for m in modules}
    idf = _idf(names[m.id] | about[m.id] for m in modules)
    best: tuple[float, int, str] | None = None
    for m in modules:
        named = wanted & names[m.id]
        described = (wanted & about[m.id]) - named
        matched = named | described
        if 2 * len(matched) < len(wanted) or len(matched) < min(2, len(wanted)):
            continue  # too few of the learner's words
        if not named and len(described) < len(wanted):
            continue  # only loosely described
        score = sum(2 * idf[w] for w in named) + sum(idf[w] for w in described)
        if best is None or score > best[0]:
            best = (score, m.order, m.id)
    if best is None:
        return None
    lessons = tuple(lesson.id for lesson in _module_lessons(curriculum, best[2], group))
    return TopicMatch(best[2], lessons, whole_module=True)


def _by_lesson(curriculum: Curriculum, wanted: set[str], group: str | None) -> TopicMatch | None:
    scored: list[tuple[int, Lesson]] = []
    for lesson in curriculum.lessons.values():
        if group is not None and not lesson.for_audience(group):
            continue
        overlap = len(wanted & _words(lesson.title))
        if overlap and 2 * overlap >= len(wanted):
            scored.append((overlap, lesson))
    if not scored:
        return None
    top = max(score for score, _ in scored)
    best = [lesson for score, lesson in scored if score == top]
    return TopicMatch(best[0].module, tuple(lesson.id for lesson in best), whole_module=False)


def first_unfinished(curriculum: Curriculum, match: TopicMatch, completed: set[str]) -> Lesson | None:
    """The topic's first lesson not completed yet, in course order; None when all are done."""
    for lesson_id in match.lessons:
        if lesson_id not in completed and lesson_id in curriculum.lessons:
            return curriculum.lessons[lesson_id]
    return None
