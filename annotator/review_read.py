"""Reading one document's layers for review: every layer's spans, attributes, relations and
status, and gold's rejections. Seven selects whatever the number of layers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from annotator.db.tables import (
    AnnotatorRow,
    DocumentRow,
    DocumentStatusRow,
    RelationRow,
    ReviewRejectionRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import NotFoundError
from annotator.models import NO_ATTRIBUTES, stored_status
from annotator.project import Project
from annotator.review import GOLD, Interval, LayerContent, ReviewBoard, ReviewOptions, build_board


def read_board(session: Session, project: Project, document_id: int, options: ReviewOptions) -> ReviewBoard:
    """The review board of a document of the project (annotator/review.py)."""
    documents = DocumentRow.__table__.c
    text = session.scalar(select(documents.text).where(documents.id == document_id, documents.project_id == project.id))
    if text is None:
        raise NotFoundError(f"no document with id {document_id} in project {project.config.name!r}")
    spans, statuses = SpanRow.__table__.c, DocumentStatusRow.__table__.c
    present = union(
        select(spans.annotator_id).where(spans.document_id == document_id),
        select(statuses.annotator_id).where(statuses.document_id == document_id),
    ).subquery()
    annotators = AnnotatorRow.__table__.c
    layers = session.execute(
        select(annotators.id, annotators.name, statuses.status)
        .join(present, present.c.annotator_id == annotators.id)
        .outerjoin(
            DocumentStatusRow.__table__,
            (statuses.annotator_id == annotators.id) & (statuses.document_id == document_id),
        )
    ).all()
    attributes_table = SpanAttributeRow.__table__.c
    attributes: dict[int, dict[str, Any]] = {}
    for span_id, name, value in session.execute(
        select(attributes_table.span_id, attributes_table.name, attributes_table.value)
        .join(SpanRow.__table__, spans.id == attributes_table.span_id)
        .where(spans.document_id == document_id)
        .order_by(attributes_table.span_id, attributes_table.name)
    ):
        attributes.setdefault(span_id, {})[name] = value
    spans_of: dict[int, list[tuple[int, int, int, str, Any]]] = {}
    for span_id, annotator_id, start, end, label in session.execute(
        select(spans.id, spans.annotator_id, spans.start, spans.end, spans.label)
        .where(spans.document_id == document_id)
        .order_by(spans.start, spans.end, spans.label)
    ):
        span = (span_id, start, end, label, attributes.get(span_id, NO_ATTRIBUTES))
        spans_of.setdefault(annotator_id, []).append(span)
    relations = RelationRow.__table__.c
    relations_of: dict[int, list[tuple[str, int, int]]] = {}
    for annotator_id, label, head, tail in session.execute(
        select(relations.annotator_id, relations.label, relations.head_span_id, relations.tail_span_id)
        .where(relations.document_id == document_id)
        .order_by(relations.id)
    ):
        relations_of.setdefault(annotator_id, []).append((label, head, tail))
    contents = [
        LayerContent(
            name,
            stored_status(status),
            tuple(spans_of.get(annotator_id, ())),
            tuple(relations_of.get(annotator_id, ())),
        )
        for annotator_id, name, status in layers
    ]
    gold_id = session.scalar(select(annotators.id).where(annotators.name == GOLD))
    gold = next((layer for layer in contents if layer.name == GOLD), None)
    rejected: list[Interval] = []
    if gold_id is not None:
        rejections = ReviewRejectionRow.__table__.c
        rejected = [
            (start, end, label)
            for start, end, label in session.execute(
                select(rejections.start, rejections.end, rejections.label).where(
                    rejections.document_id == document_id, rejections.annotator_id == gold_id
                )
            )
        ]
    return build_board(document_id, text, contents, gold, rejected, options)
