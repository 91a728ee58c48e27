"""store each document's length and index relations by tail span

``documents.text_length`` (code points, what Python's ``len`` gives) lets the document
list show lengths without reading every text: ``length(text)`` reads (and on PostgreSQL
decompresses) each whole text, 0.75 s of a 1.5 s listing at 100,000 documents.
``ix_relations_tail`` gives removing a span an index for the relations pointing at it:
without one, ``relations`` was scanned twice per removal (30-39 ms at 100,000 documents).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("text_length", sa.Integer(), nullable=False, server_default="0"))
    # SQLite's and PostgreSQL's length() count characters (code points), as Python's len does.
    op.execute("UPDATE documents SET text_length = length(text)")
    with op.batch_alter_table("relations") as batch_op:
        batch_op.create_index("ix_relations_tail", ["tail_span_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("relations") as batch_op:
        batch_op.drop_index("ix_relations_tail")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_column("text_length")
