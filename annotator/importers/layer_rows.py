"""A new layer of an import waiting to be written, and the tables its rows go to (row_writer.py
writes them: by executemany on SQLite, by COPY on PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
