"""Synthetic officers' data and the timing of the indicator queries and dashboard pages.

Generates a registry (1 province, districts, grassroots units), learners spread over the grassroots
units and groups, an event log (lessons, quizzes, questions, certifications) over 180 days, lesson
progress, mastery and officer accounts; then times `hocvuso stats`-style indicators and every
dashboard page (through the same OfficerPort the web pages use), reporting p50/p95 in ms.

    python scripts/bench_officers.py --units 500 --learners 100000 --events 5000000            # SQLite
    python scripts/bench_officers.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench ...  # PostgreSQL

The data is synthetic (random, seeded): numbers measure speed, not the campaign.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
KINDS = (
    ("section_viewed", 0.40),
    ("quiz_answered", 0.35),
    ("lesson_started", 0.08),
    ("lesson_completed", 0.06),
    ("question_asked", 0.05),
    ("quiz_completed", 0.04),
    ("feedback", 0.02),
)
GROUPS = (("worker", 0.7), ("public", 0.2), ("officer", 0.1))


def make_registry(units: int, rng: random.Random) -> list[dict[str, Any]]:
    """One province, about one district per 25 units, the rest grassroots units with member counts."""
    districts = max(1, units // 25)
    rows = [dict(id="p", name="Liên đoàn Lao động tỉnh Mẫu", parent_id=None, level="province", sector="union",
                 officers=40, public_staff=0, workers=0)]  # fmt: skip
    rows += [dict(id=f"d{i}", name=f"Liên đoàn Lao động huyện Mẫu {i}", parent_id="p", level="district",
                  sector="union", officers=8, public_staff=0, workers=0) for i in range(districts)]  # fmt: skip
    for i in range(units - 1 - districts):
        public = rng.random() < 0.25
        rows.append(dict(id=f"g{i}", name=f"Công đoàn cơ sở Mẫu số {i}", parent_id=f"d{i % districts}",
                         level="grassroots", sector="public" if public else "enterprise",
                         officers=rng.randint(1, 4), public_staff=rng.randint(20, 400) if public else 0,
                         workers=0 if public else rng.randint(50, 3000)))  # fmt: skip
    return rows


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def generate(container: Any, units: int, learners: int, events: int, seed: int = 7) -> dict[str, float]:
    """Fill the database; returns seconds per part."""
    from tutor.models import Learner, LessonProgress, Mastery, Unit
    from tutor.officer_models import Officer

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    registry = make_registry(units, rng)
    grassroots = [u["id"] for u in registry if u["level"] == "grassroots"]
    with container.session_factory() as session, session.begin():
        session.execute(insert(Unit), [{**u, "sample": False, "updated_at": NOW} for u in registry])
        learner_rows = []
        for i in range(learners):
            seen = NOW - timedelta(days=rng.expovariate(1 / 20))
            learner_rows.append(dict(id=i + 1, group=pick(rng, GROUPS), unit_id=rng.choice(grassroots),
                                     consent_state="given", active=True, created_at=seen - timedelta(days=30),
                                     last_seen_at=seen))  # fmt: skip
        for chunk in range(0, learners, 20000):
            session.execute(insert(Learner), learner_rows[chunk : chunk + 20000])
        officers = [dict(learner_id=rng.randint(1, learners), unit_id=u, created_at=NOW) for u in grassroots
                    if rng.random() < 0.6]  # fmt: skip
        session.execute(insert(Officer), officers)
    timings["registry+learners"] = time.perf_counter() - started

    started = time.perf_counter()
    course = load_course()  # the lessons and skills the dashboard groups by module
    lessons = [lesson.id for module in course.modules for lesson in course.lessons_in(module)]
    skills = sorted(course.skills)
    with container.session_factory() as session, session.begin():
        batch: list[dict[str, Any]] = []
        for learner in range(1, learners + 1):
            for lesson in rng.sample(lessons, rng.randint(0, 8)):
                status = "completed" if rng.random() < 0.6 else "started"
                batch.append(dict(learner_id=learner, lesson_id=lesson, status=status, section=0,
                                  started_at=NOW - timedelta(days=30), completed_at=None))  # fmt: skip
            if len(batch) > 50000:
                session.execute(insert(LessonProgress), batch)
                batch = []
        if batch:
            session.execute(insert(LessonProgress), batch)
        batch = []
        for learner in range(1, learners + 1, 2):  # half the learners have mastery rows
            for skill in rng.sample(skills, 4):
                batch.append(dict(learner_id=learner, skill=skill, p=rng.random(), updated_at=NOW))
            if len(batch) > 50000:
                session.execute(insert(Mastery), batch)
                batch = []
        if batch:
            session.execute(insert(Mastery), batch)
    timings["progress+mastery"] = time.perf_counter() - started

    started = time.perf_counter()
    add_events(container, learner_rows, events, rng, certify=True)
    timings["events"] = time.perf_counter() - started
    timings["aggregates"] = recount(container)
    return timings


def recount(container: Any) -> float:
    """Count the bulk-loaded records into the statistics' aggregate tables (Core inserts bypass the
    mapper events that keep them in step); returns seconds."""
    from tutor.stats.rebuild import rebuild

    started = time.perf_counter()
    with container.session_factory() as session, session.begin():
        rebuild(session)
    return time.perf_counter() - started


def add_events(container: Any, learner_rows: list[dict[str, Any]], events: int, rng: random.Random,
               certify: bool, counters: bool = True) -> None:  # fmt: skip
    """Append `events` random events (and, with `certify`, one certification for a fifth of the
    learners), with (`counters`) the weekly activity counters the store would have written."""
    from tutor.models import Event
    from tutor.officer_models import StatCounter
    from tutor.stats.counters import ACTIVE_WEEK, week_of

    learners = len(learner_rows)
    certified = rng.sample(range(1, learners + 1), learners // 5)
    per_batch = 100000
    written = 0
    units_of = {row["id"]: (row["unit_id"], row["group"]) for row in learner_rows}
    active_weeks: set[tuple[int, Any]] = set()
    with container.session_factory() as session, session.begin():
        if certify:
            session.execute(insert(Event), [dict(learner_id=lid, kind="certified", at=NOW - timedelta(days=3),
                                                 data={}) for lid in certified])  # fmt: skip
        while written < events:
            rows = []
            for _ in range(min(per_batch, events - written)):
                kind = pick(rng, KINDS)
                data: dict[str, Any] = {}
                if kind == "question_asked":
                    data = {"question": f"câu hỏi mẫu số {rng.randint(1, 400)}", "answered": rng.random() < 0.8}
                elif kind == "quiz_answered":
                    data = {"correct": rng.random() < 0.7}
                rows.append(dict(learner_id=rng.randint(1, learners), kind=kind,
                                 at=NOW - timedelta(minutes=rng.randint(0, 180 * 24 * 60)),
                                 item_id=f"q{rng.randint(1, 300)}" if kind == "quiz_answered" else None,
                                 data=data))  # fmt: skip
            session.execute(insert(Event), rows)
            written += len(rows)
            active_weeks.update((row["learner_id"], week_of(row["at"])) for row in rows)
        if not counters:
            return
        # What the store's note_activity would have counted, event by event.
        weekly: dict[tuple[str, str, Any], int] = {}
        for learner_id, week in active_weeks:
            unit, group = units_of[learner_id]
            weekly[(unit, group, week)] = weekly.get((unit, group, week), 0) + 1
        session.execute(
            insert(StatCounter),
            [dict(unit_id=u, group=g, week=w, kind=ACTIVE_WEEK, count=n) for (u, g, w), n in weekly.items()],
        )


def load_course() -> Any:
    """The shipped course (12 modules): progress and mastery use its lesson and skill ids."""
    from knowledge.curriculum import load_curriculum

    return load_curriculum(REPO / "knowledge" / "lessons")


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1), "n": repeat}


def measure(container: Any, repeat: int) -> dict[str, dict[str, float]]:
    """Time the indicators (whole registry, a district, a grassroots unit) and the dashboard pages."""
    from tutor.officer_dashboard import OfficerDashboard
    from tutor.officers import OfficerConfig, OfficerService

    service = OfficerService(container.session_factory, container.units, OfficerConfig(), clock=lambda: NOW)
    container.units.refresh(force=True)
    course = load_course()
    dashboard = OfficerDashboard(service, course)
    started = time.perf_counter()
    dashboard._sync_outline()  # the module counts of this outline (a recount the first time), not timed below
    outline_s = time.perf_counter() - started
    province = service.exchange(service.sign_in_link("p").split("token=")[1]) or ""
    district = service.exchange(service.sign_in_link("d0").split("token=")[1]) or ""
    # The same pages with `stats.cache_seconds` (the default 60 s): a view within a minute of another.
    warm_service = OfficerService(
        container.session_factory, container.units, OfficerConfig(cache_seconds=60), clock=lambda: NOW
    )
    warm = OfficerDashboard(warm_service, course)
    warm_token = warm_service.exchange(warm_service.sign_in_link("p").split("token=")[1]) or ""
    return {
        "outline sync (s, once)": {"s": round(outline_s, 2)},
        "page / (province, cached 60 s)": timed(lambda: warm.overview(warm_token), repeat),
        "page /units (province, cached 60 s)": timed(lambda: warm.units(warm_token), repeat),
        "page /gaps (province, cached 60 s)": timed(lambda: warm.content_gaps(warm_token), repeat),
        "page /missed (province, cached 60 s)": timed(lambda: warm.missed_items(warm_token), repeat),
        "stats (whole registry)": timed(lambda: service.stats_json(None), repeat),
        "stats --unit district": timed(lambda: service.stats_json("d0"), repeat),
        "stats --unit grassroots": timed(lambda: service.stats_json("g0"), repeat),
        "page / (province)": timed(lambda: dashboard.overview(province), repeat),
        "page /units (province)": timed(lambda: dashboard.units(province), repeat),
        "page /gaps (province)": timed(lambda: dashboard.content_gaps(province), repeat),
        "page /missed (province)": timed(lambda: dashboard.missed_items(province), repeat),
        "page / (district)": timed(lambda: dashboard.overview(district), repeat),
        "reference: missed items from every answer (province)": timed(lambda: raw_missed(service), 3),
        "reference: gaps from every question (province)": timed(lambda: raw_gaps(service, "p"), 3),
        "gaps equal to the raw query (province, district, grassroots)": {
            "equal": all(gaps_match(service, unit) for unit in ("p", "d0", "g0"))
        },
        "page /units (district)": timed(lambda: dashboard.units(district), repeat),
    }


def raw_missed(service: Any) -> Any:
    """The most-missed items as counted before the aggregate tables (every quiz answer of 90 days)."""
    from tutor.stats.activity import missed_items_raw

    codes = {u.id for u in service.units.all()}
    with service.session_factory() as session:
        return missed_items_raw(session, codes, NOW - timedelta(days=90))


def raw_gaps(service: Any, unit: str, *, raw: bool = True) -> Any:
    """The content-gap list of a unit's subtree from every question of 90 days (`raw`) or the counts."""
    from tutor.stats.activity import content_gaps

    codes = {u.id for u in service.units.subtree(unit)}
    with service.session_factory() as session:
        return content_gaps(session, codes, NOW - timedelta(days=90), raw=raw)


def gaps_match(service: Any, unit: str) -> bool:
    return bool(raw_gaps(service, unit) == raw_gaps(service, unit, raw=False))


def append_events(data_dir: Path, events: int) -> None:
    """Append events (no new counters) to data generated earlier into `data_dir`."""
    from sqlalchemy import select

    from hocvuso.container import Container
    from hocvuso.settings import load_settings
    from tutor.models import Learner

    empty = data_dir / "config.yaml"
    empty.write_text("{}\n", encoding="utf-8")
    container = Container(load_settings(empty, data_dir=data_dir, tutor={"units_file": data_dir / "none.csv"}))
    try:
        with container.session_factory() as session:
            rows = [dict(id=i, unit_id=u, group=g) for i, u, g in session.execute(
                select(Learner.id, Learner.unit_id, Learner.group).order_by(Learner.id))]  # fmt: skip
        add_events(container, rows, events, random.Random(11), certify=False, counters=False)
        recount(container)
    finally:
        container.close()


def measure_existing(data_dir: Path, repeat: int, db: str = "") -> dict[str, Any]:
    """Measure again on data generated earlier into `data_dir` (SQLite) or the database `db`; the
    first open migrates it (0013_offperf and 0014_offperf2 count the existing records into the
    aggregate tables)."""
    from hocvuso.container import Container
    from hocvuso.settings import load_settings

    data_dir.mkdir(parents=True, exist_ok=True)
    empty = data_dir / "config.yaml"
    empty.write_text("{}\n", encoding="utf-8")
    settings = load_settings(
        empty, data_dir=data_dir, database={"url": db}, tutor={"units_file": data_dir / "none.csv"}
    )
    started = time.perf_counter()
    container = Container(settings)
    container.units.refresh(force=True)  # opens the database: pending migrations run here
    opened_s = time.perf_counter() - started
    try:
        return {"backend": container.engine.dialect.name, "open_s": round(opened_s, 1),
                "timings": measure(container, repeat)}  # fmt: skip
    finally:
        container.close()


RAW_TABLES = ("tutor_units", "tutor_learners", "tutor_officers", "tutor_lesson_progress", "tutor_mastery",
              "tutor_events", "tutor_stat_counters")  # fmt: skip


def copy_to_postgres(data_dir: Path, url: str) -> dict[str, float]:
    """Copy the records generated into `data_dir` (SQLite) to an empty PostgreSQL database with
    COPY (the same data on both; much faster than generating again), then recount the aggregates."""
    import sqlite3

    import psycopg
    from sqlalchemy import Boolean

    from hocvuso.container import Container
    from hocvuso.settings import load_settings
    from knowledge.db import Base

    scratch = Path(tempfile.mkdtemp())
    (scratch / "config.yaml").write_text("{}\n", encoding="utf-8")
    container = Container(load_settings(scratch / "config.yaml", data_dir=scratch, database={"url": url},
                                        tutor={"units_file": scratch / "none.csv"}))  # fmt: skip
    container.engine.dispose()  # migrated to head: the tables exist, empty
    timings: dict[str, float] = {}
    started = time.perf_counter()
    source = sqlite3.connect(data_dir / "hocvuso.db")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as target, target.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
        for table in RAW_TABLES:
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            flags = [isinstance(Base.metadata.tables[table].c[c].type, Boolean) for c in columns]
            names = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(
                        [bool(v) if flag and v is not None else v for v, flag in zip(row, flags, strict=True)]
                    )
        for table in ("tutor_learners", "tutor_officers", "tutor_events"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("ANALYZE")
    timings["copy"] = time.perf_counter() - started
    timings["aggregates"] = recount(container)
    container.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--db", default="", help="database URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--existing", type=Path, help="measure only, on a data dir generated before")
    parser.add_argument("--add-events", type=int, default=0, help="with --existing: append this many events first")
    parser.add_argument("--keep", type=Path, help="generate into this folder (kept, for --existing later)")
    parser.add_argument("--copy-from", type=Path, help="with --db: copy data generated into this folder first")
    args = parser.parse_args()
    if args.copy_from:
        print(json.dumps({k: round(v, 1) for k, v in copy_to_postgres(args.copy_from, args.db).items()}))
        return
    if args.existing and args.add_events:
        append_events(args.existing, args.add_events)
    if args.existing:
        print(json.dumps(measure_existing(args.existing, args.repeat, args.db), ensure_ascii=False, indent=2))
        return

    from hocvuso.container import Container
    from hocvuso.settings import load_settings

    with tempfile.TemporaryDirectory() as scratch:
        tmp = str(args.keep) if args.keep else scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        empty = Path(tmp) / "config.yaml"
        empty.write_text("{}\n", encoding="utf-8")
        settings = load_settings(
            empty, data_dir=Path(tmp), database={"url": args.db}, tutor={"units_file": Path(tmp) / "none.csv"}
        )
        container = Container(settings)
        try:
            generated = generate(container, args.units, args.learners, args.events)
            report = {
                "backend": container.engine.dialect.name,
                "units": args.units,
                "learners": args.learners,
                "events": args.events,
                "generate_s": {k: round(v, 1) for k, v in generated.items()},
                "timings": measure(container, args.repeat),
            }
        finally:
            container.close()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
