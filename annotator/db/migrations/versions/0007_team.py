"""teams: members and their roles, assignments, and a notice to listeners on every edit

`team` (one row on a database `annotator team init` set up), `team_members` (which layers are
people's, and their role) and `assignments` (which documents each annotator is to do). The roles,
grants and row-level security policies themselves are not made here: roles belong to the whole
server and need CREATEROLE, which the role that opens a one-person project need not have
(annotator/team/policies.py installs them, as `team init` asks).

On PostgreSQL a statement-level trigger on events sends NOTIFY annotator_events after every
transaction that logged an edit (identical notices of one transaction are folded into one):
open windows read the events after the last they saw (annotator/live.py).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION annotator_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('annotator_events', '');
    RETURN NULL;
END
$$
"""
NOTIFY_TRIGGER = (
    "CREATE TRIGGER events_notify AFTER INSERT ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION annotator_notify_event()"
)


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_prefix", sa.String(length=50), nullable=False),
        sa.Column("annotators_see_others", sa.Boolean(), server_default="0", nullable=False),
        _created(),
        sa.CheckConstraint("id = 1", name="ck_team_one_row"),
        sa.PrimaryKeyConstraint("id", name="pk_team"),
    )
    op.create_table(
        "team_members",
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        _created(),
        sa.CheckConstraint("role IN ('annotator', 'reviewer', 'admin')", name="ck_team_members_role_known"),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["annotators.id"], name="fk_team_members_annotator_id_annotators", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("annotator_id", name="pk_team_members"),
    )
    op.create_table(
        "assignments",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_assignments_document_id_documents", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["annotators.id"], name="fk_assignments_annotator_id_annotators", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "annotator_id", name="pk_assignments"),
    )
    op.create_index("ix_assignments_annotator", "assignments", ["annotator_id", "document_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_notify ON events")
        op.execute("DROP FUNCTION IF EXISTS annotator_notify_event()")
    op.drop_index("ix_assignments_annotator", table_name="assignments")
    op.drop_table("assignments")
    op.drop_table("team_members")
    op.drop_table("team")
