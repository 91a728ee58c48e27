"""Every export reads one snapshot, on PostgreSQL too, while others edit.

Under READ COMMITTED each statement sees the database anew; an export reads spans, their
attributes and relations with several queries per chunk, so edits committed between those
queries made records that never existed (an ACTOR without its kind). The export now runs in
one REPEATABLE READ, READ ONLY transaction (db/engine.py: read_snapshot).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import delete, insert, select

import annotator.exporters.native as native
from annotator.db.tables import DocumentRow, SpanAttributeRow, SpanRow
from annotator.exporters import export_jsonl
from annotator.exporters.native import iter_records
from annotator.importers import import_paths
from annotator.project import Project

pytestmark = pytest.mark.postgres

TEXT = "Kim Jong Un met Putin in Moscow on Monday."
DOCUMENTS = 40


def _records() -> list[dict[str, Any]]:
    return [
        {
            "id": f"doc-{number:03d}",
            "text": f"{TEXT} ({number})",
            "annotator": "alice",
            "spans": [
                {"start": 0, "end": 11, "label": "ACTOR", "attributes": {"kind": "person"}},
                {"start": 35, "end": 41, "label": "DATE", "attributes": {"value": "2014-11-17"}},
            ],
        }
        for number in range(DOCUMENTS)
    ]


def _project(root: Path, tmp_path: Path) -> Project:
    project = Project.open(root)
    assert project.engine.dialect.name == "postgresql"
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in _records()))
    import_paths(project, [path])
    return project


def _move_actor(project: Project, external_id: str, kind: str) -> None:
    """One transaction: the ACTOR of a document is removed and made again with another kind.

    Every committed state has each ACTOR with its kind; a torn read can show one without.
    """
    with project.write.begin() as session:
        span_id, document_id, annotator_id = session.execute(
            select(SpanRow.id, SpanRow.document_id, SpanRow.annotator_id).where(
                SpanRow.label == "ACTOR",
                SpanRow.document_id.in_(select(DocumentRow.id).where(DocumentRow.external_id == external_id)),
            )
        ).one()
        session.execute(delete(SpanRow).where(SpanRow.id == span_id))
        new_id = session.execute(
            insert(SpanRow)
            .values(document_id=document_id, annotator_id=annotator_id, start=0, end=11, label="ACTOR")
            .returning(SpanRow.id)
        ).scalar_one()
        session.execute(insert(SpanAttributeRow).values(span_id=new_id, name="kind", value=kind))


def test_an_export_sees_the_database_as_it_was_when_it_began(
    pg_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native, "CHUNK_DOCUMENTS", 5)  # many chunks, many queries
    with _project(pg_project, tmp_path) as project:
        records = iter_records(project)
        first = next(records)  # the export has begun: its snapshot is taken
        _move_actor(project, "doc-039", "state")  # committed while the export runs, in its last chunk
        rest = [first, *records]
    kinds = {record["id"]: record["spans"][0]["attributes"].get("kind") for record in rest}
    assert len(rest) == DOCUMENTS
    assert kinds["doc-039"] == "person"  # the moment the export began, not a later one


def test_exports_during_edits_hold_only_records_that_existed(
    pg_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native, "CHUNK_DOCUMENTS", 3)
    with _project(pg_project, tmp_path) as project:
        stop = threading.Event()
        edits = 0
        failure: list[BaseException] = []

        def writer() -> None:
            nonlocal edits
            try:
                while not stop.is_set():
                    number = edits % DOCUMENTS
                    _move_actor(project, f"doc-{number:03d}", ("person", "state", "organisation")[edits % 3])
                    edits += 1
            except BaseException as error:  # reported by the test, not lost in the thread
                failure.append(error)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 4
            exports = 0
            while time.monotonic() < deadline or exports < 3:
                out = tmp_path / f"export-{exports}.jsonl"
                export_jsonl(project, out)
                exports += 1
                for line in out.read_bytes().splitlines():
                    record = orjson.loads(line)
                    labels = sorted(span["label"] for span in record["spans"])
                    assert labels == ["ACTOR", "DATE"], record
                    for span in record["spans"]:
                        assert span["attributes"], f"export {exports}: {record['id']} {span['label']} has no attribute"
        finally:
            stop.set()
            thread.join(timeout=30)
    assert not failure, failure
    assert edits > exports  # the writer really ran during the exports
