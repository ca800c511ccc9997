"""bot: the web chat's conversation history (restored after a reload, deleted with the learner)

Revision ID: 0008_webchat_history
Revises: 0007_certificates
Create Date: 2026-11-30 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_webchat_history"
down_revision = "0007_certificates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webchat_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("turn", sa.String(length=128), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_messages")),
    )
    op.create_index("ix_webchat_messages_user_id", "webchat_messages", ["user_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webchat_messages_user_id", table_name="webchat_messages")
    op.drop_table("webchat_messages")
