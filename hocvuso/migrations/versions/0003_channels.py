"""channel bookkeeping: inbox, Telegram polls, proactive deliveries

Revision ID: 0003_channels
Revises: 0002_tutor
Create Date: 2026-11-28 17:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_channels"
down_revision = "0002_tutor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_inbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_inbox")),
        sa.UniqueConstraint("channel", "external_id", name="uq_channel_inbox_channel_external"),
    )
    op.create_index("ix_channel_inbox_channel_status", "channel_inbox", ["channel", "status", "id"])
    op.create_table(
        "telegram_polls",
        sa.Column("poll_id", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("choice_payloads", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("poll_id", name=op.f("pk_telegram_polls")),
    )
    op.create_index(op.f("ix_telegram_polls_created_at"), "telegram_polls", ["created_at"])
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_deliveries")),
        sa.UniqueConstraint("channel", "user_id", "kind", "day", name="uq_channel_deliveries_once"),
    )


def downgrade() -> None:
    op.drop_table("channel_deliveries")
    op.drop_index(op.f("ix_telegram_polls_created_at"), table_name="telegram_polls")
    op.drop_table("telegram_polls")
    op.drop_index("ix_channel_inbox_channel_status", table_name="channel_inbox")
    op.drop_table("channel_inbox")
