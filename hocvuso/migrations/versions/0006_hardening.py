"""hardening: replies kept with their message id (idempotent turns); learner ids never reused

Revision ID: 0006_hardening
Revises: 0005_reminder_deliveries
Create Date: 2026-11-30 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_hardening"
down_revision = "0005_reminder_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tutor_processed_messages") as batch:
        batch.add_column(sa.Column("replies", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tutor_processed_messages") as batch:
        batch.drop_column("replies")
