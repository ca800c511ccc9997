"""offlist: learners' consent to appear in their grassroots unit's list of learners

Revision ID: 0011_offlist
Revises: 0010_officers
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_offlist"
down_revision = "0010_officers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nobody is listed until they say so (/hienten): existing learners get NULL.
    with op.batch_alter_table("tutor_learners") as batch:
        batch.add_column(sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tutor_learners") as batch:
        batch.drop_column("listed_at")
