"""doccano both ways, as doccano 1.8 really writes and reads its files: offsets in the unit its
user interface counts (UTF-16 by default, grapheme clusters in its grapheme mode), one file per
user named after the user, a byte order mark so that its encoding guess is right, the empty
`Comments` it adds, and one-line errors for every badly typed field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.exporters import ExportOptions, export_format, export_jsonl
from annotator.importers import ImportFailed, import_paths
from annotator.importers.doccano import read_doccano
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.text import OffsetMap
from tests.conftest import TRICKY_TEXT, ProjectMaker
from tests.unit.test_tools_fixtures import DOCCANO, schema_yaml

BOM = b"\xef\xbb\xbf"
PUTIN = "😀 Putin met Kim Jong Un in 🇷🇺 on Monday."


def utf16(text: str, offset: int) -> int:
    """What JavaScript's string indices (doccano's UI by default) count before `offset`."""
    return len(text[:offset].encode("utf-16-le")) // 2


def graphemes(text: str, offset: int) -> int:
    """What doccano's grapheme mode counts before `offset` (a boundary)."""
    return len(regex.findall(r"\X", text[:offset], flags=regex.DOTALL))


def write(path: Path, *records: dict[str, Any], bom: bool = False) -> Path:
    data = b"".join(orjson.dumps(r) + b"\n" for r in records)
    path.write_bytes(BOM + data if bom else data)
    return path


def layers(project: Project, tmp_path: Path) -> dict[str, list[tuple[str, str]]]:
    """annotator -> [(label, span text)] of every layer, read back through the native export."""
    out = tmp_path / "check.jsonl"
    export_jsonl(project, out)
    found: dict[str, list[tuple[str, str]]] = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["annotator"] is not None:
            spans = [(s["label"], s["text"]) for s in record["spans"]]
            found.setdefault(record["annotator"], []).extend(spans)
    return found


def records_of(path: Path) -> list[dict[str, Any]]:
    """The records as doccano reads them: its "JSONL(Relation)" import guesses the encoding (a
    byte order mark makes the guess UTF-8-SIG); its "JSONL" import opens the file as utf_8 and
    json.loads each line (which refuses a line that starts with a mark)."""
    data = path.read_bytes()
    if data.startswith(BOM):
        return [json.loads(line) for line in data.decode("utf_8_sig").splitlines()]
    return [json.loads(line) for line in data.decode("utf_8").splitlines()]


# Offsets in the unit doccano's UI counts ---------------------------------------------------


def test_a_span_drawn_after_an_emoji_in_doccano_arrives_on_its_text(make_project: ProjectMaker, tmp_path: Path) -> None:
    start = PUTIN.index("Putin")
    drawn = write(tmp_path / "admin.jsonl", {"id": 1, "text": PUTIN, "label": [[utf16(PUTIN, start), 8, "ACTOR"]]})
    assert utf16(PUTIN, start) == 3 and PUTIN[3:8] == "utin "  # what code points would make of it
    with Project.open(make_project()) as project:
        import_paths(project, [drawn])
        assert layers(project, tmp_path) == {"admin": [("ACTOR", "Putin")]}


def test_grapheme_mode_and_code_points_on_request(make_project: ProjectMaker, tmp_path: Path) -> None:
    text = TRICKY_TEXT
    start, end = text.index("Choe"), text.index("Choe") + len("Choe Ryong Hae")
    by_graphemes = write(
        tmp_path / "g.jsonl", {"text": text, "label": [[graphemes(text, start), graphemes(text, end), "ACTOR"]]}
    )
    by_code_points = write(tmp_path / "c.jsonl", {"text": text, "label": [[start, end, "ACTOR"]]})
    assert graphemes(text, start) != start != utf16(text, start)
    with Project.open(make_project()) as project:
        import_paths(project, [by_graphemes], offsets="graphemes")
        import_paths(project, [by_code_points], offsets="codepoints")
        assert layers(project, tmp_path) == {"g": [("ACTOR", "Choe Ryong Hae")], "c": [("ACTOR", "Choe Ryong Hae")]}


@pytest.mark.parametrize(
    ("offsets", "span", "problem"),
    [
        ("utf16", [1, 8, "ACTOR"], "UTF-16 unit 1 falls inside a surrogate pair"),
        ("utf16", [3, 99, "ACTOR"], "UTF-16 unit 99 is outside the text"),
        ("graphemes", [2, 99, "ACTOR"], "grapheme cluster 99 is outside the text"),
    ],
)
def test_offsets_that_do_not_fit_name_the_unit(
    make_project: ProjectMaker, tmp_path: Path, offsets: str, span: list[Any], problem: str
) -> None:
    path = write(tmp_path / "admin.jsonl", {"text": PUTIN, "label": [span]})
    with Project.open(make_project()) as project, pytest.raises(ImportFailed) as failure:
        import_paths(project, [path], offsets=offsets)
    (found,) = failure.value.problems
    assert found.line == 1 and problem in found.message
    assert "offsets were read as" in found.message and "--offsets" in found.message


TEXT_PIECES = st.sampled_from(
    ["Kim", " ", "Jong", "\r\n", "😀", "🇷🇺", "👩\u200d👩\u200d👧", "e\u0301", "平壤", "\t", "."]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(TEXT_PIECES, min_size=1, max_size=25), data=st.data())
def test_export_is_drawn_where_doccano_counts_and_reads_back(
    make_project: ProjectMaker, tmp_path_factory: pytest.TempPathFactory, pieces: list[str], data: st.DataObject
) -> None:
    """Spans on grapheme boundaries: the export's offsets are what doccano's UI counts in each
    unit (JavaScript indices, grapheme clusters, code points), and each reads back exactly."""
    text = "".join(pieces)
    bounds = sorted({m.end() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)} | {0})
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(bounds), st.sampled_from(bounds)), max_size=4))
    spans = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b and text[min(a, b) : max(a, b)].strip()})
    tmp = tmp_path_factory.mktemp("doccano")
    record = {
        "id": "d",
        "text": text,
        "annotator": "alice",
        "status": "done",
        "spans": [{"start": s, "end": e, "label": "ACTOR"} for s, e in spans],
    }
    (tmp / "in.jsonl").write_bytes(orjson.dumps(record) + b"\n")
    count = {"utf16": utf16, "graphemes": graphemes, "codepoints": lambda _text, offset: offset}
    with Project.open(make_project(schema_yaml(["ACTOR"]))) as project:
        import_paths(project, [tmp / "in.jsonl"])
        for unit, counted in count.items():
            out = tmp / f"{unit}.jsonl"
            export_format(project, "doccano", out, options=ExportOptions(offsets=unit))
            (line,) = records_of(out)
            assert sorted((s, e) for s, e, _ in line["label"]) == sorted(
                (counted(text, s), counted(text, e)) for s, e in spans
            )
            back = [r for r in read_doccano(out, offsets=unit) if isinstance(r, DocumentRecord)]
            assert [sorted((s.start, s.end) for s in r.spans) for r in back] == [spans]


def test_grapheme_export_reports_a_span_inside_a_cluster(make_project: ProjectMaker, tmp_path: Path) -> None:
    text = "Cafe\u0301 Kim"  # a span ending between "e" and its accent has no grapheme offset
    record = {"text": text, "annotator": "a", "status": "done", "spans": [{"start": 0, "end": 4, "label": "ACTOR"}]}
    (tmp_path / "in.jsonl").write_bytes(orjson.dumps(record) + b"\n")
    with Project.open(make_project(schema_yaml(["ACTOR"]))) as project:
        import_paths(project, [tmp_path / "in.jsonl"])
        report = export_format(project, "doccano", tmp_path / "g.jsonl", options=ExportOptions(offsets="graphemes"))
    (line,) = records_of(tmp_path / "g.jsonl")
    assert line["label"] == []
    (problem,) = report.problems
    assert (problem.text, problem.problem) == ("Cafe", "edge inside a grapheme cluster")


# One file per user ------------------------------------------------------------------------


def test_each_users_file_is_that_users_layer(make_project: ProjectMaker, tmp_path: Path) -> None:
    """doccano's export of a project: admin.jsonl and bob.jsonl, the same documents, no user inside."""
    kim = PUTIN.index("Kim")
    admin = write(tmp_path / "admin.jsonl", {"id": 1, "text": PUTIN, "label": [[3, 8, "ACTOR"]], "Comments": []})
    bob = write(
        tmp_path / "bob.jsonl",
        {"id": 1, "text": PUTIN, "label": [[utf16(PUTIN, kim), utf16(PUTIN, kim + 11), "ACTOR"]], "Comments": []},
    )
    with Project.open(make_project()) as project:
        report = import_paths(project, [admin, bob])
        assert (report.documents_added, report.layers_added) == (1, 2)
        assert layers(project, tmp_path) == {"admin": [("ACTOR", "Putin")], "bob": [("ACTOR", "Kim Jong Un")]}


def test_our_export_back_from_doccano_is_the_users_layer_without_comments(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    """Our export went into doccano and came back in admin.jsonl: doccano kept our keys as meta
    (flattened into the record) and added Comments. The layer is admin's, not alice's."""
    record = {
        "id": "nk-1",
        "text": PUTIN,
        "meta": {"date": "2014-11-14"},
        "annotator": "alice",
        "status": "done",
        "spans": [{"start": 2, "end": 7, "label": "ACTOR"}],
    }
    (tmp_path / "in.jsonl").write_bytes(orjson.dumps(record) + b"\n")
    with Project.open(make_project()) as project:
        import_paths(project, [tmp_path / "in.jsonl"])
        export_format(project, "doccano", tmp_path / "ours.jsonl")
    (ours,) = records_of(tmp_path / "ours.jsonl")
    back = {**ours, "Comments": []}  # doccano's own id is overridden by the "id" it keeps from our record
    with Project.open(make_project()) as project:
        import_paths(project, [write(tmp_path / "admin.jsonl", back, bom=False)])
        (line,) = [json.loads(x) for x in _native(project, tmp_path).splitlines()]
    assert (line["id"], line["annotator"], line["meta"]) == ("nk-1", "admin", {"date": "2014-11-14"})
    assert [s["text"] for s in line["spans"]] == ["Putin"]


def test_our_untouched_export_keeps_its_layers(make_project: ProjectMaker, tmp_path: Path) -> None:
    records = [
        {
            "id": "x",
            "text": PUTIN,
            "annotator": name,
            "status": "done",
            "spans": [{"start": s, "end": e, "label": "ACTOR"}],
        }
        for name, s, e in (("alice", 2, 7), ("bob", 12, 23))
    ]
    (tmp_path / "in.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    with Project.open(make_project()) as project:
        import_paths(project, [tmp_path / "in.jsonl"])
        export_format(project, "doccano", tmp_path / "out.jsonl")
    with Project.open(make_project()) as project:
        import_paths(project, [tmp_path / "out.jsonl"])
        assert layers(project, tmp_path) == {"alice": [("ACTOR", "Putin")], "bob": [("ACTOR", "Kim Jong Un")]}


def _native(project: Project, tmp_path: Path) -> str:
    export_jsonl(project, tmp_path / "native.jsonl")
    return (tmp_path / "native.jsonl").read_text(encoding="utf-8")


# Byte order mark, Comments, fixtures ------------------------------------------------------


def test_the_relation_form_has_a_byte_order_mark_the_sequence_form_none(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    """doccano's relation import guesses the encoding (the mark makes the guess right); its JSONL
    import reads utf_8 and refuses a mark. Our readers take the file either way."""
    founded = [("foundedAt", ["ORG"], ["DATE"]), ("foundedBy", ["ORG"], ["PERSON"])]
    kinds = {
        "sequence": schema_yaml(["LOC", "ORG"]),
        "relation": schema_yaml(["LOC", "ORG", "DATE", "PERSON"], founded),
    }
    for kind, schema in kinds.items():
        with Project.open(make_project(schema)) as project:
            import_paths(project, [DOCCANO / "import_sequence_labeling_overlapping.jsonl"])
            import_paths(
                project, [write(tmp_path / "accents.jsonl", {"text": "Café Ünïcode 😀", "label": [[0, 4, "ORG"]]})]
            )
            export_format(project, "doccano", tmp_path / f"{kind}.jsonl")
    sequence, relation = (tmp_path / "sequence.jsonl").read_bytes(), (tmp_path / "relation.jsonl").read_bytes()
    assert relation.startswith(BOM) and relation.count(BOM) == 1 and not sequence.startswith(BOM)
    assert [r["text"] for r in records_of(tmp_path / "relation.jsonl")] == ["exampleA", "Café Ünïcode 😀"]
    assert "label" in records_of(tmp_path / "sequence.jsonl")[1]
    pretty = tmp_path / "pretty.json"
    pretty.write_bytes(BOM + (DOCCANO / "export_relation_extraction.pretty.json").read_bytes())
    with Project.open(make_project(kinds["relation"])) as project:
        import_paths(project, [tmp_path / "relation.jsonl", tmp_path / "sequence.jsonl"])
        import_paths(project, [pretty], format_name="doccano", offsets="codepoints")
        found = layers(project, tmp_path)
    assert found["accents"] == [("ORG", "Café")]  # both exports hold the same layers: the second repeats them
    assert found["import_sequence_labeling_overlapping"] == [("LOC", "e")]
    assert len(found["pretty"]) == 4


def test_an_empty_comments_key_is_not_carried_a_real_one_is(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = write(
        tmp_path / "admin.jsonl",
        {"id": 1, "text": "one", "label": [], "Comments": [], "source": "x"},
        {"id": 2, "text": "two", "label": [], "Comments": ["check this"]},
        {"id": 3, "text": "six", "label": [], "meta": {"Comments": []}},
    )
    with Project.open(make_project()) as project:
        import_paths(project, [path])
        metas = [json.loads(line)["meta"] for line in _native(project, tmp_path).splitlines()]
    assert metas == [{"source": "x"}, {"Comments": ["check this"]}, {}]


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"text": "abc", "label": [[0, 1, ["ACTOR"]]]}, "label[0][2] must be a string or an integer, got a list"),
        ({"text": "abc", "label": [["0", 1, "ACTOR"]]}, "label[0][0] must be an integer, got a string"),
        ({"text": "abc", "label": [[True, 1, "ACTOR"]]}, "label[0][0] must be an integer, got true"),
        ({"text": "abc", "label": "ACTOR"}, ": label must be a list, got a string"),
        ({"text": "abc", "entities": [{"start_offset": 0, "end_offset": 1, "label": {}}]}, "got an object"),
        ({"text": "abc", "entities": [], "relations": [{"from_id": [], "to_id": 1, "type": "X"}]}, "from_id"),
        (
            {"text": "abc", "entities": [], "relations": [{"from_id": 0, "to_id": 1, "type": 3}]},
            "relations[0].type must be a string, got an integer",
        ),
        ({"text": "abc", "label": [], "cats": [1]}, "cats[0] must be a string"),
        ({"text": "abc", "label": [], "id": [1]}, ": id must be a string or an integer, got a list"),
        ({"text": ["abc"], "label": []}, "must be a non-empty string"),
        ({"text": "abc", "label": [], "schema": {}, "annotator": ["x"]}, ": annotator must be a string, got a list"),
    ],
)
def test_a_badly_typed_field_is_one_line_naming_file_and_line(
    make_project: ProjectMaker, tmp_path: Path, record: dict[str, Any], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "admin.jsonl", {"text": "fine", "label": []}, record)
    root = make_project()
    assert main(["import", str(root), str(path), "--format", "doccano"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2:" in err and problem in err and "Traceback" not in err
    with Project.open(root) as project:
        assert _native(project, tmp_path) == ""


def test_cli_offsets_flags(make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project()
    path = write(tmp_path / "admin.jsonl", {"text": PUTIN, "label": [[2, 7, "ACTOR"]]})
    assert main(["import", str(root), str(path), "--offsets", "codepoints"]) == 0
    assert (
        main(["export", str(root), "-o", str(tmp_path / "g.jsonl"), "--format", "doccano", "--offsets", "graphemes"])
        == 0
    )
    assert _offsets(tmp_path / "g.jsonl") == [(2, 7)]
    assert main(["export", str(root), "-o", str(tmp_path / "u.jsonl"), "--format", "doccano"]) == 0
    assert _offsets(tmp_path / "u.jsonl") == [(3, 8)]
    capsys.readouterr()
    assert main(["export", str(root), "-o", str(tmp_path / "n.jsonl"), "--offsets", "utf16"]) == 1
    assert "--offsets is for --format doccano" in capsys.readouterr().err
    assert main(["import", str(root), str(DOCCANO / "import_sequence_labeling_conll.txt"), "--offsets", "utf16"]) == 1
    assert "--offsets is for doccano files" in capsys.readouterr().err


def _offsets(path: Path) -> list[tuple[int, int]]:
    (record,) = records_of(path)
    return [(e["start_offset"], e["end_offset"]) for e in record["entities"]]  # the news schema has relations


# The conversions (text.py) -----------------------------------------------------------------

CHARACTERS = st.sampled_from(
    ["a", " ", "\r", "\n", "\u0301", "\u200d", "👩", "🇷", "🇺", "\ufe0f", "\u0600", "\u1100", "\u1161", "평", "\ud800"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(CHARACTERS, max_size=40).map("".join))
def test_grapheme_offsets_both_ways_against_the_unicode_segmentation(text: str) -> None:
    """Every cluster boundary maps to its index and back (CRLF, ZWJ, flags, prepended marks,
    Hangul, a lone surrogate); every offset inside a cluster is refused, never rounded."""
    mapping = OffsetMap(text)
    bounds = [0] + [m.end() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)]
    for index, offset in enumerate(bounds):
        assert mapping.to_graphemes(offset) == index
        assert mapping.from_graphemes(index) == offset
    for offset in set(range(len(text) + 1)) - set(bounds):
        with pytest.raises(ValueError, match="inside a grapheme cluster"):
            mapping.to_graphemes(offset)
    with pytest.raises(ValueError, match="outside the text"):
        mapping.from_graphemes(len(bounds))


def test_two_files_of_one_user_name_never_hide_each_other(make_project: ProjectMaker, tmp_path: Path) -> None:
    """round1/admin.jsonl and round2/admin.jsonl: one layer name, two different layers."""
    (tmp_path / "round1").mkdir()
    (tmp_path / "round2").mkdir()
    first = write(tmp_path / "round1" / "admin.jsonl", {"id": 1, "text": PUTIN, "label": [[3, 8, "ACTOR"]]})
    second = write(tmp_path / "round2" / "admin.jsonl", {"id": 1, "text": PUTIN, "label": [[13, 24, "ACTOR"]]})
    with Project.open(make_project()) as project:
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [first, second])
        assert _native(project, tmp_path) == ""
        import_paths(project, [first])
        import_paths(project, [second], annotator="admin-round2")
        assert layers(project, tmp_path) == {"admin": [("ACTOR", "Putin")], "admin-round2": [("ACTOR", "Kim Jong Un")]}
    (problem,) = failure.value.problems
    assert (problem.source, problem.line) == (str(second), 1)
    assert f"different layers by 'admin' in this import (the other from {first}:1)" in problem.message
