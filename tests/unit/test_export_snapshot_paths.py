"""Every export path reads the layers it writes inside one snapshot (db/engine.py: read_snapshot),
so an export made while others edit holds only records that existed together. Each writable
format, a --layer choice, a --merge and a --split are run; every statement that reads a layer's
rows (spans, attributes, relations, statuses, document labels, suggestions) must come from the
one snapshot's connection. (tests/integration/test_snapshot_export.py shows the snapshot itself
holding on PostgreSQL while a writer commits.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event

import annotator.exporters.native as native
from annotator.exporters import export_format, export_jsonl
from annotator.exporters.base import ExportOptions
from annotator.exporters.native import ExportFilter
from annotator.formats import BY_NAME, WRITABLE
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un met Putin in Moscow on Monday, the ministry said.\n"
LAYER_TABLES = re.compile(r"\b(spans|span_attributes|relations|document_status|document_labels|suggestions)\b")


@pytest.fixture
def root(make_project: ProjectMaker, tmp_path: Path) -> Path:
    made = make_project()
    source = tmp_path / "article.txt"
    source.write_bytes(TEXT.encode("utf-8"))
    with Project.open(made) as project:
        import_paths(project, [source])
    for name in ("alice", "bob"):
        with AnnotationService.open(made, name) as service:
            doc = service.find_document("article")
            service.add_span(doc, 0, 11, "ACTOR", {"kind": "person"})
            service.add_span(doc, 34, 40, "DATE")
            service.set_status(doc, "done" if name == "alice" else "in_progress")  # training formats take one
    return made


@contextmanager
def reads_outside_the_snapshot(engine: Engine) -> Iterator[tuple[list[str], list[int]]]:
    """(statements on layer tables from any connection but a snapshot's, snapshots taken)."""
    outside: list[str] = []
    snapshots: list[int] = []
    inside: set[int] = set()
    original = native.read_snapshot

    @contextmanager
    def counted(snapshot_engine: Engine) -> Iterator[Connection]:
        with original(snapshot_engine) as connection:
            snapshots.append(id(connection))
            inside.add(id(connection.connection.dbapi_connection))
            try:
                yield connection
            finally:
                inside.discard(id(connection.connection.dbapi_connection))

    def on_execute(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if LAYER_TABLES.search(statement) and id(connection.connection.dbapi_connection) not in inside:
            outside.append(statement)

    native.read_snapshot = counted  # type: ignore[assignment]
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield outside, snapshots
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        native.read_snapshot = original


def run_export(project: Project, format_name: str, target: Path, options: ExportOptions, split: bool) -> None:
    if format_name == "jsonl" and not split and not options.layers and not options.merge:
        export_jsonl(project, target, ExportFilter(suggestions=True))
        return
    export_format(
        project, format_name, target, options=options, split=(0.5, 0.5) if split else None, selection=ExportFilter()
    )


CASES = [(name, ExportOptions(), False) for name in WRITABLE] + [
    ("jsonl", ExportOptions(layers=("bob", "alice")), False),
    ("spacy", ExportOptions(merge="majority"), False),
    ("hf", ExportOptions(), True),
]


@pytest.mark.parametrize(("format_name", "options", "split"), CASES, ids=lambda value: str(value)[:30])
def test_every_export_path_reads_layers_in_one_snapshot(
    root: Path, tmp_path: Path, format_name: str, options: ExportOptions, split: bool
) -> None:
    suffix = BY_NAME[format_name].load_writer().suffix
    target = tmp_path / ("out" if split or BY_NAME[format_name].folder else f"out{suffix}")
    with Project.open(root) as project, reads_outside_the_snapshot(project.engine) as (outside, snapshots):
        run_export(project, format_name, target, options, split)
    assert target.exists()
    assert len(snapshots) == 1, f"{format_name}: {len(snapshots)} snapshots"
    assert outside == [], f"{format_name} read layer rows outside its snapshot"
