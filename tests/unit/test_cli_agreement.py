"""`annotator agreement` on the command line: tables, --json, and errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from tests.conftest import REPO, write_jsonl

TEXT = "Kim Jong Un met Putin in Moscow on Monday."


def layer(annotator: str, spans: list[tuple[int, int, str]], status: str = "done", doc: str = "d1") -> str:
    return json.dumps(
        {
            "id": doc,
            "text": TEXT,
            "spans": [
                {"start": s, "end": e, "label": label, "text": TEXT[s:e]}
                | ({"attributes": {"kind": "person"}} if label == "ACTOR" else {})
                for s, e, label in spans
            ],
            "annotator": annotator,
            "status": status,
        }
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    kim, putin, moscow, monday = (0, 11, "ACTOR"), (16, 21, "ACTOR"), (25, 31, "ACTOR"), (35, 41, "DATE")
    lines = [
        layer("alice", [kim, putin, moscow, monday]),
        layer("bob", [kim, (16, 24, "ACTOR"), monday]),  # Putin's end moved a word; Moscow missing
        layer("carol", [kim], status="in_progress"),
    ]
    assert main(["import", str(root), str(write_jsonl(tmp_path / "layers.jsonl", lines))]) == 0
    capsys.readouterr()
    return root


def test_tables(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "agreement", project, "--bootstrap", "100")
    assert code == 0 and err == ""
    # carol's layer is not done: alice and bob, on their one document.
    assert "agreement of alice, bob on 1 document(s) done in every layer (finished: alice 1, bob 1)" in out
    for title in ("Spans", "Tokens", "Relations", "Attributes"):
        assert title in out
    # ACTOR: exact 1 of 3/2 (Kim), overlap 2 of 3/2 (Kim, Putin): F1 0.4 and 0.8.
    assert "1 of 3/2" in out and "0.400" in out
    assert "2 of 3/2" in out and "0.800" in out
    assert "Cohen's kappa" in out and "Fleiss' kappa" in out and "Krippendorff's alpha" in out


def test_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "agreement", project, "--json", "--annotators", "bob,alice", "--labels", "ACTOR", "--bootstrap", "0"
    )
    assert code == 0
    report = json.loads(out)
    assert report["annotators"] == ["bob", "alice"] and report["labels"] == ["ACTOR"]
    assert report["documents"] == {"compared": 1, "finished": {"bob": 1, "alice": 1}}
    (pair,) = report["pairs"]
    assert (pair["first"], pair["second"]) == ("bob", "alice")
    actor = pair["spans"]["overlap"]["ACTOR"]
    assert (actor["first"], actor["second"], actor["matched"]) == (2, 3, 2)
    assert actor["precision"] == {"value": pytest.approx(2 / 3), "low": None, "high": None}
    assert actor["recall"]["value"] == 1
    assert set(report["all"]) == {"fleiss_kappa", "krippendorff_alpha"}
    assert pair["attributes"]["ACTOR.kind"]["compared"] == 2


def test_status_chooses_what_counts_as_finished(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "agreement", project, "--json", "--status", "done", "--status", "in_progress")
    assert code == 0
    assert json.loads(out)["annotators"] == ["alice", "bob", "carol"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--annotators", "alice,dave"], "no annotator named 'dave' in this project (it has: alice, bob, carol)"),
        (["--annotators", "alice"], "agreement needs 2 or more annotators"),
        (["--annotators", "alice,carol"], "no document is done in every layer of alice, carol"),
        (["--status", "skipped"], "agreement needs 2 or more annotators with skipped layers; the project has 0"),
        (["--labels", "PERSON"], "unknown label 'PERSON'"),
        (["--labels", ","], "--labels names no label"),
        (["--bootstrap", "-1"], "--bootstrap -1"),
    ],
)
def test_errors_are_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    code, out, err = run(capsys, "agreement", project, *arguments)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_as_a_process_and_only_then_loading_numpy(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "agreement", str(project), "--json", "--bootstrap", "10"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["bootstrap"]["samples"] == 10
    script = "import json, sys, annotator.cli; print(json.dumps(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    modules = json.loads(loaded.stdout)
    assert not [m for m in modules if m.split(".")[0] == "numpy" or m.startswith("annotator.agreement")]
