"""Finding the window: imported by name when asked for; without PySide6, one error line."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.service import AnnotationService
from tests.conftest import REPO

# Runs the CLI in a child process whose imports are those of an install without the gui extra
# (PySide6 is not found); in this process pytest-qt holds PySide6 and it cannot be unloaded.
WITHOUT_PYSIDE6 = """
import sys
from importlib.abc import MetaPathFinder

class WithoutPySide6(MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] in ("PySide6", "shiboken6"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, WithoutPySide6())
from annotator.cli import main

code = main(sys.argv[1:])
assert not [m for m in sys.modules if m.partition(".")[0] in ("PySide6", "shiboken6")]
sys.exit(code)
"""


def run_without_pyside6(data_home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_PYSIDE6, *argv], capture_output=True, text=True, cwd=REPO, env=environment
    )


@pytest.fixture
def data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("argv", [[], ["gui"], ["gui", "somewhere"]])
def test_without_pyside6_the_window_is_one_error_line_naming_the_gui_extra(data_home: Path, argv: list[str]) -> None:
    result = run_without_pyside6(data_home, *argv)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: the window needs PySide6") and "pip install '.[gui]'" in result.stderr
    assert not data_home.exists()  # no example copy for a window that cannot open


def test_the_cli_works_without_pyside6(data_home: Path, tmp_path: Path) -> None:
    result = run_without_pyside6(data_home, "init", str(tmp_path / "news"))
    assert result.returncode == 0 and "created project 'news'" in result.stdout, result.stderr


def test_the_window_is_imported_when_asked_for_and_opens_a_copy_of_the_example(
    monkeypatch: pytest.MonkeyPatch, data_home: Path
) -> None:
    opened: list[Path] = []

    def run(project: Path) -> int:
        opened.append(project)
        return 0

    window = types.ModuleType("ui.app")
    window.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.app", window)
    assert main([]) == 0
    assert main(["gui"]) == 0  # the same copy again, as it was left
    assert opened == [data_home / "annotator" / "example"] * 2
    with AnnotationService.open(opened[0], "alice") as service:
        (summary,) = service.documents(layer="reference")
        assert (summary.status, len(service.document(summary.id, layer="reference").spans)) == ("done", 77)


def test_a_broken_window_module_is_not_taken_for_a_missing_gui_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("annotator.window.WINDOW_MODULE", "ui.no_such_module")
    assert main(["gui", "somewhere"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: internal error") and "gui extra" not in err


def test_without_a_display_the_window_is_one_error_line(data_home: Path, tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    project = tmp_path / "p"
    assert main(["init", str(project)]) == 0
    result = subprocess.run(
        [sys.executable, "main.py", "gui", str(project)], capture_output=True, text=True, cwd=REPO, env=environment
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: no display to open the window on"), (
        result.stderr
    )
