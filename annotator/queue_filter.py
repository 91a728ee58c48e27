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

from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, exists, func, select
from sqlalchemy.orm import Session

from annotator.db import core_tables
from annotator.db.tables import DocumentRow, ProjectRow
from annotator.project import Project

assignments = core_tables.assignments
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True)
class Queue:
    owner: int  # the annotator whose assignments the list holds
    # More than one project in the database: the queue's index entries are checked against the
    # project's documents (else every assignment is this project's, and counting reads the index alone).
    shared_database: bool


def queue_of(session: Session, project: Project, user_id: int) -> Queue | None:
    """The queue the user's list holds, or None: every document."""
    team = project.team
    a = assignments.c
    projects = select(func.count()).select_from(ProjectRow).scalar_subquery()
    if team is not None:
        if team.sees_everything:
            return None
        return Queue(user_id, (session.scalar(select(projects)) or 0) > 1)
    has_any = (
        select(a.document_id)
        .join(DocumentRow, DocumentRow.id == a.document_id)
        .where(a.annotator_id == user_id, DocumentRow.project_id == project.id)
        .limit(1)
        .scalar_subquery()
    )
    found, count = session.execute(select(has_any, projects)).one()
    return None if found is None else Queue(user_id, count > 1)


def assigned_to(
    owner: int | ColumnElement[int], document_id: SQLColumnExpression[int] | None = None
) -> ColumnElement[bool]:
    """The document of ``document_id`` (default: the listed DocumentRow's, correlated) is assigned to ``owner``."""
    a = assignments.c
    listed = DocumentRow.id if document_id is None else document_id
    return exists().where(a.document_id == listed, a.annotator_id == owner)


def queued(statement: Select[*Columns], owner: int | ColumnElement[int]) -> tuple[Select[*Columns], ColumnElement[int]]:
    """A statement over DocumentRow joined to the owner's assignments, and the column to seek from and
    order by: the assignments' document id, so that the start of a page is a range of
    ix_assignments_annotator (PostgreSQL carries no inequality across a join: on the documents' id,
    it would walk the queue's index entries from its start)."""
    a = assignments.c
    joined = statement.join(assignments, and_(a.document_id == DocumentRow.id, a.annotator_id == owner))
    return joined, a.document_id


def queued_ids(project: Project, queue: Queue) -> Select[int]:
    """The ids of the queue in list order, read from ix_assignments_annotator."""
    a = assignments.c
    return (
        _in_project(select(a.document_id), project, queue).where(a.annotator_id == queue.owner).order_by(a.document_id)
    )


def queue_length(project: Project, queue: Queue) -> Select[int]:
    a = assignments.c
    counted = select(func.count()).select_from(assignments)
    return _in_project(counted, project, queue).where(a.annotator_id == queue.owner)


def _in_project(statement: Select[int], project: Project, queue: Queue) -> Select[int]:
    if not queue.shared_database:
        return statement
    return statement.join(DocumentRow, DocumentRow.id == assignments.c.document_id).where(
        DocumentRow.project_id == project.id
    )
