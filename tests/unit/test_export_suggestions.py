"""`annotator export --include-suggestions`: never without the flag, never a rejected one; the native
JSONL re-imports them into the suggestions table (export -> import -> export is the same bytes);
Label Studio gets predictions, the other formats spans beside the layer's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from annotator.cli import main
from annotator.db import core_tables
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker

TEXT = "Putin met Kim Jong Un in Moscow yesterday."
PRE = {"id": "d1", "text": TEXT, "spans": [
    {"id": "a", "start": 0, "end": 5, "label": "ACTOR", "attributes": {"kind": "person"}},
    {"id": "b", "start": 10, "end": 21, "label": "ACTOR"},
    {"id": "c", "start": 32, "end": 41, "label": "DATE"},
]}  # fmt: skip
UNTOUCHED = {"id": "d2", "text": "Kim Jong Un will visit Moscow."}


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture
def project(make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Two documents; the model's pre-annotations of d1 proposed (layer:model); alice accepted Putin,
    rejected 'Kim Jong Un' and finished d1; bob has an empty layer of d1."""
    root = make_project()
    source = tmp_path / "pre.jsonl"
    source.write_text(json.dumps(PRE) + "\n" + json.dumps(UNTOUCHED) + "\n", "utf-8")
    assert cli(capsys, "import", root, source, "--annotator", "model")[0] == 0
    assert cli(capsys, "suggest", root, "--source", "layer:model")[0] == 0
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("d1")
        service.add_span(doc, 0, 5, "ACTOR")
        service.set_status(doc, "done")
        alice = service.project.ensure_annotator("alice")
        with service.project.engine.begin() as connection:
            connection.execute(
                insert(core_tables.review_rejections).values(
                    document_id=doc, annotator_id=alice, start=10, end=21, label="ACTOR"
                )
            )
    with AnnotationService.open(root, "bob") as service:
        service.set_status(service.find_document("d1"), "in_progress")
    return root


def test_exports_hold_no_suggestions_unless_asked(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plain.jsonl"
    assert cli(capsys, "export", project, "-o", out)[0] == 0
    assert all("suggestions" not in record and "suggested_relations" not in record for record in _lines(out))
    tasks = tmp_path / "tasks.json"
    assert cli(capsys, "export", project, "-o", tasks, "--format", "label-studio")[0] == 0
    assert all("predictions" not in task for task in json.loads(tasks.read_text("utf-8")))


def test_a_rejected_suggestion_is_never_exported(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "all.jsonl"
    code, said, _ = cli(capsys, "export", project, "-o", out, "--include-suggestions")
    assert code == 0 and "with 8 suggestion(s)" in said  # d1: alice 2 (one rejected), bob 3, model 3; d2: none
    by_layer = {(r["id"], r["annotator"]): r for r in _lines(out)}
    offsets = {key: [(s["start"], s["end"]) for s in r["suggestions"]] for key, r in by_layer.items()}
    assert offsets[("d1", "alice")] == [(0, 5), (32, 41)]  # accepted ones stay, the rejected one never
    assert offsets[("d1", "bob")] == [(0, 5), (10, 21), (32, 41)]
    assert offsets[("d2", None)] == []  # nobody's layer: every suggestion (none here)
    first = by_layer[("d1", "bob")]["suggestions"][0]
    assert first == {
        "start": 0,
        "end": 5,
        "label": "ACTOR",
        "text": "Putin",
        "score": 1.0,
        "source": "layer:model",
        "attributes": {"kind": "person"},
    }
    # Label Studio: a task's predictions leave out what any of its layers rejected
    tasks = tmp_path / "tasks.json"
    code, said, _ = cli(capsys, "export", project, "-o", tasks, "--format", "label-studio", "--include-suggestions")
    assert code == 0 and "as predictions" in said
    (prediction,) = json.loads(tasks.read_text("utf-8"))[0]["predictions"]
    assert prediction["model_version"] == "layer:model" and prediction["score"] == 1.0
    regions = [item for item in prediction["result"] if item["type"] == "labels"]
    assert [(r["value"]["start"], r["value"]["labels"], r["score"]) for r in regions] == [
        (0, ["ACTOR"], 1.0),
        (32, ["DATE"], 1.0),
    ]
    # a training format: alice's finished layer, and her open suggestion as one more span
    conll = tmp_path / "alice.conll"
    code, said, _ = cli(capsys, "export", project, "-o", conll, "--format", "conll", "--include-suggestions")
    assert code == 0 and "with 1 suggestion(s) (among the spans)" in said
    tags = [line.split()[-1] for line in conll.read_text("utf-8").splitlines() if line and "DOCSTART" not in line]
    assert tags == ["B-ACTOR", "O", "O", "O", "O", "O", "O", "B-DATE", "O"]


def test_native_export_reimports_its_suggestions(
    project: Path, make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(project) as opened, opened.engine.begin() as connection:
        connection.execute(core_tables.review_rejections.delete())  # not exported: a round trip cannot keep them
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert cli(capsys, "export", project, "-o", first, "--include-suggestions")[0] == 0
    fresh = make_project()
    code, said, _ = cli(capsys, "import", fresh, first)
    assert code == 0 and "added 3 suggestion(s)" in said
    assert cli(capsys, "export", fresh, "-o", second, "--include-suggestions")[0] == 0
    assert second.read_bytes() == first.read_bytes()
    # importing it again adds nothing: the project has them
    code, said, _ = cli(capsys, "import", fresh, first)
    assert code == 0 and "suggestion" not in said


@pytest.mark.parametrize(
    ("suggestion", "message"),
    [
        ({"start": 0, "end": 5, "label": "ACTOR", "score": 2, "source": "x"}, "score must be a number from 0 to 1"),
        ({"start": 0, "end": 99, "label": "ACTOR", "score": 1, "source": "x"}, "[0, 99) is not a span of a text"),
        ({"start": 0, "end": 5, "label": "PERSON", "score": 1, "source": "x"}, "'PERSON' is not a label"),
        ({"start": 0, "end": 5, "label": "ACTOR", "score": 1}, "suggestions[0].source must be"),
        ({"start": 0, "end": 5, "label": "ACTOR", "score": 1, "source": "x", "why": 1}, "unknown key 'why'"),
    ],
)
def test_bad_suggestions_in_a_file_stop_the_import_at_their_line(
    suggestion: dict[str, Any],
    message: str,
    make_project: ProjectMaker,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_project()
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "d", "text": TEXT, "suggestions": [suggestion]}) + "\n", "utf-8")
    code, _, err = cli(capsys, "import", root, source)
    assert code == 1 and f"{source}:1: " in err and message in err and "nothing was imported" in err


def test_a_merged_layer_keeps_the_suggestions_none_of_its_layers_rejected(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnnotationService.open(project, "bob") as service:
        service.set_status(service.find_document("d1"), "done")
    out = tmp_path / "merged.jsonl"
    code, _, _ = cli(
        capsys, "export", project, "-o", out, "--merge", "union", "--annotators", "alice,bob", "--include-suggestions"
    )
    assert code == 0
    (record,) = [r for r in _lines(out) if r["id"] == "d1"]
    assert record["annotator"] == "merged-union"
    assert [(s["start"], s["label"]) for s in record["suggestions"]] == [(0, "ACTOR"), (32, "DATE")]
