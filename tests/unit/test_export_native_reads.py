"""The native export reads each table with one query for the whole export (exporters/native_rows.py),
merged a chunk of documents at a time: the same queries for 3 documents or 30, the same bytes
whatever the chunk and fetch sizes, only the project's own rows when projects share a database,
and an export that re-imports to the same bytes (several layers, relations, attributes, document
labels, astral text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import annotator.exporters.native
import annotator.exporters.native_rows
from annotator.exporters import ExportFilter, export_jsonl
from annotator.exporters.native import iter_records
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import NEWS_SCHEMA, TRICKY_TEXT, ProjectMaker, write_jsonl

SCHEMA = (
    NEWS_SCHEMA.read_text(encoding="utf-8")
    .replace("labels:", "document_labels: [{name: urgent}, {name: spam}]\nlabels:", 1)
    .replace("      - name: value\n", "      - {name: note, type: text}\n      - name: value\n", 1)
)  # with document labels, and a DATE with two attributes (written in name order)
ANNOTATORS = ("zoë", "alice", "bob")  # not in name order by id: layers are written by name


def layer(number: int, annotator: str) -> dict[str, Any]:
    text = f"{TRICKY_TEXT} #{number}"
    kim, choe, date = text.index("Kim Jong Un"), text.index("Choe Ryong Hae"), text.index("2014-11-14")
    kind, day = ["state", "person"][number % 2], f"2014-11-{10 + number % 20}"
    spans = [
        {"id": "s1", "start": kim, "end": kim + 11, "label": "ACTOR", "attributes": {"kind": "person"}},
        {"id": "s2", "start": kim, "end": kim + 11, "label": "CLAIM", "attributes": {}},  # same offsets, 2 labels
        {"id": "s3", "start": choe, "end": choe + 14, "label": "ACTOR", "attributes": {"kind": kind}},
        {"id": "s4", "start": date, "end": date + 10, "label": "DATE", "attributes": {"value": day, "note": "é"}},
    ][: 1 + (number + len(annotator)) % 4]
    relations = [{"id": "r1", "label": "SAID_BY", "head": "s2", "tail": "s1"}] if len(spans) > 2 else []
    return {
        "id": f"doc-{number:03d}",
        "text": text,
        "meta": {"n": number, "source": "平壤 🙂"},
        "spans": spans,
        "relations": relations,
        "document_labels": ["urgent", "spam"][: number % 3],
        "annotator": annotator,
        "status": ["done", "in_progress", "skipped"][number % 3],
    }


def corpus(documents: int) -> list[str]:
    lines = [json.dumps(layer(n, name)) for n in range(documents) for name in ANNOTATORS[: 1 + n % 3]]
    lines += [json.dumps({"id": f"untouched-{n}", "text": f"nobody annotated 𝄞 {n}"}) for n in range(2)]
    return lines


def project_with(make_project: ProjectMaker, tmp_path: Path, documents: int) -> Project:
    project = Project.open(make_project(SCHEMA))
    import_paths(project, [write_jsonl(tmp_path / f"in-{documents}.jsonl", corpus(documents))])
    return project


def statements_of(project: Project, selection: ExportFilter) -> tuple[list[dict[str, Any]], int]:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(project.engine, "before_cursor_execute", seen)
    try:
        records = list(iter_records(project, selection))
    finally:
        event.remove(project.engine, "before_cursor_execute", seen)
    return records, len(statements)


@pytest.mark.parametrize(
    "selection",
    [ExportFilter(), ExportFilter(annotator="bob"), ExportFilter(labels=["ACTOR"]), ExportFilter(statuses=["done"])],
    ids=["everything", "one annotator", "one label", "one status"],
)
def test_the_queries_are_the_same_for_3_documents_or_30(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, selection: ExportFilter
) -> None:
    monkeypatch.setattr(annotator.exporters.native, "CHUNK_DOCUMENTS", 2)  # 2 chunks, then 16
    monkeypatch.setattr(annotator.exporters.native_rows, "ROWS_PER_FETCH", 3)  # many fetches per chunk
    with project_with(make_project, tmp_path, 3) as small, project_with(make_project, tmp_path, 30) as large:
        few, queries_for_few = statements_of(small, selection)
        many, queries_for_many = statements_of(large, selection)
    assert len(many) > 4 * len(few) > 0
    assert queries_for_many == queries_for_few <= 10  # a snapshot, the annotators, the bounds, one per table


def test_chunk_and_fetch_sizes_never_change_a_byte(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with project_with(make_project, tmp_path, 12) as project:
        export_jsonl(project, tmp_path / "whole.jsonl")
        monkeypatch.setattr(annotator.exporters.native, "CHUNK_DOCUMENTS", 1)
        monkeypatch.setattr(annotator.exporters.native_rows, "ROWS_PER_FETCH", 1)
        export_jsonl(project, tmp_path / "ones.jsonl")
        monkeypatch.setattr(annotator.exporters.native, "CHUNK_DOCUMENTS", 5)
        monkeypatch.setattr(annotator.exporters.native_rows, "ROWS_PER_FETCH", 7)
        export_jsonl(project, tmp_path / "odd.jsonl")
    whole = (tmp_path / "whole.jsonl").read_bytes()
    assert whole == (tmp_path / "ones.jsonl").read_bytes() == (tmp_path / "odd.jsonl").read_bytes()


def test_an_export_reimports_to_the_same_bytes_with_every_kind_of_content(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    with project_with(make_project, tmp_path, 12) as first:
        report = export_jsonl(first, tmp_path / "one.jsonl")
    with Project.open(make_project(SCHEMA)) as second:
        import_paths(second, [tmp_path / "one.jsonl"])
        export_jsonl(second, tmp_path / "two.jsonl")
    one = (tmp_path / "one.jsonl").read_bytes()
    assert one == (tmp_path / "two.jsonl").read_bytes()
    lines = [json.loads(line) for line in one.splitlines()]
    assert (report.lines, report.documents) == (len(lines), 14)
    assert report.spans == sum(len(line["spans"]) for line in lines) > 0
    assert report.relations == sum(len(line["relations"]) for line in lines) > 0
    written = {(line["id"], line["annotator"]): line for line in lines}
    for number in range(12):
        names = sorted(ANNOTATORS[: 1 + number % 3])
        assert [line["annotator"] for line in lines if line["id"] == f"doc-{number:03d}"] == names
        for name in names:
            given, line = layer(number, name), written[(f"doc-{number:03d}", name)]
            assert line["text"] == given["text"] and line["meta"] == given["meta"]
            assert line["document_labels"] == sorted(given["document_labels"])
            ordered = sorted(given["spans"], key=lambda s: (s["start"], s["end"], s["label"]))
            assert [(s["start"], s["end"], s["label"], s["attributes"]) for s in line["spans"]] == [
                (s["start"], s["end"], s["label"], s["attributes"]) for s in ordered
            ]
            assert [s["text"] for s in line["spans"]] == [line["text"][s["start"] : s["end"]] for s in line["spans"]]
            assert len(line["relations"]) == len(given["relations"])
    assert [written[(f"untouched-{n}", None)]["spans"] for n in range(2)] == [[], []]


def test_projects_sharing_a_database_export_only_their_own(make_project: ProjectMaker, tmp_path: Path) -> None:
    roots = [make_project(SCHEMA, name="first"), make_project(SCHEMA, name="second")]
    for root in roots:  # one database file for both, as on a team's server
        (root / "project.yaml").write_text(
            f"name: {root.name}\nschema: schema.yaml\ndatabase: {tmp_path / 'shared.db'}\n", encoding="utf-8"
        )
    alone = make_project(SCHEMA)
    lines = corpus(9)
    with Project.open(roots[0]) as first, Project.open(roots[1]) as second, Project.open(alone) as single:
        for number, line in enumerate(lines):  # alternately, so that the two projects' ids interleave
            import_paths(first if number % 2 else second, [write_jsonl(tmp_path / f"{number}.jsonl", [line])])
            if number % 2:
                import_paths(single, [write_jsonl(tmp_path / f"{number}.jsonl", [line])])
        export_jsonl(first, tmp_path / "first.jsonl")
        export_jsonl(single, tmp_path / "single.jsonl")
    assert (tmp_path / "first.jsonl").read_bytes() == (tmp_path / "single.jsonl").read_bytes()
