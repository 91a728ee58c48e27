"""The export reads span attributes with one query for the whole export, in document order, not
one per chunk of documents (on PostgreSQL that per-chunk join scanned the whole table each time:
an export quadratic in the project). Filters and chunk edges give the same records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import annotator.exporters.native
from annotator.exporters.native import ExportFilter, iter_records
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import ProjectMaker, write_jsonl


def record(number: int) -> dict[str, Any]:
    text = f"Kim Jong Un met Putin on Monday, article {number}."
    spans = [
        {"id": "s1", "start": 0, "end": 11, "label": "ACTOR", "attributes": {"kind": "person"}},
        {"id": "s2", "start": 16, "end": 21, "label": "ACTOR", "attributes": {"kind": ["state", "person"][number % 2]}},
        {"id": "s3", "start": 25, "end": 31, "label": "DATE", "attributes": {"value": f"2014-11-{10 + number}"}},
    ]
    if number % 3 == 0:
        spans = spans[:1]  # documents whose attributes end early, and ...
    annotator = "alice" if number % 4 else "bob"
    return {"id": f"d{number}", "text": text, "spans": spans, "annotator": annotator, "status": "done"}


@pytest.fixture
def project(make_project: ProjectMaker, tmp_path: Path) -> Iterator[Project]:
    lines = [json.dumps(record(n)) for n in range(11)]
    lines.append(json.dumps({"id": "untouched", "text": "Nobody annotated this."}))  # ... one with none
    with Project.open(make_project()) as opened:
        import_paths(opened, [write_jsonl(tmp_path / "in.jsonl", lines)])
        yield opened


def attribute_queries(project: Project, selection: ExportFilter) -> tuple[list[dict[str, Any]], int]:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(project.engine, "before_cursor_execute", seen)
    try:
        records = list(iter_records(project, selection))
    finally:
        event.remove(project.engine, "before_cursor_execute", seen)
    return records, sum("span_attributes" in statement for statement in statements)


@pytest.mark.parametrize(
    "selection",
    [ExportFilter(), ExportFilter(annotator="alice"), ExportFilter(labels=["DATE"])],
    ids=["everything", "one annotator", "one label"],
)
def test_attributes_are_one_query_whatever_the_chunks(
    project: Project, monkeypatch: pytest.MonkeyPatch, selection: ExportFilter
) -> None:
    whole, _ = attribute_queries(project, selection)
    monkeypatch.setattr(annotator.exporters.native, "CHUNK_DOCUMENTS", 2)
    chunked, queries = attribute_queries(project, selection)
    assert queries == 1
    assert chunked == whole
    spans = [span for line in whole for span in line["spans"]]
    assert spans and all(span["attributes"] for span in spans)
    assert {span["label"] for span in spans} == ({"DATE"} if selection.labels else {"ACTOR", "DATE"})
    expected = {f"d{n}": record(n) for n in range(11)}
    for line in whole:
        if line["id"] in expected:
            given = {(s["start"], s["end"]): s["attributes"] for s in expected[line["id"]]["spans"]}
            assert all(span["attributes"] == given[(span["start"], span["end"])] for span in line["spans"])
