"""annotator/formats.py: the one table of formats is complete, and every row works end to end.

The tests iterate over the table, so a new row is covered without editing them.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import build_parser
from annotator.cli_errors import UsageError
from annotator.exporters import export_format
from annotator.exporters.base import FormatWriter
from annotator.formats import BY_NAME, BY_SUFFIX, FOLDER_SUFFIXES, FORMATS, READABLE, WRITABLE, Format
from annotator.importers import detect_format, import_paths
from annotator.project import Project
from tests.conftest import REPO, ProjectMaker, write_jsonl
from tests.unit.test_tools_fixtures import native

ROUND_TRIPS = [format_ for format_ in FORMATS if format_.reader and format_.writer]


def test_every_name_is_in_the_table_once() -> None:
    names = [format_.name for format_ in FORMATS]
    assert len(names) == len(set(names)) == len(BY_NAME)
    assert all(format_.reader or format_.writer for format_ in FORMATS)


def test_the_cli_accepts_exactly_the_table_s_readers_and_writers(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for arguments, accepted in ((["import", "p", "f"], READABLE), (["export", "p", "-o", "x"], WRITABLE)):
        for name in accepted:
            assert parser.parse_args([*arguments, "--format", name]).format_name == name
        for name in [*(set(BY_NAME) - set(accepted)), "no-such-format"]:
            with pytest.raises(UsageError, match=f"unknown format {name!r}"):
                parser.parse_args([*arguments, "--format", name])
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    listed = " ".join(capsys.readouterr().out.split())
    assert f"import {', '.join(BY_NAME[name].title for name in READABLE)}, or folders" in listed
    assert all(name in listed for name in WRITABLE)


@pytest.mark.parametrize("format_", FORMATS, ids=lambda format_: format_.name)
def test_every_reader_writer_and_sniffer_resolves_and_takes_what_the_table_says(format_: Format) -> None:
    if format_.reader:
        parameters = inspect.signature(format_.load_reader()).parameters
        assert ("schema" in parameters) == format_.needs_schema
        assert ("offsets" in parameters) == format_.takes_offsets
        assert format_.suffixes, "a folder import would never pick its files up"
    if format_.writer:
        writer = format_.load_writer()
        assert issubclass(writer, FormatWriter)
        assert writer.is_folder == format_.folder
    if format_.sniff:
        assert callable(format_.load_sniffer())


def test_suffixes_say_what_a_folder_import_takes_and_what_a_plain_file_is() -> None:
    assert {".txt", ".jsonl", ".json", ".conll", ".iob", ".ann"} == FOLDER_SUFFIXES
    assert BY_SUFFIX == {".txt": "txt", ".jsonl": "jsonl"}  # the formats no sniffer recognises


def test_the_table_loads_no_format_module_and_no_spacy() -> None:
    code = (
        "import sys, annotator.formats\n"
        "print([m for m in sys.modules if m.startswith(('annotator.importers', 'annotator.exporters', 'spacy'))])"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert found.stdout.strip() == "[]"


def test_only_the_formats_that_need_spacy_load_it(make_project: ProjectMaker, tmp_path: Path) -> None:
    """Export every format the table says needs no spaCy, and import it back: spaCy stays unloaded."""
    names = [format_.name for format_ in FORMATS if format_.writer and not format_.needs_spacy]
    assert {"jsonl", "prodigy", "doccano", "label-studio", "brat"} <= set(names)
    source = write_jsonl(tmp_path / "source.jsonl", source_records())
    first, copies = make_project(), {name: str(make_project()) for name in names}
    code = f"""
import json, sys
from pathlib import Path
from typing import Any
from annotator.exporters import export_format
from annotator.formats import BY_NAME
from annotator.importers import import_paths
from annotator.project import Project

outputs = {{name: Path({str(tmp_path)!r}) / ("out-" + name) for name in {names!r}}}
with Project.open({str(first)!r}) as project:
    import_paths(project, [{str(source)!r}])
    for name, output in outputs.items():
        export_format(project, name, output)
for name, copy in {copies!r}.items():
    with Project.open(copy) as project:
        import_paths(project, [outputs[name]], format_name=name if BY_NAME[name].reader else None)
print(json.dumps(sorted(module for module in sys.modules if module.split(".")[0] == "spacy")))
"""
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout) == []


def source_records() -> list[str]:
    """Two documents with spans every format can hold: on word boundaries, apart, no attributes."""
    texts = ("Kim Jong Un met Putin in Moscow .", "Putin said on Monday that talks resume .")
    spans = ((("Kim Jong Un", "ACTOR"), ("Putin", "ACTOR")), (("Putin", "ACTOR"), ("Monday", "DATE")))
    records = []
    for number, (text, pieces) in enumerate(zip(texts, spans, strict=True)):
        found = [(text.index(piece), text.index(piece) + len(piece), label) for piece, label in pieces]
        records.append(
            {
                "id": f"doc-{number}",
                "text": text,
                "annotator": "alice",
                "status": "done",
                "spans": [{"start": start, "end": end, "label": label} for start, end, label in found],
            }
        )
    return [json.dumps(record) for record in records]


@pytest.mark.parametrize("format_", ROUND_TRIPS, ids=lambda format_: format_.name)
def test_every_format_round_trips_through_its_writer_and_reader(
    make_project: ProjectMaker, tmp_path: Path, format_: Format
) -> None:
    """Written by the table's writer, recognised by detection (no --format), read back with the same spans."""
    source = write_jsonl(tmp_path / "source.jsonl", source_records())
    with Project.open(make_project()) as first:
        import_paths(first, [source])
        before = native(first, tmp_path / "before.jsonl")
        suffix = format_.load_writer().suffix
        output = tmp_path / f"out{suffix}"
        report = export_format(first, format_.name, output)
    assert report.problems == [] and report.spans == 4
    files = [output]
    if format_.folder:  # what a folder import reads of it: not brat's annotation.conf, not the export's record
        files = [path for path in output.rglob("*") if path.suffix in FOLDER_SUFFIXES and path.name[0] != "."]
    assert files and {detect_format(path) for path in files} == {format_.name}
    with Project.open(make_project()) as second:
        imported = import_paths(second, [output])
        after = native(second, tmp_path / "after.jsonl")
    assert imported.spans_added == 4

    def labelled(records: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
        return [sorted((span["text"], span["label"]) for span in record["spans"]) for record in records]

    assert labelled(after) == labelled(before)
