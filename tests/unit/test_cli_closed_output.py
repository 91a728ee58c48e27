"""Every command writing to a standard output whose reader has gone (`... | head -1`) ends quietly.

The reader has what it wanted: no `error:` line, no traceback, exit 141 (128 + SIGPIPE, what a
shell reports for `yes | head -1`). A FIFO named by -o whose reader has gone is still a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.unit.test_cli_disagreements import project  # noqa: F401 (a fixture: alice, bob, carol)

COMMANDS = [
    ["disagreements", "{p}"],
    ["disagreements", "{p}", "--json"],
    ["stats", "{p}"],
    ["agreement", "{p}", "--annotators", "alice,bob"],
    ["export", "{p}", "-o", "-"],
    ["export", "{p}", "-o", "-", "--merge", "union", "--annotators", "alice,bob"],
    ["export", "{p}", "-o", "-", "--format", "conll", "--layer", "alice"],
    ["export", "{p}", "-o", "-", "--format", "doccano", "--merge", "majority", "--merge-name", "gold"],
]


def run_with_reader_gone(argv: list[str]) -> tuple[int, str]:
    """Run `python main.py ARGV` with its standard output a pipe closed before it writes."""
    child = subprocess.Popen(
        [sys.executable, "main.py", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before the first line: every write fails with EPIPE
    error = child.stderr.read().decode()
    return child.wait(timeout=120), error


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[0:1] + c[2:]))
def test_closed_standard_output_ends_quietly(project: Path, command: list[str]) -> None:  # noqa: F811
    code, error = run_with_reader_gone([part.format(p=project) for part in command])
    assert (code, error) == (141, "")


def test_a_fifo_target_whose_reader_left_is_still_one_error_line(
    project: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    child = subprocess.Popen(
        [sys.executable, "main.py", "export", str(project), "-o", str(fifo)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert child.stderr is not None
    os.close(os.open(fifo, os.O_RDONLY))  # a reader opens the FIFO and leaves at once
    error = child.stderr.read().decode()
    assert child.wait(timeout=120) == 1
    assert error.startswith(f"error: {fifo}: cannot write: Broken pipe") and error.count("\n") == 1
