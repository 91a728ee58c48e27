"""`annotator disagreements` on the command line: one line each, --json lines, errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from tests.conftest import REPO, write_jsonl
from tests.unit.test_cli_agreement import layer, run


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    kim, putin, moscow, monday = (0, 11, "ACTOR"), (16, 21, "ACTOR"), (25, 31, "ACTOR"), (35, 41, "DATE")
    lines = [
        layer("alice", [kim, putin, moscow, monday]),
        layer(
            "bob", [kim, (16, 24, "ACTOR"), (35, 41, "ACTOR")]
        ),  # Putin's end moved; Moscow missing; Monday relabelled
        layer("carol", [kim], status="in_progress"),
        layer("alice", [kim], doc="d2").replace("Monday.", "Sunday."),
        layer("bob", [kim], doc="d2").replace("Monday.", "Sunday."),
    ]
    assert main(["import", str(root), str(write_jsonl(tmp_path / "layers.jsonl", lines))]) == 0
    capsys.readouterr()
    return root


def test_text_one_line_each_sorted_by_position(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "disagreements", project)
    assert code == 0
    assert out.splitlines() == [
        "d1 [16,24) boundary: alice: ACTOR 'Putin' [16,21) — bob: ACTOR 'Putin in' [16,24)",
        "d1 [25,31) missing: alice: ACTOR 'Moscow' [25,31) — bob: none",
        "d1 [35,41) label: alice: DATE 'Monday' [35,41) — bob: ACTOR 'Monday' [35,41)",
    ]
    assert "3 disagreement(s) in 1 of 2 document(s) done in every layer of alice, bob" in err


def test_json_lines_read_back(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "disagreements", project, "--json", "--annotators", "bob,alice", "--kind", "missing,label"
    )
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["kind"], r["start"], r["end"]) for r in records] == [("missing", 25, 31), ("label", 35, 41)]
    missing, label = records
    assert missing["document"] == "d1" and isinstance(missing["document_id"], int)
    assert missing["first"] == {"annotator": "bob", "label": None}
    assert missing["second"] == {"annotator": "alice", "label": "ACTOR", "start": 25, "end": 31, "text": "Moscow"}
    assert (label["first"]["label"], label["second"]["label"]) == ("ACTOR", "DATE")


def test_options_filter(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "disagreements", project, "--labels", "DATE", "--kind", "missing", "--kind", "boundary")
    assert code == 0
    assert out.splitlines() == ["d1 [35,41) missing: alice: DATE 'Monday' [35,41) — bob: none"]
    code, out, err = run(capsys, "disagreements", project, "--status", "done", "--status", "in_progress")
    assert code == 0 and "every layer of alice, bob, carol" in err
    assert "alice: ACTOR 'Putin' [16,21) — carol: none" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--annotators", "alice,dave"], "no annotator named 'dave' in this project (it has: alice, bob, carol)"),
        (["--annotators", "alice"], "2 or more annotators"),
        (["--annotators", "alice,carol"], "no document is done in every layer of alice, carol"),
        (["--labels", "PERSON"], "unknown label 'PERSON'"),
        (["--kind", "typo"], "--kind typo: unknown kind (use one of missing, label, boundary, relation, attribute)"),
        (["--kind", ","], "--kind names no kind"),
        (["--status", "finished"], "argument --status: unknown value 'finished'; did you mean done?"),
    ],
)
def test_errors_are_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    code, out, err = run(capsys, "disagreements", project, *arguments)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_missing_project_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "disagreements", tmp_path / "nowhere")
    assert code == 1 and out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_as_a_process(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "disagreements", str(project), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["kind"] for line in result.stdout.splitlines()] == [
        "boundary",
        "missing",
        "label",
    ]


def test_the_command_line_knows_every_kind() -> None:
    from annotator.agreement.disagreements import KINDS
    from annotator.cli_disagreements import KIND_NAMES

    assert KIND_NAMES == KINDS


def test_a_line_break_or_terminal_escape_in_the_data_stays_on_one_visible_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "odd"
    assert main(["init", str(root)]) == 0
    odd_id = "d\n1\x1b[2J\u202e"
    lines = [
        layer("alice", [(0, 3, "ACTOR"), (16, 21, "ACTOR")])
        .replace('"d1"', json.dumps(odd_id))
        .replace("Kim", "K\\u001bm"),
        layer("bob", [(0, 3, "ACTOR")]).replace('"d1"', json.dumps(odd_id)).replace("Kim", "K\\u001bm"),
    ]
    assert main(["import", str(root), str(write_jsonl(tmp_path / "odd.jsonl", lines))]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "disagreements", root)
    assert code == 0
    assert out.splitlines() == ["d\\n1\\x1b[2J\\u202e [16,21) missing: alice: ACTOR 'Putin' [16,21) — bob: none"]
    code, _, err = run(capsys, "export", root, "--format", "conll", "-o", str(tmp_path / "x.conll"))
    assert code == 1 and err.count("\n") == 1 and "'d\\n1\\x1b[2J\\u202e'" in err and "\x1b" not in err
    code, out, _ = run(capsys, "disagreements", root, "--json")
    assert json.loads(out)["document"] == odd_id  # JSON keeps the data as it is
