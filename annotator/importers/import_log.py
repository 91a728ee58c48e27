"""One event row per import (who, when, which files, what it added and replaced), and its undo.

The event is written in the import's transaction, so it exists exactly when the import does.
Its detail lists the documents and layers the import added and, for each layer --replace
replaced, that layer's old rows: `annotator undo-import PROJECT EVENT` takes the added ones out
and puts the old ones back, in one transaction, and is refused once anything later (an edit in
the window, another import) touched those documents, because undoing would then lose that work.

The documents and layers an import added are listed as runs of consecutive document ids
("documents_added_runs": [[first, last], ...], "layers_added_runs": [[annotator, first, last],
...]): an import's documents get consecutive ids, so an import of 100,000 documents lists a
few runs, where one id per document made a 2 MB row (copied several times on its way into the
database: 9 MB at the end of the import, so its peak memory grew with the corpus). Events written
before list every id ("documents_added": [id, ...], "layers_added": [[document, annotator], ...]);
both forms are read.
"""

from __future__ import annotations

import getpass
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select

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
    """`documents`: ids of the documents added, ascending; `layers`: document id, annotator id, ...
    of the layers added, in the order they were written."""
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
        "documents_added_runs": _runs(documents),
        "layers_added_runs": _layer_runs(layers),
        "layers_replaced": replaced,
    }
    row = {"annotator_id": annotator_id, "document_id": None, "action": IMPORT, "detail": detail}
    report.event_id = inserted_id(connection.execute(insert(EventRow.__table__).values(**row)))


def _runs(ids: Iterable[int]) -> list[list[int]]:
    """Ascending ids as [first, last] runs of consecutive ones."""
    runs: list[list[int]] = []
    for doc_id in ids:
        if runs and runs[-1][1] == doc_id - 1:
            runs[-1][1] = doc_id
        else:
            runs.append([doc_id, doc_id])
    return runs


def _layer_runs(layers: array[int]) -> list[list[int]]:
    """(document, annotator) pairs as [annotator, first, last]: runs of consecutive documents per annotator."""
    by_annotator: dict[int, list[list[int]]] = {}
    ends = iter(layers)
    for doc_id, annotator_id in zip(ends, ends, strict=True):
        runs = by_annotator.setdefault(annotator_id, [])
        if runs and runs[-1][1] == doc_id - 1:
            runs[-1][1] = doc_id
        else:
            runs.append([doc_id, doc_id])
    return [[annotator_id, first, last] for annotator_id, runs in by_annotator.items() for first, last in runs]


def added_documents(detail: dict[str, Any]) -> list[int]:
    listed = [int(d) for d in detail.get("documents_added", [])]  # events written before runs
    return listed + [d for first, last in detail.get("documents_added_runs", []) for d in range(first, last + 1)]


def added_layers(detail: dict[str, Any]) -> list[tuple[int, int]]:
    """(document, annotator) of each layer the import added."""
    listed = [(int(d), int(a)) for d, a in detail.get("layers_added", [])]  # events written before runs
    runs = detail.get("layers_added_runs", [])
    return listed + [(d, a) for a, first, last in runs for d in range(first, last + 1)]


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
        documents = added_documents(detail)
        layers = added_layers(detail)
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
        theirs = set(added_documents(detail))
        theirs |= {d for d, _ in added_layers(detail)}
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
