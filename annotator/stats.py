"""Project figures for `annotator stats`: documents per status, spans per label and annotator, and,
where the project assigns work (annotator assign), each annotator's progress through their queue."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from annotator.db import core_tables
from annotator.db.engine import read_snapshot
from annotator.db.tables import AnnotatorRow, DocumentRow, DocumentStatusRow, RelationRow, SpanRow
from annotator.models import STATUSES, ProjectStats, stored_status
from annotator.project import Project


def project_stats(project: Project) -> ProjectStats:
    with read_snapshot(project.engine) as connection:  # figures of one moment
        return read_project_stats(connection, project.id)


def read_project_stats(connection: Connection, project_id: int) -> ProjectStats:
    """The figures, read through a connection the caller holds (the dashboard reads more in the same snapshot).

    Spans are counted once, grouped by annotator id and label (the spans' own columns: SQLite
    scans the covering unique index, no join per row); the sums per label and per annotator are
    made from those few groups.
    """
    in_project = select(DocumentRow.id).where(DocumentRow.project_id == project_id).scalar_subquery()
    documents = (
        connection.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.project_id == project_id))
        or 0
    )
    names = dict(connection.execute(select(AnnotatorRow.id, AnnotatorRow.name)).all())
    by_status: dict[str, dict[str, int]] = defaultdict(dict)
    for annotator_id, status, count in connection.execute(
        select(DocumentStatusRow.annotator_id, DocumentStatusRow.status, func.count())
        .where(DocumentStatusRow.document_id.in_(in_project))
        .group_by(DocumentStatusRow.annotator_id, DocumentStatusRow.status)
    ).all():
        by_status[names[annotator_id]][status] = count
    spans_by_annotator_label: dict[str, dict[str, int]] = defaultdict(dict)
    spans_by_label: dict[str, int] = defaultdict(int)
    for annotator_id, label, count in connection.execute(
        select(SpanRow.annotator_id, SpanRow.label, func.count())
        .where(SpanRow.document_id.in_(in_project))
        .group_by(SpanRow.annotator_id, SpanRow.label)
    ).all():
        spans_by_annotator_label[names[annotator_id]][label] = count
        spans_by_label[label] += count
    spans_by_annotator = {
        name: sum(spans_by_annotator_label[name].values()) for name in sorted(spans_by_annotator_label)
    }
    for name in spans_by_annotator:
        by_status.setdefault(name, {})
    for counts in by_status.values():
        # Documents with no status row are still to do for that annotator.
        counts["todo"] = counts.get("todo", 0) + documents - sum(counts.values())
    return ProjectStats(
        documents=documents,
        status_by_annotator=dict(sorted(by_status.items())),
        spans_by_label=dict(sorted(spans_by_label.items())),
        spans_by_annotator=spans_by_annotator,
        relations_by_label=_count_by_label(connection, RelationRow, in_project),
        spans_by_annotator_label=dict(sorted(spans_by_annotator_label.items())),
        assignments_by_annotator=assignment_progress(connection, project_id, names),
    )


def assignment_progress(connection: Connection, project_id: int, names: dict[int, str]) -> dict[str, dict[str, int]]:
    """Per annotator with assignments: how many, and how many of those have each status in their layer
    (no status row: todo); empty where the project assigns nothing."""
    a, s = core_tables.assignments.c, DocumentStatusRow
    rows = connection.execute(
        select(a.annotator_id, s.status, func.count())
        .select_from(core_tables.assignments)
        .join(DocumentRow, DocumentRow.id == a.document_id)
        .outerjoin(s, (s.document_id == a.document_id) & (s.annotator_id == a.annotator_id))
        .where(DocumentRow.project_id == project_id)
        .group_by(a.annotator_id, s.status)
    ).all()
    progress: dict[str, dict[str, int]] = {}
    for annotator_id, status, count in rows:
        counts = progress.setdefault(names[annotator_id], {"assigned": 0} | dict.fromkeys(STATUSES, 0))
        counts["assigned"] += count
        counts[stored_status(status)] += count
    return dict(sorted(progress.items()))


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
