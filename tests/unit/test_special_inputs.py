"""Inputs that are not plain files, and folders nothing can be written in, found by attacking the CLI.

- A schema is read once and bounded: `init --schema <(...)` (a pipe has no second read) works,
  and `--schema /dev/zero` is refused instead of filling the memory (it took 1.9 GB and was
  killed).
- An import path that is a pipe or a device is named as such (not "no such file"), and nothing
  is imported.
- When an output's partial cannot be created, the error names the folder the user asked for,
  never the internal `.annotator-partial` name — for every writer (file, folder, init's copy).
- No export, in any format, replaces the project's database, project.yaml or schema.
- A file an export writes beside its output (labels.json, *.config.xml) never replaces a file
  no export wrote.
- A JSON line holding bytes that are not UTF-8 says so (orjson called them surrogates).
"""

from __future__ import annotations

import errno
import os
import signal
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.exporters import count_documents
from annotator.formats import WRITABLE
from annotator.importers.json_text import JsonProblem, parse_json
from annotator.project import Project
from annotator.schema import MAX_SCHEMA_BYTES
from tests.conftest import EXAMPLE, NEWS_SCHEMA


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fifo_fed_with(path: Path, data: bytes) -> threading.Thread:
    """A FIFO at `path` that a thread fills with `data` once a reader opens it."""
    os.mkfifo(path)

    def feed() -> None:
        with open(path, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    return writer


def test_init_reads_a_schema_from_a_pipe_once_and_copies_those_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = NEWS_SCHEMA.read_bytes()
    writer = fifo_fed_with(tmp_path / "schema-pipe", schema)
    # A second read of the pipe would wait for a writer for ever: make that a failure, not a hang.
    signal.signal(signal.SIGALRM, signal.default_int_handler)
    signal.alarm(20)
    try:
        code, _, err = run(capsys, "init", tmp_path / "p", "--schema", tmp_path / "schema-pipe")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    writer.join(timeout=5)
    assert (code, err) == (0, "")
    assert (tmp_path / "p" / "schema.yaml").read_bytes() == schema
    with Project.open(tmp_path / "p") as project:
        assert project.schema.name == "news"


def test_a_schema_past_the_size_cap_is_refused_in_one_line_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `--schema /dev/zero` is (an endless file), without risking the memory of the test run.
    endless = tmp_path / "endless.yaml"
    endless.write_bytes(b"#" * (MAX_SCHEMA_BYTES + 1))
    code, _, err = run(capsys, "init", tmp_path / "p", "--schema", endless)
    assert code == 1
    assert err.startswith(f"error: {endless}:1: larger than") and err.count("\n") == 1
    assert not (tmp_path / "p").exists()
    code, _, err = run(capsys, "schema", "check", endless)
    assert code == 1 and "larger than" in err


def test_importing_a_pipe_or_a_device_names_it_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", tmp_path / "p")[0] == 0
    os.mkfifo(tmp_path / "in.jsonl")  # never opened: the import must not wait for a writer
    code, _, err = run(capsys, "import", tmp_path / "p", EXAMPLE / "reference.jsonl", tmp_path / "in.jsonl")
    assert code == 1
    assert (
        err
        == f"error: {tmp_path / 'in.jsonl'} is a pipe (FIFO), not a file or folder; save it to a file and import that\n"
    )
    if Path("/dev/null").exists():
        code, _, err = run(capsys, "import", tmp_path / "p", "/dev/null")
        assert code == 1 and err.startswith("error: /dev/null is a device")
    with Project.open(tmp_path / "p") as project:
        assert count_documents(project) == 0


def refuse_partials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any folder refuses new entries, as a read-only or immutable folder does (also for root)."""

    def refuse(*_: object, dir: str | None = None, **__: object) -> object:
        raise PermissionError(errno.EACCES, "Permission denied", os.path.join(dir or "", ".x.annotator-partial"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)


@pytest.mark.parametrize(
    "argv",
    [
        ("export", "{p}", "-o", "{out}/x.jsonl"),
        ("export", "{p}", "--format", "label-studio", "-o", "{out}/x.json"),
        ("export", "{p}", "--format", "brat", "-o", "{out}/brat/"),
        ("export", "{p}", "--format", "hf", "--split", "0.5,0.5", "-o", "{out}/hf/"),
        ("init", "{out}/new"),
    ],
)
def test_a_folder_nothing_can_be_written_in_is_named_not_the_partial(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, out = tmp_path / "p", tmp_path / "out"
    assert run(capsys, "init", project)[0] == 0
    assert run(capsys, "import", project, EXAMPLE / "reference.jsonl")[0] == 0
    out.mkdir()
    (out / "new").mkdir()
    refuse_partials(monkeypatch)
    code, _, err = run(capsys, *(a.format(p=project, out=out) for a in argv))
    assert code == 1
    assert err.startswith(f"error: cannot write in {out}") and "Permission denied" in err
    assert "annotator-partial" not in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["new"] and not any((out / "new").iterdir())


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    bad=st.sampled_from([b"\xff", b"\xfe", b"\xc3(", b"\xe9 ", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]),
)
def test_bytes_that_are_not_utf8_in_a_json_line_are_called_that(before: str, bad: bytes) -> None:
    # orjson calls them "surrogates not allowed"; the user's file holds no surrogate, it is not UTF-8.
    prefix = b'{"id": "a", "text": "' + before.replace("\\", "").replace('"', "").encode()
    with pytest.raises(JsonProblem) as problem:
        parse_json(prefix + bad + b'"}\n')
    assert str(problem.value).startswith(f"not UTF-8 (byte {len(prefix)} of this line")
    assert "surrogate" not in str(problem.value)


def test_a_jsonl_file_that_is_not_utf8_is_named_at_its_line_by_every_jsonl_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", tmp_path / "p")[0] == 0
    for name, line in (("native.jsonl", b'{"id": "a", "text": "caf\xe9"}'), ("prodigy.jsonl", b'{"text": "caf\xe9"}')):
        (tmp_path / name).write_bytes(b'{"id": "ok", "text": "fine"}\n' + line + b"\n")
        code, _, err = run(capsys, "import", tmp_path / "p", tmp_path / name)
        assert code == 1 and err.startswith(f"error: {tmp_path / name}:2: not UTF-8 (byte ")
    with Project.open(tmp_path / "p") as project:
        assert count_documents(project) == 0


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ("mysql://user@localhost/x", "mysql databases are not supported"),
        ("oracle://user@localhost/x", "oracle databases are not supported"),
        ("schema.yaml", "file is not a database"),  # a file that is not SQLite's
        # psycopg's two lines ("... Connection refused\n\tIs the server running ...?") as one that says what to do
        ("postgresql://nobody@127.0.0.1:1/x", "cannot reach the database server at 127.0.0.1:1 (Connection refused)"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_error_line(
    database: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if database.startswith("postgresql"):
        pytest.importorskip("psycopg")
    root = tmp_path / "p"
    assert run(capsys, "init", root)[0] == 0
    (root / "project.yaml").write_text(f"name: p\nschema: schema.yaml\ndatabase: {database}\n", encoding="utf-8")
    schema = (root / "schema.yaml").read_bytes()
    code, out, err = run(capsys, "stats", root)
    assert (code, out) == (1, "")
    assert err.startswith("error: ") and err.count("\n") == 1 and expected in err
    assert "Background on this error" not in err and "internal error" not in err
    assert (root / "schema.yaml").read_bytes() == schema


@pytest.mark.parametrize("format_name", ["jsonl", *sorted(WRITABLE)])
def test_no_export_replaces_the_files_the_project_lives_in(
    format_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `export P -o P/annotator.db` renamed the export over the database: the project was gone.
    root = tmp_path / "p"
    assert run(capsys, "init", root)[0] == 0
    assert run(capsys, "import", root, EXAMPLE / "reference.jsonl")[0] == 0
    (root / "db-link").symlink_to("annotator.db")
    before = {path.name: path.read_bytes() for path in root.iterdir() if path.is_file() and "-" not in path.name}
    for name in ("annotator.db", "annotator.db-wal", "schema.yaml", "project.yaml", "db-link"):
        code, _, err = run(capsys, "export", root, "--format", format_name, "--status", "done", "-o", root / name)
        assert code == 1 and err.startswith(f"error: {root / name} is the project's ") and err.count("\n") == 1
    after = {path.name: path.read_bytes() for path in root.iterdir() if path.is_file() and "-" not in path.name}
    assert after == before
    assert not [path.name for path in root.iterdir() if "annotator-partial" in path.name]
    with Project.open(root) as project:
        assert count_documents(project) == 1


@pytest.mark.parametrize(
    ("format_name", "output", "side"),
    [
        ("hf", "train.jsonl", "labels.json"),
        ("hf", "o.jsonl", "o.labels.json"),
        ("label-studio", "t.json", "t.config.xml"),
    ],
)
def test_a_side_file_replaces_only_what_an_earlier_export_wrote(
    format_name: str, output: str, side: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The user names the output, not labels.json or the config beside it: someone else's stays.
    root, out = tmp_path / "p", tmp_path / "out"
    assert run(capsys, "init", root)[0] == 0
    assert run(capsys, "import", root, EXAMPLE / "reference.jsonl")[0] == 0
    out.mkdir()
    theirs = b'{"labels": "theirs"}\n' if side.endswith(".json") else b"<View/>\n"
    (out / side).write_bytes(theirs)
    argv = ("export", root, "--format", format_name, "--status", "done", "-o", out / output)
    code, _, err = run(capsys, *argv)
    assert code == 1 and err.startswith(f"error: {out / side} is there already") and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == [side] and (out / side).read_bytes() == theirs
    (out / side).unlink()
    assert run(capsys, *argv)[0] == 0
    ours = (out / side).read_bytes()
    (out / side).write_bytes(ours + b"\n")  # an earlier export's file, even edited a little, is replaced
    assert run(capsys, *argv)[0] == 0
    assert (out / side).read_bytes() == ours
