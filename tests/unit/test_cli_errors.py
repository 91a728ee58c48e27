"""Every failure of the command line is one `error:` line and exit 1, never a traceback.

Argument errors (with "did you mean"), storage errors (a read-only or full database, a full
disk, memory) and bugs (the last resort) each go through annotator.cli.main; the fuzz test
runs the real CLI as a subprocess over random command lines.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

import annotator.dashboard
import annotator.importers
from annotator import __version__
from annotator.cli import main
from annotator.exporters import count_documents
from annotator.project import Project
from tests.conftest import EXAMPLE, NEWS_SCHEMA, REPO, write_jsonl


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def documents_in(project: Path) -> int:
    with Project.open(project) as opened:
        return count_documents(opened)


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    assert run(capsys, "init", root)[0] == 0
    return root


@pytest.fixture
def new_documents(tmp_path: Path) -> Path:
    lines = [f'{{"id": "d{i}", "text": "Document {i} says {"x" * 400}."}}' for i in range(300)]
    return write_jsonl(tmp_path / "new.jsonl", lines)


# --- argument errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export", "{p}", "-o", "x", "--format", "hugingface"], "unknown format 'hugingface'; did you mean hf?"),
        (["export", "{p}", "-o", "x", "--format", "HF"], "did you mean hf?"),
        (["export", "{p}", "-o", "x", "--format", "labelstudio"], "did you mean label-studio?"),
        (["import", "{p}", "x", "--format", "conl"], "unknown format 'conl'; did you mean conll?"),
        (["export", "{p}", "-o", "x", "--status", "dne"], "unknown value 'dne'; did you mean done?"),
        (["export", "{p}", "-o", "x", "--status", "in-progress"], "did you mean in_progress?"),
        (["export", "{p}", "-o", "x", "--overlaps", "longst"], "did you mean longest?"),
        (["exprot", "{p}"], "unknown command 'exprot'; did you mean export?"),
        (["schema", "chek", "x"], "unknown command 'chek'; did you mean check?"),
        (["export", "{p}"], "the following arguments are required: -o/--output"),
        (["export", "{p}", "-o", "x", "--seed", "abc"], "invalid int value: 'abc'"),
        (["stats", "{p}", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_a_wrong_command_line_is_one_error_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *(a.format(p=tmp_path) for a in argv))
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert expected in err and "usage:" not in err
    assert not (tmp_path / "x").exists()


def test_a_name_with_no_likely_meaning_gets_no_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "export", tmp_path, "-o", "x", "--format", "qqqqqq")
    assert "unknown format 'qqqqqq' (known: brat, conll," in err and "did you mean" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"annotator {__version__}\n"


# --- storage errors --------------------------------------------------------------------------


def test_a_read_only_database_during_import_is_one_line_and_imports_nothing(
    project: Path, new_documents: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read-only connection (mode=ro): chmod would not stop root, which the tests may run as.
    monkeypatch.setenv("ANNOTATOR_DATABASE_URL", f"sqlite:///file:{project / 'annotator.db'}?mode=ro&uri=true")
    code, out, err = run(capsys, "import", project, new_documents)
    assert code == 1 and out == ""
    assert err == f"error: {project}: the database is read-only (attempt to write a readonly database); " + (
        "make the database file and its folder writable; nothing was imported\n"
    )
    monkeypatch.delenv("ANNOTATOR_DATABASE_URL")
    assert documents_in(project) == 0


@pytest.fixture
def full_disk() -> Iterator[None]:
    """Every new SQLite connection may not grow its file: SQLite's own 'database or disk is full'."""

    def no_room(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Engine, "connect", no_room)
    yield
    event.remove(Engine, "connect", no_room)


def test_a_full_disk_during_import_is_one_line_and_imports_nothing(
    project: Path, new_documents: Path, capsys: pytest.CaptureFixture[str], full_disk: None
) -> None:
    code, out, err = run(capsys, "import", project, new_documents)
    assert code == 1 and out == ""
    assert err == (
        f"error: {project}: the disk is full (database or disk is full); free some space and retry; "
        "nothing was imported\n"
    )
    assert documents_in(project) == 0


def _operational(message: str) -> OperationalError:
    return OperationalError("INSERT INTO documents ...", {"text": "secret"}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (_operational("database or disk is full"), "{p}: the disk is full (database or disk is full)"),
        (_operational("attempt to write a readonly database"), "{p}: the database is read-only"),
        (_operational("database is locked"), "{p}: the database is locked by another program"),
        (_operational("server closed the connection\nunexpectedly"), "{p}: database error: server closed the"),
        (sqlite3.DatabaseError("database disk image is malformed"), "{p}: database error: database disk image is"),
        (OSError(errno.ENOSPC, "No space left on device", "/data/x"), "/data/x: the disk is full (No space left"),
        (OSError(errno.EROFS, "Read-only file system", "/ro/x"), "/ro/x: Read-only file system"),
        (OSError("a message of its own"), "a message of its own"),
        (MemoryError(), "out of memory"),
    ],
)
def test_every_storage_error_is_one_line_saying_what_happened_and_that_nothing_was_imported(
    project: Path,
    new_documents: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    raised: BaseException,
    expected: str,
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(annotator.importers, "import_paths", fail)  # the command imports it when it runs
    code, out, err = run(capsys, "import", project, new_documents)
    assert code == 1 and out == ""
    assert err.startswith("error: " + expected.format(p=project)) and err.endswith("; nothing was imported\n")
    assert err.count("\n") == 1 and "INSERT" not in err and "secret" not in err


# --- the last resort -------------------------------------------------------------------------


def test_a_bug_is_one_internal_error_line_and_the_traceback_only_on_request(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(annotator.dashboard, "dashboard", bug)  # the command imports it when it runs
    monkeypatch.delenv("ANNOTATOR_DEBUG", raising=False)
    code, _out, err = run(capsys, "stats", project)
    assert code == 1 and "Traceback" not in err
    assert err == (
        "error: internal error: ZeroDivisionError: division by zero "
        "(run with --debug or ANNOTATOR_DEBUG=1 for the traceback, and report it)\n"
    )
    for argv, variable in ((["stats", project, "--debug"], None), (["stats", project], "1")):
        if variable is not None:
            monkeypatch.setenv("ANNOTATOR_DEBUG", variable)
        code, _out, err = run(capsys, *argv)
        assert code == 1 and err.startswith("Traceback") and "in bug" in err
        assert err.splitlines()[-1] == "error: internal error: ZeroDivisionError: division by zero"


# --- no command line ever prints a traceback: the real CLI, as a subprocess ------------------

WORDS = [
    "init", "import", "export", "stats", "schema", "check", "migrate", "gui",
    "-o", "--output", "--format", "--status", "--annotator", "--labels", "--split", "--seed",
    "--tokenizer", "--misaligned", "--overlaps", "--map", "--drop", "--rename", "--skip-invalid",
    "--schema", "--name", "--version", "-h", "--",
    "hf", "spacy", "conll", "jsonl", "prodigy", "doccano", "label-studio", "txt", "hugingface",
    "done", "todo", "in_progress", "skipped", "dne", "ACTOR", "PERSON", "A=B", "=", "whitespace", "expand",
    "nan,0.5,0.5", "0.8,0.1,0.1", "1e400", "-1", "0", "99999999999999999999999", "", " ", "-",
    "proj", "missing", "new", "out", "docs.jsonl", "bad.jsonl", "doc.txt", "schema.yaml", "v.yaml",
    "p/", "--schema=v.yaml", "--layer", "reference", "gold,reference", "--merge", "majority", "union",
    "--annotators", "--merge-name",
]  # fmt: skip
# No "/" and never only dots: an output path stays inside the playground (brat replaces a folder it is given).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("-=,."), max_size=12).filter(
    lambda text: "/" not in text and text.strip(".") != ""
)


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a project and files the random command lines can name (relative paths)."""
    root = tmp_path_factory.mktemp("fuzz")
    subprocess.run([sys.executable, "-m", "annotator.cli", "init", str(root / "proj")], check=True, cwd=REPO)
    (root / "docs.jsonl").write_bytes((EXAMPLE / "reference.jsonl").read_bytes())
    (root / "bad.jsonl").write_text('{"text": "fine"}\n{broken\n[1]\n', encoding="utf-8")
    (root / "doc.txt").write_text("Kim Jong Un met Putin.", encoding="utf-8")
    (root / "schema.yaml").write_bytes(NEWS_SCHEMA.read_bytes())
    (root / "v.yaml").write_text(
        NEWS_SCHEMA.read_text(encoding="utf-8").replace("version: 1", "version: 99999999999999999999999")
    )
    return root


@settings(
    max_examples=int(os.environ.get("ANNOTATOR_FUZZ_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=st.lists(st.sampled_from(WORDS) | TEXT, min_size=1, max_size=7))
def test_no_command_line_prints_a_traceback(playground: Path, argv: list[str]) -> None:
    if argv[0] not in ("init", "import", "export", "stats", "schema", "--version", "-h"):
        argv = ["export" if len(argv) % 2 else "import", *argv]  # mostly real commands, so they run deep
    if argv[0] in ("import", "export", "stats") and len(argv) > 1 and len(argv[1]) % 3:
        argv.insert(1, "proj")
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", *argv],
        capture_output=True,
        text=True,
        cwd=playground,
        env={**os.environ, "PYTHONPATH": str(REPO), "ANNOTATOR_DEBUG": ""},
        timeout=120,
    )
    assert "Traceback" not in result.stderr, (argv, result.stderr)
    assert result.returncode in (0, 1), (argv, result.returncode, result.stderr)
    if result.returncode == 1:
        assert result.stderr.startswith("error: ") or "\nerror: " in result.stderr, (argv, result.stderr)
