"""web chat: new learners per address and minute, shared by every worker (keyed hash of the address)

Revision ID: 0012_hard14
Revises: 0011_offlist
Create Date: 2026-11-30 21:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_hard14"
down_revision = "0011_offlist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webchat_address_minutes",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", "minute"),
    )


def downgrade() -> None:
    op.drop_table("webchat_address_minutes")
