"""native -> Prodigy / doccano / Label Studio / brat -> import -> native: the same spans,
relations and attributes where the format can hold them, and a report of what it could not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.exporters import FormatReport, export_format
from annotator.exporters.base import FormatWriter
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import EXAMPLE, TRICKY_TEXT, ProjectMaker, write_jsonl
from tests.unit.test_tools_fixtures import native

# Where each format puts one output (brat writes a folder).
OUTPUT = {"prodigy": "out.jsonl", "doccano": "out.jsonl", "label-studio": "out.json", "brat": "out"}
LOSSLESS = ("prodigy", "label-studio", "brat")


def content(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Per document: its id and text, spans with attributes, relations by their ends' offsets."""
    found = []
    for record in records:
        bounds = {s["id"]: (s["start"], s["end"], s["label"]) for s in record["spans"]}
        spans = sorted(
            (s["start"], s["end"], s["label"], s["text"], json.dumps(s["attributes"])) for s in record["spans"]
        )
        relations = sorted((r["label"], bounds[r["head"]], bounds[r["tail"]]) for r in record["relations"])
        found.append((record["id"], record["text"], spans, relations))
    return found


def round_trip(
    make_project: ProjectMaker, tmp_path: Path, source: Path, format_name: str, schema: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], FormatReport]:
    """The native records before, after, and the export's report."""
    with Project.open(make_project(schema)) as first:
        import_paths(first, [source])
        before = native(first, tmp_path / "before.jsonl")
        report = export_format(first, format_name, tmp_path / OUTPUT[format_name])
    with Project.open(make_project(schema)) as second:
        import_paths(second, [tmp_path / OUTPUT[format_name]], format_name=format_name)
        after = native(second, tmp_path / "after.jsonl")
    return before, after, report


@pytest.mark.parametrize("format_name", LOSSLESS)
def test_reference_round_trips_whole(make_project: ProjectMaker, tmp_path: Path, format_name: str) -> None:
    before, after, report = round_trip(make_project, tmp_path, EXAMPLE / "reference.jsonl", format_name)
    ((_, _, spans, relations),) = content(before)
    assert (len(spans), len(relations)) == (77, 14)
    assert sum(s[4] != "{}" for s in spans) == 65  # spans with attributes
    assert content(after) == content(before)
    assert report.problems == [] and (report.spans, report.relations) == (77, 14)
    if format_name != "brat":  # brat has no place for the annotator and the status
        assert [(r["annotator"], r["status"]) for r in after] == [("reference", "done")]


def test_doccano_round_trip_loses_only_attributes_and_says_so(make_project: ProjectMaker, tmp_path: Path) -> None:
    before, after, report = round_trip(make_project, tmp_path, EXAMPLE / "reference.jsonl", "doccano")
    stripped = [(i, t, [(*s[:4], "{}") for s in spans], r) for i, t, spans, r in content(before)]
    assert content(after) == stripped
    with_attributes = [s for s in before[0]["spans"] if s["attributes"]]
    assert [(p.document, p.span, p.text) for p in report.problems] == [
        ("nk-russia-1", s["id"], s["text"]) for s in with_attributes
    ]
    assert report.counts() == {"attributes not written (doccano has no span attributes)": 65}
    assert [(r["annotator"], r["status"]) for r in after] == [("reference", "done")]


def tricky_record() -> dict[str, Any]:
    """Spans after emoji and a flag, one across a CRLF line break, around a no-break space and a
    combining accent, with attributes and relations."""
    text = TRICKY_TEXT

    def at(piece: str, label: str, **attributes: Any) -> dict[str, Any]:
        start = text.index(piece)
        return {"id": piece, "start": start, "end": start + len(piece), "label": label, "attributes": attributes}

    spans = [
        at("Kim Jong Un", "ACTOR", kind="person"),
        at("met 🇷🇺 officials.\r\n👩‍👩‍👧", "CLAIM"),
        at("Choe Ryong Hae", "ACTOR", kind="person"),
        at("the talks\u00a0resume  on Monday", "CLAIM"),
        at("Monday", "DATE", value="2014-11-17"),
        at("Cafe\u0301 owners", "ACTOR", kind="other"),
        at("2014-11-14", "DATE", value="2014-11-14"),
    ]
    relations = [
        {"label": "SAID_BY", "head": "met 🇷🇺 officials.\r\n👩‍👩‍👧", "tail": "Kim Jong Un"},
        {"label": "SAID_BY", "head": "the talks\u00a0resume  on Monday", "tail": "Choe Ryong Hae"},
        {"label": "WHEN", "head": "the talks\u00a0resume  on Monday", "tail": "Monday"},
    ]
    return {"id": "tricky", "text": text, "spans": spans, "relations": relations, "annotator": "a", "status": "done"}


@pytest.mark.parametrize("format_name", LOSSLESS)
def test_tricky_text_round_trips_exactly(make_project: ProjectMaker, tmp_path: Path, format_name: str) -> None:
    source = write_jsonl(tmp_path / "tricky.jsonl", [json.dumps(tricky_record(), ensure_ascii=False)])
    before, after, report = round_trip(make_project, tmp_path, source, format_name)
    assert len(before[0]["spans"]) == 7 and len(before[0]["relations"]) == 3
    assert content(after) == content(before)
    assert report.problems == []
    assert "\r\n" in after[0]["text"]


def test_brat_writes_a_span_across_a_line_break_as_fragments(make_project: ProjectMaker, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "tricky.jsonl", [json.dumps(tricky_record(), ensure_ascii=False)])
    with Project.open(make_project()) as project:
        import_paths(project, [source])
        export_format(project, "brat", tmp_path / "out")
    assert (tmp_path / "out" / "tricky.txt").read_bytes() == TRICKY_TEXT.encode("utf-8")  # CRLF kept
    claim = next(
        line for line in (tmp_path / "out" / "tricky.ann").read_text(encoding="utf-8").split("\n") if "met" in line
    )
    start = TRICKY_TEXT.index("met")
    crlf = TRICKY_TEXT.index("\r\n")
    assert claim.split("\t")[1] == f"CLAIM {start} {crlf};{crlf + 2} {crlf + 2 + len('👩‍👩‍👧')}"
    assert claim.split("\t")[2] == "met 🇷🇺 officials. 👩‍👩‍👧"  # brat joins fragments with a space


@pytest.mark.parametrize("format_name", ["prodigy", "doccano", "label-studio", "brat"])
def test_split_exports_and_reimports(make_project: ProjectMaker, tmp_path: Path, format_name: str) -> None:
    lines = [
        json.dumps(
            {
                "id": f"d{i}",
                "text": f"Kim Jong Un spoke on day {i}.",
                "annotator": "a",
                "status": "done",
                "spans": [{"start": 0, "end": 11, "label": "ACTOR"}],
            }
        )
        for i in range(30)
    ]
    source = write_jsonl(tmp_path / "many.jsonl", lines)
    with Project.open(make_project()) as project:
        import_paths(project, [source])
        report = export_format(project, format_name, tmp_path / "split", split=(0.6, 0.2, 0.2), seed=3)
    parts = sorted(p.name for p in (tmp_path / "split").iterdir() if not p.name.startswith("."))
    names = {
        "brat": ["dev", "test", "train"],
        "label-studio": [
            "dev.config.xml",
            "dev.json",
            "test.config.xml",
            "test.json",
            "train.config.xml",
            "train.json",
        ],
    }.get(format_name, ["dev.jsonl", "test.jsonl", "train.jsonl"])
    assert parts == names and report.documents == 30
    with Project.open(make_project()) as copy:
        outputs = [tmp_path / "split" / n for n in names if not n.endswith(".xml")]
        imported = import_paths(copy, outputs, format_name=format_name)
    assert (imported.documents_added, imported.spans_added) == (30, 30)


class Interrupted(Exception):
    pass


@pytest.fixture
def interrupted_writer(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every writer fails on its second record."""
    seen: list[int] = []

    def add(self: FormatWriter, record: dict[str, Any]) -> None:
        seen.append(1)
        if len(seen) > 1:
            raise Interrupted
        original[type(self)](self, record)

    from annotator.formats import BY_NAME

    original = {BY_NAME[name].load_writer(): BY_NAME[name].load_writer().add for name in OUTPUT}
    for writer in original:
        monkeypatch.setattr(writer, "add", add)
    yield


@pytest.mark.parametrize("format_name", list(OUTPUT))
def test_a_failed_export_leaves_nothing_behind(
    make_project: ProjectMaker, tmp_path: Path, format_name: str, interrupted_writer: None
) -> None:
    lines = [json.dumps({"id": f"d{i}", "text": f"Text {i}."}) for i in range(3)]
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "exports"
    out.mkdir()
    with Project.open(make_project()) as project:
        import_paths(project, [source])
        with pytest.raises(Interrupted):
            export_format(project, format_name, out / OUTPUT[format_name])
    assert list(out.iterdir()) == []
