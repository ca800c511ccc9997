"""knowledge manifest

Revision ID: 0001_knowledge
Revises:
Create Date: 2026-11-28 17:05:10.657262
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_knowledge"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_documents",
        sa.Column("source", sa.String(length=512), nullable=False),
        sa.Column("root", sa.String(length=1000), nullable=False),
        sa.Column("doc_id", sa.String(length=200), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("module", sa.String(length=100), nullable=True),
        sa.Column("lesson_id", sa.String(length=200), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column(
            "ingested_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_kb_documents")),
    )
    with op.batch_alter_table("kb_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_documents_doc_id"), ["doc_id"], unique=False)

    op.create_table(
        "kb_ingest_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("root", sa.String(length=1000), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("chunks_written", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.Column("embedding_model", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_ingest_runs")),
    )
    op.create_table(
        "kb_chunks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=512), nullable=False),
        sa.Column("doc_id", sa.String(length=200), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("heading", sa.String(length=1000), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("module", sa.String(length=100), nullable=True),
        sa.Column("lesson_id", sa.String(length=200), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("timestamp", sa.String(length=16), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source"], ["kb_documents.source"], name=op.f("fk_kb_chunks_source_kb_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_chunks")),
    )
    with op.batch_alter_table("kb_chunks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_chunks_doc_id"), ["doc_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_chunks_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_chunks_module"), ["module"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_chunks_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kb_chunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_chunks_source"))
        batch_op.drop_index(batch_op.f("ix_kb_chunks_module"))
        batch_op.drop_index(batch_op.f("ix_kb_chunks_lesson_id"))
        batch_op.drop_index(batch_op.f("ix_kb_chunks_doc_id"))

    op.drop_table("kb_chunks")
    op.drop_table("kb_ingest_runs")
    with op.batch_alter_table("kb_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_documents_doc_id"))

    op.drop_table("kb_documents")
