"""Starting the window: a start window is painted before the store loads, then the main window takes its place.

The subprocess tests start `python main.py` as a user does, with bench/first_paint/ on the
path: its probe lists the modules loaded at the first paint and ends the process once the
main window has painted its document.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from annotator import cli
from tests.conftest import REPO
from tests.ui.test_main_window import project as project
from ui import app as app_module
from ui.app import ProjectOpening
from ui.main_window import MainWindow
from ui.settings import WindowSettings
from ui.start_window import StartWindow

# Not needed to paint a window: each is loaded after the start window's first paint, if at all.
NOT_BEFORE_FIRST_PAINT = (
    "rich",
    "alembic",
    "sqlalchemy",
    "sqlite3",
    "annotator.exporters",
    "annotator.importers",
    "annotator.project",
    "annotator.service",
    "ui.main_window",
)


def start_as_a_user(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    config = tmp_path / "config" / "Annotator"
    config.mkdir(parents=True)
    (config / "annotator.conf").write_text("[annotator]\nname=alice\n", encoding="utf-8")
    modules_file = tmp_path / "modules.txt"
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO / "bench" / "first_paint"), os.environ.get("PYTHONPATH")])
        ),
        "FIRST_PAINT_MODULES": str(modules_file),
    }
    result = subprocess.run(
        [sys.executable, "main.py", *argv], cwd=REPO, env=environment, capture_output=True, text=True, timeout=300
    )
    modules = modules_file.read_text(encoding="utf-8").split() if modules_file.exists() else []
    return result, modules


@pytest.mark.parametrize("command", [[], ["gui"]])
def test_the_first_paint_comes_before_the_store_the_command_line_and_the_formats_load(
    tmp_path: Path, project: Path, command: list[str]
) -> None:
    argv = [*command, str(project)] if command else []  # no command: the example project
    result, modules = start_as_a_user(tmp_path, *argv)
    lines = result.stderr.splitlines()
    first_paint = [line for line in lines if line.startswith("first-paint ")]
    text_paint = [line for line in lines if line.startswith("text-paint ")]
    assert result.returncode == 0 and first_paint and text_paint, result.stderr  # then the document was painted
    assert "ui.start_window" in modules
    early = [m for m in modules if any(m == name or m.startswith(name + ".") for name in NOT_BEFORE_FIRST_PAINT)]
    assert early == []


def test_the_start_window_says_each_step_then_the_main_window_takes_its_place(qtbot: QtBot, project: Path) -> None:
    opening = ProjectOpening(project, "alice", WindowSettings())
    start = opening.start
    said: list[str] = []
    original_say = start.say

    def say(message: str) -> None:
        said.append(message)
        original_say(message)

    start.say = say  # type: ignore[method-assign]
    opening.begin()
    assert start.isVisible() and start.windowTitle() == "Annotator — project"
    qtbot.waitUntil(lambda: opening.window is not None, timeout=20000)
    window = opening.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.isVisible() and window.doc is not None and window.view.toPlainText()
    assert not shiboken6.isValid(start) or not start.isVisible()  # gone: hidden, or already deleted (deleteLater)
    assert [message.partition(": ")[2] for message in said] == [
        "",
        "loading the program…",
        "reading its database…",
        "building the window and reading the first document…",
    ]
    assert all(message.startswith(f"Opening {project}") for message in said)
    assert opening.finish(0) == 0
    window.close()


def test_run_opens_the_window_and_returns_when_it_is_closed(qtbot: QtBot, project: Path) -> None:
    WindowSettings().annotator = "alice"
    shown: list[MainWindow] = []

    def close_the_main_window() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            return
        shown.extend(windows)
        windows[0].close()
        if [w for w in QApplication.topLevelWidgets() if w.isVisible()]:
            QApplication.exit(0)  # another test's window is still open: it was not the last one

    poll = QTimer()
    poll.timeout.connect(close_the_main_window)
    poll.start(50)
    assert app_module.run(project) == 0
    poll.stop()
    assert len(shown) == 1 and shown[0].doc is not None
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, StartWindow) and w.isVisible()]


def test_a_project_that_cannot_be_opened_is_a_dialog_on_the_start_window_and_exit_1(
    qtbot: QtBot, tmp_path: Path
) -> None:
    WindowSettings().annotator = "alice"
    messages: list[str] = []

    def accept_the_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QMessageBox):
            messages.append(dialog.text())
            dialog.accept()

    poll = QTimer()
    poll.timeout.connect(accept_the_dialog)
    poll.start(50)
    assert app_module.run(tmp_path / "nowhere") == 1
    poll.stop()
    assert len(messages) == 1 and "no such project folder" in messages[0]


def test_a_storage_error_while_opening_is_the_command_lines_one_error_line(
    qtbot: QtBot, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    WindowSettings().annotator = "alice"

    def locked(*_args: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(app_module, "open_service", locked)
    assert cli.main(["gui", str(project)]) == 1
    err = capsys.readouterr().err
    locked_line = "the database is locked by another program (database is locked); close it and retry"
    assert err == f"error: {project}: {locked_line}\n"


WINDOW_MODULES = """
import json, sys
from ui.app import build_window

window = build_window(sys.argv[1], annotator="alice")
window.service.add_time(window.service.documents()[0].id, 1.5)  # the statement built per dialect
print(json.dumps(sorted(sys.modules)))
"""


def test_a_window_on_sqlite_never_loads_the_postgresql_dialect(tmp_path: Path, project: Path) -> None:
    """Its modules held ~2 MiB of the window's memory (bench/real_window.py) for a statement built per dialect."""
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_MODULES, str(project)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    assert "sqlalchemy.dialects.sqlite" in modules and "annotator.service" in modules
    assert [m for m in modules if m.startswith("sqlalchemy.dialects.postgresql")] == []
