"""hardening: replies kept with their message id (idempotent turns); learner ids never reused

Revision ID: 0009_hardening
Revises: 0008_webchat_history
Create Date: 2026-11-30 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_hardening"
down_revision = "0008_webchat_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tutor_processed_messages") as batch:
        batch.add_column(sa.Column("replies", sa.JSON(), nullable=True))
    op.create_table(
        "tutor_learner_ids",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_learner_ids")),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "sqlite":
        # Start above every learner id given so far (sqlite_sequence keeps the mark once deleted).
        op.execute("INSERT INTO tutor_learner_ids (id) SELECT max(id) FROM tutor_learners WHERE id IS NOT NULL")
        op.execute("DELETE FROM tutor_learner_ids")


def downgrade() -> None:
    op.drop_table("tutor_learner_ids")
    with op.batch_alter_table("tutor_processed_messages") as batch:
        batch.drop_column("replies")
