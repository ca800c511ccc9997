"""Quality of the quiz bank: answers that give themselves away, repeated questions, thin skills, placement.

`bank_report(...)` measures the bank per module, for the placement test and overall, and returns a
`BankReport` whose `problems` are the limits broken (docs/COURSE_FORMAT.md, "Quiz bank rules"):
- the answer is the strictly longest choice in at most 35% of mcq items (overall and per group);
- no answer position (A, B, C, D) holds more than 40% of a group's mcq items;
- no two lessons ask nearly the same question, and no placement item copies a lesson item;
- no giveaway word in a true/false statement;
- every skill is tested by at least 3 lesson quiz items (mastery needs them);
- the placement test has an item in every module and covers at least 18 skills (or all, if fewer);
- every module in the placement test can be tested out: at least 2 items, not all of them true/false.
Per-group shares are judged only from MIN_GROUP_MCQ items up: a share of 2 or 3 items says nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.curriculum.lessons import LessonFile
from knowledge.curriculum.models import Module, Problem, Skill, _ItemSpec
from knowledge.curriculum.yamlio import YamlDoc
from knowledge.textnorm import fold

MAX_LONGEST_SHARE = 0.35
MAX_POSITION_SHARE = 0.40
MIN_GROUP_MCQ = 5
MIN_SKILL_ITEMS = 3
MIN_PLACEMENT_SKILLS = 18
MIN_TEST_OUT = 2  # placement items a module needs to be tested out (right answers; tutor.placement_plan.MIN_RIGHT)
# Jaccard similarity of folded word sets (question, plus the answer unless it is Đúng/Sai) from which two
# items count as one question asked twice. Calibrated on the second edition (223 lesson mcq, 151 t/f):
# the repeats an editor would merge scored 1.00, 0.71, 0.67 and 0.52 (".gov.vn" twice, "tra soát" twice,
# "the safe way to pay on a marketplace" twice); the closest pairs of different questions on one topic
# scored 0.46 and below.
NEAR_DUPLICATE = 0.5
# Pairs from here up to NEAR_DUPLICATE are listed for an editor to look at (not a failure): some are one
# point asked twice in other words, most are two questions on one topic.
REVIEW_FROM = 0.4
PLACEMENT_GROUP = "placement"
TOTAL_GROUP = "total"
POSITIONS = "ABCD"

# Words that tell a test-wise learner the statement is false (lead's list, issue 13).
GIVEAWAY_WORDS = (
    "chắc chắn",
    "luôn luôn",
    "cho tiện",
    "không sao",
    "tuyệt đối",
    "bao giờ cũng",
    "mọi",
    "hoàn toàn",
)
_GIVEAWAY = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in GIVEAWAY_WORDS) + r")(?!\w)", re.I)
_TOKEN = re.compile(r"\w+")
# Words too common to tell two questions apart.
_STOPWORDS = frozenset(fold(w) for w in "là gì nào có không của và thì được một các khi bạn nên để cho với ai".split())


@dataclass
class GroupStats:
    """Bank figures of one group of items (a module's lessons, the placement test, or everything)."""

    name: str
    mcq: int = 0
    longest: int = 0  # mcq items whose answer is the strictly longest choice
    positions: list[int] = field(default_factory=lambda: [0] * len(POSITIONS))
    true_false: int = 0
    true_answers: int = 0  # true/false items answered "Đúng"
    short: int = 0

    @property
    def longest_share(self) -> float:
        return self.longest / self.mcq if self.mcq else 0.0

    @property
    def top_position(self) -> tuple[str, float]:
        """The most used answer position and its share of mcq items."""
        index = max(range(len(self.positions)), key=lambda i: self.positions[i])
        return POSITIONS[index], (self.positions[index] / self.mcq if self.mcq else 0.0)

    @property
    def true_share(self) -> float:
        return self.true_answers / self.true_false if self.true_false else 0.0

    def add(self, item: _ItemSpec) -> None:
        if item.type == "mcq" and item.answer in item.choices:
            self.mcq += 1
            self.longest += answer_is_longest(item)
            self.positions[min(item.choices.index(item.answer), len(POSITIONS) - 1)] += 1
        elif item.type == "true_false":
            self.true_false += 1
            self.true_answers += item.answer == "Đúng"
        elif item.type == "short":
            self.short += 1

    def as_dict(self) -> dict[str, Any]:
        position, share = self.top_position
        return {
            "group": self.name,
            "mcq": self.mcq,
            "answer_longest": self.longest,
            "answer_longest_share": round(self.longest_share, 3),
            "positions": dict(zip(POSITIONS, self.positions, strict=True)),
            "top_position": position,
            "top_position_share": round(share, 3),
            "true_false": self.true_false,
            "true_share": round(self.true_share, 3),
            "short": self.short,
        }


@dataclass
class BankReport:
    """The bank's figures and the limits it breaks."""

    groups: list[GroupStats]  # modules in course order, then placement, then total
    near_duplicates: int = 0
    placement_copies: int = 0
    giveaways: int = 0
    thin_skills: list[str] = field(default_factory=list)
    placement_skills: int = 0
    placement_modules_missing: list[str] = field(default_factory=list)
    to_review: list[tuple[float, str, str]] = field(default_factory=list)  # (similarity, item id, item id)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "groups": [group.as_dict() for group in self.groups],
            "near_duplicates": self.near_duplicates,
            "placement_copies": self.placement_copies,
            "giveaways": self.giveaways,
            "thin_skills": self.thin_skills,
            "placement_skills": self.placement_skills,
            "placement_modules_missing": self.placement_modules_missing,
            "to_review": [{"similarity": round(score, 2), "items": [a, b]} for score, a, b in self.to_review],
            "problems": len(self.problems),
        }


@dataclass(frozen=True)
class _Located:
    item: _ItemSpec
    path: Path
    line: int
    group: str  # module id or PLACEMENT_GROUP
    lesson: str | None


def answer_is_longest(item: _ItemSpec) -> bool:
    """True when the mcq answer is strictly longer than every other choice."""
    length = len(item.answer.strip())
    return all(len(choice.strip()) < length for choice in item.choices if choice != item.answer)


def question_tokens(text: str) -> frozenset[str]:
    """The folded words of a question that tell it apart (common words left out)."""
    words = frozenset(_TOKEN.findall(fold(text)))
    kept = words - _STOPWORDS
    return kept or words


def item_tokens(item: _ItemSpec) -> frozenset[str]:
    """The words that identify an item: its question and, unless it is Đúng/Sai, its answer."""
    text = item.question if item.type == "true_false" else f"{item.question} {item.answer}"
    return question_tokens(text)


def item_similarity(a: _ItemSpec, b: _ItemSpec) -> float:
    """How alike two items are: the higher of their questions' and their (question + answer) similarity.

    The question alone catches one question asked with two different answers; question and answer
    together catch one fact asked in other words ("… kết thúc bằng gì? .gov.vn").
    """
    return max(
        similarity(question_tokens(a.question), question_tokens(b.question)), similarity(item_tokens(a), item_tokens(b))
    )


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two word sets."""
    return len(a & b) / len(a | b) if a or b else 1.0


def bank_report(
    lessons: list[LessonFile],
    placement: list[tuple[_ItemSpec, tuple[str | int, ...]]],
    placement_doc: YamlDoc | None,
    modules: dict[str, tuple[Module, YamlDoc]],
    skills: dict[str, tuple[Skill, int]],
    skills_path: Path,
) -> BankReport:
    """Measure the bank of valid `lessons` and the placement test; see the module docstring for the limits."""
    located = _locate(lessons, placement, placement_doc)
    order = sorted(modules, key=lambda mid: (modules[mid][0].order, mid))
    order += sorted({x.group for x in located if x.group != PLACEMENT_GROUP} - set(order))
    groups = {name: GroupStats(name) for name in [*order, PLACEMENT_GROUP, TOTAL_GROUP]}
    for x in located:
        groups[x.group].add(x.item)
        groups[TOTAL_GROUP].add(x.item)
    report = BankReport(groups=list(groups.values()))
    for group in report.groups:
        report.problems.extend(_share_problems(group, modules, placement_doc, skills_path.parent))
    _repeat_problems(report, located)
    _giveaway_problems(report, located)
    _skill_problems(report, lessons, skills, skills_path)
    taught = {skill for lf in lessons if lf.front is not None for skill in lf.front.skills}
    taught_modules = {skills[s][0].module for s in taught if s in skills}
    placed_modules = [m for m in order if m in taught_modules]
    _placement_problems(report, located, placement_doc, placed_modules, taught, skills)
    return report


def _locate(
    lessons: list[LessonFile],
    placement: list[tuple[_ItemSpec, tuple[str | int, ...]]],
    placement_doc: YamlDoc | None,
) -> list[_Located]:
    located = []
    for lf in lessons:
        if lf.front is None or lf.doc is None:
            continue
        for index, item in enumerate(lf.front.quiz):
            located.append(_Located(item, lf.path, lf.doc.line("quiz", index, "id"), lf.front.module, lf.front.id))
    if placement_doc is not None:
        for item, loc in placement:
            located.append(_Located(item, placement_doc.path, placement_doc.line(*loc, "id"), PLACEMENT_GROUP, None))
    return located


def _share_problems(
    group: GroupStats, modules: dict[str, tuple[Module, YamlDoc]], placement_doc: YamlDoc | None, root: Path
) -> list[Problem]:
    """Longest-answer and answer-position limits of one group."""
    if group.mcq < MIN_GROUP_MCQ:
        return []
    if group.name in modules:
        doc = modules[group.name][1]
        path, line, what = doc.path, doc.line("id"), f"module '{group.name}'"
    elif group.name == PLACEMENT_GROUP and placement_doc is not None:
        path, line, what = placement_doc.path, placement_doc.line("items"), "the placement test"
    elif group.name == TOTAL_GROUP:
        path, line, what = root, 0, "the course"
    else:
        return []  # lessons of a module without module.yaml: reported elsewhere
    problems = []
    if group.longest_share > MAX_LONGEST_SHARE:
        problems.append(
            Problem(
                path,
                line,
                f"in {what}, the answer is the longest choice in {group.longest} of {group.mcq} mcq items "
                f"({group.longest_share:.0%}); at most {MAX_LONGEST_SHARE:.0%} — lengthen the other choices",
            )
        )
    position, share = group.top_position
    allowed = max(MAX_POSITION_SHARE * group.mcq, math.ceil(group.mcq / 3))  # 3 choices: some position repeats
    if max(group.positions) > allowed:
        problems.append(
            Problem(
                path,
                line,
                f"in {what}, the answer is choice {position} in {max(group.positions)} of {group.mcq} mcq items "
                f"({share:.0%}); at most {MAX_POSITION_SHARE:.0%} per position — vary the answer's place",
            )
        )
    return problems


def _repeat_problems(report: BankReport, located: list[_Located]) -> None:
    """Near-duplicate questions across lessons, and placement items that copy a lesson item.

    Pairs just under the limit go to `report.to_review`, most alike first.
    """
    questions = [question_tokens(x.item.question) for x in located]
    tokens = [item_tokens(x.item) for x in located]
    for j, later in enumerate(located):
        for i in range(j):
            earlier = located[i]
            if earlier.lesson == later.lesson and later.lesson is not None:
                continue  # two items of one lesson may approach one point from two sides
            if later.lesson is None and earlier.lesson is None:
                continue  # placement items among themselves
            score = max(similarity(questions[i], questions[j]), similarity(tokens[i], tokens[j]))
            if score < NEAR_DUPLICATE:
                if score >= REVIEW_FROM:
                    report.to_review.append((score, earlier.item.id, later.item.id))
                continue
            if later.lesson is None:
                report.placement_copies += 1
                what = f"placement item '{later.item.id}' copies lesson item"
            else:
                report.near_duplicates += 1
                what = f"item '{later.item.id}' asks nearly the same question as item"
            report.problems.append(
                Problem(
                    later.path,
                    later.line,
                    f"{what} '{earlier.item.id}' ({earlier.path}:{earlier.line}, similarity {score:.2f}); "
                    "ask it once in the course",
                )
            )
            break
    report.to_review.sort(key=lambda entry: -entry[0])


def _giveaway_problems(report: BankReport, located: list[_Located]) -> None:
    for x in located:
        if x.item.type != "true_false":
            continue
        match = _GIVEAWAY.search(x.item.question)
        if match:
            report.giveaways += 1
            report.problems.append(
                Problem(
                    x.path,
                    x.line,
                    f"true/false item '{x.item.id}' has the giveaway word '{match.group(0)}'; state the "
                    "misconception plainly",
                )
            )


def _skill_problems(
    report: BankReport, lessons: list[LessonFile], skills: dict[str, tuple[Skill, int]], skills_path: Path
) -> None:
    counts: dict[str, int] = {}
    taught: set[str] = set()
    for lf in lessons:
        if lf.front is None:
            continue
        taught.update(lf.front.skills)
        for item in lf.front.quiz:
            counts[item.skill] = counts.get(item.skill, 0) + 1
    for skill_id, (_skill, line) in skills.items():
        count = counts.get(skill_id, 0)
        if skill_id in taught and count < MIN_SKILL_ITEMS:
            report.thin_skills.append(skill_id)
            report.problems.append(
                Problem(
                    skills_path,
                    line,
                    f"skill '{skill_id}' is tested by {count} lesson quiz items; at least {MIN_SKILL_ITEMS} are "
                    "needed to show it mastered",
                )
            )


def _placement_problems(
    report: BankReport,
    located: list[_Located],
    placement_doc: YamlDoc | None,
    module_order: list[str],
    taught: set[str],
    skills: dict[str, tuple[Skill, int]],
) -> None:
    """Every module with a taught skill (`module_order`) has a placement item; enough skills are placed."""
    if placement_doc is None:
        return
    placed = [x.item.skill for x in located if x.group == PLACEMENT_GROUP]
    covered = {skills[s][0].module for s in placed if s in skills}
    report.placement_skills = len(set(placed))
    report.placement_modules_missing = [m for m in module_order if m not in covered]
    line = placement_doc.line("items")
    for module_id in report.placement_modules_missing:
        report.problems.append(
            Problem(placement_doc.path, line, f"the placement test has no item on module '{module_id}'")
        )
    needed = min(MIN_PLACEMENT_SKILLS, len(taught & set(skills)))
    if report.placement_skills < needed:
        report.problems.append(
            Problem(
                placement_doc.path,
                line,
                f"the placement test covers {report.placement_skills} skills; at least {needed} are required",
            )
        )
    _test_out_problems(report, located, skills)


def _test_out_problems(report: BankReport, located: list[_Located], skills: dict[str, tuple[Skill, int]]) -> None:
    """A module is tested out by MIN_TEST_OUT right placement answers, one of them not true/false
    (tutor/placement_plan.py): a module whose placement items cannot give that is never "đã vững"."""
    by_module: dict[str, list[_Located]] = {}
    for x in located:
        if x.group == PLACEMENT_GROUP and x.item.skill in skills:
            by_module.setdefault(skills[x.item.skill][0].module, []).append(x)
    for module_id, items in by_module.items():
        first = items[0]
        if len(items) < MIN_TEST_OUT:
            reason = f"it has {len(items)} placement item; at least {MIN_TEST_OUT} are needed"
        elif all(x.item.type == "true_false" for x in items):
            reason = f"its {len(items)} placement items are all true/false; make at least one of them mcq or short"
        else:
            continue
        report.problems.append(Problem(first.path, first.line, f"module '{module_id}' cannot be tested out: {reason}"))
