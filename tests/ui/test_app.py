"""Starting the window: no display, remembered layout and document, opening a project."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from annotator import cli
from tests.ui.test_main_window import project as project
from ui import app as app_module
from ui.app import build_window
from ui.settings import WindowSettings


def test_without_a_display_the_window_command_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    for variable in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(app_module.sys, "platform", "linux")
    assert cli.main(["gui", str(project)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "QT_QPA_PLATFORM=offscreen" in err


def test_main_py_with_a_folder_opens_that_project(monkeypatch: pytest.MonkeyPatch, project: Path) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(app_module, "run", lambda path: opened.append(path) or 0)
    assert cli.main([str(project)]) == 0
    assert opened == [project]


def test_the_last_document_layout_and_name_are_remembered(qtbot: QtBot, project: Path) -> None:
    first = build_window(project, annotator="alice")
    qtbot.addWidget(first)
    first.navigation.open_document(first.document_list.model.document_id(2))
    first.resize(700, 500)  # within the offscreen screen, which restoreGeometry clamps to
    relations = first.findChild(QDockWidget, "relationsDock")
    relations.hide()
    first.close()
    settings = WindowSettings()
    assert settings.annotator == "alice"
    assert settings.recent_projects == [project.resolve()]
    second = build_window(project)  # no name given: the remembered one is used, nothing is asked
    qtbot.addWidget(second)
    assert second.service.annotator == "alice"
    assert second.doc is not None and second.doc.id == second.document_list.model.document_id(2)
    assert (second.width(), second.height()) == (700, 500)
    assert second.findChild(QDockWidget, "relationsDock").isHidden()
    second.close()


def test_a_missing_project_folder_is_an_error_for_a_dialog(tmp_path: Path) -> None:
    from annotator.errors import ProjectError

    with pytest.raises(ProjectError, match="no such project folder"):
        build_window(tmp_path / "nowhere", annotator="alice")


def test_reading_time_is_recorded_when_leaving_a_document(qtbot: QtBot, project: Path) -> None:
    window = build_window(project, annotator="alice")
    qtbot.addWidget(window)
    first = window.doc.id
    window.navigation.reading_time.start()
    qtbot.wait(1100)
    window.navigation.open_document(window.document_list.model.document_id(1))
    seconds = {d.id: d.seconds_spent for d in window.service.documents()}
    assert seconds[first] >= 1.0
    window.close()
