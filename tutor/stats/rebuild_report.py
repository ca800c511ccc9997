"""`hocvuso stats rebuild`: recount every aggregate table from the live records (`rebuild`) and say
what changed, per table: rows added, removed and changed, compared with a copy taken first.

Rows that count nothing (zero rows left behind by moves and deletions) are not compared; mastery
sums are compared to 6 decimals (a recount adds the same numbers in another order).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from tutor.stats.rebuild import rebuild


@dataclass(frozen=True)
class _Table:
    name: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    counts: str  # SQL: the row counts something


TABLES = (
    _Table("tutor_stat_quiz", ("unit_id", "day", "item_id"), ("answered", "missed"), "answered <> 0 OR missed <> 0"),
    _Table("tutor_stat_quiz_totals", ("day", "item_id"), ("answered", "missed"), "answered <> 0 OR missed <> 0"),
    _Table("tutor_stat_modules", ("unit_id", "module"), ("started", "completed"), "started <> 0 OR completed <> 0"),
    _Table(
        "tutor_stat_skills", ("unit_id", "skill"), ("learners", "ROUND(CAST(p_sum AS NUMERIC), 6)"), "learners <> 0"
    ),  # fmt: skip
    _Table("tutor_stat_gaps", ("unit_id", "day", "question"), ("asked", "last_at"), "asked <> 0"),
)


@dataclass(frozen=True)
class TableChange:
    """What a recount changed in one aggregate table."""

    table: str
    rows_before: int
    rows_after: int
    added: int
    removed: int
    changed: int

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _count(conn: Connection, sql: str) -> int:
    return int(conn.execute(text(f"SELECT count(*) FROM ({sql}) AS x")).scalar_one())


def _compare(conn: Connection, table: _Table, before: str) -> TableChange:
    keys = ", ".join(table.keys)
    rows = ", ".join(table.keys + table.values)
    old_keys, new_keys = (f"SELECT {keys} FROM {t} WHERE {table.counts}" for t in (before, table.name))
    old_rows, new_rows = (f"SELECT {rows} FROM {t} WHERE {table.counts}" for t in (before, table.name))
    added = _count(conn, f"{new_keys} EXCEPT {old_keys}")
    removed = _count(conn, f"{old_keys} EXCEPT {new_keys}")
    differing = _count(conn, f"{new_rows} EXCEPT {old_rows}")
    return TableChange(
        table.name,
        _count(conn, old_keys),
        _count(conn, new_keys),
        added,
        removed,
        differing - added,
    )


def rebuild_with_report(session: Session) -> list[TableChange]:
    """Recount every aggregate table in the caller's transaction; what changed, per table."""
    session.flush()
    conn = session.connection()
    copies = {table.name: f"hv_before_{table.name}" for table in TABLES}
    for table in TABLES:  # the names are constants of this module, never input
        conn.execute(text(f"CREATE TEMPORARY TABLE {copies[table.name]} AS SELECT * FROM {table.name}"))
    rebuild(session)
    changes = [_compare(conn, table, copies[table.name]) for table in TABLES]
    for copy in copies.values():  # (on an error the rollback takes them away)
        conn.execute(text(f"DROP TABLE {copy}"))
    return changes
