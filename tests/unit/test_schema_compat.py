"""Schema changes are checked against every stored row (annotator/schema_compat.py).

The promise: the project's own export always re-imports under its schema. A property test
changes schemas at random and holds either that the open refuses, or that export -> import
into a fresh project with that schema succeeds; the examples pin each class of change and
the message that names what is in the way.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from annotator.cli import main
from annotator.errors import ProjectError
from annotator.exporters import export_jsonl
from annotator.importers import ImportFailed, import_paths
from annotator.project import Project
from tests.conftest import EXAMPLE, ProjectMaker

# -- examples on the example project's reference layer ---------------------------------------


def _seeded(make_project: ProjectMaker) -> Path:
    root = make_project()
    with Project.open(root) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
    return root


def _state(root: Path) -> tuple[Any, ...]:
    """What a refused open must leave as it was: the rows and the recorded schemas."""
    with Project.open(root) as project, project.engine.connect() as connection:
        return (
            connection.execute(text("SELECT label, count(*) FROM spans GROUP BY label ORDER BY label")).all(),
            connection.execute(text("SELECT label, count(*) FROM relations GROUP BY label ORDER BY label")).all(),
            connection.execute(text("SELECT count(*) FROM schema_versions")).scalar(),
            connection.execute(text("SELECT count(*) FROM events")).scalar(),
        )


def _edit_schema(root: Path, old: str, new: str) -> str:
    schema_file = root / "schema.yaml"
    original = schema_file.read_text(encoding="utf-8")
    assert old in original
    schema_file.write_text(original.replace(old, new), encoding="utf-8")
    return original


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # A choice value in use goes away.
        (
            "values: [person, organisation, state, other]",
            "values: [organisation, state, other]",
            r"\d+ ACTOR\.kind value\(s\) are not one of organisation, state, other "
            r"\(e\.g\. document 'nk-russia-1': ACTOR '[^']+' with kind = \"person\"",
        ),
        # nested -> forbid while spans nest.
        ("overlap: nested", "overlap: forbid", r"\d+ pair\(s\) of spans overlap, and the schema forbids"),
        # A relation's allowed tail changes under relations that use the old one.
        (
            "    head: [CLAIM]\n    tail: [ACTOR]",
            "    head: [CLAIM]\n    tail: [CLAIM]",
            r"12 SAID_BY relation\(s\) go from CLAIM to ACTOR, and the schema allows CLAIM -> CLAIM "
            r"\(e\.g\. document 'nk-russia-1': SAID_BY CLAIM '",
        ),
        # An attribute's type changes: choice -> boolean.
        (
            "        type: choice\n        values: [person, organisation, state, other]",
            "        type: boolean",
            r"57 ACTOR\.kind value\(s\) are not true or false",
        ),
        # An attribute is dropped.
        ("      - name: kind\n", "      - name: sort\n", r"attribute 'kind' of label 'ACTOR' is in use \(57 span"),
        # A label is dropped (the old message still reads the same).
        ("DATE", "TIME", r"label 'DATE' is used by 9 span\(s\) \(e\.g\. document 'nk-russia-1': DATE"),
    ],
    ids=["choice-value", "nested-to-forbid", "relation-ends", "attribute-type", "attribute-removed", "label-removed"],
)
def test_a_schema_that_stored_rows_break_is_refused_and_changes_nothing(
    make_project: ProjectMaker, old: str, new: str, message: str
) -> None:
    root = _seeded(make_project)
    before = _state(root)
    original = _edit_schema(root, old, new)
    with pytest.raises(ProjectError, match=message) as refused:
        Project.open(root)
    assert "nothing was changed" in str(refused.value)
    (root / "schema.yaml").write_text(original, encoding="utf-8")
    assert _state(root) == before


def test_a_dropped_choice_value_in_use_is_one_error_line_naming_what_uses_it(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _seeded(make_project)
    before = _state(root)
    kinds = "values: [person, organisation, state, other]"
    original = _edit_schema(root, kinds, kinds.replace("person, ", ""))
    for command in (["stats", str(root)], ["export", str(root), "-o", str(root / "out.jsonl")]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1
        assert re.search(  # which value, how many spans, in which document, and that nothing changed
            r"15 ACTOR\.kind value\(s\) are not one of organisation, state, other "
            r"\(e\.g\. document 'nk-russia-1': ACTOR 'Kim Jong Un' with kind = \"person\".*nothing was changed",
            err,
        )
    assert not (root / "out.jsonl").exists()
    (root / "schema.yaml").write_text(original, encoding="utf-8")
    assert _state(root) == before


def test_text_that_is_not_a_date_refuses_the_change_to_a_date_attribute(make_project: ProjectMaker) -> None:
    schema = MINIMAL | {"labels": [{**ACTOR, "attributes": [{"name": "note", "type": "text"}]}]}
    root = make_project(yaml.safe_dump(schema))
    record = {
        "id": "d1",
        "text": "Kim met Putin.",
        "annotator": "a",
        "spans": [
            {"start": 0, "end": 3, "label": "ACTOR", "attributes": {"note": "2014-11-14"}},
            {"start": 8, "end": 13, "label": "ACTOR", "attributes": {"note": "last week"}},
        ],
    }
    _import_records(root, [record])
    schema["labels"][0]["attributes"][0]["type"] = "date"
    (root / "schema.yaml").write_text(yaml.safe_dump(schema), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"1 ACTOR\.note value\(s\) are not ISO 8601 dates \(e\.g\. document 'd1': "):
        Project.open(root)
    record["spans"][1]["attributes"] = {"note": "2014-W46"}  # the same change fits a project of dates
    other = make_project(
        yaml.safe_dump(MINIMAL | {"labels": [{**ACTOR, "attributes": [{"name": "note", "type": "text"}]}]})
    )
    _import_records(other, [record])
    (other / "schema.yaml").write_text(yaml.safe_dump(schema), encoding="utf-8")
    Project.open(other).close()


def test_allow_to_nested_is_refused_while_spans_cross(make_project: ProjectMaker) -> None:
    schema = MINIMAL | {"overlap": "allow"}
    root = make_project(yaml.safe_dump(schema))
    spans = [{"start": 0, "end": 7, "label": "ACTOR"}, {"start": 4, "end": 13, "label": "ACTOR"}]
    _import_records(root, [{"id": "x", "text": "Kim met Putin.", "annotator": "a", "spans": spans}])
    (root / "schema.yaml").write_text(yaml.safe_dump(schema | {"overlap": "nested"}), encoding="utf-8")
    with pytest.raises(
        ProjectError,
        match=r"1 pair\(s\) of spans cross.*document 'x', layer 'a': ACTOR 'Kim met' and ACTOR 'met Putin'",
    ):
        Project.open(root)


def test_a_document_label_in_use_cannot_be_removed(make_project: ProjectMaker) -> None:
    schema = MINIMAL | {"document_labels": [{"name": "RELEVANT"}, {"name": "OFF_TOPIC"}]}
    root = make_project(yaml.safe_dump(schema))
    _import_records(root, [{"id": "x", "text": "Kim met Putin.", "annotator": "a", "document_labels": ["OFF_TOPIC"]}])
    (root / "schema.yaml").write_text(yaml.safe_dump(schema | {"document_labels": [{"name": "RELEVANT"}]}))
    with pytest.raises(ProjectError, match=r"document label 'OFF_TOPIC' is used 1 time\(s\) \(e\.g\. document 'x'\)"):
        Project.open(root)


def test_a_rename_is_checked_like_a_schema_change(make_project: ProjectMaker) -> None:
    """CLAIM=ACTOR would leave SAID_BY ACTOR -> ACTOR and WHEN ACTOR -> DATE, which the schema forbids."""
    root = _seeded(make_project)
    before = _state(root)
    schema_file = root / "schema.yaml"
    schema = yaml.safe_load(schema_file.read_text(encoding="utf-8"))
    schema["labels"] = [label for label in schema["labels"] if label["name"] != "CLAIM"]
    for relation in schema["relations"]:
        relation["head"] = ["ACTOR"]
    schema["relations"][0]["tail"] = ["DATE"]  # SAID_BY: ACTOR -> DATE, so ACTOR -> ACTOR is refused
    schema_file.write_text(yaml.safe_dump(schema), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"12 SAID_BY relation\(s\) go from ACTOR to ACTOR"):
        Project.open(root, renames={"CLAIM": "ACTOR"})
    schema["relations"][0]["tail"] = ["ACTOR"]
    schema_file.write_text(yaml.safe_dump(schema), encoding="utf-8")
    with Project.open(root, renames={"CLAIM": "ACTOR"}) as project, project.engine.connect() as connection:
        labels = dict(connection.execute(text("SELECT label, count(*) FROM spans GROUP BY label")).all())
    assert labels == {"ACTOR": 68, "DATE": 9}
    assert before[0] != labels


def test_renaming_a_label_nothing_uses_is_refused(make_project: ProjectMaker) -> None:
    root = _seeded(make_project)
    before = _state(root)
    with pytest.raises(
        ProjectError, match=r"no span of this project has the label 'PERSON' \(span labels in use: ACTOR"
    ):
        Project.open(root, renames={"PERSON": "ACTOR"})
    with pytest.raises(ProjectError, match="also the target of another rename"):
        Project.open(root, renames={"CLAIM": "DATE", "DATE": "CLAIM"})
    assert _state(root) == before


def test_an_unchanged_schema_is_not_checked_again(make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.schema_compat as schema_compat  # schema_versions imports it when it registers a schema

    root = _seeded(make_project)
    monkeypatch.setattr(schema_compat, "check_schema_fits", lambda *_: pytest.fail("checked again"))
    Project.open(root).close()


# -- the property: open refuses, or the export re-imports under the new schema ---------------

ACTOR = {"name": "ACTOR", "color": "#9AD2F2", "hotkey": "a"}
MINIMAL: dict[str, Any] = {"name": "t", "version": 1, "overlap": "nested", "labels": [ACTOR]}
TEXT = "Kim met Putin in Moscow on 2014-11-14 and said it was good."
WORDS = [(0, 3), (4, 7), (8, 13), (17, 23), (27, 37), (42, 46), (0, 13), (8, 23), (17, 37), (42, 59), (4, 23)]

BASE: dict[str, Any] = {
    "name": "p",
    "version": 1,
    "overlap": "allow",
    "labels": [
        {
            "name": "A",
            "color": "#111111",
            "hotkey": "a",
            "attributes": [
                {"name": "kind", "type": "choice", "values": ["x", "y", "z"]},
                {"name": "note", "type": "text"},
                {"name": "flag", "type": "boolean"},
                {"name": "when", "type": "date"},
            ],
        },
        {"name": "B", "color": "#222222", "hotkey": "b", "attributes": [{"name": "kind", "type": "text"}]},
        {"name": "C", "color": "#333333", "hotkey": "c"},
    ],
    "relations": [
        {"name": "R", "head": ["A", "B", "C"], "tail": ["A", "B", "C"]},
        {"name": "S", "head": ["A", "B", "C"], "tail": ["A", "B", "C"]},
    ],
    "document_labels": [{"name": "D1"}, {"name": "D2"}],
}
ATTRIBUTE_VALUES = {
    "kind": st.sampled_from(["x", "y", "z"]),
    "note": st.sampled_from(["2014", "soon", "2014-11-14", "x"]),
    "flag": st.booleans(),
    "when": st.sampled_from(["2014", "2014-W46", "2014-11-14"]),
}


@st.composite
def layers(draw: st.DrawFn) -> dict[str, Any]:
    """One document's layer under BASE (overlap allowed, every relation between any labels)."""
    extents = draw(st.lists(st.sampled_from(WORDS), max_size=5))
    spans = []
    for number, (start, end) in enumerate(extents):
        label = draw(st.sampled_from(["A", "B", "C"]))
        if any(s["start"] == start and s["end"] == end and s["label"] == label for s in spans):
            continue
        names = {"A": ["kind", "note", "flag", "when"], "B": ["kind"], "C": []}[label]
        chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        attributes = {
            name: draw(ATTRIBUTE_VALUES[name] if label == "A" else st.sampled_from(["x", "y", "2014"]))
            for name in chosen
        }
        spans.append({"id": f"s{number}", "start": start, "end": end, "label": label, "attributes": attributes})
    relations = []
    if len(spans) >= 2:
        for index in range(draw(st.integers(0, 3))):
            head, tail = draw(st.sampled_from(spans)), draw(st.sampled_from(spans))
            label = draw(st.sampled_from(["R", "S"]))
            if head is not tail and not any(
                r["head"] == head["id"] and r["tail"] == tail["id"] and r["label"] == label for r in relations
            ):
                relations.append({"id": f"r{index}", "label": label, "head": head["id"], "tail": tail["id"]})
    labels = draw(st.lists(st.sampled_from(["D1", "D2"]), unique=True))
    return {"spans": spans, "relations": relations, "document_labels": labels}


@st.composite
def changed_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """BASE with a few random changes of the kinds a user makes."""
    schema = copy.deepcopy(BASE)
    schema["version"] = 2
    schema["overlap"] = draw(st.sampled_from(["allow", "nested", "forbid"]))
    label_a, label_b = schema["labels"][0], schema["labels"][1]
    if draw(st.booleans()):
        label_a["attributes"][0]["values"] = draw(
            st.lists(st.sampled_from(["x", "y", "z", "w"]), min_size=1, max_size=3, unique=True)
        )
    for attribute in label_a["attributes"] + label_b["attributes"]:
        if draw(st.integers(0, 3)) == 0:
            new_type = draw(st.sampled_from(["choice", "text", "boolean", "date"]))
            attribute.pop("values", None)
            attribute["type"] = new_type
            if new_type == "choice":
                attribute["values"] = ["x", "y"]
    label_a["attributes"] = [a for a in label_a["attributes"] if draw(st.integers(0, 5)) > 0]
    label_b["attributes"] = [a for a in label_b["attributes"] if draw(st.integers(0, 5)) > 0]
    if draw(st.integers(0, 5)) == 0:  # a schema without any attribute
        label_a["attributes"], label_b["attributes"] = [], []
    if draw(st.integers(0, 4)) == 0:
        schema["labels"].pop(2)  # C goes
    names = [label["name"] for label in schema["labels"]]
    for relation in schema["relations"]:
        relation["head"] = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        relation["tail"] = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    if draw(st.integers(0, 4)) == 0:
        schema["relations"].pop(1)
    schema["document_labels"] = draw(
        st.lists(st.sampled_from([{"name": "D1"}, {"name": "D2"}, {"name": "D3"}]), unique_by=lambda d: d["name"])
    )
    return schema


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contents=st.lists(layers(), min_size=1, max_size=4), schema=changed_schemas(), data=st.data())
def test_after_any_schema_change_open_refuses_or_the_export_reimports(
    tmp_path_factory: pytest.TempPathFactory,
    contents: list[dict[str, Any]],
    schema: dict[str, Any],
    data: st.DataObject,
) -> None:
    base = tmp_path_factory.mktemp("base")
    _write_project(base, BASE)
    # One document (the same text), one layer per annotator: layers are checked one by one.
    records = [{"id": "d", "text": TEXT, "annotator": f"ann{i}", **layer} for i, layer in enumerate(contents)]
    _import_records(base, records)
    (base / "schema.yaml").write_text(yaml.safe_dump(schema), encoding="utf-8")
    renames = {}
    if data.draw(st.integers(0, 3)) == 0:  # `schema migrate --rename`: a label or relation merged into another
        names = [label["name"] for label in schema["labels"]] + [relation["name"] for relation in schema["relations"]]
        old = data.draw(st.sampled_from(["A", "B", "C", "R", "S"]))
        renames = {old: data.draw(st.sampled_from([name for name in names if name != old]))}
    try:
        project = Project.open(base, renames=renames)
    except ProjectError:
        event("refused")
        return  # refused: nothing was changed (checked by the examples above)
    event("accepted")
    with project:
        export_jsonl(project, base / "out.jsonl")
    fresh = tmp_path_factory.mktemp("fresh")
    _write_project(fresh, schema)
    with Project.open(fresh) as project:
        try:
            import_paths(project, [base / "out.jsonl"])
        except ImportFailed as error:
            pytest.fail(f"the open accepted a schema its export does not fit: {error}")
        export_jsonl(project, fresh / "again.jsonl")
    exported = [orjson.loads(line) for line in (base / "out.jsonl").read_bytes().splitlines()]
    again = [orjson.loads(line) for line in (fresh / "again.jsonl").read_bytes().splitlines()]
    assert [{**r, "schema": None} for r in again] == [{**r, "schema": None} for r in exported]


# -- helpers ---------------------------------------------------------------------------------


def _write_project(root: Path, schema: dict[str, Any]) -> None:
    root.mkdir(exist_ok=True)
    (root / "schema.yaml").write_text(yaml.safe_dump(schema), encoding="utf-8")
    (root / "project.yaml").write_text("name: p\nschema: schema.yaml\ndatabase: annotator.db\n", encoding="utf-8")


def _import_records(root: Path, records: list[dict[str, Any]]) -> None:
    path = root / "records.jsonl"
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    with Project.open(root) as project:
        import_paths(project, [path])


def test_only_the_projects_own_rows_are_checked(make_project: ProjectMaker) -> None:
    """Two projects in one database: one's spans never block the other's schema."""
    first = _seeded(make_project)
    second = make_project(name="second")
    _edit_schema(second, "DATE", "TIME")
    config = (second / "project.yaml").read_text(encoding="utf-8")
    (second / "project.yaml").write_text(config.replace("annotator.db", str(first / "annotator.db")), encoding="utf-8")
    with Project.open(second) as project, project.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM projects")).scalar() == 2
    _edit_schema(first, "DATE", "TIME")
    with pytest.raises(ProjectError, match=r"label 'DATE' is used by 9 span\(s\)"):
        Project.open(first)
