"""Every reader, fed hostile files: records, or an error naming file:line — nothing else.

Seeds are real files of each tool (tests/fixtures/tools) and our own exports of the example
project in every format. Hypothesis mutates them two ways:
- bytes: truncation, insertion (NUL, invalid UTF-8, an encoded surrogate, a BOM, brackets,
  quotes, line breaks, random bytes), deletion, concatenation with itself, a BOM in front;
- JSON: one value anywhere in a record replaced (wrong types, huge or non-finite numbers, lone
  surrogates, NULs, nesting 200, 201 or 100,000 deep, random JSON) or its key removed, then
  written back in the file's own form (JSONL, pretty-printed values, one array).

Each mutated file is imported through import_paths into a project: either it imports, or it
raises ImportFailed whose every problem names one of the files and a line inside it, and the
database is exactly as before. Any other exception fails the test. Detection is run on the
file too (it may find no format, with an AnnotatorError, but never crash).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.db.tables import Base
from annotator.errors import AnnotatorError
from annotator.exporters import export_format
from annotator.formats import READABLE
from annotator.importers import ImportFailed, LabelMapping, detect_format, import_paths
from annotator.project import Project
from tests.conftest import EXAMPLE, NEWS_SCHEMA

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tools"
# Per format and kind of mutation: the whole file runs in well under a minute. Set
# ANNOTATOR_FUZZ_EXAMPLES=2000 for a long hunt.
EXAMPLES = int(os.environ.get("ANNOTATOR_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# How a seed's values are laid out in its file, so a JSON mutation is written back the same way.
JSONL, PRETTY, ARRAY, OBJECT, TEXT = "jsonl", "pretty", "array", "object", "text"


@dataclass(frozen=True, repr=False)
class Seed:
    files: dict[str, bytes]  # name -> content; the first is the one imported
    layout: str

    def __repr__(self) -> str:
        return f"Seed({', '.join(self.files)})"


def _layout(data: bytes, name: str) -> str:
    if not name.endswith((".json", ".jsonl")):
        return TEXT
    text = data.decode("utf-8-sig").lstrip()
    if text.startswith("["):
        return ARRAY
    if name.endswith(".json") and text.count("\n{") == 0:
        return OBJECT
    return PRETTY if "\n  " in text else JSONL


def _project_dir(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "schema.yaml").write_bytes(NEWS_SCHEMA.read_bytes())
    (root / "project.yaml").write_text("name: fuzz\nschema: schema.yaml\ndatabase: annotator.db\n", encoding="utf-8")
    return root


def _seeds(folder: Path) -> dict[str, list[Seed]]:
    """The real files of each tool, and our exports of the example project."""
    exported = folder / "exports"
    exported.mkdir()
    with Project.open(_project_dir(folder / "seed-project")) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
        for name, target in (
            ("prodigy", "ours.jsonl"),
            ("doccano", "ours.jsonl"),
            ("label-studio", "ours.json"),
            ("conll", "ours.conll"),
            ("brat", "brat"),
        ):
            (exported / name).mkdir()
            export_format(project, name, exported / name / target)

    def one(path: Path) -> Seed:
        data = path.read_bytes()
        return Seed({path.name: data}, _layout(data, path.name))

    def brat(ann: Path) -> Seed:
        return Seed(
            {ann.name: ann.read_bytes(), ann.with_suffix(".txt").name: ann.with_suffix(".txt").read_bytes()}, TEXT
        )

    return {
        "jsonl": [one(EXAMPLE / "reference.jsonl")],
        "txt": [one(EXAMPLE / "north-korea-russia-ties.txt")],
        "prodigy": [one(p) for p in sorted((FIXTURES / "prodigy").glob("*.jsonl"))]
        + [one(exported / "prodigy" / "ours.jsonl")],
        "doccano": [one(p) for p in sorted((FIXTURES / "doccano").glob("*.json*"))]
        + [one(exported / "doccano" / "ours.jsonl")],
        "label-studio": [one(p) for p in sorted((FIXTURES / "label-studio").glob("*.json"))]
        + [one(exported / "label-studio" / "ours.json")],
        "conll": [
            one(FIXTURES / "spacy-iob" / "ner-token-per-line.iob"),
            one(FIXTURES / "doccano" / "import_sequence_labeling_conll.txt"),
            one(exported / "conll" / "ours.conll"),
        ],
        "brat": [brat(p) for p in sorted((FIXTURES / "brat" / "news-tutorial").glob("*.ann"))]
        + [brat(p) for p in sorted((exported / "brat" / "brat").rglob("*.ann"))],
    }


# The tools' files use their own labels: map them onto the news schema so that their records get
# past the label check and into the loader's other checks (and --map's code is fuzzed too).
MAPPING = LabelMapping(
    rename={
        **dict.fromkeys(
            ("GPE", "Organization", "Person", "PER", "PERSON", "ORG", "LOC", "NORP", "FASHION_BRAND", "GGP"), "ACTOR"
        ),
        "INGREDIENT": "ACTOR",
        "Date": "DATE",
    },
    drop=frozenset(
        {"Merge-org", "Money", "Report", "Transfer-money", "MISC", "Family", "Located", "Origin", "foundedAt"}
        | {"foundedBy", "Binds", "Neg-Reg", "No-rel", "Pos-Reg", "Reg"}
    ),
)

FORMATS = READABLE  # every reader in the table: a new one needs seeds in _seeds()
JSON_FORMATS = ("jsonl", "prodigy", "doccano", "label-studio")


class Bench:
    def __init__(self, seeds: dict[str, list[Seed]], projects: dict[str, Project], scratch: Path) -> None:
        self.seeds, self.projects, self.scratch = seeds, projects, scratch

    def __repr__(self) -> str:  # hypothesis prints the test's arguments on failure
        return "Bench()"


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    folder = tmp_path_factory.mktemp("fuzz")
    projects = {name: Project.open(_project_dir(folder / f"project-{name}")) for name in FORMATS}
    try:
        yield Bench(_seeds(folder), projects, folder)
    finally:
        for project in projects.values():
            project.close()


# Byte mutations ------------------------------------------------------------------------------

HOSTILE_BYTES = [
    b"\x00",
    b"\xff",
    b"\xc3",  # a cut UTF-8 sequence
    b"\xed\xa0\x80",  # a surrogate encoded as UTF-8 (CESU), not UTF-8
    b"\xef\xbb\xbf",
    b'"\\ud800"',
    b"\\ud800",
    b"[" * 300,
    b"{" * 300,
    b"99999999999999999999999",
    b"\n",
    b"\r",
    b"\t",
    b" ",
    b'"',
    b"\\",
    b",",
    b"]",
    b"}",
    b";",
    b"NaN",
]


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["truncate", "insert", "delete", "twice", "bom", "replace"]))
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            piece = draw(st.sampled_from(HOSTILE_BYTES) | st.binary(min_size=1, max_size=8))
            data = data[:at] + piece + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif kind == "twice":
            data = data + data
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    return data


# JSON mutations ------------------------------------------------------------------------------

# Raw JSON text no Python value serialises to, put in place of a marker string.
RAW = [
    "[" * 200 + "]" * 200,
    "[" * 201 + "]" * 201,
    '{"a":' * 250 + "1" + "}" * 250,
    "[" * 100_000 + "]" * 100_000,
    '"\\ud800"',
    '"x\\udfff"',
    '"\\ud83d\\ude00"',
    '"\\u0000"',
    "18446744073709551616",
    "-9223372036854775809",
    "1" + "0" * 5000,
    "NaN",
    "-Infinity",
    "1e400",
    "1.5",
    "-1",
]
MARKER = "@@raw{}@@"

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "ACTOR", "CLAIM", "DATE", "SAID_BY", "done", "todo", "accept", "ignore", "s1", "0"])
    | st.sampled_from([MARKER.format(i) for i in range(len(RAW))])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _parse(data: bytes, layout: str) -> list[Any]:
    text = data.decode("utf-8-sig")
    if layout in (ARRAY, OBJECT):
        value = json.loads(text)
        return value if isinstance(value, list) else [value]
    decoder, values, at = json.JSONDecoder(), [], 0
    while True:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if at == len(text):
            return values
        value, at = decoder.raw_decode(text, at)
        values.append(value)


def _write(values: list[Any], layout: str, ascii_only: bool) -> bytes:
    def dump(value: Any, indent: int | None = None) -> str:
        return json.dumps(value, ensure_ascii=ascii_only, indent=indent)

    if layout == ARRAY:
        text = dump(values, 1)
    elif layout == OBJECT:
        text = dump(values[0], 2) if len(values) == 1 else dump(values, 2)
    elif layout == PRETTY:
        text = "".join(dump(v, 2) + "\n" for v in values)
    else:
        text = "".join(dump(v) + "\n" for v in values)
    for index, raw in enumerate(RAW):
        text = text.replace(json.dumps(MARKER.format(index)), raw)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate left in a str: invalid UTF-8


@st.composite
def json_mutation(draw: st.DrawFn, seed: Seed) -> bytes:
    values = _parse(next(iter(seed.files.values())), seed.layout)
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(list(_paths(values))[1:]))
        *parents, last = path
        container = values
        for step in parents:
            container = container[step]
        if isinstance(container, dict) and draw(st.booleans()):
            del container[last]
        else:
            container[last] = draw(json_values)
    return _write(values, seed.layout, draw(st.booleans()))


# The check -----------------------------------------------------------------------------------


KEPT_TABLES = ("projects", "schema_versions")  # what a fresh project has


def _empty(project: Project) -> None:
    """Back to a fresh project after an import that succeeded (opening a new one per example
    would cost more than the example), so that every example imports into an empty project."""
    with project.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                connection.execute(table.delete())


def _snapshot(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    with project.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def check_import(bench: Bench, format_name: str, files: dict[str, bytes]) -> bool:
    """Import the files: records (True), or ImportFailed naming file:line with the database
    unchanged (False)."""
    folder = Path(tempfile.mkdtemp(dir=bench.scratch))
    paths = [folder / name for name in files]
    for path, data in zip(paths, files.values(), strict=True):
        path.write_bytes(data)
    with contextlib.suppress(AnnotatorError):  # no format fits, or several do: said in one line
        detect_format(paths[0])
    project = bench.projects[format_name]
    before = _snapshot(project)
    try:
        import_paths(project, [paths[0]], format_name=format_name, mapping=MAPPING)
    except ImportFailed as failure:
        assert failure.problems
        lines = {str(path): path.read_bytes().count(b"\n") + 1 for path in paths}
        for problem in failure.problems:
            assert problem.source in lines, problem
            assert 1 <= problem.line <= lines[problem.source], problem
            assert problem.message and "\n" not in problem.message, problem
        assert _snapshot(project) == before, "a failed import changed the database"
        return False
    _empty(project)
    return True


@pytest.mark.parametrize("format_name", FORMATS)
@FUZZ
@given(data=st.data())
def test_any_bytes_import_or_fail_at_file_and_line(bench: Bench, format_name: str, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(bench.seeds[format_name]))
    which = data.draw(st.sampled_from(sorted(seed.files)))
    files = dict(seed.files)
    files[which] = data.draw(byte_mutation(files[which]))
    check_import(bench, format_name, files)


@pytest.mark.parametrize("format_name", JSON_FORMATS)
@FUZZ
@given(data=st.data())
def test_any_json_import_or_fail_at_file_and_line(bench: Bench, format_name: str, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(bench.seeds[format_name]))
    files = dict(seed.files)
    files[next(iter(files))] = data.draw(json_mutation(seed))
    check_import(bench, format_name, files)


def test_the_seeds_import(bench: Bench) -> None:
    """The mutations start from files that import: all of our exports, and the tools' files but
    those holding what the project cannot."""
    failing = {
        next(iter(seed.files))
        for format_name, seeds in bench.seeds.items()
        for seed in seeds
        if not check_import(bench, format_name, dict(seed.files))
    }
    assert failing == {  # events, equivalences, attributes the schema lacks; a record without text
        "000-introduction.ann",
        "060-relation_annotation.ann",
        "080-event-annotation.ann",
        "100-attribute_annotation.ann",
        "110-note_annotation.ann",
        "import_sequence_labeling_with_meta_and_missing_text.jsonl",
    }
