"""Nothing stored can poison the project: values every path checks (storable.py), spans of only
whitespace, and exports that leave out (and name) a bad row stored by an older version."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update

from annotator import cli
from annotator.db.tables import DocumentRow, SpanAttributeRow
from annotator.errors import AnnotatorError, ValidationError
from annotator.exporters import export_format, export_jsonl
from annotator.importers import ImportFailed, import_paths
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.project import Project, check_annotator_name
from annotator.service import AnnotationService
from annotator.storable import MAX_DEPTH, storable_problem
from tests.conftest import ProjectMaker, write_jsonl

# A schema with a free-text attribute, so that any string can reach an attribute value.
NOTE_SCHEMA = """\
name: notes
version: 1
overlap: nested
labels:
  - name: NOTE
    color: "#9AD2F2"
    hotkey: n
    attributes:
      - name: remark
        type: text
"""


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


# JSON-ish values, with every kind of thing that must be refused mixed in.
any_text = st.text(st.characters(blacklist_categories=()), max_size=12)  # lone surrogates and NUL included
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**64, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2.0**63, -(2.0**63), 1e300, -0.0, 5e-324]),
    any_text,
)
json_values = st.one_of(
    st.recursive(
        leaves,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)),
        max_leaves=12,
    ),
    st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2).map(nested),
    st.sampled_from([(1, 2), {1: "x"}, b"bytes", {"a"}]),
)


def storable_by_definition(value: Any, depth: int = 0) -> bool:
    """The rules of storable.py, written out plainly (slowly) to check the fast pass against."""
    if isinstance(value, bool) or value is None:
        return True
    if type(value) is int:
        return -(2**63) <= value < 2**63
    if type(value) is float:
        return math.isfinite(value) and abs(value) < 2.0**63
    if type(value) is str:
        return "\x00" not in value and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if type(value) is list:
        return depth < MAX_DEPTH and all(storable_by_definition(v, depth + 1) for v in value)
    if type(value) is dict:
        return depth < MAX_DEPTH and all(
            type(k) is str and storable_by_definition(k) and storable_by_definition(v, depth + 1)
            for k, v in value.items()
        )
    return False


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same JSON types all the way down (1, 1.0 and True differ; so do 0.0 and -0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


@settings(max_examples=400, deadline=None)
@given(value=json_values)
def test_the_fast_check_follows_the_rules_and_names_what_it_refuses(value: Any) -> None:
    problem = storable_problem(value, "meta")
    assert (problem is None) == storable_by_definition(value)
    if problem is None:
        # Every way a stored value travels: orjson both ways, and Python's json (the database column) to orjson.
        assert same(orjson.loads(orjson.dumps(value)), value)
        assert same(orjson.loads(json.dumps(value)), value)
    else:
        assert problem.startswith("meta") and problem.encode("utf-8")  # printable: no lone surrogate in it


def one_record(meta: Any, remark: Any) -> str:
    body = {
        "id": "d1",
        "text": "A note here.",
        "meta": meta,
        "spans": [{"id": "s1", "start": 2, "end": 6, "label": "NOTE", "attributes": {"remark": remark}}],
        "annotator": "alice",
        "status": "done",
    }
    # ensure_ascii: lone surrogates as \\ud800 escapes, NaN and huge integers as written: a hostile file.
    return json.dumps(body, ensure_ascii=True, allow_nan=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta_value=json_values, remark=any_text)
def test_what_is_accepted_round_trips_byte_for_byte_and_the_rest_is_refused_at_import(
    make_project: ProjectMaker, tmp_path: Path, meta_value: Any, remark: str
) -> None:
    assume(remark.strip())
    meta = {"value": meta_value}
    try:
        line = one_record(meta, remark)
    except (TypeError, ValueError):  # json cannot even write it (sets, bytes, keys that are not strings)
        line = None
    with Project.open(make_project(NOTE_SCHEMA)) as project:
        # Every reader hands its records to the loader: refused there, with the place named.
        direct = DocumentRecord(
            "direct.jsonl", 1, "A note here.", "d0", meta, [SpanRecord("s1", 2, 6, "NOTE", {"remark": remark})]
        )
        if storable_problem(meta) is not None or storable_problem(remark) is not None:
            with pytest.raises(ImportFailed, match=r"direct.jsonl:1: (meta|span s1: NOTE.remark)"):
                import_records(project, [direct])
        else:
            assert import_records(project, [direct]).documents_added == 1
    if line is None:
        return
    # The same value in a file, as a hostile or broken tool writes it.
    in_file = json.loads(line)
    root = make_project(NOTE_SCHEMA)
    with Project.open(root) as project:
        source = write_jsonl(tmp_path / "in.jsonl", [line])
        if storable_problem(in_file["meta"]) is not None or storable_problem(remark) is not None:
            with pytest.raises(ImportFailed, match=r"in\.jsonl:1"):
                import_paths(project, [source])
            assert export_jsonl(project, tmp_path / "empty.jsonl").lines == 0
            return
        import_paths(project, [source])
        first = tmp_path / "first.jsonl"
        export_jsonl(project, first)
    [exported] = [orjson.loads(x) for x in first.read_bytes().splitlines()]
    assert same(exported["meta"], in_file["meta"]) and exported["spans"][0]["attributes"] == {"remark": remark}
    with Project.open(make_project(NOTE_SCHEMA)) as again:
        import_paths(again, [first])
        second = tmp_path / "second.jsonl"
        export_jsonl(again, second)
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("a\ud800b", r"lone surrogate \(U\+D800\) at character 1"),
        ("x\x00", "NUL character"),
        (2**64, "signed 64-bit"),
        (1e20, r"beyond 2\*\*63"),
        (float("nan"), "not a number JSON can hold"),
    ],
)
def test_set_attribute_through_the_service_refuses_what_cannot_be_stored(
    make_project: ProjectMaker, tmp_path: Path, value: Any, says: str
) -> None:
    root = make_project(NOTE_SCHEMA)
    with Project.open(root) as project:
        import_paths(project, [write_jsonl(tmp_path / "in.jsonl", [json.dumps({"id": "d", "text": "A note."})])])
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("d")
        span = service.add_span(doc, 2, 6, "NOTE").value
        with pytest.raises(ValidationError, match=f"NOTE.remark.*{says}"):
            service.set_attribute(span.id, "remark", value)
        with pytest.raises(ValidationError, match=says):
            service.add_span(doc, 0, 1, "NOTE", {"remark": value})
        assert service.document(doc).spans == (span,)
        assert service.undo_description == "add NOTE 'note'"


def test_annotator_names_with_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValidationError, match="not usable"):
        check_annotator_name("al\udcffice")


# --- whitespace-only spans ----------------------------------------------------------------

blank = st.text(st.sampled_from([" ", "\t", "\n", "\r", "\u00a0", "\u2028", "\u3000"]), min_size=1, max_size=5)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gap=blank)
def test_a_span_of_only_whitespace_is_refused_at_import_and_through_the_service(
    make_project: ProjectMaker, tmp_path: Path, gap: str
) -> None:
    body = f"Kim{gap}Jong{gap}Un"
    start, end = 3, 3 + len(gap)
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "d", "text": body, "spans": [{"start": start, "end": end, "label": "ACTOR"}]}) + "\n",
        encoding="utf-8",
    )
    root = make_project()
    with Project.open(root) as project:
        with pytest.raises(ImportFailed, match="only whitespace"):
            import_paths(project, [source])
        import_paths(project, [write_jsonl(tmp_path / "plain.jsonl", [json.dumps({"id": "d", "text": body})])])
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("d")
        with pytest.raises(ValidationError, match="only whitespace"):
            service.add_span(doc, start, end, "ACTOR")
        with pytest.raises(ValidationError, match="only whitespace"):
            service.label_all_occurrences(doc, start, end, "ACTOR")
        assert service.document(doc).spans == () and not service.can_undo
        # Whitespace inside a span is fine.
        assert service.add_span(doc, 0, len(body), "ACTOR").value.text == body


# --- exports of rows stored before these checks --------------------------------------------


def poisoned_project(make_project: ProjectMaker, tmp_path: Path, bad_meta: Any = 2**70) -> Path:
    """Three documents; then d2's meta and a span attribute of d3 are overwritten as an older version
    could have stored them (the JSON column holds text that no export can write exactly)."""
    lines = [
        json.dumps(
            {
                "id": f"d{n}",
                "text": f"Kim Jong Un {n}.",
                "meta": {"n": n},
                "spans": [{"start": 0, "end": 11, "label": "NOTE", "attributes": {"remark": "ok"}}],
                "annotator": "alice",
                "status": "done",
            }
        )
        for n in (1, 2, 3)
    ]
    root = make_project(NOTE_SCHEMA)
    with Project.open(root) as project:
        import_paths(project, [write_jsonl(tmp_path / "in.jsonl", lines)])
        with project.engine.begin() as connection:
            connection.execute(update(DocumentRow).where(DocumentRow.external_id == "d2").values(meta={"n": bad_meta}))
            d3 = connection.scalar(text("SELECT id FROM documents WHERE external_id = 'd3'"))
            connection.execute(
                update(SpanAttributeRow)
                .where(SpanAttributeRow.span_id.in_(text(f"SELECT id FROM spans WHERE document_id = {d3}")))
                .values(value="\ud83d")
            )
    return root


def test_an_export_leaves_out_a_bad_stored_row_names_it_and_writes_the_rest(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = poisoned_project(make_project, tmp_path)
    out = tmp_path / "out.jsonl"
    assert cli.main(["export", str(root), "-o", str(out)]) == 0
    warnings = capsys.readouterr().err.splitlines()
    assert [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()] == ["d1"]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("warning: left out document 'd2': meta.n = 1.1805916207174113e+21 is beyond")
    assert warnings[1].startswith("warning: left out alice's layer of document 'd3': NOTE [0, 11) attribute remark")
    # What was written re-imports.
    with Project.open(make_project(NOTE_SCHEMA)) as again:
        assert import_paths(again, [out]).documents_added == 1
    # Every other format is made from the same records: it goes on too, and says what it left out.
    with Project.open(root) as project:
        report = export_format(project, "doccano", tmp_path / "out.doccano.jsonl")
    assert report.documents == 1 and [item.document for item in report.left_out] == ["d2", "d3"]


@pytest.mark.parametrize(
    ("format_name", "body"),
    [
        ("doccano", {"id": 1, "text": "Kim\ud800 said", "label": []}),
        ("label-studio", [{"id": 1, "data": {"text": "Kim\ud800 said"}, "annotations": []}]),
        ("prodigy", {"text": "Kim\ud800 said", "spans": [], "answer": "accept"}),
        ("jsonl", {"id": "d", "text": "Kim said", "meta": {"note\udfff": 1}}),
    ],
)
def test_every_reader_hands_its_records_to_the_same_check(
    make_project: ProjectMaker, tmp_path: Path, format_name: str, body: Any
) -> None:
    # Python's json (some readers) decodes "\ud800" escapes into lone surrogates; nothing may store them.
    source = tmp_path / ("in.json" if format_name == "label-studio" else "in.jsonl")
    source.write_text(json.dumps(body) + "\n", encoding="utf-8")
    with Project.open(make_project()) as project:
        with pytest.raises((ImportFailed, AnnotatorError), match=r"in\.jsonl?:1.*lone surrogate|not valid"):
            import_paths(project, [source], format_name=format_name)
        assert export_jsonl(project, tmp_path / "out.jsonl").lines == 0


@pytest.mark.parametrize(
    ("bad_meta", "says"),
    [
        (float("nan"), "meta is not JSON that can be exported"),
        (nested(300), r"meta.n\[0\].k\[0\].*… is nested more than 64"),
        ("a\x00b", "meta.n contains a NUL"),
        (2**63, "meta.n = 9223372036854775808 is outside the signed 64-bit range"),
    ],
)
def test_every_kind_of_bad_stored_meta_is_left_out_and_named(
    make_project: ProjectMaker, tmp_path: Path, bad_meta: Any, says: str
) -> None:
    root = poisoned_project(make_project, tmp_path, bad_meta)
    with Project.open(root) as project:
        report = export_jsonl(project, tmp_path / "out.jsonl")
    assert report.documents == 1 and [item.document for item in report.left_out] == ["d2", "d3"]
    assert re.search(says, str(report.left_out[0])), str(report.left_out[0])
