"""keep the suggested relations a layer rejected

A rejected suggested span is a review_rejections row (the spans decided not to belong in a
layer). A suggested relation has no span ids to point at (its ends are offsets and labels, as in
suggested_relations), so its rejection gets its own table, one row per (document, layer,
relation): running the sources again does not bring it back. Rows go with their document or layer.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEY = ("document_id", "annotator_id", "label", "head_start", "head_end", "head_label", "tail_start", "tail_end")


def upgrade() -> None:
    op.create_table(
        "relation_rejections",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("head_start", sa.Integer(), nullable=False),
        sa.Column("head_end", sa.Integer(), nullable=False),
        sa.Column("head_label", sa.String(length=100), nullable=False),
        sa.Column("tail_start", sa.Integer(), nullable=False),
        sa.Column("tail_end", sa.Integer(), nullable=False),
        sa.Column("tail_label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_relation_rejections_document_id_documents", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name="fk_relation_rejections_annotator_id_annotators",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*KEY, "tail_label", name="pk_relation_rejections"),
    )


def downgrade() -> None:
    op.drop_table("relation_rejections")
