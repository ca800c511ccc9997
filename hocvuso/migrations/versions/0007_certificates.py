"""tutor: certificates (number, verification code, what was printed on them)

Revision ID: 0007_certificates
Revises: 0006_content_gaps
Create Date: 2026-11-30 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_certificates"
down_revision = "0006_content_gaps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tutor_certificates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_name", sa.String(length=300), nullable=False),
        sa.Column("group", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["tutor_learners.id"],
            name=op.f("fk_tutor_certificates_learner_id_tutor_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_tutor_certificates_code")),
    )
    op.create_index(op.f("ix_tutor_certificates_learner_id"), "tutor_certificates", ["learner_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_tutor_certificates_learner_id"), table_name="tutor_certificates")
    op.drop_table("tutor_certificates")
