"""The command line: every command end to end, errors as one line and an exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import build_parser, main
from tests.conftest import EXAMPLE, NEWS_SCHEMA, REPO, write_jsonl


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_import_export_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "news"
    code, out, _ = run(capsys, "init", project)
    assert code == 0 and "created project 'news'" in out
    assert (project / "schema.yaml").read_bytes() == NEWS_SCHEMA.read_bytes()

    code, out, _ = run(capsys, "import", project, EXAMPLE / "reference.jsonl", EXAMPLE / "north-korea-russia-ties.txt")
    assert code == 0
    assert "imported 1 document(s), 77 span(s), 14 relation(s) in 1 layer(s)" in out
    assert "skipped 1 document(s) already in the project" in out

    code, out, _ = run(capsys, "export", project, "-o", tmp_path / "all.jsonl", "--status", "done", "--labels", "DATE")
    assert code == 0 and "wrote 1 line(s) for 1 document(s), 9 span(s), 0 relation(s)" in out
    (line,) = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert line["schema"]["name"] == "news" and {s["label"] for s in line["spans"]} == {"DATE"}

    code, out, _ = run(capsys, "stats", project)
    assert code == 0
    assert "news: 1 document(s)" in out
    assert "reference" in out and "ACTOR" in out and "57" in out and "SAID_BY" in out


def test_export_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p"
    run(capsys, "init", project)
    run(capsys, "import", project, EXAMPLE / "reference.jsonl")
    # capsys replaces sys.stdout with a text stream; the export writes bytes to its buffer.
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "export", str(project), "-o", "-"],
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    assert json.loads(result.stdout)["id"] == "nk-russia-1"
    assert result.stderr == b""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stats", "{tmp}/missing"], "no such project folder"),
        (["import", "{project}", "{tmp}/nothing.jsonl"], "no such file or folder"),
        (["import", "{project}", "{tmp}/bad.jsonl"], "bad.jsonl:2: not valid JSON"),
        (["import", "{project}", "{tmp}/range.jsonl"], "span [0, 99) is outside the text"),
        (["export", "{project}", "-o", "{tmp}/x.jsonl", "--labels", "PERSON"], "unknown label 'PERSON'"),
        (["export", "{project}", "-o", "{tmp}/x.jsonl", "--annotator", "zed"], "no annotator named 'zed'"),
        (["export", "{project}", "-o", "{tmp}/no/such/dir/x.jsonl"], "no/such/dir: no such folder"),
        (["init", "{project}"], "exists already"),
        (["schema", "check", "{tmp}/bad.yaml"], "bad.yaml:1"),
    ],
)
def test_errors_are_one_clear_message_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    project = tmp_path / "p"
    run(capsys, "init", project)
    write_jsonl(tmp_path / "bad.jsonl", ['{"text": "fine"}', "{broken"])
    write_jsonl(tmp_path / "range.jsonl", ['{"text": "Kim", "spans": [{"start": 0, "end": 99, "label": "ACTOR"}]}'])
    (tmp_path / "bad.yaml").write_text("- not a mapping\n", encoding="utf-8")
    code, out, err = run(capsys, *(a.format(tmp=tmp_path, project=project) for a in argv))
    assert code == 1
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err + out
    assert not (tmp_path / "x.jsonl").exists()


def test_schema_check_accepts_the_default_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "check", NEWS_SCHEMA)
    assert code == 0 and "ok — schema news v1, 3 label(s), 2 relation(s)" in out


def test_skip_invalid_lists_what_it_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p"
    run(capsys, "init", project)
    write_jsonl(tmp_path / "mixed.jsonl", ['{"text": "fine"}', "{broken"])
    code, out, err = run(capsys, "import", project, tmp_path / "mixed.jsonl", "--skip-invalid")
    assert code == 0 and "imported 1 document(s)" in out
    assert "skipped " in err and "mixed.jsonl:2: not valid JSON" in err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--help"],
        ["init", "--help"],
        ["import", "--help"],
        ["export", "--help"],
        ["stats", "--help"],
        ["schema", "check", "--help"],
        ["gui", "--help"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            build_parser().parse_args(argv)
        assert exit_info.value.code == 0
        assert "usage: annotator" in capsys.readouterr().out


def test_a_wrong_command_line_is_one_error_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "somewhere"]) == 1  # no -o
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "required: -o/--output" in err


def test_without_a_command_the_window_runner_gets_the_example_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    opened: list[Path | None] = []
    assert main([], run_window=lambda project: opened.append(project) or 0) == 0  # None: the example
    assert main(["gui", "elsewhere"], run_window=lambda project: opened.append(project) or 3) == 3
    assert main([str(tmp_path)], run_window=lambda project: opened.append(project) or 0) == 0  # main.py PROJECT
    assert opened == [None, Path("elsewhere"), tmp_path]
