"""officers: registry member counts and sector, officer accounts, invites, dashboard tokens, view log,
anonymous statistics counters

Revision ID: 0010_officers
Revises: 0009_hardening
Create Date: 2026-11-30 18:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_officers"
down_revision = "0009_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tutor_units") as batch:
        batch.add_column(sa.Column("sector", sa.String(length=16), nullable=False, server_default="enterprise"))
        batch.add_column(sa.Column("officers", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("public_staff", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("workers", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("sample", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_tutor_units_parent_id"), ["parent_id"], unique=False)
    with op.batch_alter_table("tutor_units") as batch:
        # The server defaults only filled existing rows; the models set every value.
        for name in ("sector", "officers", "public_staff", "workers", "sample"):
            batch.alter_column(name, server_default=None)
    # Units mirrored from the old invented YAML list are sample data; "city" is now "district".
    op.execute("UPDATE tutor_units SET sample = true")
    op.execute("UPDATE tutor_units SET level = 'district' WHERE level = 'city'")

    op.create_index("ix_tutor_events_kind_at", "tutor_events", ["kind", "at"], unique=False)
    op.create_table(
        "tutor_officers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["tutor_learners.id"],
            name=op.f("fk_tutor_officers_learner_id_tutor_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_officers")),
    )
    op.create_index(op.f("ix_tutor_officers_learner_id"), "tutor_officers", ["learner_id"], unique=False)
    op.create_index(op.f("ix_tutor_officers_unit_id"), "tutor_officers", ["unit_id"], unique=False)
    op.create_table(
        "tutor_officer_invites",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["tutor_officers.id"],
            name=op.f("fk_tutor_officer_invites_officer_id_tutor_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tutor_officer_invites")),
    )
    op.create_index(op.f("ix_tutor_officer_invites_unit_id"), "tutor_officer_invites", ["unit_id"], unique=False)
    op.create_table(
        "tutor_officer_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["tutor_officers.id"],
            name=op.f("fk_tutor_officer_tokens_officer_id_tutor_officers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_tutor_officer_tokens")),
    )
    op.create_index(op.f("ix_tutor_officer_tokens_expires_at"), "tutor_officer_tokens", ["expires_at"], unique=False)
    op.create_table(
        "tutor_officer_views",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["tutor_officers.id"],
            name=op.f("fk_tutor_officer_views_officer_id_tutor_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_officer_views")),
    )
    op.create_index(op.f("ix_tutor_officer_views_at"), "tutor_officer_views", ["at"], unique=False)
    op.create_table(
        "tutor_officer_digests",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["tutor_officers.id"],
            name=op.f("fk_tutor_officer_digests_officer_id_tutor_officers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("officer_id", "week", name=op.f("pk_tutor_officer_digests")),
    )
    op.create_table(
        "tutor_stat_counters",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("group", sa.String(length=16), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "group", "week", "kind", name=op.f("pk_tutor_stat_counters")),
    )


def downgrade() -> None:
    op.drop_table("tutor_stat_counters")
    op.drop_table("tutor_officer_digests")
    op.drop_index(op.f("ix_tutor_officer_views_at"), table_name="tutor_officer_views")
    op.drop_table("tutor_officer_views")
    op.drop_index(op.f("ix_tutor_officer_tokens_expires_at"), table_name="tutor_officer_tokens")
    op.drop_table("tutor_officer_tokens")
    op.drop_index(op.f("ix_tutor_officer_invites_unit_id"), table_name="tutor_officer_invites")
    op.drop_table("tutor_officer_invites")
    op.drop_index(op.f("ix_tutor_officers_unit_id"), table_name="tutor_officers")
    op.drop_index(op.f("ix_tutor_officers_learner_id"), table_name="tutor_officers")
    op.drop_table("tutor_officers")
    op.drop_index("ix_tutor_events_kind_at", table_name="tutor_events")
    with op.batch_alter_table("tutor_units") as batch:
        batch.drop_index(batch.f("ix_tutor_units_parent_id"))
        for name in ("updated_at", "sample", "workers", "public_staff", "officers", "sector"):
            batch.drop_column(name)
