"""CLI commands: `hocvuso lessons check`, `lessons stats` and `lessons stale` (the course in knowledge/lessons)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from hocvuso.commands.common import err_console, state
from knowledge.curriculum import (
    MAX_LONGEST_SHARE,
    MAX_POSITION_SHARE,
    BankReport,
    Curriculum,
    Lesson,
    check_course,
    load_curriculum,
)

WORDS_PER_MINUTE = 180  # reading speed assumed for learners new to reading on a phone
ITEM_TYPES = ("mcq", "true_false", "short")
REVIEW_SHOWN = 8  # similar-question pairs listed under the bank report
_WORD = re.compile(r"\w+")

lessons_app = typer.Typer(
    name="lessons",
    help="Check the course, show its statistics and the facts to re-check.\n\n"
    "Example: hocvuso lessons check knowledge/lessons",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

PathArg = Annotated[
    Path | None,
    typer.Argument(help="Course folder (default: ingest.lessons_dir from the settings).", show_default=False),
]


def _course_dir(ctx: typer.Context, path: Path | None) -> Path:
    """The folder to work on: PATH, else the configured lessons folder (settings only, no DB or model)."""
    folder = path if path is not None else state(ctx).container.settings.ingest.lessons_dir
    if not folder.is_dir():
        err_console.print(f"[red]Not a course folder:[/red] {folder}", markup=True, highlight=False)
        raise typer.Exit(2)
    return folder


@lessons_app.command("check")
def check(
    ctx: typer.Context,
    path: PathArg = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Print the quiz bank's quality report.")] = True,
) -> None:
    """Validate the whole course and its quiz bank; print each problem as file:line: reason; exit 1 if any.

    Problems come first (one per line), then the quiz bank report: per module, the share of mcq items
    whose answer is the longest choice (at most 35%), the most used answer position (at most 40%), the
    true/false and short items; then repeated questions, giveaway words, thin skills and placement.

    Example: hocvuso lessons check knowledge/lessons
    """
    folder = _course_dir(ctx, path)
    result = check_course(folder)
    for problem in result.problems:
        typer.echo(str(problem))
    if report and result.report is not None:
        if result.problems:
            typer.echo("")
        typer.echo(bank_report_text(result.report))
    if result.problems:
        files = len({problem.path for problem in result.problems})
        typer.echo(f"{len(result.problems)} problem(s) in {files} file(s).", err=True)
        raise typer.Exit(1)
    course = load_curriculum(folder)
    items = sum(len(lesson.quiz) for lesson in course.lessons.values())
    typer.echo(
        f"OK: {folder}: {len(course.modules)} modules, {len(course.lessons)} lessons, {items} quiz items, "
        f"{len(course.placement)} placement items, {len(course.skills)} skills, {len(course.cards)} Q&A cards; "
        "no problems."
    )


def bank_report_text(report: BankReport) -> str:
    """The quiz bank report as fixed-width text lines (what `lessons check` prints)."""
    lines = [
        f"Quiz bank (limits: answer longest <= {MAX_LONGEST_SHARE:.0%}, one answer position <= "
        f"{MAX_POSITION_SHARE:.0%}):",
        f"{'group':<22}{'mcq':>5}{'longest':>9}{'A/B/C/D':>14}{'top':>7}{'t/f':>5}{'Đúng':>6}{'short':>6}",
    ]
    for group in report.groups:
        position, share = group.top_position
        spread = "/".join(str(n) for n in group.positions)
        lines.append(
            f"{group.name:<22}{group.mcq:>5}{group.longest_share:>9.0%}{spread:>14}"
            f"{position + f' {share:.0%}':>7}{group.true_false:>5}{group.true_share:>6.0%}{group.short:>6}"
        )
    missing = ", ".join(report.placement_modules_missing) or "none"
    lines.append(
        f"near-duplicate questions across lessons: {report.near_duplicates}; placement items copying a lesson "
        f"item: {report.placement_copies}; true/false giveaway words: {report.giveaways}; skills with under 3 "
        f"items: {len(report.thin_skills)}; placement: {report.placement_skills} skills, modules missing: {missing}."
    )
    if report.to_review:
        shown = ", ".join(f"{a} ~ {b} ({score:.2f})" for score, a, b in report.to_review[:REVIEW_SHOWN])
        more = f" and {len(report.to_review) - REVIEW_SHOWN} more" if len(report.to_review) > REVIEW_SHOWN else ""
        lines.append(f"similar questions to review (not a failure): {shown}{more}.")
    return "\n".join(lines)


def lesson_words(lesson: Lesson) -> int:
    """Words a learner reads in a lesson body (headings and section text)."""
    return sum(len(_WORD.findall(f"{s.heading} {s.text}")) for s in lesson.sections)


def course_stats(course: Curriculum) -> dict[str, Any]:
    """Per-module and total counts of a course, as plain data (what `stats --json` prints)."""
    module_ids = list(course.modules) + sorted({le.module for le in course.lessons.values()} - set(course.modules))
    rows: list[dict[str, Any]] = []
    for module_id in module_ids:
        lessons = course.lessons_in(module_id)
        module = course.modules.get(module_id)
        items = {kind: sum(1 for le in lessons for it in le.quiz if it.type == kind) for kind in ITEM_TYPES}
        words = sum(lesson_words(le) for le in lessons)
        rows.append(
            {
                "module": module_id,
                "title": module.title if module else "",
                "core": bool(module and module.core),
                "lessons": len(lessons),
                "advanced": sum(1 for le in lessons if le.level == "nang-cao"),
                "items": items,
                "words": words,
                "reading_min": round(words / WORDS_PER_MINUTE, 1),
                "transcripts": sum(len(le.videos) for le in lessons),
                "images": sum(len(le.images) for le in lessons),
                "facts": sum(len(le.facts) for le in lessons),
                "cards": sum(len(course.cards_for(le.id)) for le in lessons),
            }
        )
    words = sum(row["words"] for row in rows)
    totals = {
        "lessons": sum(row["lessons"] for row in rows),
        "advanced": sum(row["advanced"] for row in rows),
        "items": {kind: sum(row["items"][kind] for row in rows) for kind in ITEM_TYPES},
        "words": words,
        "reading_min": round(words / WORDS_PER_MINUTE, 1),
        "transcripts": sum(row["transcripts"] for row in rows),
        "images": sum(row["images"] for row in rows),
        "facts": sum(row["facts"] for row in rows),
        "cards": sum(row["cards"] for row in rows),
    }
    return {
        "root": str(course.root),
        "modules": rows,
        "totals": totals,
        "placement_items": len(course.placement),
        "skills": len(course.skills),
    }


def _stats_table(stats: dict[str, Any]) -> Table:
    table = Table(
        title=f"Course {stats['root']}",
        caption="les: lessons · adv: nang-cao lessons · t/f: true_false · min: reading minutes at 180 words/min · "
        "vtt: transcripts (.vtt/.srt) · cards: Q&A cards · *: not core",
        show_footer=True,
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        pad_edge=False,
    )
    totals = stats["totals"]
    columns = [
        ("module", "total", "left"),
        ("les", str(totals["lessons"]), "right"),
        ("adv", str(totals["advanced"]), "right"),
        ("mcq", str(totals["items"]["mcq"]), "right"),
        ("t/f", str(totals["items"]["true_false"]), "right"),
        ("short", str(totals["items"]["short"]), "right"),
        ("words", str(totals["words"]), "right"),
        ("min", f"{totals['reading_min']:.1f}", "right"),
        ("vtt", str(totals["transcripts"]), "right"),
        ("img", str(totals["images"]), "right"),
        ("facts", str(totals["facts"]), "right"),
        ("cards", str(totals["cards"]), "right"),
    ]
    for header, footer, justify in columns:
        table.add_column(header, footer=footer, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in stats["modules"]:
        name = row["module"] + ("" if row["core"] else " *")
        table.add_row(
            name,
            str(row["lessons"]),
            str(row["advanced"]),
            *[str(row["items"][kind]) for kind in ITEM_TYPES],
            str(row["words"]),
            f"{row['reading_min']:.1f}",
            str(row["transcripts"]),
            str(row["images"]),
            str(row["facts"]),
            str(row["cards"]),
        )
    return table


@lessons_app.command("stats")
def stats(
    ctx: typer.Context,
    path: PathArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
) -> None:
    """Modules, lessons, quiz items by type, words, reading minutes, media, facts, Q&A cards and placement items.

    Reading time assumes 180 words a minute. Lessons with problems are left out (see `lessons check`).

    Example: hocvuso lessons stats knowledge/lessons --json
    """
    folder = _course_dir(ctx, path)
    checked = check_course(folder)
    course = load_curriculum(folder, strict=False)
    data = course_stats(course)
    data["problems"] = len(checked.problems)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(_stats_table(data))
    items = sum(data["totals"]["items"].values())
    console.print(
        f"{data['totals']['lessons']} lessons, {items} quiz items, {data['placement_items']} placement items, "
        f"{data['skills']} skills; media: {data['totals']['transcripts']} transcripts, "
        f"{data['totals']['images']} images; {data['totals']['advanced']} advanced lessons, "
        f"{data['totals']['facts']} facts, {data['totals']['cards']} Q&A cards.",
        markup=False,
        highlight=False,
    )
    if checked.problems:
        left_out = "; invalid lessons and cards are not counted" if checked.structural else ""
        err_console.print(
            f"{len(checked.problems)} problem(s){left_out}: run `hocvuso lessons check`.",
            markup=False,
            highlight=False,
        )


def _parse_before(value: str) -> date:
    """YYYY-MM (the first day of that month) or YYYY-MM-DD."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return date.fromisoformat(f"{value}-01")
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected YYYY-MM or YYYY-MM-DD, got {value!r}") from None


@lessons_app.command("stale")
def stale(
    ctx: typer.Context,
    before: Annotated[
        str, typer.Option("--before", help="List facts last checked before this date (YYYY-MM or YYYY-MM-DD).")
    ],
    path: PathArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the facts as JSON.")] = False,
) -> None:
    """List the lessons' facts (thresholds, agencies, dates, hotlines) last checked before a date.

    A fact's `checked: YYYY-MM` counts from the first day of that month, so `--before 2026-06` lists
    facts checked in May 2026 or earlier. Lessons with problems are left out (see `lessons check`).

    Example: hocvuso lessons stale --before 2026-06 --json
    """
    when = _parse_before(before)
    folder = _course_dir(ctx, path)
    course = load_curriculum(folder, strict=False)
    found = course.stale_facts(when)
    total = sum(len(lesson.facts) for lesson in course.lessons.values())
    rows = [
        {
            "file": str(lesson.path),
            "line": fact.line,
            "lesson": lesson.id,
            "claim": fact.claim,
            "source": fact.source,
            "checked": fact.checked,
        }
        for lesson, fact in found
    ]
    if as_json:
        typer.echo(
            json.dumps({"before": when.isoformat(), "facts": rows, "total": total}, ensure_ascii=False, indent=2)
        )
        return
    for row in rows:
        typer.echo(f"{row['file']}:{row['line']}: {row['lesson']} (checked {row['checked']})")
        typer.echo(f"    claim: {row['claim']}")
        typer.echo(f"    source: {row['source']}")
    typer.echo(f"{len(rows)} of {total} fact(s) last checked before {when.isoformat()}.")
