"""The import's COPY path on PostgreSQL (annotator/importers/pg_copy.py): what it writes reads back
as INSERTs would have stored it, hostile values included; exports are the bytes SQLite gives and
re-import to the same bytes; a failure in a late batch leaves nothing; ids stay unique afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, cast, select, text

import annotator.exporters.native
import annotator.importers.loader
from annotator.cli import main
from annotator.db.tables import DocumentRow, SpanAttributeRow
from annotator.errors import AnnotatorError
from annotator.exporters import export_jsonl
from annotator.exporters.native import ExportFilter
from annotator.importers import ImportFailed, import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.integration.conftest import FolderMaker
from tests.integration.test_postgres import rows_of_every_table
from tests.unit.test_export_attribute_reads import attribute_queries
from tests.unit.test_export_attribute_reads import record as attributed_record

pytestmark = pytest.mark.postgres

SCHEMA = """\
name: hostile
version: 1
overlap: nested
labels:
  - name: NOTE
    color: "#9AD2F2"
    hotkey: n
    attributes:
      - name: remark
        type: text
      - name: flag
        type: boolean
  - name: DATE
    color: "#888888"
    hotkey: d
    attributes:
      - {name: value, type: date}
relations:
  - name: ABOUT
    head: NOTE
    tail: [NOTE, DATE]
document_labels:
  - name: OPINION
  - name: OFF_TOPIC
"""

# What COPY's text format gives a meaning to (\N is NULL, \. ends the data, backslash escapes,
# tab separates, newline ends a row), and what JSON escapes.
NASTY = "\\N \\. \\\\ \\t \t|\n|\r\n|\r|\x0b\x0c\x1b\x7f \u2028\u2029 \ufeff 'quote' \"dq\" 😀 🇰🇵 é"
HUGE_META = {"blob": "x\\y\t" * 400_000, "deep": json.loads("[" * 60 + "1" + "]" * 60)}


def hostile_records() -> list[dict[str, Any]]:
    text_one = f"Bench {NASTY} line\\.\n\\.\nend\\N"
    text_two = "A short one with a tab\there and \\N."
    nasty_meta = {
        NASTY: NASTY,
        "numbers": [0, -1, 2**63 - 1, -(2**63), 0.1, -0.0, 1e16, 1.5e-300, 123456789.125],
        "null": None,
        "bools": [True, False],
        "nested": {"a": {"b": [None, {"c": "\\"}]}},
        "empty": {},
    }
    return [
        {
            "id": f"doc\\one\t{NASTY[:20]}",
            "text": text_one,
            "meta": nasty_meta,
            "spans": [
                {"id": "s1", "start": 0, "end": 5, "label": "NOTE", "attributes": {"remark": NASTY, "flag": True}},
                {"id": "s2", "start": 6, "end": 8, "label": "DATE", "attributes": {"value": "2014-11-14"}},
                {"id": "s3", "start": 0, "end": 8, "label": "NOTE", "attributes": {"remark": "\\N"}},
            ],
            "relations": [{"id": "r1", "label": "ABOUT", "head": "s1", "tail": "s2"}],
            "document_labels": ["OPINION", "OFF_TOPIC"],
            "annotator": "alice",
            "status": "in_progress",
        },
        {"id": "huge", "text": text_two, "meta": HUGE_META, "annotator": "bob", "status": "done"},
        {
            "id": "huge",
            "text": text_two,
            "meta": HUGE_META,
            "spans": [{"id": "s1", "start": 0, "end": 1, "label": "NOTE", "attributes": {"remark": "\t"}}],
            "annotator": "alice",
        },
    ]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def export_records(project: Project, path: Path) -> tuple[bytes, list[dict[str, Any]]]:
    export_jsonl(project, path)
    data = path.read_bytes()
    return data, [json.loads(line) for line in data.splitlines()]


def test_hostile_values_are_stored_as_inserts_store_them_and_round_trip(
    fresh_schema: str, project_folder: FolderMaker, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "hostile.jsonl", hostile_records())
    exports: dict[str, bytes] = {}
    for name, database in (("sqlite", "annotator.db"), ("postgresql", fresh_schema)):
        with Project.open(project_folder(name, database, SCHEMA)) as project:
            assert project.engine.dialect.name == name
            report = import_paths(project, [source])
            assert (report.documents_added, report.layers_added, report.spans_added) == (2, 3, 4)
            exports[name], records = export_records(project, tmp_path / f"{name}.jsonl")
            if name == "postgresql":
                with project.engine.connect() as connection:
                    # The text SQLAlchemy's JSON type stores through psycopg: json.dumps of the value.
                    meta_query = select(DocumentRow.external_id, cast(DocumentRow.meta, Text))
                    stored_meta = {external_id: meta for external_id, meta in connection.execute(meta_query)}
                    stored_values = set(connection.scalars(select(cast(SpanAttributeRow.value, Text))))
    assert exports["postgresql"] == exports["sqlite"]
    by_id = {(r["id"], r["annotator"]): r for r in records}
    for record in hostile_records():
        exported = by_id[(record["id"], record["annotator"])]
        assert (exported["text"], exported["meta"]) == (record["text"], record["meta"])
        stored_spans = [(s["start"], s["end"], s["label"], s["attributes"]) for s in exported["spans"]]
        given = sorted((s["start"], s["end"], s["label"], s["attributes"]) for s in record.get("spans", []))
        assert stored_spans == given
    first = by_id[(hostile_records()[0]["id"], "alice")]
    assert first["relations"] == [{"id": "r1", "label": "ABOUT", "head": "s1", "tail": "s3"}]
    assert (first["document_labels"], first["status"]) == (["OFF_TOPIC", "OPINION"], "in_progress")
    assert stored_meta == {r["id"]: json.dumps(r["meta"]) for r in hostile_records()}
    assert stored_values == {
        json.dumps(v) for r in hostile_records() for s in r.get("spans", []) for v in s["attributes"].values()
    }

    # What was exported imports again (through COPY: a second project in the same schema) to the same bytes.
    again = project_folder("again", fresh_schema, SCHEMA)
    config = again / "project.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: integration", "name: again"), encoding="utf-8")
    with Project.open(again) as project:
        import_paths(project, [tmp_path / "postgresql.jsonl"])
        assert export_records(project, tmp_path / "again.jsonl")[0] == exports["postgresql"]


def test_a_failure_in_a_late_batch_leaves_nothing(
    pg_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(annotator.importers.loader, "BATCH_DOCUMENTS", 2)  # several COPY batches
    records = [actor_record(f"d{n}", f"Kim Jong Un, number {n}.", "alice", 11) for n in range(7)]
    records[5]["spans"][0]["attributes"]["kind"] = "state"
    path = write_jsonl(tmp_path / "late.jsonl", records)
    with Project.open(pg_project) as project:
        with project.engine.begin() as connection:  # the database, not the checks, refuses the sixth record
            connection.execute(
                text("ALTER TABLE span_attributes ADD CONSTRAINT no_state CHECK (value::text <> '\"state\"')")
            )
        before = rows_of_every_table(project)
        with pytest.raises(AnnotatorError, match="the database refused the import, nothing was imported"):
            import_paths(project, [path])
        assert rows_of_every_table(project) == before


def test_the_command_line_refuses_a_nul_in_one_error_line_and_imports_nothing(
    pg_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(
        tmp_path / "nul.jsonl",
        [{"id": "fine", "text": "A fine text."}, {"id": "bad", "text": "Fine too.", "meta": {"k": "a\u0000b"}}],
    )
    with Project.open(pg_project) as project:
        before = rows_of_every_table(project)
        assert main(["import", str(pg_project), str(path)]) == 1
        _, err = capsys.readouterr()
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and f"{path}:2" in errors[0] and "NUL" in errors[0] and "Traceback" not in err
        assert rows_of_every_table(project) == before
        with pytest.raises(ImportFailed):
            import_paths(project, [path])


def actor_record(external_id: str, body: str, annotator: str, end: int) -> dict[str, Any]:
    span = {"id": "s1", "start": 0, "end": end, "label": "ACTOR", "attributes": {"kind": "person"}}
    return {"id": external_id, "text": body, "annotator": annotator, "spans": [span]}


def test_ids_taken_by_copy_are_never_given_again(pg_project: Path, tmp_path: Path) -> None:
    with AnnotationService.open(pg_project, "alice") as service:
        import_paths(
            service.project, [write_jsonl(tmp_path / "a.jsonl", [actor_record("a", "Kim met Putin.", "alice", 3)])]
        )
        [doc] = service.documents()
        added = service.add_span(doc.id, 8, 13, "ACTOR", {"kind": "person"}).value
        import_paths(
            service.project, [write_jsonl(tmp_path / "b.jsonl", [actor_record("b", "Putin met Kim.", "bob", 5)])]
        )
        with service.project.engine.connect() as connection:
            ids = list(connection.scalars(text("SELECT id FROM spans ORDER BY id")))
        assert len(ids) == len(set(ids)) == 3 and added.id in ids


def test_the_export_reads_attributes_with_one_cursor_whatever_the_chunks(
    pg_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [json.dumps(attributed_record(n)) for n in range(11)]
    with Project.open(pg_project) as project:
        import_paths(project, [write_jsonl(tmp_path / "in.jsonl", [json.loads(line) for line in lines])])
        whole, _ = attribute_queries(project, ExportFilter())
        monkeypatch.setattr(annotator.exporters.native, "CHUNK_DOCUMENTS", 2)
        chunked, queries = attribute_queries(project, ExportFilter())
    assert queries == 1 and chunked == whole
    for number, line in enumerate(whole):
        given = attributed_record(number)["spans"]
        assert [(s["start"], s["end"], s["label"], s["attributes"]) for s in line["spans"]] == [
            (s["start"], s["end"], s["label"], s["attributes"]) for s in given
        ]
