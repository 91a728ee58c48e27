"""Label Studio both ways, as a real Label Studio 1.23 server treats our files: it keeps a task's
data and meta, drops annotation keys it does not know and credits every imported annotation to
the importing user. Layers, their names and statuses, spans, attributes and relations survive;
no annotation is dropped; every error names the task and the region; JSON-MIN and joined files
are refused with what to do; no input makes the reader raise."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError
from annotator.exporters import export_format
from annotator.importers import ImportFailed, detect_format, import_paths
from annotator.importers.label_studio import read_label_studio
from annotator.importers.records import DocumentRecord, ImportProblem
from annotator.project import Project
from tests.conftest import EXAMPLE, ProjectMaker, write_jsonl
from tests.unit.test_tools_fixtures import LABEL_STUDIO, native, schema_yaml

# The annotation fields Label Studio's import keeps (tasks/serializers.py, add_annotations).
KEPT_BY_LABEL_STUDIO = ("result", "was_cancelled", "ground_truth", "lead_time")


def through_label_studio(tasks: list[dict[str, Any]], *, reverse: bool = False) -> list[dict[str, Any]]:
    """What Label Studio's JSON export gives back for an imported task list: task and annotation
    ids, data and meta as given, unknown annotation keys gone, every annotation by user 1.
    `reverse`: the annotations in another order (PostgreSQL returns updated rows last)."""
    exported, annotation_id = [], 100
    for number, task in enumerate(tasks, start=1):
        annotations = []
        for annotation in task["annotations"]:
            annotation_id += 1
            kept = {key: annotation[key] for key in KEPT_BY_LABEL_STUDIO if key in annotation}
            annotations.append({"id": annotation_id, "completed_by": 1, **kept, "task": number, "project": 1})
        if reverse:
            annotations.reverse()
        exported.append({**task, "id": 40 + number, "annotations": annotations, "drafts": [], "predictions": []})
    return exported


def write_one_line(path: Path, tasks: list[dict[str, Any]]) -> Path:
    """Label Studio writes its export on one line."""
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def layered_project(make_project: ProjectMaker, tmp_path: Path) -> Path:
    """The example's reference layer, bob's unfinished (todo) part of it, carol's empty todo
    layer and dave's skipped one."""
    reference = json.loads((EXAMPLE / "reference.jsonl").read_text(encoding="utf-8").splitlines()[0])
    kept = reference["spans"][:30]
    ids = {s["id"] for s in kept}
    bob = {
        **reference,
        "annotator": "bob",
        "status": "todo",
        "spans": kept,
        "relations": [r for r in reference["relations"] if r["head"] in ids and r["tail"] in ids],
    }
    others = [
        {**reference, "annotator": name, "status": status, "spans": [], "relations": []}
        for name, status in (("carol", "todo"), ("dave", "skipped"))
    ]
    assert bob["relations"], "bob's layer holds relations"
    root = make_project()
    source = write_jsonl(tmp_path / "layers.jsonl", [json.dumps(r) for r in (reference, bob, *others)])
    with Project.open(root) as project:
        import_paths(project, [source])
    return root


def layers(records: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return [(r["annotator"], r["status"], len(r["spans"]), len(r["relations"])) for r in records]


@pytest.mark.parametrize("reverse", [False, True])
def test_layers_names_and_statuses_survive_label_studio(
    make_project: ProjectMaker, tmp_path: Path, reverse: bool
) -> None:
    with Project.open(layered_project(make_project, tmp_path)) as project:
        before = native(project, tmp_path / "before.jsonl")
        export_format(project, "label-studio", tmp_path / "ours.json")
    assert layers(before) == [("bob", "todo", 30, 6), ("carol", "todo", 0, 0), ("dave", "skipped", 0, 0),
                              ("reference", "done", 77, 14)]  # fmt: skip
    ours = json.loads((tmp_path / "ours.json").read_text(encoding="utf-8"))
    returned = write_one_line(tmp_path / "back.json", through_label_studio(ours, reverse=reverse))
    with Project.open(make_project()) as copy:
        report = import_paths(copy, [returned])
        after = native(copy, tmp_path / "after.jsonl")
    assert report.layers_added == 4 and report.layers_skipped == 0
    assert after == before  # names, statuses, every span, attribute and relation, the document's meta


def test_edits_and_new_annotations_made_in_label_studio(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(layered_project(make_project, tmp_path)) as project:
        export_format(project, "label-studio", tmp_path / "ours.json")
    (task,) = through_label_studio(json.loads((tmp_path / "ours.json").read_text(encoding="utf-8")))
    by_layer = dict(zip([layer["annotator"] for layer in task["meta"]["layers"]], task["annotations"], strict=True))
    text = task["data"]["text"]
    start = text.index("Share")  # nobody has labelled it yet
    drawn = {"start": start, "end": start + 5, "text": "Share", "labels": ["ACTOR"]}
    # bob deletes a region and draws one; carol draws her first (Label Studio makes the ids)
    bob_results = by_layer["bob"]["result"]
    gone = next(r["id"] for r in bob_results if r["type"] == "labels" and r["value"]["start"] == 0)
    bob_results[:] = [r for r in bob_results if gone not in (r.get("id"), r.get("from_id"), r.get("to_id"))]
    bob_results.append({"id": "Xk3_b9QzTn", "from_name": "label", "to_name": "text", "type": "labels", "value": drawn})
    by_layer["carol"]["result"].append({**bob_results[-1], "id": "pQ7rTq0aZw"})
    # two new annotations by Label Studio user 1 on the same task, the second cancelled
    new = {"completed_by": 1, "result": [{**bob_results[-1], "id": "zz11yy22xx"}]}
    task["annotations"] += [{**new, "id": 900}, {**new, "id": 901, "was_cancelled": True}]
    # a copy of bob's annotation made in Label Studio later, listed first: bob's layer stays bob's
    copy = {**by_layer["bob"], "id": 950, "result": [r for r in bob_results if r["type"] == "labels"][:2]}
    task["annotations"].insert(0, copy)
    with Project.open(make_project()) as copy:
        import_paths(copy, [write_one_line(tmp_path / "back.json", [task])])
        after = native(copy, tmp_path / "after.jsonl")
    assert [(r["annotator"], r["status"], len(r["spans"])) for r in after] == [
        ("bob", "todo", 30),
        ("carol", "todo", 1),
        ("dave", "skipped", 0),
        ("reference", "done", 77),
        ("user-1", "done", 1),
        ("user-1#2", "skipped", 1),
        ("user-1#3", "done", 2),
    ]


def test_several_annotations_of_one_user_are_each_a_layer(make_project: ProjectMaker, tmp_path: Path) -> None:
    region = {"id": "a", "type": "labels", "value": {"start": 0, "end": 3, "text": "Kim", "labels": ["ACTOR"]}}
    annotations = [
        {"completed_by": 7, "result": [region]},
        {"completed_by": 7, "result": []},
        {"completed_by": {"id": 8, "email": "ann@example.org"}, "result": [region]},
        {"completed_by": {"id": 9, "email": "ann@example.org"}, "result": []},
    ]
    path = write_one_line(tmp_path / "t.json", [{"id": 3, "data": {"text": "Kim spoke."}, "annotations": annotations}])
    with Project.open(make_project()) as project:
        report = import_paths(project, [path])
        records = native(project, tmp_path / "out.jsonl")
    assert (report.documents_added, report.layers_added, report.documents_skipped) == (1, 4, 0)
    assert sorted(r["annotator"] for r in records) == ["ann@example.org", "ann@example.org#2", "user-7", "user-7#2"]


def test_a_real_label_studio_task_survives_our_export_and_label_studio(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    path = LABEL_STUDIO / "named_entity_reuters_cocoa_1.json"
    task = json.loads(path.read_text(encoding="utf-8"))
    schema = schema_yaml(sorted({label for r in task["annotations"][0]["result"] for label in r["value"]["labels"]}))
    with Project.open(make_project(schema)) as project:
        import_paths(project, [path])
        before = native(project, tmp_path / "before.jsonl")
        export_format(project, "label-studio", tmp_path / "ours.json")
    ours = json.loads((tmp_path / "ours.json").read_text(encoding="utf-8"))
    with Project.open(make_project(schema)) as copy:
        import_paths(copy, [write_one_line(tmp_path / "back.json", through_label_studio(ours))])
        after = native(copy, tmp_path / "after.jsonl")
    assert len(before[0]["spans"]) == 1 and after == before


# Errors ------------------------------------------------------------------------------------


def ls_task(task_id: int, text: str, *results: dict[str, Any]) -> dict[str, Any]:
    return {"id": task_id, "data": {"text": text}, "annotations": [{"completed_by": 1, "result": list(results)}]}


def region(region_id: str, start: int, end: int, label: str = "ACTOR", **value: Any) -> dict[str, Any]:
    return {"id": region_id, "type": "labels", "value": {"start": start, "end": end, "labels": [label], **value}}


def import_problems(make_project: ProjectMaker, path: Path) -> list[ImportProblem]:
    with Project.open(make_project()) as project, pytest.raises(ImportFailed) as failure:
        import_paths(project, [path], format_name="label-studio")
    return failure.value.problems


def test_errors_in_a_one_line_export_name_the_task_and_the_region(make_project: ProjectMaker, tmp_path: Path) -> None:
    tasks = [
        ls_task(41, "Kim spoke.", region("ok1", 0, 3)),
        ls_task(42, "Kim Jong Un spoke.", region("bad7", 1, 4, text="Kim")),
        ls_task(43, "Putin spoke.", {**region("bad8", 0, 5), "value": {"start": "0", "end": 5, "labels": ["ACTOR"]}}),
        ls_task(44, "Xi spoke.", region("bad9", 0, 2, label=["ACTOR"])),  # type: ignore[arg-type]
    ]
    problems = import_problems(make_project, write_one_line(tmp_path / "tasks.json", tasks))
    assert [p.line for p in problems] == [1, 1, 1]
    assert "task 2 (id 42), annotation 1: region bad7: offsets 1..4 do not give its text 'Kim'" in problems[0].message
    assert problems[1].message.startswith("task 3 (id 43): annotation 1, region bad8: value.start must be an integer")
    assert problems[2].message.startswith("task 4 (id 44): annotation 1, region bad9: value.labels[0] must be a string")


def test_what_the_schema_refuses_is_named_by_task_and_region(make_project: ProjectMaker, tmp_path: Path) -> None:
    relation = {"from_id": "c1", "to_id": "gone", "type": "relation", "direction": "right", "labels": ["SAID_BY"]}
    ours = {"id": "d", "document": {}, "schema": {}, "layers": [{"annotator": "a", "status": "finished"}]}
    tasks = [
        ls_task(41, "Kim spoke.", region("ok1", 0, 3)),
        ls_task(42, "Kim Jong Un spoke.", region("Rh3sT_xUhP", 0, 3, label="PER")),
        ls_task(43, "Kim said it.", region("c1", 4, 11, "CLAIM"), relation),
        {**ls_task(44, "Xi spoke.", region("1:s1", 0, 2)), "meta": ours},
    ]
    problems = import_problems(make_project, write_one_line(tmp_path / "tasks.json", tasks))
    assert [p.message.split(": ")[:2] for p in problems[:2]] == [
        ["task 2 (id 42), annotation 1", "span Rh3sT_xUhP"],
        ["task 3 (id 43), annotation 1", "relation SAID_BY names span 'gone', which the record does not have"],
    ]
    assert problems[2].message.startswith("task 4 (id 44): ")
    assert (
        problems[-1].message
        == "task 4 (id 44): meta.layers[0]: unknown status 'finished' (use one of todo, in_progress, done, skipped)"
    )


@pytest.mark.parametrize(
    ("relation", "advice"),
    [
        ({"from_id": "a", "to_id": "b", "type": "relation", "direction": "right"}, "label it in Label Studio"),
        (
            {"from_id": "a", "to_id": "b", "type": "relation", "direction": "bi", "labels": ["SAID_BY"]},
            "pick its direction in Label Studio",
        ),
    ],
)
def test_relations_the_schema_cannot_hold_say_what_to_do(
    make_project: ProjectMaker, tmp_path: Path, relation: dict[str, Any], advice: str
) -> None:
    text = "Kim said it."
    task = ls_task(42, text, region("a", 4, 11, "CLAIM"), region("b", 0, 3), relation)
    path = write_one_line(tmp_path / "t.json", [task])
    (problem,) = import_problems(make_project, path)
    assert problem.message.startswith("task 1 (id 42), annotation 1: relation ") and advice in problem.message
    assert "--skip-invalid" in problem.message
    with Project.open(make_project()) as project:
        report = import_paths(project, [path], skip_invalid=True)
        (record,) = native(project, tmp_path / "out.jsonl")
    assert report.spans_added == 2 and record["relations"] == []


@pytest.mark.parametrize("field", ["ner", "label"])  # "label" is what our own config names it: doccano's key too
def test_json_min_export_is_recognised_with_what_to_export_instead(
    make_project: ProjectMaker, tmp_path: Path, field: str
) -> None:
    json_min = [
        {
            "text": "Kim spoke.",
            "id": 5,
            field: [{"start": 0, "end": 3, "text": "Kim", "labels": ["ACTOR"]}],
            "annotator": 1,
            "annotation_id": 9,
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
            "lead_time": 3.5,
        }
    ]
    path = tmp_path / "min.json"
    path.write_text(json.dumps(json_min, indent=2), encoding="utf-8")
    assert detect_format(path) == "label-studio"
    (problem,) = import_problems(make_project, path)
    assert "JSON-MIN" in problem.message and 'choosing "JSON"' in problem.message


def test_anything_after_the_task_list_is_refused(make_project: ProjectMaker, tmp_path: Path) -> None:
    one = write_one_line(tmp_path / "a.json", [ls_task(1, "Kim spoke.", region("r", 0, 3))])
    joined = tmp_path / "joined.json"
    joined.write_bytes(one.read_bytes() + b"\n" + one.read_bytes().replace(b"Kim spoke", b"Xi spoke"))
    problems = import_problems(make_project, joined)
    assert [(p.line, p.message[:60]) for p in problems] == [
        (2, "more data after the array of tasks, from line 2, column 1: a")
    ]
    with Project.open(make_project()) as project:  # nothing was imported
        assert native(project, tmp_path / "out.jsonl") == []


def test_an_export_named_jsonl_is_still_label_studio(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(layered_project(make_project, tmp_path)) as project:
        before = native(project, tmp_path / "before.jsonl")
        export_format(project, "label-studio", tmp_path / "tasks.jsonl")
    assert (tmp_path / "tasks.jsonl").read_bytes().startswith(b"[")  # the form comes from the format
    assert detect_format(tmp_path / "tasks.jsonl") == "label-studio"
    with Project.open(make_project()) as copy:
        import_paths(copy, [tmp_path / "tasks.jsonl"])
        assert native(copy, tmp_path / "after.jsonl") == before


# Never a traceback ---------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
VALID = {
    "id": 3,
    "data": {"text": "Kim said it.", "title": "t"},
    "meta": {"source": "x"},
    "annotations": [
        {
            "id": 7,
            "completed_by": {"id": 1, "email": "a@b.c"},
            "was_cancelled": False,
            "result": [
                region("a", 4, 11, "CLAIM", text="said it"),
                region("b", 0, 3, text="Kim"),
                {"id": "b", "from_name": "ACTOR_kind", "type": "choices",
                 "value": {"start": 0, "end": 3, "choices": ["person"]}},
                {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": ["SAID_BY"]},
            ],
        }
    ],
}  # fmt: skip


def paths_of(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, as a key path."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*path, index))
    return found


PLACES = paths_of(VALID)[1:]


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copy


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(PLACES), JSON), min_size=1, max_size=3))
def test_any_field_of_any_type_gives_records_or_problems(tmp_path: Path, changes: list[tuple[Any, Any]]) -> None:
    task: Any = VALID
    for path, new in changes:
        try:
            task = replaced(task, path, new)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed that place
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    items = list(read_label_studio(path))
    assert all(isinstance(item, (DocumentRecord, ImportProblem)) for item in items)
    assert all(p.source == str(path) and p.message.startswith("task 1") for p in items if isinstance(p, ImportProblem))


def test_hostile_json_is_a_problem_not_a_traceback(make_project: ProjectMaker, tmp_path: Path) -> None:
    hostile = {
        "surrogate.json": '[{"data": {"text": "Kim \\ud800 spoke."}}]',
        "deep.json": '[{"data": {"text": "Kim"}, "meta": ' + "[" * 100_000 + "]" * 100_000 + "}]",
        "nan.json": '[{"data": {"text": "Kim"}, "meta": {"x": NaN}}]',
        "big.json": '[{"data": {"text": "Kim"}, "meta": {"x": 1e999}}]',
        "cut.json": '[{"data": {"text": "Kim"}}',
        "second.json": '[{"data": {"text": "Kim"}}, {"data": {"text": "Kim" "Jong"}}]',
    }
    root = make_project()
    for name, content in hostile.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        with Project.open(root) as project, pytest.raises(AnnotatorError) as failure:
            import_paths(project, [tmp_path / name], format_name="label-studio")
        assert f"{tmp_path / name}:1: " in str(failure.value) and "not valid JSON" in str(failure.value), name
    assert "second.json:1: task 2: not valid JSON: Expecting ',' delimiter (column 53)" in str(failure.value)
    with Project.open(root) as project:
        assert native(project, tmp_path / "out.jsonl") == []


def test_the_real_fixtures_still_read(tmp_path: Path) -> None:
    for name in ("named_entity_reuters_cocoa_1.json", "legacy_completions_348.json"):
        shutil.copyfile(LABEL_STUDIO / name, tmp_path / name)
        items = list(read_label_studio(tmp_path / name))
        assert items and all(isinstance(item, DocumentRecord) for item in items), name
