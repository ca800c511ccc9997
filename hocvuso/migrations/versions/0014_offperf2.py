"""offperf2: unanswered questions counted per (unit, UTC day, question text) in tutor_stat_gaps,
filled from the existing events; it replaces tutor_stat_unanswered (one row per such event)

Revision ID: 0014_offperf2
Revises: 0013_offperf
Create Date: 2026-12-01 23:00:00
"""

from datetime import UTC
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0014_offperf2"
down_revision = "0013_offperf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tutor_stat_gaps",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "day", "question", name=op.f("pk_tutor_stat_gaps")),
    )
    _backfill()
    op.drop_index(op.f("ix_tutor_stat_unanswered_at"), table_name="tutor_stat_unanswered")
    op.drop_table("tutor_stat_unanswered")


def _unanswered(postgres: bool, column: str = "data") -> str:
    if postgres:
        return f"CAST(({column} ->> 'answered') AS BOOLEAN) IS false"
    return f"json_extract({column}, '$.\"answered\"') IS 0"


def _backfill() -> None:
    """Count the existing unanswered questions (what tutor.stats.gap_counts.rebuild_gaps does; the
    text is shown as the dashboard shows it: spaces collapsed, at most 300 characters)."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    question = "e.data ->> 'question'" if postgres else "json_extract(e.data, '$.\"question\"')"
    rows: Any = bind.execute(
        sa.select(
            sa.literal_column("coalesce(l.unit_id, '')"),
            sa.literal_column("e.at", sa.DateTime(timezone=True)),
            sa.literal_column(question),
        )
        .select_from(sa.text("tutor_events e JOIN tutor_learners l ON l.id = e.learner_id"))
        .where(sa.text(f"e.kind = 'question_asked' AND {_unanswered(postgres, 'e.data')}"))
    )
    counts: dict[tuple[str, Any, str], list[Any]] = {}
    for unit, at, raw in rows:
        text = " ".join(str(raw or "").split())[:300]
        if not text:
            continue
        day = (at.astimezone(UTC) if at.tzinfo else at).date()
        row = counts.setdefault((unit, day, text), [0, at])
        row[0] += 1
        row[1] = max(row[1], at)
    table = sa.table(
        "tutor_stat_gaps",
        sa.column("unit_id", sa.String),
        sa.column("day", sa.Date),
        sa.column("question", sa.String),
        sa.column("asked", sa.Integer),
        sa.column("last_at", sa.DateTime(timezone=True)),
    )
    batch = [dict(unit_id=u, day=d, question=q, asked=n, last_at=at) for (u, d, q), (n, at) in counts.items()]
    for start in range(0, len(batch), 10000):
        bind.execute(sa.insert(table), batch[start : start + 10000])


def downgrade() -> None:
    op.create_table(
        "tutor_stat_unanswered",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["tutor_events.id"],
            name=op.f("fk_tutor_stat_unanswered_event_id_tutor_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_tutor_stat_unanswered")),
    )
    op.create_index(op.f("ix_tutor_stat_unanswered_at"), "tutor_stat_unanswered", ["at"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "INSERT INTO tutor_stat_unanswered (event_id, at) SELECT id, at FROM tutor_events "
        f"WHERE kind = 'question_asked' AND learner_id IS NOT NULL AND {_unanswered(postgres)}"
    )
    op.drop_table("tutor_stat_gaps")
