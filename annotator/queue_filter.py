"""An annotator's queue: the documents assigned to them (annotator assign), as the list's queries filter it.

Whose list is their queue:
- on a team database, every member whose kind is annotator, whether or not anything is assigned
  to them yet (then their list is empty); reviewers and admins see every document;
- elsewhere (SQLite, PostgreSQL without a team), a layer with assignments in the project; a layer
  without any (the lead's, say) sees every document.

The filter is an EXISTS on assignments by its primary key (document_id, annotator_id), one
index probe per listed row; counting and seeking in a queue go through ix_assignments_annotator
(annotator_id, document_id), whose entries are the queue in list order.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, exists, func, select
from sqlalchemy.orm import Session

from annotator.db import core_tables
from annotator.db.tables import DocumentRow
from annotator.project import Project

assignments = core_tables.assignments


def queue_owner(session: Session, project: Project, user_id: int) -> int | None:
    """The annotator whose assignments the list shows (the user's own), or None: every document."""
    team = project.team
    if team is not None:
        return None if team.sees_everything else user_id
    a = assignments.c
    has_any = session.scalar(
        select(a.document_id)
        .join(DocumentRow, DocumentRow.id == a.document_id)
        .where(a.annotator_id == user_id, DocumentRow.project_id == project.id)
        .limit(1)
    )
    return None if has_any is None else user_id


def assigned_to(
    owner: int | ColumnElement[int], document_id: SQLColumnExpression[int] | None = None
) -> ColumnElement[bool]:
    """The document of ``document_id`` (default: the listed DocumentRow's, correlated) is assigned to ``owner``."""
    a = assignments.c
    listed = DocumentRow.id if document_id is None else document_id
    return exists().where(a.document_id == listed, a.annotator_id == owner)


def queued_ids(project: Project, owner: int) -> Select[int]:
    """The ids of the owner's queue in list order, read from ix_assignments_annotator."""
    a = assignments.c
    return (
        select(a.document_id)
        .join(DocumentRow, DocumentRow.id == a.document_id)
        .where(a.annotator_id == owner, DocumentRow.project_id == project.id)
        .order_by(a.document_id)
    )


def queue_length(project: Project, owner: int) -> Select[int]:
    a = assignments.c
    return (
        select(func.count())
        .select_from(assignments)
        .join(DocumentRow, DocumentRow.id == a.document_id)
        .where(a.annotator_id == owner, DocumentRow.project_id == project.id)
    )
