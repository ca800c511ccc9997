"""offperf: the officers' statistics aggregate tables (quiz answers per unit and day, their
all-units totals, lesson progress per unit and module, mastery per unit and skill, the course
outline they were counted with, the unanswered questions by event), filled from the existing records; a covering index on learners
for the per-unit counts

Revision ID: 0013_offperf
Revises: 0012_hard14
Create Date: 2026-12-01 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_offperf"
down_revision = "0012_hard14"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tutor_stat_quiz",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "day", "item_id", name=op.f("pk_tutor_stat_quiz")),
    )
    op.create_table(
        "tutor_stat_quiz_totals",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "item_id", name=op.f("pk_tutor_stat_quiz_totals")),
    )
    op.create_table(
        "tutor_stat_modules",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("module", sa.String(length=100), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "module", name=op.f("pk_tutor_stat_modules")),
    )
    op.create_table(
        "tutor_stat_skills",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("skill", sa.String(length=100), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("p_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "skill", name=op.f("pk_tutor_stat_skills")),
    )
    op.create_table(
        "tutor_stat_lessons",
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("module", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("lesson_id", name=op.f("pk_tutor_stat_lessons")),
    )
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
    op.create_index(
        "ix_tutor_learners_unit_stats", "tutor_learners", ["unit_id", "consent_state", "last_seen_at"], unique=False
    )
    _backfill()


def _backfill() -> None:
    """Count the existing quiz answers and mastery estimates (what tutor.stats.rebuild does). The
    module figures need the course outline: the dashboard stores it and counts them on first use."""
    postgres = op.get_bind().dialect.name == "postgresql"
    day = "CAST(timezone('UTC', e.at) AS DATE)" if postgres else "date(e.at)"
    wrong = (
        "CAST((e.data ->> 'correct') AS BOOLEAN) IS false" if postgres else "json_extract(e.data, '$.\"correct\"') IS 0"
    )
    op.execute(
        "INSERT INTO tutor_stat_quiz (unit_id, day, item_id, answered, missed) "
        f"SELECT coalesce(l.unit_id, ''), {day}, e.item_id, count(*), sum(CASE WHEN {wrong} THEN 1 ELSE 0 END) "
        "FROM tutor_events e JOIN tutor_learners l ON l.id = e.learner_id "
        "WHERE e.kind = 'quiz_answered' AND e.item_id IS NOT NULL "
        f"GROUP BY coalesce(l.unit_id, ''), {day}, e.item_id"
    )
    unanswered = (
        "CAST((data ->> 'answered') AS BOOLEAN) IS false" if postgres else "json_extract(data, '$.\"answered\"') IS 0"
    )
    op.execute(
        "INSERT INTO tutor_stat_unanswered (event_id, at) SELECT id, at FROM tutor_events "
        f"WHERE kind = 'question_asked' AND learner_id IS NOT NULL AND {unanswered}"
    )
    op.execute(
        "INSERT INTO tutor_stat_quiz_totals (day, item_id, answered, missed) "
        "SELECT day, item_id, sum(answered), sum(missed) FROM tutor_stat_quiz GROUP BY day, item_id"
    )
    op.execute(
        "INSERT INTO tutor_stat_skills (unit_id, skill, learners, p_sum) "
        "SELECT coalesce(l.unit_id, ''), m.skill, count(*), sum(m.p) "
        "FROM tutor_mastery m JOIN tutor_learners l ON l.id = m.learner_id "
        "GROUP BY coalesce(l.unit_id, ''), m.skill"
    )


def downgrade() -> None:
    op.drop_index("ix_tutor_learners_unit_stats", table_name="tutor_learners")
    op.drop_index(op.f("ix_tutor_stat_unanswered_at"), table_name="tutor_stat_unanswered")
    op.drop_table("tutor_stat_unanswered")
    op.drop_table("tutor_stat_lessons")
    op.drop_table("tutor_stat_skills")
    op.drop_table("tutor_stat_modules")
    op.drop_table("tutor_stat_quiz_totals")
    op.drop_table("tutor_stat_quiz")
