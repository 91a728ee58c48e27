"""What the service reads: the document list with one layer's progress, one document with one layer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, func, or_, select
from sqlalchemy.orm import Session

from annotator.db import core_tables
from annotator.db.tables import (
    DocumentRow,
    DocumentStatusRow,
    ProjectRow,
    SpanRow,
)
from annotator.errors import NotFoundError
from annotator.models import STATUSES, DocumentSummary, Status, stored_status
from annotator.project import Project
from annotator.queue_filter import Queue, assigned_to, queue_length, queued, queued_ids

TITLE_CHARS = 200
MODEL_SOURCE = "model"  # the suggestion source whose scores "least confident first" orders by
# The window edits the open document, whose text its layer holds anyway: a longer cache would
# only keep texts of documents left behind alive (up to 4 MB each), against flat memory.
TEXT_CACHE_SIZE = 2


def document_summaries(
    session: Session, project: Project, annotator_id: int, queue: Queue | None = None
) -> list[DocumentSummary]:
    """Every document of the project (of ``queue``'s assignments, if given: queue_filter.py) in
    import order, with one layer's status and span count."""
    span_counts = (
        select(SpanRow.document_id, func.count().label("n"))
        .where(SpanRow.annotator_id == annotator_id)
        .group_by(SpanRow.document_id)
        .subquery()
    )
    rows = session.execute(
        select(
            DocumentRow.id,
            DocumentRow.external_id,
            func.substr(DocumentRow.text, 1, TITLE_CHARS),
            DocumentRow.text_length,
            DocumentStatusRow.status,
            span_counts.c.n,
            DocumentStatusRow.seconds_spent,
        )
        .outerjoin(
            DocumentStatusRow,
            and_(
                DocumentStatusRow.document_id == DocumentRow.id,
                DocumentStatusRow.annotator_id == annotator_id,
            ),
        )
        .outerjoin(span_counts, span_counts.c.document_id == DocumentRow.id)
        .where(DocumentRow.project_id == project.id, *_in_queue(queue))
        .order_by(DocumentRow.id)
    )
    return _summaries(rows)


# --- the document list a page at a time (the window shows a few dozen of 100,000 rows) ---


def status_counts(
    session: Session, project: Project, annotator_id: int, queue: Queue | None = None
) -> dict[Status, int]:
    """Documents (of ``queue``, if given) per status of one layer, counted by the database (no row is todo)."""
    listed = select(func.count()).where(DocumentRow.project_id == project.id)
    total, projects = session.execute(
        select(
            (listed if queue is None else queue_length(project, queue)).scalar_subquery(),
            select(func.count()).select_from(ProjectRow).scalar_subquery(),
        )
    ).one()
    per_status = (
        select(DocumentStatusRow.status, func.count())
        .where(DocumentStatusRow.annotator_id == annotator_id, DocumentStatusRow.status != "todo")
        .group_by(DocumentStatusRow.status)
    )
    if queue is not None:
        per_status = per_status.where(assigned_to(queue.owner, DocumentStatusRow.document_id))
    if projects > 1:  # else every status row is this project's: no join with 100,000 documents
        per_status = per_status.join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id).where(
            DocumentRow.project_id == project.id
        )
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in session.execute(per_status):
        counts[stored_status(status)] = count
    counts["todo"] = total - sum(counts.values())
    return counts


def document_page(
    session: Session,
    project: Project,
    annotator_id: int,
    position: int,
    limit: int,
    after_id: int | None = None,
    queue: Queue | None = None,
) -> list[DocumentSummary]:
    """Up to ``limit`` documents of the list (of ``queue``, if given) from ``position`` (0-based, import order) on.

    ``after_id``, the id of the document just before ``position`` when the caller knows it,
    lets the index seek straight there; without it the start is found by counting index
    entries (no table row is read for the documents skipped).
    """
    listed = _summary_columns(annotator_id)
    key: SQLColumnExpression[int] = DocumentRow.id
    if queue is not None:
        listed, key = queued(listed, queue.owner)
    if after_id is not None:
        start = and_(key > after_id, DocumentRow.id > after_id)  # both sides of the join seek
    elif queue is not None:  # counted in the queue's own index entries
        first_queued = queued_ids(project, queue).limit(1).offset(position)
        start = and_(key >= first_queued.scalar_subquery(), DocumentRow.id >= first_queued.scalar_subquery())
    else:
        first_id = (
            select(DocumentRow.id)
            .where(DocumentRow.project_id == project.id)
            .order_by(DocumentRow.id)
            .limit(1)
            .offset(position)
            .scalar_subquery()
        )
        start = key >= first_id
    rows = session.execute(listed.where(DocumentRow.project_id == project.id, start).order_by(key).limit(limit))
    return _summaries(rows)


def document_position(session: Session, project: Project, document_id: int, queue: Queue | None = None) -> int | None:
    """The document's place in the list (0-based), or None if the list (of ``queue``) has no such document."""
    listed = session.scalar(
        select(DocumentRow.id).where(
            DocumentRow.id == document_id, DocumentRow.project_id == project.id, *_in_queue(queue)
        )
    )
    if listed is None:
        return None
    if queue is not None:
        return session.scalar(queue_length(project, queue).where(core_tables.assignments.c.document_id < document_id))
    return session.scalar(
        select(func.count()).where(DocumentRow.project_id == project.id, DocumentRow.id < document_id)
    )


def next_unfinished_id(
    session: Session,
    project: Project,
    annotator_id: int,
    current: int | None,
    order: str = "document",
    queue: Queue | None = None,
) -> int | None:
    """The first document after ``current`` (wrapping round; of ``queue``, if given) that is neither done nor skipped.

    With order "uncertainty" (project.yaml: suggestions.order), first the unfinished document whose
    stored model suggestions have the lowest mean score (the one the model is least sure of, where a
    correction teaches it most), ties by list order; documents without model suggestions come after
    those, in the default order: the model has said nothing about them yet, so there is no uncertainty to
    rank them by, and putting them first would make the order the list's again until every document
    has been run through the model (`annotator suggest --model`).
    """
    listed = select(DocumentRow.id)
    key: SQLColumnExpression[int] = DocumentRow.id
    if queue is not None:
        listed, key = queued(listed, queue.owner)
    unfinished = (
        listed.outerjoin(
            DocumentStatusRow,
            and_(DocumentStatusRow.document_id == DocumentRow.id, DocumentStatusRow.annotator_id == annotator_id),
        )
        .where(
            DocumentRow.project_id == project.id,
            or_(DocumentStatusRow.status.is_(None), DocumentStatusRow.status.not_in(("done", "skipped"))),
        )
        .order_by(key)
        .limit(1)
    )
    if order == "uncertainty":
        least_confident = _least_confident(session, unfinished, current)
        if least_confident is not None:
            return least_confident
    if current is None:
        return session.scalar(unfinished)
    # Both sides of a queue's join are bounded: each seeks in its own index.
    found = session.scalar(unfinished.where(key > current, DocumentRow.id > current))
    return found if found is not None else session.scalar(unfinished.where(key < current, DocumentRow.id < current))


def _least_confident(session: Session, unfinished: Select[int], current: int | None) -> int | None:
    """The unfinished document (not current) with the lowest mean score of model suggestions, if any has some."""
    s = core_tables.suggestions.c
    mean = func.avg(s.score)
    confidence = select(s.document_id, mean.label("mean")).where(s.source == MODEL_SOURCE).group_by(s.document_id)
    scored = confidence.subquery()
    query = (
        unfinished.join(scored, scored.c.document_id == DocumentRow.id)
        .order_by(None)
        .order_by(scored.c.mean, DocumentRow.id)
    )
    if current is not None:
        query = query.where(DocumentRow.id != current)
    return session.scalar(query)


def _summary_columns(annotator_id: int) -> Select[int, str, str, int, str, int, float]:
    """A list row's columns; the span count is looked up per row in the spans' layer index."""
    span_count = (
        select(func.count())
        .where(SpanRow.document_id == DocumentRow.id, SpanRow.annotator_id == annotator_id)
        .correlate(DocumentRow)
        .scalar_subquery()
    )
    return select(
        DocumentRow.id,
        DocumentRow.external_id,
        func.substr(DocumentRow.text, 1, TITLE_CHARS),
        DocumentRow.text_length,
        DocumentStatusRow.status,
        span_count,
        DocumentStatusRow.seconds_spent,
    ).outerjoin(
        DocumentStatusRow,
        and_(DocumentStatusRow.document_id == DocumentRow.id, DocumentStatusRow.annotator_id == annotator_id),
    )


def _summaries(rows: Iterable[Sequence[Any]]) -> list[DocumentSummary]:
    """List rows (the columns of ``_summary_columns``) as DocumentSummary objects."""
    return [
        DocumentSummary(
            id=doc_id,
            external_id=external_id,
            title=_title(head),
            length=length,
            status=stored_status(status),
            span_count=count or 0,
            seconds_spent=seconds or 0.0,
        )
        for doc_id, external_id, head, length, status, count, seconds in rows
    ]


def document_rows(
    session: Session, project: Project, annotator_id: int, document_ids: Sequence[int]
) -> list[DocumentSummary]:
    """The list rows of the given documents (those of the project among them), in list order:
    the rows a window shows again after other sessions' edits (annotator/live.py)."""
    if not document_ids:
        return []
    rows = session.execute(
        _summary_columns(annotator_id)
        .where(DocumentRow.project_id == project.id, DocumentRow.id.in_(sorted(set(document_ids))))
        .order_by(DocumentRow.id)
    )
    return _summaries(rows)


def find_document_id(session: Session, project: Project, external_id: str, queue: Queue | None = None) -> int:
    """The id of the document named ``external_id``; with ``queue``, one assigned to it."""
    found = session.execute(
        select(DocumentRow.id, *(assigned_to(queue.owner),) if queue is not None else ()).where(
            DocumentRow.project_id == project.id, DocumentRow.external_id == external_id
        )
    ).first()
    if found is None:
        raise NotFoundError(f"no document with id {external_id!r}")
    if queue is not None and not found[1]:
        raise NotFoundError(
            f"document {external_id!r} is not assigned to you: your list holds the documents assigned to you "
            "(ask the project's lead: annotator assign)"
        )
    return int(found[0])


def _in_queue(queue: Queue | None) -> tuple[ColumnElement[bool], ...]:
    """The conditions that keep a listed document to ``queue``'s (none without a queue)."""
    return () if queue is None else (assigned_to(queue.owner),)


def document_row(session: Session, project: Project, document_id: int) -> DocumentRow:
    doc = session.get(DocumentRow, document_id)
    if doc is None or doc.project_id != project.id:
        raise NotFoundError(f"no document with id {document_id} in project {project.config.name!r}")
    return doc


class TextCache:
    """The texts of the last few documents edited: an edit's checks read its document's text."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._texts: dict[int, str] = {}

    def remember(self, document_id: int, text: str) -> None:
        if document_id not in self._texts and len(self._texts) >= TEXT_CACHE_SIZE:
            self._texts.pop(next(iter(self._texts)))
        self._texts[document_id] = text  # texts never change once imported

    def reader(self, session: Session) -> Callable[[int], str]:
        def read(document_id: int) -> str:
            text = self._texts.get(document_id)
            if text is None:
                text = document_row(session, self.project, document_id).text
                self.remember(document_id, text)
            return text

        return read


def _title(head: str) -> str:
    for line in head.splitlines():
        if line.strip():
            return " ".join(line.split())[:80]
    return "(empty)"
