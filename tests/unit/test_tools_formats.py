"""Details of each tool's format, both ways: Prodigy tokens, relations, hashes and answers;
Label Studio offsets, config and layers; brat fragments and conf; doccano's older forms."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.exporters import ExportFilter, ExportOptions, export_format
from annotator.exporters.prodigy import hash32, tokenize
from annotator.importers import ImportFailed, import_paths
from annotator.importers.brat import read_brat
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from tests.conftest import EXAMPLE, TRICKY_TEXT, ProjectMaker, write_jsonl
from tests.unit.test_tools_fixtures import PRODIGY, native, schema_yaml


@pytest.fixture
def example(make_project: ProjectMaker) -> Iterator[Project]:
    with Project.open(make_project()) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
        yield project


def lines_of(path: Path) -> list[dict[str, Any]]:
    # doccano files start with a byte order mark (doccano guesses encodings otherwise)
    return [orjson.loads(line) for line in path.read_bytes().removeprefix(b"\xef\xbb\xbf").splitlines()]


# Prodigy -----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "Kim", " ", "  ", "\n", "\r\n", "😀", "🇰🇵", "e\u0301", "’", ".", "\t"])))
def test_prodigy_tokens_rebuild_the_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    tokens = tokenize(text)
    assert "".join(t["text"] + " " * t["ws"] for t in tokens) == text
    assert all(text[t["start"] : t["end"]] == t["text"] and t["id"] == i for i, t in enumerate(tokens))


def test_prodigy_export_is_what_rel_manual_writes(example: Project, tmp_path: Path) -> None:
    export_format(example, "prodigy", tmp_path / "out.jsonl")
    (task,) = lines_of(tmp_path / "out.jsonl")
    tokens = task["tokens"]
    for span in task["spans"]:
        assert (tokens[span["token_start"]]["start"], tokens[span["token_end"]]["end"]) == (span["start"], span["end"])
    for relation in task["relations"]:  # head/child: the last token of each span, as in Prodigy's own file
        assert relation["head"] == relation["head_span"]["token_end"]
        assert relation["child"] == relation["child_span"]["token_end"]
    assert (task["answer"], task["_view_id"], task["_annotator_id"]) == ("accept", "relations", "reference")
    assert task["meta"]["id"] == "nk-russia-1"
    assert task["meta"]["schema"] == {"name": "news", "version": 1, "sha256": example.schema.sha256}
    assert all(-(2**31) <= task[k] < 2**31 for k in ("_input_hash", "_task_hash"))
    export_format(example, "prodigy", tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "out.jsonl").read_bytes()  # stable hashes


def test_the_prodigy_fixture_follows_the_same_head_child_rule() -> None:
    for task in lines_of(PRODIGY / "rel_manual_bionlp_first15.jsonl"):
        for relation in task["relations"]:
            assert relation["head"] == relation["head_span"]["token_end"]
            assert relation["child"] == relation["child_span"]["token_end"]


def test_hash32_is_stable_and_signed() -> None:
    assert hash32("Kim") == hash32("Kim") != hash32("Kim.")
    assert hash32("Kim") == int.from_bytes(hashlib.sha256(b'["Kim"]').digest()[:4], "big", signed=True)


@pytest.mark.parametrize(
    ("policy", "bounds", "action"),
    [("expand", (0, 8), "expanded"), ("contract", (0, 3), "contracted"), ("skip", None, "skipped")],
)
def test_prodigy_misaligned_spans_follow_the_policy(
    make_project: ProjectMaker, tmp_path: Path, policy: str, bounds: tuple[int, int] | None, action: str
) -> None:
    record = {
        "id": "d",
        "text": "Kim Jong Un said so.",
        "annotator": "a",
        "status": "in_progress",
        "spans": [
            {"id": "s1", "start": 0, "end": 6, "label": "ACTOR"},  # "Kim Jo": not on token edges
            {"id": "s2", "start": 12, "end": 19, "label": "CLAIM"},
        ],
        "relations": [{"label": "SAID_BY", "head": "s2", "tail": "s1"}],
    }
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(record)])
    with Project.open(make_project()) as project:
        import_paths(project, [source])
        report = export_format(project, "prodigy", tmp_path / "out.jsonl", options=ExportOptions(misaligned=policy))
    (task,) = lines_of(tmp_path / "out.jsonl")
    found = [(s["start"], s["end"]) for s in task["spans"] if s["label"] == "ACTOR"]
    assert found == ([bounds] if bounds else [])
    assert next((p.span, p.text, p.problem, p.action) for p in report.problems) == (
        "s1",
        "Kim Jo",
        "misaligned",
        action,
    )
    assert len(task["relations"]) == (0 if bounds is None else 1)
    if bounds is None:  # the relation went with its span, and says so
        assert [(p.span, p.text) for p in report.problems][1] == ("r1", "said so → Kim Jo")
    assert "answer" not in task  # in progress: a pre-annotated task, not an accepted one


@pytest.mark.parametrize("policy", ["expand", "contract"])
def test_every_token_format_trims_a_span_off_only_by_whitespace_alike(
    make_project: ProjectMaker, tmp_path: Path, policy: str
) -> None:
    """One alignment (tokens.align) for every token format: "Kim Jong Un " -> "Kim Jong Un", trimmed
    (Prodigy reported it as expanded or contracted)."""
    spans = [{"id": "s1", "start": 0, "end": 12, "label": "ACTOR"}]
    record = {"id": "d", "text": "Kim Jong Un  said so.", "annotator": "a", "status": "done", "spans": spans}
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(record)])
    actions: dict[str, list[tuple[str, str, str]]] = {}
    with Project.open(make_project()) as project:
        import_paths(project, [source])
        for name in ("prodigy", "hf", "conll", "spacy"):
            options = ExportOptions(misaligned=policy)  # type: ignore[arg-type]
            report = export_format(project, name, tmp_path / name, options=options)
            actions[name] = [(p.span, p.problem, p.action) for p in report.problems]
    assert actions == {name: [("s1", "misaligned", "trimmed")] for name in actions}
    (task,) = lines_of(tmp_path / "prodigy")
    assert [(s["start"], s["end"], s["token_start"], s["token_end"]) for s in task["spans"]] == [(0, 11, 0, 2)]


def test_prodigy_ignored_tasks_keep_their_text_but_not_their_spans(make_project: ProjectMaker, tmp_path: Path) -> None:
    tasks = [
        {"text": "Kim Jong Un spoke.", "spans": [{"start": 0, "end": 11, "label": "ACTOR"}], "answer": "accept"},
        {"text": "Choe Ryong Hae.", "spans": [{"start": 0, "end": 14, "label": "ACTOR"}], "answer": "ignore"},
        {"text": "Moscow said.", "spans": [{"start": 0, "end": 6, "label": "ACTOR"}], "answer": "reject"},
        {"text": "Pyongyang said.", "spans": [{"start": 0, "end": 9, "label": "ACTOR"}], "_task_hash": 1},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(t) for t in tasks])
    with Project.open(make_project()) as project:
        report = import_paths(project, [source])
        records = {r["text"]: r for r in native(project, tmp_path / "out.jsonl")}
    assert (report.documents_added, report.layers_added, report.spans_added) == (4, 2, 2)
    assert [(t, len(r["spans"]), r["status"]) for t, r in sorted(records.items())] == [
        ("Choe Ryong Hae.", 0, "todo"),
        ("Kim Jong Un spoke.", 1, "done"),
        ("Moscow said.", 0, "todo"),
        ("Pyongyang said.", 1, "todo"),  # no answer: imported, no status
    ]


def test_prodigy_relation_to_a_bare_token_is_reported(make_project: ProjectMaker, tmp_path: Path) -> None:
    task = {
        "text": "Kim said so.",
        "spans": [{"start": 0, "end": 3, "label": "ACTOR"}],
        "relations": [
            {
                "head": 1,
                "child": 0,
                "label": "SAID_BY",
                "head_span": {"start": 4, "end": 8, "label": None},
                "child_span": {"start": 0, "end": 3, "label": "ACTOR"},
            },
        ],
        "answer": "accept",
    }
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(task)])
    with Project.open(make_project()) as project, pytest.raises(ImportFailed) as failure:
        import_paths(project, [source])
    (problem,) = failure.value.problems
    assert problem.line == 1 and "is not a span" in problem.message and "cannot be imported" in problem.message


# Label Studio ------------------------------------------------------------------------------


def test_filters_apply_to_every_format(example: Project, tmp_path: Path) -> None:
    only = ExportFilter(labels=["CLAIM", "DATE"], statuses=["done"])
    report = export_format(example, "label-studio", tmp_path / "tasks.json", only)
    (task,) = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    results = task["annotations"][0]["result"]
    assert {label for r in results if r["type"] == "labels" for label in r["value"]["labels"]} == {"CLAIM", "DATE"}
    assert {r["labels"][0] for r in results if r["type"] == "relation"} == {"WHEN"}
    assert report.relations == sum(r["type"] == "relation" for r in results)
    nothing = export_format(example, "brat", tmp_path / "none", ExportFilter(statuses=["todo"]))
    assert nothing.documents == 0 and sorted(p.name for p in (tmp_path / "none").iterdir() if p.name[0] != ".") == [
        "annotation.conf",
        "visual.conf",
    ]


def test_label_studio_export_and_its_config(example: Project, tmp_path: Path) -> None:
    export_format(example, "label-studio", tmp_path / "tasks.json")
    (task,) = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    results = task["annotations"][0]["result"]
    regions = [r for r in results if r["type"] == "labels"]
    relations = [r for r in results if r["type"] == "relation"]
    assert (len(regions), len(relations)) == (77, 14)
    assert all(task["data"]["text"][r["value"]["start"] : r["value"]["end"]] == r["value"]["text"] for r in regions)
    assert {r["direction"] for r in relations} == {"right"}
    config = ET.fromstring((tmp_path / "tasks.config.xml").read_text(encoding="utf-8"))
    labels = {e.get("value"): e.get("background") for e in config.iter("Label")}
    assert labels == {"ACTOR": "#9AD2F2", "CLAIM": "#F9F4B3", "DATE": "#EEBC4C"}
    assert [e.get("value") for e in config.iter("Relation")] == ["SAID_BY", "WHEN"]
    controls = {e.get("name") for e in config if e.get("perRegion") == "true"}
    assert controls == {"ACTOR_kind", "DATE_value"}
    names = {r["from_name"] for r in results if r["type"] != "relation"}
    assert names <= {"label"} | controls  # every result names a control of the config


def ls_task(text: str, start: int, end: int, stated: str, **extra: Any) -> dict[str, Any]:
    region = {"value": {"start": start, "end": end, "text": stated, "labels": ["ACTOR"]}}
    return {"data": {"text": text}, "annotations": [{"result": [{"id": "r1", "type": "labels", **region}]}], **extra}


def test_label_studio_utf16_offsets_are_recognised(make_project: ProjectMaker, tmp_path: Path) -> None:
    text = "😀😀 Kim Jong Un spoke."
    utf16 = ls_task(text, 5, 16, "Kim Jong Un")  # as Label Studio stored it before 2022
    points = ls_task("Also " + text, 8, 19, "Kim Jong Un")
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([utf16, points], ensure_ascii=False, indent=2), encoding="utf-8")
    with Project.open(make_project()) as project:
        import_paths(project, [path])
        records = native(project, tmp_path / "out.jsonl")
    assert sorted((r["spans"][0]["start"], r["spans"][0]["text"]) for r in records) == [
        (3, "Kim Jong Un"),
        (8, "Kim Jong Un"),
    ]


def test_label_studio_offsets_that_fit_nothing_are_reported_by_line(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    good, bad = ls_task("Kim spoke.", 0, 3, "Kim"), ls_task("Kim Jong Un spoke.", 1, 4, "Kim")
    path.write_text(json.dumps([good, bad], indent=2), encoding="utf-8")
    task_line = path.read_text(encoding="utf-8").splitlines().index("  {", 2) + 1
    with Project.open(make_project()) as project:
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [path])
        report = import_paths(project, [path], skip_invalid=True)
    (problem,) = failure.value.problems
    assert (problem.source, problem.line) == (str(path), task_line)
    assert "region r1: offsets 1..4 do not give its text 'Kim'" in problem.message
    assert report.documents_added == 2 and report.spans_added == 1


def test_label_studio_layers_and_statuses(make_project: ProjectMaker, tmp_path: Path) -> None:
    task = ls_task("Kim Jong Un spoke.", 0, 11, "Kim Jong Un", id=7)
    first = task["annotations"][0]
    task["annotations"] = [
        {**first, "completed_by": {"id": 3, "email": "ann@example.org"}},
        {**first, "completed_by": 4, "was_cancelled": True},
    ]
    task["predictions"] = [{"result": first["result"]}]  # a model's, not an annotator's: not read
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task), encoding="utf-8")
    with Project.open(make_project()) as project:
        report = import_paths(project, [path])
        records = native(project, tmp_path / "out.jsonl")
    assert report.layers_added == 2
    assert [(r["id"], r["annotator"], r["status"], len(r["spans"])) for r in records] == [
        ("7", "ann@example.org", "done", 1),
        ("7", "user-4", "skipped", 1),
    ]


def test_label_studio_document_labels_and_boolean_attributes_round_trip(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    schema = schema_yaml({"ACTOR": [("named", "boolean"), ("note", "text")]}).replace(
        "labels:", "document_labels: [{name: politics}, {name: sport}]\nlabels:", 1
    )
    record = {
        "id": "d",
        "text": "Kim spoke.",
        "annotator": "a",
        "status": "done",
        "document_labels": ["politics"],
        "spans": [{"start": 0, "end": 3, "label": "ACTOR", "attributes": {"named": False, "note": "a b"}}],
    }
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(record)])
    for format_name, out in (("label-studio", "out.json"), ("prodigy", "out.jsonl")):
        with Project.open(make_project(schema)) as project:
            import_paths(project, [source])
            export_format(project, format_name, tmp_path / out)
        with Project.open(make_project(schema)) as copy:
            import_paths(copy, [tmp_path / out])
            (after,) = native(copy, tmp_path / "after.jsonl")
        assert after["document_labels"] == ["politics"], format_name
        assert after["spans"][0]["attributes"] == {"named": False, "note": "a b"}, format_name


# brat --------------------------------------------------------------------------------------


def brat_pair(folder: Path, text: str, ann: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "doc.txt").write_bytes(text.encode("utf-8"))
    (folder / "doc.ann").write_bytes(ann.encode("utf-8"))
    return folder / "doc.ann"


def test_brat_discontinuous_spans(tmp_path: Path) -> None:
    text = "Kim Jong\nUn met North and South Koreans."
    ann = "T1\tACTOR 0 8;9 11\tKim Jong Un\nT2\tACTOR 16 21;32 39\tNorth Koreans\n"
    items = list(read_brat(brat_pair(tmp_path, text, ann)))
    problem, record = items
    assert isinstance(record, DocumentRecord)
    assert [(s.start, s.end) for s in record.spans] == [(0, 11)]  # only a line break between: one span
    assert problem.line == 2 and "discontinuous span T2" in problem.message
    bad = list(read_brat(brat_pair(tmp_path / "b", text, "T1\tACTOR 0 3\tKin\nQ1\tfoo\n")))
    assert [(p.line, p.message[:24]) for p in bad[:2]] == [
        (1, "T1: the text at 0 3 is '"),
        (2, "not a brat annotation li"),
    ]


def test_brat_annotation_conf_comes_from_the_schema(example: Project, tmp_path: Path) -> None:
    report = export_format(example, "brat", tmp_path / "out")
    conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert f"news v1 (sha256 {example.schema.sha256})" in conf
    for line in (
        "[entities]\n\nACTOR\nCLAIM\nDATE\n",
        "SAID_BY\tArg1:CLAIM, Arg2:ACTOR\n",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:contain\n",
        "kind\tArg:ACTOR, Value:person|organisation|state|other\n",
        "value\tArg:DATE, Value:2013|2014-11-13",
    ):
        assert line in conf
    assert "ACTOR\tbgColor:#9AD2F2" in (tmp_path / "out" / "visual.conf").read_text(encoding="utf-8")
    assert report.problems == []


def test_brat_reports_what_it_cannot_write(make_project: ProjectMaker, tmp_path: Path) -> None:
    schema = schema_yaml({"ACTOR": [("named", "boolean"), ("note", "text")], "CLAIM": []})
    record = {
        "id": "../../etc/x",
        "text": "Kim\nspoke.",
        "annotator": "a",
        "spans": [
            {"start": 0, "end": 3, "label": "ACTOR", "attributes": {"named": False, "note": "two words"}},
            {"start": 0, "end": 4, "label": "CLAIM"},
        ],
    }
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(record)])
    with Project.open(make_project(schema)) as project:
        import_paths(project, [source])
        report = export_format(project, "brat", tmp_path / "out")
    assert sorted((p.problem, p.action) for p in report.problems) == [
        ("attribute named", "false not written (flags are on or off)"),
        ("attribute note", "'two words' not written (not one token)"),
        ("line break at an edge", "left out of the span"),
    ]
    assert sorted(p.name for p in (tmp_path / "out").rglob("x.*")) == ["x.ann", "x.txt"]
    assert (tmp_path / "out" / "_" / "_" / "etc" / "x.txt").is_file()  # never outside the folder


# doccano -----------------------------------------------------------------------------------


def test_doccano_sequence_form_without_relations_in_the_schema(make_project: ProjectMaker, tmp_path: Path) -> None:
    schema = schema_yaml(["ACTOR", "DATE"])
    record = {
        "id": "d",
        "text": "Kim spoke on Monday.",
        "meta": {"src": "x"},
        "annotator": "a",
        "status": "done",
        "spans": [{"start": 0, "end": 3, "label": "ACTOR"}, {"start": 13, "end": 19, "label": "DATE"}],
    }
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(record)])
    with Project.open(make_project(schema)) as project:
        import_paths(project, [source])
        report = export_format(project, "doccano", tmp_path / "out.jsonl")
    (line,) = lines_of(tmp_path / "out.jsonl")
    assert (line["label"], line["meta"], "entities" in line) == (
        [[0, 3, "ACTOR"], [13, 19, "DATE"]],
        {"src": "x"},
        False,
    )
    assert report.problems == []


def test_doccano_older_forms(make_project: ProjectMaker, tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Kim spoke.", "labels": [[0, 3, "ACTOR"]], "source": "old"}),
        json.dumps(
            {
                "id": 9,
                "text": "Moscow spoke.",
                "annotations": [{"label": 1, "start_offset": 0, "end_offset": 6, "user": 1}],
                "meta": {},
            }
        ),
        json.dumps({"text": "Seoul spoke.", "entities": [[0, 5, "ACTOR"]], "cats": ["politics"]}),
    ]
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    schema = schema_yaml(["ACTOR"]).replace("labels:", "document_labels: [{name: politics}]\nlabels:", 1)
    with Project.open(make_project(schema)) as project:
        with pytest.raises(ImportFailed, match=r"labels the schema does not know: 1 \(1\)"):
            import_paths(project, [source])
        from annotator.importers import LabelMapping

        import_paths(project, [source], mapping=LabelMapping(rename={"1": "ACTOR"}))
        records = {r["text"]: r for r in native(project, tmp_path / "out.jsonl")}
    assert records["Kim spoke."]["meta"] == {"source": "old"}
    assert records["Moscow spoke."]["id"] == "9" and records["Moscow spoke."]["spans"][0]["text"] == "Moscow"
    assert records["Seoul spoke."]["document_labels"] == ["politics"]


# The command line --------------------------------------------------------------------------


def test_cli_exports_and_imports_each_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p"
    assert main(["init", str(project)]) == 0
    assert main(["import", str(project), str(EXAMPLE / "reference.jsonl")]) == 0
    for format_name, out in (
        ("label-studio", "ls.json"),
        ("brat", "brat"),
        ("prodigy", "p.jsonl"),
        ("doccano", "d.jsonl"),
    ):
        capsys.readouterr()
        assert main(["export", str(project), "--format", format_name, "-o", str(tmp_path / out)]) == 0
        printed = capsys.readouterr()
        assert f"wrote {format_name}: 1 record(s) for 1 document(s), 77 span(s), 14 relation(s)" in printed.out
        copy = tmp_path / f"copy-{format_name}"
        assert main(["init", str(copy)]) == 0
        assert main(["import", str(copy), str(tmp_path / out), "--annotator", "bob"]) == 0  # detected
        assert "imported 1 document(s), 77 span(s), 14 relation(s)" in capsys.readouterr().out
    assert "65 item(s) attributes not written" in printed.out  # doccano, the last one


def test_tricky_text_export_has_exact_offsets_in_every_format(make_project: ProjectMaker, tmp_path: Path) -> None:
    start = TRICKY_TEXT.index("Choe")
    record = {
        "id": "t",
        "text": TRICKY_TEXT,
        "annotator": "a",
        "status": "done",
        "spans": [{"start": start, "end": start + 14, "label": "ACTOR"}],
    }
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(record, ensure_ascii=False)])
    with Project.open(make_project()) as project:
        import_paths(project, [source])
        for format_name, out in (("prodigy", "p.jsonl"), ("doccano", "d.jsonl"), ("label-studio", "l.json")):
            export_format(project, format_name, tmp_path / out)
    (prodigy,) = lines_of(tmp_path / "p.jsonl")
    (doccano,) = lines_of(tmp_path / "d.jsonl")
    (studio,) = json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))
    region = studio["annotations"][0]["result"][0]["value"]
    assert prodigy["spans"][0]["start"] == region["start"] == start
    # doccano's UI counts UTF-16 units: the same place, after the text's astral characters
    assert doccano["entities"][0]["start_offset"] == len(TRICKY_TEXT[:start].encode("utf-16-le")) // 2
