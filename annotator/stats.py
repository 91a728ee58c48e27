"""Project figures for `annotator stats`: documents per status, spans per label and annotator."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from annotator.db.engine import read_snapshot
from annotator.db.tables import AnnotatorRow, DocumentRow, DocumentStatusRow, RelationRow, SpanRow
from annotator.models import ProjectStats
from annotator.project import Project


def project_stats(project: Project) -> ProjectStats:
    with read_snapshot(project.engine) as connection:  # figures of one moment
        return read_project_stats(connection, project.id)


def read_project_stats(connection: Connection, project_id: int) -> ProjectStats:
    """The figures, read through a connection the caller holds (the dashboard reads more in the same snapshot)."""
    in_project = select(DocumentRow.id).where(DocumentRow.project_id == project_id).scalar_subquery()
    documents = (
        connection.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.project_id == project_id))
        or 0
    )
    by_status: dict[str, dict[str, int]] = defaultdict(dict)
    rows = connection.execute(
        select(AnnotatorRow.name, DocumentStatusRow.status, func.count())
        .join(AnnotatorRow, AnnotatorRow.id == DocumentStatusRow.annotator_id)
        .where(DocumentStatusRow.document_id.in_(in_project))
        .group_by(AnnotatorRow.name, DocumentStatusRow.status)
    )
    for name, status, count in rows:
        by_status[name][status] = count
    spans_by_annotator = dict(
        connection.execute(
            select(AnnotatorRow.name, func.count())
            .join(SpanRow, SpanRow.annotator_id == AnnotatorRow.id)
            .where(SpanRow.document_id.in_(in_project))
            .group_by(AnnotatorRow.name)
            .order_by(AnnotatorRow.name)
        ).all()
    )
    for name in spans_by_annotator:
        by_status.setdefault(name, {})
    for counts in by_status.values():
        # Documents with no status row are still to do for that annotator.
        counts["todo"] = counts.get("todo", 0) + documents - sum(counts.values())
    spans_by_label = _count_by_label(connection, SpanRow, in_project)
    relations_by_label = _count_by_label(connection, RelationRow, in_project)
    return ProjectStats(
        documents=documents,
        status_by_annotator=dict(sorted(by_status.items())),
        spans_by_label=spans_by_label,
        spans_by_annotator=spans_by_annotator,
        relations_by_label=relations_by_label,
    )


def _count_by_label(
    connection: Connection, table: type[SpanRow] | type[RelationRow], in_project: Any
) -> dict[str, int]:
    rows = connection.execute(
        select(table.label, func.count())
        .where(table.document_id.in_(in_project))
        .group_by(table.label)
        .order_by(table.label)
    )
    return dict(rows.all())
