"""The rows of new layers, written in batches: spans first (their ids come back by RETURNING,
matched by each span's unique key), then attributes, relations, statuses and document labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert

from annotator.db.tables import DocumentLabelRow, DocumentStatusRow, RelationRow, SpanAttributeRow, SpanRow

spans_table = SpanRow.__table__
attributes_table = SpanAttributeRow.__table__
relations_table = RelationRow.__table__
status_table = DocumentStatusRow.__table__
labels_table = DocumentLabelRow.__table__


@dataclass
class NewLayer:
    """One checked layer of an import, waiting to be written."""

    annotator_id: int
    spans: list[tuple[int, int, str, dict[str, Any]]]
    relations: list[tuple[str, int, int]]  # label, head index, tail index into spans
    status: str | None
    document_labels: list[str]
    seconds_spent: float = 0.0  # carried over from the layer this one replaces


def write_layers(connection: Connection, layers: list[tuple[int, NewLayer]]) -> None:
    """Insert the rows of new layers (document id, layer) in a few batched statements."""
    rows = [
        {"document_id": doc_id, "annotator_id": layer.annotator_id, "start": start, "end": end, "label": label}
        for doc_id, layer in layers
        for start, end, label, _ in layer.spans
    ]
    span_ids: dict[tuple[int, int, int, int, str], int] = {}
    if rows:
        # RETURNING in any order, matched by the span's unique key; see loader.flush().
        c = spans_table.c
        returned = connection.execute(
            insert(spans_table).returning(c.document_id, c.annotator_id, c.start, c.end, c.label, c.id), rows
        ).all()
        span_ids = {(d, a, s, e, label): span_id for d, a, s, e, label, span_id in returned}
    attributes = [
        {"span_id": span_ids[(doc_id, layer.annotator_id, start, end, label)], "name": name, "value": value}
        for doc_id, layer in layers
        for start, end, label, attrs in layer.spans
        for name, value in sorted(attrs.items())
    ]
    relations = [
        {
            "document_id": doc_id,
            "annotator_id": layer.annotator_id,
            "label": label,
            "head_span_id": span_ids[(doc_id, layer.annotator_id, *layer.spans[head][:3])],
            "tail_span_id": span_ids[(doc_id, layer.annotator_id, *layer.spans[tail][:3])],
        }
        for doc_id, layer in layers
        for label, head, tail in layer.relations
    ]
    statuses = [
        {
            "document_id": doc_id,
            "annotator_id": layer.annotator_id,
            "status": layer.status,
            "seconds_spent": layer.seconds_spent,
        }
        for doc_id, layer in layers
        if layer.status is not None
    ]
    labels = [
        {"document_id": doc_id, "annotator_id": layer.annotator_id, "label": label}
        for doc_id, layer in layers
        for label in layer.document_labels
    ]
    for table, rows in (
        (attributes_table, attributes),
        (relations_table, relations),
        (status_table, statuses),
        (labels_table, labels),
    ):
        if rows:
            connection.execute(insert(table), rows)
