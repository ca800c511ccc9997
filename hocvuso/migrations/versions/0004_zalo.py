"""zalo: OA token pair, followers' reply window and buttons

Revision ID: 0004_zalo
Revises: 0003_channels
Create Date: 2026-11-28 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_zalo"
down_revision = "0003_channels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zalo_tokens",
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_zalo_tokens")),
    )
    op.create_table(
        "zalo_users",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("last_user_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_since", sa.Integer(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_zalo_users")),
    )


def downgrade() -> None:
    op.drop_table("zalo_users")
    op.drop_table("zalo_tokens")
