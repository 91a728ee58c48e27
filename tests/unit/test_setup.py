"""`make`'s first-run set-up says what it does and writes its done-stamp only when every step worked.

ui.system_libs is driven with a fake apt-get and a fake Qt probe (subprocess.run replaced);
the Makefile runs for real, with a fake Python whose venv's tools succeed or fail on demand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from ui import system_libs


class FakeMachine:
    """subprocess.run for system_libs: a Qt probe missing libEGL until libegl1 is installed."""

    def __init__(self, install_works: bool, update_works: bool = True, display_missing: Sequence[str] = ()) -> None:
        self.install_works = install_works
        self.update_works = update_works
        self.installed: set[str] = set()
        self.display_missing = list(display_missing)
        self.calls: list[list[str]] = []

    def run(self, argv: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        if argv[0] == "apt-get":
            works = self.update_works if argv[1] == "update" else self.install_works
            if works and argv[1] == "install":
                self.installed.update(argv[4:])
            return subprocess.CompletedProcess(argv, 0 if works else 100, "", "")
        if "libegl1" in self.installed:  # the Qt probe
            return subprocess.CompletedProcess(argv, 0, "", "")
        error = "ImportError: libEGL.so.1: cannot open shared object file: No such file or directory"
        return subprocess.CompletedProcess(argv, 1, "", error)


@pytest.fixture
def as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_libs, "can_install", lambda: True)
    monkeypatch.setattr(system_libs, "has_fonts", lambda: True)


def use(monkeypatch: pytest.MonkeyPatch, machine: FakeMachine) -> None:
    monkeypatch.setattr(system_libs.subprocess, "run", machine.run)
    monkeypatch.setattr(system_libs, "missing_for_display", lambda: [m for m in machine.display_missing])


def test_a_failed_apt_get_install_fails_the_set_up(
    as_root: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = FakeMachine(install_works=False)
    use(monkeypatch, machine)
    assert system_libs.main() == 1
    err = capsys.readouterr().err
    assert "Qt needs libEGL.so.1: installing libegl1" in err
    assert "apt-get could not install libegl1 (exit 100)" in err and "sudo apt-get install libegl1" in err
    assert ["apt-get", "install", "-y", "-qq", "libegl1"] in machine.calls


def test_each_step_is_said_and_a_working_install_passes(
    as_root: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = FakeMachine(install_works=True, update_works=False)
    use(monkeypatch, machine)
    assert system_libs.main() == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "checking that Qt starts (offscreen)"
    assert "  apt-get update failed (exit 100); trying the install with the lists there are" in lines
    assert "  apt-get install libegl1" in lines and lines[-1] == "Qt's system libraries are there"


def test_a_failed_install_of_the_display_libraries_fails_too(
    as_root: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = FakeMachine(install_works=True, display_missing=["libxcb-cursor.so.0"])
    machine.installed.add("libegl1")
    use(monkeypatch, machine)  # apt-get "works", but the library is still missing afterwards
    assert system_libs.main() == 1
    assert "still misses libxcb-cursor.so.0" in capsys.readouterr().err
    machine.install_works = False
    assert system_libs.main() == 1
    assert "apt-get could not install libxcb-cursor0" in capsys.readouterr().err


FAKE_PYTHON = """#!/bin/sh
# A stand-in for python3: `-m venv DIR` makes DIR/bin/pip and DIR/bin/python, which succeed
# unless FAIL names their step (pip: the package install; system_libs).
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/bin/sh\\n[ "$FAIL" = pip ] && [ "$3" = -e ] && exit 1\\nexit 0\\n' > "$3/bin/pip"
  printf '#!/bin/sh\\n[ "$FAIL" = system_libs ] && echo "apt-get failed" >&2 && exit 1\\nexit 0\\n' > "$3/bin/python"
  chmod +x "$3/bin/pip" "$3/bin/python"
  exit 0
fi
exit 2
"""


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("failing", ["pip", "system_libs", ""])
def test_make_writes_its_stamp_only_when_every_step_worked(tmp_path: Path, failing: str) -> None:
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    python = tmp_path / "fake-python"
    python.write_text(FAKE_PYTHON, encoding="utf-8")
    python.chmod(0o755)
    result = subprocess.run(
        ["make", "--no-print-directory", f"PYTHON={python}", ".venv/.installed-stamp"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "FAIL": failing},
        timeout=60,
    )
    steps = [line for line in result.stdout.splitlines() if line.startswith("set-up ")]
    stamp = tmp_path / ".venv" / ".installed-stamp"
    if failing:
        assert result.returncode != 0 and not stamp.exists()
        assert steps[-1].startswith("set-up 3/4" if failing == "pip" else "set-up 4/4")
    else:
        assert result.returncode == 0 and stamp.exists()
        assert [s.split(":")[0] for s in steps] == [f"set-up {n}/4" for n in range(1, 5)] + ["set-up done (.venv)"]
