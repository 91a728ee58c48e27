"""Other annotators' layers of one document, read-only: which there are, and one of them whole.

A layer is one annotator's annotations of one document (DESIGN.md). The window edits its own
and may show one other beside it (the `reference` of the example, a `model`'s pre-annotations)
to compare with or copy from. Which layers an annotator may read is decided by ``may_read``
alone: every query here goes through it, so a team server's permission check narrows it in
that one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from annotator.db.tables import AnnotatorRow, DocumentStatusRow, SpanRow
from annotator.errors import NotFoundError
from annotator.layer_read import layer_relations, layer_spans
from annotator.models import Relation, Span, Status, stored_status

__all__ = ["LayerSummary", "LayerView", "document_layers", "may_read", "other_layer", "readable_layer_id"]


@dataclass(frozen=True)
class LayerSummary:
    """Another annotator's layer of one document, as the layer chooser lists it."""

    annotator: str
    span_count: int
    status: Status


@dataclass(frozen=True)
class LayerView:
    """One annotator's spans and relations of one document, read to be shown beside the own layer."""

    document_id: int
    annotator: str
    status: Status
    spans: tuple[Span, ...]  # by (start, end, label), as the own layer is read
    relations: tuple[Relation, ...]


def may_read(reader_id: int, annotator_id: ColumnElement[int], team: bool = False) -> ColumnElement[bool]:
    """Whether annotator ``reader_id`` may read the layers of ``annotator_id``: a condition for a query.

    Every layer, on SQLite (a project file is one person's, or the lead's who imported the others'
    exports) and on PostgreSQL without a team. On a team's database the database decides, with the
    function its row-level security policies call (annotator/team/policies.py): there, rows of a
    layer the reader may not read are hidden anyway, and this says "no such layer" rather than
    showing an empty one.
    """
    return func.annotator_may_read(annotator_id) if team else true()


def document_layers(session: Session, document_id: int, reader_id: int) -> list[LayerSummary]:
    """The layers of a document other than the reader's that the reader may read, by annotator name:
    those with a span or a status other than todo (a layer merely opened holds nothing to see)."""
    spans, statuses = SpanRow.__table__.c, DocumentStatusRow.__table__.c
    counts: dict[int, int] = {
        annotator: count
        for annotator, count in session.execute(
            select(spans.annotator_id, func.count())
            .where(
                spans.document_id == document_id,
                spans.annotator_id != reader_id,
                may_read(reader_id, spans.annotator_id),
            )
            .group_by(spans.annotator_id)
        )
    }
    status_of: dict[int, str] = {
        annotator: status
        for annotator, status in session.execute(
            select(statuses.annotator_id, statuses.status).where(
                statuses.document_id == document_id,
                statuses.annotator_id != reader_id,
                may_read(reader_id, statuses.annotator_id),
            )
        )
    }
    shown = {i for i in counts.keys() | status_of.keys() if counts.get(i) or stored_status(status_of.get(i)) != "todo"}
    if not shown:
        return []
    annotators = AnnotatorRow.__table__.c
    names = session.execute(select(annotators.id, annotators.name).where(annotators.id.in_(shown)))
    layers = [LayerSummary(name, counts.get(i, 0), stored_status(status_of.get(i))) for i, name in names]
    return sorted(layers, key=lambda layer: layer.annotator)


def readable_layer_id(session: Session, reader_id: int, name: str, team: bool = False) -> int:
    """The id of annotator ``name`` if the reader may read their layers; NotFoundError otherwise."""
    annotators = AnnotatorRow.__table__.c
    readable = may_read(reader_id, annotators.id, team)
    found = session.scalar(select(annotators.id).where(annotators.name == name, readable))
    if found is None:
        raise NotFoundError(f"no layer of an annotator named {name!r} to read")
    return found


def other_layer(session: Session, document_id: int, annotator_id: int, annotator: str, text: str) -> LayerView:
    """One annotator's layer of a document (``text``, its text), as the own layer is read (annotator/layer_read.py):
    three selects, the status, the spans with their attributes, the relations."""
    statuses = DocumentStatusRow.__table__.c
    status = session.scalar(
        select(statuses.status).where(statuses.document_id == document_id, statuses.annotator_id == annotator_id)
    )
    return LayerView(
        document_id,
        annotator,
        stored_status(status),
        layer_spans(session, document_id, annotator_id, text),
        layer_relations(session, document_id, annotator_id),
    )
