"""keep proposed spans and relations apart from every layer

Suggestions (annotator/suggest/) are spans and relations a source proposes (patterns, the
project's memory, dates, a trained model, another layer). They are no annotator's work, so they
live in their own tables, one row per (document, source, span); recomputing a source replaces
its rows for the documents it ran over. Accepting one makes a span of the accepting layer;
rejecting one records it in review_rejections (the spans decided not to belong in a layer),
so a recomputed suggestion stays hidden.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint('start >= 0 AND "end" > start', name="ck_suggestions_offsets_ordered"),
        sa.CheckConstraint("score >= 0 AND score <= 1", name="ck_suggestions_score_range"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_suggestions_document_id_documents", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_suggestions"),
        sa.UniqueConstraint("document_id", "source", "start", "end", "label", name="uq_suggestions_document_id_source_start_end_label"),
    )
    op.create_table(
        "suggested_relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("head_start", sa.Integer(), nullable=False),
        sa.Column("head_end", sa.Integer(), nullable=False),
        sa.Column("head_label", sa.String(length=100), nullable=False),
        sa.Column("tail_start", sa.Integer(), nullable=False),
        sa.Column("tail_end", sa.Integer(), nullable=False),
        sa.Column("tail_label", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 1", name="ck_suggested_relations_score_range"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_suggested_relations_document_id_documents", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_suggested_relations"),
        sa.UniqueConstraint(
            "document_id",
            "source",
            "label",
            "head_start",
            "head_end",
            "head_label",
            "tail_start",
            "tail_end",
            "tail_label",
            name="uq_suggested_relations_ends",
        ),
    )


def downgrade() -> None:
    op.drop_table("suggested_relations")
    op.drop_table("suggestions")
