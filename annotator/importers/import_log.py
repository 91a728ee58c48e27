"""One event row per import (who, when, which files, what it added and replaced), and its undo.

The event is written in the import's transaction, so it exists exactly when the import does.
Its detail lists the documents and layers the import added and, for each layer --replace
replaced, that layer's old rows: `annotator undo-import PROJECT EVENT` takes the added ones out
and puts the old ones back, in one transaction, and is refused once anything later (an edit in
the window, another import) touched those documents, because undoing would then lose that work.
"""

from __future__ import annotations

import getpass
import json
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, Text, bindparam, cast, delete, insert, select

from annotator.db.engine import inserted_id
from annotator.db.tables import (
    DocumentLabelRow,
    DocumentRow,
    DocumentStatusRow,
    EventRow,
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import AnnotatorError, NotFoundError
from annotator.importers.layers import delete_layer, lock_layers, restore_layer
from annotator.importers.records import ImportReport
from annotator.project import Project

IMPORT = "import"
UNDO_IMPORT = "undo-import"
_CHUNK = 500  # ids per IN (...) list


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def write_import_event(
    connection: Connection,
    project_id: int,
    annotator_id: int | None,
    annotator: str | None,
    sources: list[str],
    report: ImportReport,
    documents: array[int],
    layers: array[int],
    replaced: list[dict[str, Any]],
) -> None:
    """`documents`: ids of the documents added; `layers`: document id, annotator id, ... of the
    layers added. They stay machine integers: as JSON-ready Python lists they were an integer
    (and a list per layer) per document, ~14 MiB at 100,000 documents made at the end of the
    import, so its peak memory grew with the corpus. Their JSON is written a chunk at a time."""
    detail = {
        "project": project_id,
        "user": os_user(),
        "annotator": annotator,
        "files": sources,
        "counts": {
            "documents_added": report.documents_added,
            "documents_skipped": report.documents_skipped,
            "layers_added": report.layers_added,
            "layers_already_there": report.layers_skipped,
            "layers_replaced": report.layers_replaced,
            "spans_added": report.spans_added,
            "relations_added": report.relations_added,
            "invalid_skipped": len(report.invalid),
        },
        "layers_replaced": replaced,
    }
    listed = f'"documents_added": [{_json_rows(documents, 1)}], "layers_added": [{_json_rows(layers, 2)}]'
    value = bindparam("detail", f"{json.dumps(detail)[:-1]}, {listed}}}", type_=Text())
    # The JSON text goes in as it is: SQLite stores it as text; PostgreSQL takes it cast to the column's type.
    row = {
        "annotator_id": annotator_id,
        "document_id": None,
        "action": IMPORT,
        "detail": value if connection.dialect.name == "sqlite" else cast(value, JSON),
    }
    report.event_id = inserted_id(connection.execute(insert(EventRow.__table__).values(**row)))


def _json_rows(values: array[int], width: int, chunk: int = 8192) -> str:
    """A JSON list's items (without brackets): the integers, or lists of `width` of them in turn."""
    pieces = []
    for at in range(0, len(values), chunk * width):
        items = values[at : at + chunk * width].tolist()
        if width > 1:
            ends = [iter(items)] * width
            pieces.append(json.dumps([list(row) for row in zip(*ends, strict=True)])[1:-1])
        else:
            pieces.append(json.dumps(items)[1:-1])
    return ", ".join(pieces)


@dataclass(frozen=True)
class UndoReport:
    event_id: int  # the undo's own event
    documents_removed: int
    layers_removed: int
    layers_restored: int


def undo_import(project: Project, event_id: int) -> UndoReport:
    """Take out what import event `event_id` added and put back the layers it replaced."""
    with project.write.begin() as session:
        connection = session.connection()
        event = connection.execute(select(EventRow).where(EventRow.id == event_id)).first()
        if event is None or event.action != IMPORT or (event.detail or {}).get("project") != project.id:
            raise NotFoundError(
                f"event {event_id} is not an import of this project (the import summary names its event)"
            )
        detail = event.detail
        if _undone(connection, event_id):
            raise AnnotatorError(f"import event {event_id} is undone already")
        documents = [int(d) for d in detail.get("documents_added", [])]
        layers = [(int(d), int(a)) for d, a in detail.get("layers_added", [])]
        replaced = detail.get("layers_replaced", [])
        touched = set(documents) | {d for d, _ in layers} | {int(r["document"]) for r in replaced}
        for annotator_id in sorted({a for _, a in layers} | {int(r["annotator"]) for r in replaced}):
            lock_layers(connection, annotator_id)
        _refuse_later_changes(connection, event_id, touched)
        for document_id, annotator_id in layers:
            delete_layer(connection, document_id, annotator_id)
        for entry in reversed(replaced):
            delete_layer(connection, int(entry["document"]), int(entry["annotator"]))
            restore_layer(connection, entry["old"])
        _delete_documents(connection, documents)
        restored = len(replaced)
        row = {
            "action": UNDO_IMPORT,
            "detail": {
                "project": project.id,
                "user": os_user(),
                "event": event_id,
                "documents_removed": len(documents),
                "layers_removed": len(layers),
                "layers_restored": restored,
            },
        }
        undo_id = inserted_id(connection.execute(insert(EventRow.__table__).values(**row)))
    return UndoReport(undo_id, len(documents), len(layers), restored)


def _undone(connection: Connection, event_id: int) -> bool:
    undos = connection.execute(select(EventRow.detail).where(EventRow.action == UNDO_IMPORT)).scalars()
    return any((detail or {}).get("event") == event_id for detail in undos)


def _refuse_later_changes(connection: Connection, event_id: int, touched: set[int]) -> None:
    """Undo would lose what a later edit or import did to the same documents: refuse, naming it."""
    later: list[str] = []
    for chunk in _chunks(sorted(touched)):
        rows = connection.execute(
            select(EventRow.id, EventRow.action).where(EventRow.id > event_id, EventRow.document_id.in_(chunk))
        )
        later += [f"event {row.id} ({row.action})" for row in rows]
    imports = connection.execute(
        select(EventRow.id, EventRow.detail).where(EventRow.id > event_id, EventRow.action == IMPORT)
    )
    for row in imports:
        detail = row.detail or {}
        theirs = {int(d) for d in detail.get("documents_added", [])}
        theirs |= {int(d) for d, _ in detail.get("layers_added", [])}
        theirs |= {int(r["document"]) for r in detail.get("layers_replaced", [])}
        if theirs & touched and not _undone(connection, row.id):
            later.append(f"event {row.id} (import)")
    if later:
        shown = ", ".join(sorted(set(later))[:10]) + (" ..." if len(set(later)) > 10 else "")
        raise AnnotatorError(
            f"import event {event_id} cannot be undone: later changes touch its documents ({shown}); "
            "undo a later import first (annotator undo-import), or change the layers by hand"
        )


def _delete_documents(connection: Connection, documents: list[int]) -> None:
    for chunk in _chunks(documents):
        spans = select(SpanRow.id).where(SpanRow.document_id.in_(chunk))
        connection.execute(delete(RelationRow.__table__).where(RelationRow.document_id.in_(chunk)))
        connection.execute(delete(SpanAttributeRow.__table__).where(SpanAttributeRow.span_id.in_(spans)))
        for table in (SpanRow, DocumentLabelRow, DocumentStatusRow):
            connection.execute(delete(table.__table__).where(table.document_id.in_(chunk)))
        connection.execute(delete(DocumentRow.__table__).where(DocumentRow.id.in_(chunk)))


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for at in range(0, len(ids), _CHUNK):
        yield ids[at : at + _CHUNK]
