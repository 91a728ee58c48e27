"""The service's reads of the document list, which follow the annotator's queue (queue_filter.py).

A mixin of AnnotationService (service.py holds the rest of its API). Once the project assigns
work, an annotator's list, its counts and positions, next unfinished, the type-ahead and finding
a document by name hold only the documents assigned to them. Whether the list is a queue is
worked out when it is counted (document_counts: the window's list at its opening and each reload)
and kept until then, so the counts and the rows read after them agree, and a page, a jump or the
type-ahead costs no statement more; an `annotator assign` run meanwhile shows at the next reload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.models import DocumentSummary, Status
from annotator.queries import (
    document_page,
    document_position,
    document_summaries,
    find_document_id,
    next_unfinished_id,
    status_counts,
)
from annotator.queue_filter import Queue, queue_of
from annotator.type_ahead import next_document_with_prefix

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from annotator.project import Project


class DocumentQueue:
    """Mixed into AnnotationService."""

    if TYPE_CHECKING:
        project: Project
        annotator_id: int  # the layer edited: its statuses and spans are listed
        user_id: int  # who works: their assignments make the queue (not gold's, in review mode)

        def _layer_id(self, session: Session, layer: str | None) -> int: ...

    _queue_known = False  # until the first read: then whether, and whose, queue the list is
    _known: Queue | None = None

    def lists_assigned_only(self) -> bool:
        """Whether documents() holds only the documents assigned to this annotator (their queue), as
        of the last count (document_counts)."""
        if not self._queue_known:
            with self.project.read() as session:
                self._queue(session)
        return self._known is not None

    def documents(self, layer: str | None = None) -> list[DocumentSummary]:
        """Every document of the annotator's list in import order, with one layer's status and span count."""
        with self.project.read() as session:
            return document_summaries(session, self.project, self._layer_id(session, layer), self._queue(session))

    def document_counts(self) -> dict[Status, int]:
        """How many documents of the list have each status in this annotator's layer (their sum: the list's length)."""
        with self.project.read() as session:
            return status_counts(session, self.project, self.annotator_id, self._queue(session, again=True))

    def document_page(self, position: int, limit: int, after_id: int | None = None) -> list[DocumentSummary]:
        """Up to ``limit`` rows of documents() from ``position`` on; ``after_id``, the id just
        before ``position`` if known, makes reading on from a page already read a plain seek."""
        with self.project.read() as session:
            queue = self._queue(session)
            return document_page(session, self.project, self.annotator_id, position, limit, after_id, queue)

    def document_position(self, document_id: int) -> int | None:
        """The document's index in documents(), or None if the list has no such document."""
        with self.project.read() as session:
            return document_position(session, self.project, document_id, self._queue(session))

    def next_document_named(self, text: str, from_id: int | None) -> int | None:
        """The first document at or after ``from_id`` in documents() (wrapping round) whose
        external id starts with ``text``, ignoring case: the document list's type-ahead."""
        with self.project.read() as session:
            queue = self._queue(session)
            owner = queue.owner if queue is not None else None
            return next_document_with_prefix(session, self.project, text, from_id, owner)

    def next_unfinished(self, current: int | None) -> int | None:
        """The first document of the list after ``current`` (wrapping round) neither done nor skipped in
        this layer; the least confident of the model first, if project.yaml says suggestions.order: uncertainty."""
        order = self.project.config.suggestions.order
        with self.project.read() as session:
            queue = self._queue(session)
            return next_unfinished_id(session, self.project, self.annotator_id, current, order, queue)

    def find_document(self, external_id: str) -> int:
        """The id of the document named ``external_id``; NotFoundError if there is none, or it is not
        in the annotator's queue."""
        with self.project.read() as session:
            return find_document_id(session, self.project, external_id, self._queue(session))

    def _queue(self, session: Session, again: bool = False) -> Queue | None:
        """The queue the list holds (None: every document); ``again``: ask the database."""
        if again or not self._queue_known:
            self._known = queue_of(session, self.project, self.user_id)
            self._queue_known = True
        return self._known
