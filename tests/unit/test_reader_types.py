"""The readers' shared rules, one class of hostile input at a time (the fuzz test covers the
mixtures): JSON every parser reads the same way, fields of the wrong type named by key path,
brat fragments that are not one mention, and line numbers an editor agrees with."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from annotator.db.tables import DocumentRow
from annotator.errors import AnnotatorError
from annotator.formats import BY_NAME
from annotator.importers import ImportFailed, ImportProblem, detect_format, import_paths
from annotator.importers.brat import read_brat
from annotator.importers.conll import read_conll
from annotator.importers.doccano import read_doccano
from annotator.importers.fields import (
    RecordError,
    as_id,
    expect_id,
    expect_int,
    expect_list,
    expect_str,
    expect_str_list,
    within,
)
from annotator.importers.json_text import MAX_DEPTH, JsonProblem, parse_json
from annotator.importers.native import read_jsonl
from annotator.importers.prodigy import read_prodigy
from annotator.project import Project
from tests.conftest import ProjectMaker

DEEP = "[" * 100_000 + "]" * 100_000


def fails_at(make_project: ProjectMaker, path: Path, format_name: str) -> list[ImportProblem]:
    """The problems of an import that must fail, after checking it left the project empty."""
    with Project.open(make_project()) as project:
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [path], format_name=format_name)
        with project.read() as session:
            assert session.scalar(select(func.count()).select_from(DocumentRow)) == 0
    return failure.value.problems


# Where each JSON format puts a value of the record (a meta value), as a file's text.
def native_file(value: str) -> str:
    return '{"text": "Kim met Putin."}\n{"text": "Kim met Putin again.", "meta": {"x": ' + value + "}}\n"


def prodigy_file(value: str) -> str:
    return '{"text": "Kim met Putin.", "answer": "accept"}\n{"text": "Kim.", "meta": {"x": ' + value + "}}\n"


def doccano_file(value: str) -> str:
    return '{"text": "Kim met Putin.", "label": []}\n{\n  "text": "Kim.",\n  "label": [],\n  "x": ' + value + "\n}\n"


def label_studio_file(value: str) -> str:
    return '[\n{"data": {"text": "Kim met Putin."}},\n{"data": {"text": "Kim.", "x": ' + value + "}}\n]\n"


FILES: dict[str, tuple[Callable[[str], str], str, int]] = {  # format -> (file, suffix, line of the value)
    "jsonl": (native_file, ".jsonl", 2),
    "prodigy": (prodigy_file, ".jsonl", 2),
    "doccano": (doccano_file, ".jsonl", 2),
    "label-studio": (label_studio_file, ".json", 3),
}


@pytest.mark.parametrize("format_name", FILES)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (DEEP, f"nested more than {MAX_DEPTH} levels deep"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels deep"),
        ('"\\ud800 alone"', "lone surrogate"),
        ('"\\udc00"', "lone surrogate"),
        ("NaN", "not valid JSON"),
        ("Infinity", "not valid JSON"),
        ("1e400", "not valid JSON"),
        ("1" + "0" * 5000, "not valid JSON"),
    ],
    ids=["100k-deep", "201-deep", "high-surrogate", "low-surrogate", "nan", "infinity", "1e400", "5001-digits"],
)
def test_hostile_json_fails_at_its_line_in_every_reader(
    make_project: ProjectMaker, tmp_path: Path, format_name: str, value: str, message: str
) -> None:
    write, suffix, line = FILES[format_name]
    path = tmp_path / f"in{suffix}"
    path.write_text(write(value), encoding="utf-8")
    (problem,) = fails_at(make_project, path, format_name)
    assert (problem.source, problem.line) == (str(path), line)
    assert message in problem.message


@pytest.mark.parametrize("format_name", FILES)
def test_json_within_the_rules_reads_the_same_in_every_reader(tmp_path: Path, format_name: str) -> None:
    """200 levels deep, a surrogate pair and an integer beyond 64 bits are read, exactly."""
    write, suffix, _ = FILES[format_name]
    deep = "[" * (MAX_DEPTH - 3) + "]" * (MAX_DEPTH - 3)  # record > meta > x > ...
    for value, expected in (
        ('"\\ud83d\\ude00"', "😀"),
        ("18446744073709551616", 2**64),
        ("-9223372036854775809", -(2**63) - 1),
        (deep, json.loads(deep)),
    ):
        path = tmp_path / f"in{suffix}"
        path.write_text(write(value), encoding="utf-8")
        records = list(BY_NAME[format_name].load_reader()(path))
        assert not [r for r in records if isinstance(r, ImportProblem)]
        meta = records[-1].meta  # type: ignore[union-attr]
        assert meta["x"] == expected and type(meta["x"]) is type(expected)


def test_parse_json_rules() -> None:
    assert parse_json(b'\xef\xbb\xbf {"a": 12345678901234567890123}\n') == {"a": 12345678901234567890123}
    for text in (b'"\\ud800"', b"[NaN]", b"1e999", b"[" * 201 + b"]" * 201):
        with pytest.raises(JsonProblem):
            parse_json(text)


def test_detection_never_crashes_on_deep_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(DEEP, encoding="utf-8")
    with pytest.raises(AnnotatorError, match="cannot tell its format"):
        detect_format(path)


def test_label_studio_array_with_data_after_it_is_refused(make_project: ProjectMaker, tmp_path: Path) -> None:
    """`cat a.json b.json`: the second array used to be dropped without a word."""
    path = tmp_path / "two.json"
    task = {"data": {"text": "Kim met Putin."}}
    path.write_text(json.dumps([task]) + "\n" + json.dumps([task]) + "\n", encoding="utf-8")
    (problem,) = fails_at(make_project, path, "label-studio")
    assert problem.line == 2 and "more data after the array" in problem.message


# Fields of the wrong type -----------------------------------------------------------------------


def test_typed_accessors_name_the_key_path() -> None:
    span = {"start": True, "end": "3", "label": ["ACTOR"], "id": 1.5, "labels": [1]}
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: expect_int(span, "start", "spans[2]"), "spans[2].start must be an integer, got true"),
        (lambda: expect_int(span, "end", "spans[2]"), "spans[2].end must be an integer, got a string"),
        (lambda: expect_str(span, "label", "spans[2]"), "spans[2].label must be a string, got a list"),
        (lambda: expect_id(span, "id", "spans[2]"), "spans[2].id must be a string or an integer, got a number"),
        (lambda: expect_str_list(span, "labels", "spans[2]"), "spans[2].labels[0] must be a string, got an integer"),
        (lambda: expect_str(span, "text", "spans[2]"), "spans[2] has no 'text'"),
        (lambda: expect_list({"spans": ""}, "spans", default=[]), "spans must be a list, got a string"),
    ]
    for call, message in cases:
        with pytest.raises(RecordError) as error:
            call()
        assert str(error.value) == message
    assert expect_list({"spans": None}, "spans", default=[]) == []
    assert expect_str({}, "annotator", default=None) is None
    assert as_id(3, "label[0][2]") == "3" and as_id("ACTOR", "label[0][2]") == "ACTOR"
    with pytest.raises(RecordError, match=r"^label\[0\]\[2\] must be a string or an integer, got true$"):
        as_id(True, "label[0][2]")
    # within: a place that key paths do not name, before the message (nested places read outward-in)
    nested = r"^annotation 2, region r1: relation a -> b: labels must be a list, got a string$"
    with pytest.raises(RecordError, match=nested), within("annotation 2, region r1"), within("relation a -> b"):
        expect_list({"labels": "x"}, "labels")


def lines_of(records: list[Any]) -> list[tuple[int, str]]:
    return [(r.line, r.message) for r in records if isinstance(r, ImportProblem)]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"spans": [{"start": 0, "end": 3, "label": ["ACTOR"]}]}, "spans[0].label must be a string, got a list"),
        ({"spans": [{"start": 0, "end": 3, "label": "ACTOR", "text": 3}]}, "spans[0].text must be a string"),
        ({"meta": [1]}, "meta must be an object, got a list"),
        ({"document_labels": "x"}, "document_labels must be a list, got a string"),
        ({"annotator": ["alice"]}, "annotator must be a string, got a list"),
        ({"relations": [{"label": "SAID_BY", "head": ["s1"], "tail": "s2"}]}, "relations[0].head must be a string"),
        ({"spans": "none"}, "spans must be a list, got a string"),
    ],
)
def test_native_fields_of_the_wrong_type(tmp_path: Path, record: dict[str, Any], message: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n" + json.dumps({"text": "Kim met Putin.", **record}) + "\n", encoding="utf-8")
    assert [(line, text[: len(message)]) for line, text in lines_of(list(read_jsonl(path)))] == [(2, message)]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"spans": [{"start": 0, "end": 3, "label": ["ACTOR"]}]}, "spans[0].label must be a string, got a list"),
        ({"spans": [{"start": "0", "end": 3, "label": "ACTOR"}]}, "spans[0].start must be an integer"),
        ({"answer": ["accept"]}, "answer must be a string, got a list"),
        ({"_session_id": {"a": 1}}, "_session_id must be a string, got an object"),
        ({"options": [{"id": 1, "text": "X"}], "accept": [[1]]}, "accept[0] must be an option id"),
        ({"meta": "x"}, "meta must be an object, got a string"),
        (
            {"spans": [], "relations": [{"label": "SAID_BY", "head_span": [0, 3], "child_span": {}}]},
            "relations[0].head_span must be an object, got a list",
        ),
    ],
)
def test_prodigy_fields_of_the_wrong_type(tmp_path: Path, record: dict[str, Any], message: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n" + json.dumps({"text": "Kim met Putin.", **record}) + "\n", encoding="utf-8")
    assert [(line, text[: len(message)]) for line, text in lines_of(list(read_prodigy(path)))] == [(2, message)]


def test_prodigy_choices_read_option_texts(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    options = [{"id": 1, "text": "POLITICS"}, {"id": "SPORT", "text": "Sport"}]
    path.write_text(json.dumps({"text": "Kim.", "options": options, "accept": [1, "SPORT"]}) + "\n", encoding="utf-8")
    (record,) = read_prodigy(path)
    assert record.document_labels == ["POLITICS", "SPORT"]  # type: ignore[union-attr]


def test_doccano_lone_surrogate_in_a_pretty_printed_value_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text('{"text": "Kim.", "label": []}\n{\n  "text": "Kim\\ud800.",\n  "label": []\n}\n', encoding="utf-8")
    assert lines_of(list(read_doccano(path))) == [
        (2, "not valid JSON: a string holds a lone surrogate (\\ud800-\\udfff without its pair)")
    ]


# brat ----------------------------------------------------------------------------------------


def brat_problems(tmp_path: Path, text: str, ann: str) -> list[tuple[int, str]]:
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8")
    (tmp_path / "doc.ann").write_text(ann, encoding="utf-8")
    return lines_of(list(read_brat(tmp_path / "doc.ann")))


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ("16 21;32 39", "with text between its fragments"),
        ("32 39;16 21", "with fragments out of order or overlapping"),
        ("16 25;20 30", "with fragments out of order or overlapping"),
        ("16 16;17 21", "with an empty fragment"),
    ],
)
def test_brat_fragments_that_are_not_one_mention_are_refused(tmp_path: Path, where: str, why: str) -> None:
    text = "Kim Jong\nUn met North and South Koreans."
    ann = f"T1\tACTOR 0 8;9 11\tKim Jong Un\nT2\tACTOR {where}\n"
    ((line, message),) = brat_problems(tmp_path, text, ann)
    assert line == 2 and f"discontinuous span T2 (ACTOR {where}) {why}" in message


def test_brat_offsets_too_large_to_be_offsets_are_a_line_error(tmp_path: Path) -> None:
    ann = "T1\tACTOR 0 3\tKim\nT2\tACTOR 0 " + "9" * 5000 + "\n"
    ((line, message),) = brat_problems(tmp_path, "Kim met Putin.", ann)
    assert line == 2 and "is not START END" in message


# CoNLL ---------------------------------------------------------------------------------------


def test_conll_line_numbers_count_only_newlines(tmp_path: Path) -> None:
    path = tmp_path / "in.conll"
    path.write_bytes("Kim\u2028x B-ACTOR\nmet\x0cy O\nPutin\n".encode())
    assert lines_of(list(read_conll(path))) == [(3, "expected a token and a tag, got 'Putin'")]
    path.write_bytes(b"Kim B-ACTOR\nmet O\n\xff O\n")
    assert lines_of(list(read_conll(path))) == [(3, "not UTF-8 (byte 18: b'\\xff')")]
