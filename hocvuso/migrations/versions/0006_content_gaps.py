"""tutor: content-gap log (questions not answered or rated 👎, no learner id)

Revision ID: 0006_content_gaps
Revises: 0005_reminder_deliveries
Create Date: 2026-11-30 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_content_gaps"
down_revision = "0005_reminder_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tutor_content_gaps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("folded", sa.String(length=500), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_content_gaps")),
    )
    op.create_index(op.f("ix_tutor_content_gaps_at"), "tutor_content_gaps", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tutor_content_gaps_at"), table_name="tutor_content_gaps")
    op.drop_table("tutor_content_gaps")
