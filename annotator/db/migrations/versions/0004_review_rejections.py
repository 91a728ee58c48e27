"""keep the spans a reviewer rejected for gold

Adjudication (annotator/review.py) turns annotators' spans into the ``gold`` layer. An
accepted candidate is a span of gold; a rejected one was stored nowhere, so a reviewed
document could not tell "rejected" from "not looked at". ``review_rejections`` holds one row
per (document, gold layer, start, end, label) rejected; rows go with their document or layer.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_rejections",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_review_rejections_document_id_documents", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["annotators.id"], name="fk_review_rejections_annotator_id_annotators", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "annotator_id", "start", "end", "label", name="pk_review_rejections"),
    )


def downgrade() -> None:
    op.drop_table("review_rejections")
