"""The import rule for a layer that is there already, for every format (loader.py): the same
layer again is a repeat; a different one is refused naming each record, or replaced with
--replace in one transaction that undo-import takes back exactly; every import writes one event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.cli import main
from annotator.db.tables import EventRow
from annotator.errors import AnnotatorError
from annotator.exporters import export_jsonl
from annotator.importers import ImportFailed, import_paths
from annotator.importers.import_log import undo_import
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker
from tests.unit.test_tools_fixtures import schema_yaml

SCHEMA = schema_yaml({"A": [("note", "text")], "B": []}, [("R", ["A"], ["B"])]).replace(
    "labels:", "document_labels: [{name: urgent}, {name: spam}]\nlabels:", 1
)
TEXT = "Kim met Putin in Moscow on Monday."
WORDS = [(0, 3), (4, 7), (8, 13), (17, 23), (27, 33)]


def layer(
    spans: list[tuple[int, int, str, dict[str, Any]]],
    relations: list[tuple[int, int]] = (),  # type: ignore[assignment]
    status: str | None = "done",
    labels: list[str] = (),  # type: ignore[assignment]
    annotator: str = "alice",
    document: str = "d1",
) -> dict[str, Any]:
    return {
        "id": document,
        "text": TEXT,
        "annotator": annotator,
        "status": status,
        "document_labels": list(labels),
        "spans": [
            {"id": f"s{i}", "start": s, "end": e, "label": lab, "attributes": a}
            for i, (s, e, lab, a) in enumerate(spans)
        ],
        "relations": [{"label": "R", "head": f"s{h}", "tail": f"s{t}"} for h, t in relations],
    }


def write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def dump(project: Project, tmp_path: Path) -> bytes:
    export_jsonl(project, tmp_path / "dump.jsonl")
    return (tmp_path / "dump.jsonl").read_bytes()


def events(project: Project) -> list[tuple[str, dict[str, Any]]]:
    with project.read() as session:
        return [(e.action, e.detail) for e in session.scalars(select(EventRow).order_by(EventRow.id))]


@st.composite
def layers(draw: st.DrawFn) -> dict[str, Any]:
    """A layer of TEXT: some words as A (with a note or not) or B, relations A -> B, status, labels."""
    spans = []
    for start, end in draw(st.lists(st.sampled_from(WORDS), unique=True, max_size=4)):
        label = draw(st.sampled_from("AB"))
        note = draw(st.sampled_from([None, "x", "y"])) if label == "A" else None
        spans.append((start, end, label, {} if note is None else {"note": note}))
    pairs = [(h, t) for h, a in enumerate(spans) for t, b in enumerate(spans) if a[2] == "A" and b[2] == "B"]
    relations = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)) if pairs else []
    status = draw(st.sampled_from([None, "in_progress", "done"]))
    labels = draw(st.lists(st.sampled_from(["urgent", "spam"]), unique=True))
    if not (spans or labels or status):
        status = "done"
    return layer(spans, relations, status, labels)


def content(record: dict[str, Any]) -> tuple[Any, ...]:
    by_id = {s["id"]: (s["start"], s["end"], s["label"]) for s in record["spans"]}
    return (
        sorted((s["start"], s["end"], s["label"], sorted(s["attributes"].items())) for s in record["spans"]),
        sorted((by_id[r["head"]], by_id[r["tail"]]) for r in record["relations"]),
        sorted(record["document_labels"]),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=layers(), second=layers())
def test_a_second_layer_is_a_repeat_or_refused_or_replaced_and_undone_exactly(
    make_project: ProjectMaker, tmp_path_factory: pytest.TempPathFactory, first: dict[str, Any], second: dict[str, Any]
) -> None:
    tmp = tmp_path_factory.mktemp("layers")
    same = content(first) == content(second) and second["status"] in (None, first["status"] or "todo")
    with Project.open(make_project(SCHEMA)) as project:
        import_paths(project, [write(tmp / "first.jsonl", first)])
        before = dump(project, tmp)
        if same:
            report = import_paths(project, [write(tmp / "second.jsonl", second)])
            assert (report.layers_added, report.layers_skipped, report.layers_replaced) == (0, 1, 0)
            assert dump(project, tmp) == before
            return
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [write(tmp / "second.jsonl", second)])
        (problem,) = failure.value.problems
        assert (problem.source, problem.line) == (str(tmp / "second.jsonl"), 1)
        assert "document 'd1' already has a different layer by 'alice'" in problem.message
        assert "--replace" in problem.message and "--annotator" in problem.message
        assert dump(project, tmp) == before  # nothing dropped, nothing written
        report = import_paths(project, [tmp / "second.jsonl"], replace=True)
        assert (report.layers_added, report.layers_replaced, report.layers_skipped) == (0, 1, 0)
        (after,) = [json.loads(line) for line in dump(project, tmp).splitlines()]
        assert content(after) == content(second)
        assert after["status"] == (second["status"] or first["status"] or "todo")  # a file without status keeps it
        assert report.event_id is not None
        undo_import(project, report.event_id)
        assert dump(project, tmp) == before  # byte for byte, ids included
        with pytest.raises(AnnotatorError, match="undone already"):
            undo_import(project, report.event_id)


def test_two_different_layers_of_one_annotator_in_one_import_are_refused_naming_both(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    one = layer([(0, 3, "A", {})])
    two = layer([(4, 7, "B", {})])
    path = write(tmp_path / "in.jsonl", one, one, two)
    with Project.open(make_project(SCHEMA)) as project:
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [path], replace=True)  # --replace is for the project's layer, not the file's own
        assert dump(project, tmp_path) == b""
        report = import_paths(project, [write(tmp_path / "ok.jsonl", one, one)])
    (problem,) = failure.value.problems
    assert problem.line == 3 and f"the other from {path}:1" in problem.message
    assert (report.layers_added, report.layers_skipped) == (1, 1)  # the same layer twice is one


def test_an_empty_todo_layer_is_filled_without_asking(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = make_project(SCHEMA)
    with Project.open(root) as project:
        import_paths(project, [write(tmp_path / "text.jsonl", {"id": "d1", "text": TEXT})])
    service = AnnotationService.open(root, annotator="alice")
    try:
        service.add_time(service.find_document("d1"), 12.5)  # reading the document made a todo layer
    finally:
        service.close()
    with Project.open(root) as project:
        report = import_paths(project, [write(tmp_path / "in.jsonl", layer([(0, 3, "A", {})], status=None))])
        (record,) = [json.loads(line) for line in dump(project, tmp_path).splitlines()]
    assert (report.layers_added, report.layers_replaced) == (1, 0)
    assert (record["annotator"], record["status"], len(record["spans"])) == ("alice", "todo", 1)


def test_every_import_writes_one_event_and_a_refused_one_none(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(make_project(SCHEMA)) as project:
        report = import_paths(project, [write(tmp_path / "a.jsonl", layer([(0, 3, "A", {})]))], annotator="bob")
        with pytest.raises(ImportFailed):
            import_paths(project, [write(tmp_path / "b.jsonl", layer([(4, 7, "B", {})]))], annotator="bob")
        import_paths(project, [tmp_path / "a.jsonl"], annotator="bob")
        found = events(project)
    assert [action for action, _ in found] == ["import", "import"]
    first, again = (detail for _, detail in found)
    assert first["annotator"] == "bob" and first["user"] and first["files"] == [f"{tmp_path / 'a.jsonl'} (jsonl)"]
    assert first["counts"]["documents_added"] == 1 and first["counts"]["spans_added"] == 1
    assert again["counts"]["layers_already_there"] == 1 and again["counts"]["spans_added"] == 0
    assert report.event_id is not None


def test_undo_is_refused_once_a_later_edit_touched_the_document(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = make_project(SCHEMA)
    with Project.open(root) as project:
        report = import_paths(project, [write(tmp_path / "a.jsonl", layer([(0, 3, "A", {})]))])
    service = AnnotationService.open(root, annotator="bob")
    try:
        service.add_span(service.find_document("d1"), 4, 7, "B")
    finally:
        service.close()
    with Project.open(root) as project:
        before = dump(project, tmp_path)
        with pytest.raises(AnnotatorError, match=r"later changes touch its documents \(event \d+ \(do:AddSpan\)\)"):
            undo_import(project, report.event_id or 0)
        assert dump(project, tmp_path) == before
        with pytest.raises(AnnotatorError, match="not an import of this project"):
            undo_import(project, 999)


def test_cli_replace_and_undo_import(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(SCHEMA)
    first = write(tmp_path / "first.jsonl", layer([(0, 3, "A", {"note": "x"})], labels=["urgent"]))
    second = write(tmp_path / "second.jsonl", layer([(4, 7, "B", {})], status="in_progress"))
    assert main(["import", str(root), str(first)]) == 0
    with Project.open(root) as project:
        before = dump(project, tmp_path)
    capsys.readouterr()
    assert main(["import", str(root), str(second)]) == 1
    err = capsys.readouterr().err
    assert f"{second}:1: document 'd1' already has a different layer by 'alice'" in err and "Traceback" not in err
    assert main(["import", str(root), str(second), "--replace"]) == 0
    out = capsys.readouterr().out
    assert "replaced 1 layer(s)" in out
    event = int(out.split("event ")[1].split()[0])
    assert main(["undo-import", str(root), str(event)]) == 0
    assert "restored 1 replaced layer(s)" in capsys.readouterr().out
    with Project.open(root) as project:
        assert dump(project, tmp_path) == before


def test_undo_takes_out_the_documents_and_layers_an_import_added(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(make_project(SCHEMA)) as project:
        import_paths(project, [write(tmp_path / "old.jsonl", layer([(0, 3, "A", {})], document="old"))])
        before = dump(project, tmp_path)
        other = {"id": "new", "text": "Another text entirely.", "annotator": "bob", "status": "done"}
        report = import_paths(
            project, [write(tmp_path / "new.jsonl", other, layer([(4, 7, "B", {})], annotator="bob"))]
        )
        assert (report.documents_added, report.layers_added) == (1, 2)
        later = import_paths(project, [write(tmp_path / "later.jsonl", layer([(8, 13, "B", {})], annotator="carol"))])
        with pytest.raises(
            AnnotatorError, match=rf"later changes touch its documents \(event {later.event_id} \(import\)\)"
        ):
            undo_import(project, report.event_id or 0)
        undo_import(project, later.event_id or 0)  # the later import first, then this one
        result = undo_import(project, report.event_id or 0)
        assert (result.documents_removed, result.layers_removed, result.layers_restored) == (1, 2, 0)
        assert dump(project, tmp_path) == before
        again = import_paths(project, [tmp_path / "new.jsonl"])  # and it imports again as new
        assert (again.documents_added, again.layers_added) == (1, 2)
        assert [action for action, _ in events(project)] == ["import"] * 3 + ["undo-import"] * 2 + ["import"]
