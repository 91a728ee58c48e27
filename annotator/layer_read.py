"""Reading one document with one annotator's layer, as the window opens it: whole, or first screen first.

Core columns (rows, not ORM objects), spans already in (start, end, label) order (the database
sorts: on SQLite the unique index on spans is in that order), each span row made a Span at
once with nothing else per row, so opening a 10,000-span layer costs the rows and little more.

A long document can be read in two steps within one read transaction (one snapshot on
SQLite): its spans that start before a first screen's end, then the rest and the relations
(``rest_of_layer``), so that the window paints its first screen while the rest is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from annotator.db.tables import (
    DocumentLabelRow,
    DocumentRow,
    DocumentStatusRow,
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import NotFoundError
from annotator.models import NO_ATTRIBUTES, DocumentView, Relation, Span, stored_status
from annotator.project import Project

__all__ = ["document_view", "layer_relations", "layer_spans", "rest_of_layer"]


def document_view(
    session: Session,
    project: Project,
    document_id: int,
    annotator_id: int,
    annotator: str,
    *,
    spans_before: int | None = None,
) -> DocumentView:
    """A document of the project with the layer of one annotator (its id and name).

    Five selects: the document with its status, the span attributes, the spans, the relations,
    the document labels. With ``spans_before``, only the spans that start before that offset
    and no relation (four selects): ``rest_of_layer`` reads the rest.
    """
    documents, statuses = DocumentRow.__table__.c, DocumentStatusRow.__table__.c
    found = session.execute(
        select(documents.external_id, documents.text, documents.meta, statuses.status)
        .outerjoin_from(
            DocumentRow.__table__,
            DocumentStatusRow.__table__,
            and_(statuses.document_id == documents.id, statuses.annotator_id == annotator_id),
        )
        .where(documents.id == document_id, documents.project_id == project.id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"no document with id {document_id} in project {project.config.name!r}")
    external_id, text, meta, status = found
    spans = _layer_spans(session, document_id, annotator_id, text, 0, spans_before)
    relations = () if spans_before is not None else layer_relations(session, document_id, annotator_id)
    document_labels = DocumentLabelRow.__table__.c
    labels = session.scalars(
        select(document_labels.label)
        .where(document_labels.document_id == document_id, document_labels.annotator_id == annotator_id)
        .order_by(_in_code_point_order(session, document_labels.label))
    )
    return DocumentView(
        id=document_id,
        external_id=external_id,
        text=text,
        meta=dict(meta or {}),
        annotator=annotator,
        status=stored_status(status),
        spans=spans,
        relations=relations,
        document_labels=tuple(labels),
    )


def rest_of_layer(session: Session, first: DocumentView, annotator_id: int, spans_from: int) -> DocumentView:
    """``first`` (read with ``spans_before=spans_from``) with the rest of its layer: the spans that
    start at ``spans_from`` or later, and the relations. Three selects."""
    rest = _layer_spans(session, first.id, annotator_id, first.text, spans_from, None)
    return replace(first, spans=first.spans + rest, relations=layer_relations(session, first.id, annotator_id))


def layer_spans(session: Session, document_id: int, annotator_id: int, text: str) -> tuple[Span, ...]:
    """A layer's spans of a document (``text``, its text), whole: another annotator's shown read-only, say."""
    return _layer_spans(session, document_id, annotator_id, text, 0, None)


def _layer_spans(
    session: Session, document_id: int, annotator_id: int, text: str, start_from: int, start_before: int | None
) -> tuple[Span, ...]:
    """The layer's spans that start in [start_from, start_before), by (start, end, label), with their attributes."""
    spans, attributes_table = SpanRow.__table__.c, SpanAttributeRow.__table__.c
    wanted = [spans.document_id == document_id, spans.annotator_id == annotator_id]
    if start_from > 0:
        wanted.append(spans.start >= start_from)
    if start_before is not None:
        wanted.append(spans.start < start_before)
    attributes: dict[int, dict[str, Any]] = {}
    for span_id, name, value in session.execute(
        select(attributes_table.span_id, attributes_table.name, attributes_table.value)
        .join(SpanRow.__table__, spans.id == attributes_table.span_id)
        .where(*wanted)
        .order_by(attributes_table.span_id, _in_code_point_order(session, attributes_table.name))
    ):
        attributes.setdefault(span_id, {})[name] = value
    rows = session.execute(
        select(spans.id, spans.start, spans.end, spans.label)
        .where(*wanted)
        .order_by(spans.start, spans.end, _in_code_point_order(session, spans.label))
    ).all()  # one fetchall: iterating the result fetches row by row
    return _spans(rows, text, attributes)


def _spans(rows: Iterable[Sequence[Any]], text: str, attributes: Mapping[int, Mapping[str, Any]]) -> tuple[Span, ...]:
    """Span rows (id, start, end, label) as Spans, each with its text and attributes."""
    # One string per label, not one per row: the layer keeps them as long as the document is open.
    labels: dict[str, str] = {}
    same = labels.setdefault
    # tuple.__new__ is what Span._make calls; the named tuple's own __new__, a Python function,
    # was half the time of making 10,000 spans.
    make, none = tuple.__new__, NO_ATTRIBUTES
    return tuple(
        [make(Span, (i, s, e, same(label, label), text[s:e], attributes.get(i, none))) for i, s, e, label in rows]
    )


def layer_relations(session: Session, document_id: int, annotator_id: int) -> tuple[Relation, ...]:
    relations = RelationRow.__table__.c
    rows = session.execute(
        select(relations.id, relations.label, relations.head_span_id, relations.tail_span_id)
        .where(relations.document_id == document_id, relations.annotator_id == annotator_id)
        .order_by(relations.id)
    ).all()
    return tuple([tuple.__new__(Relation, row) for row in rows])


def _in_code_point_order(session: Session, column: ColumnElement[str]) -> ColumnElement[str]:
    """``column`` ordered as Python orders str (by code point), whatever the database's collation.

    SQLite compares text bytewise by default, which for UTF-8 is code-point order; PostgreSQL
    uses the database's locale unless told "C" (bytewise, so code points again).
    """
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column
