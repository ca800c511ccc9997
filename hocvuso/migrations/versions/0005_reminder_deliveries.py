"""tutor: reminder deliveries (each learner's daily reminder claimed once per local day)

Revision ID: 0005_reminder_deliveries
Revises: 0002_tutor
Create Date: 2026-11-30 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_reminder_deliveries"
down_revision = "0004_zalo"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tutor_reminder_deliveries",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["tutor_learners.id"],
            name=op.f("fk_tutor_reminder_deliveries_learner_id_tutor_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", "day", name=op.f("pk_tutor_reminder_deliveries")),
    )


def downgrade() -> None:
    op.drop_table("tutor_reminder_deliveries")
