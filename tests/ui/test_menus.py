"""The menu bar is the one table of ui/shortcuts.py, and its View options are remembered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from tests.ui.test_main_window import project, window
from ui.app import build_window
from ui.main_window import MainWindow
from ui.settings import WindowSettings
from ui.shortcuts import MENU_BAR, Command, window_keys

__all__ = ["project", "window"]  # fixtures


def _menu(window: MainWindow, title: str) -> QMenu:
    action = next(a for a in window.menuBar().actions() if a.text() == title)
    menu = action.menu()
    assert isinstance(menu, QMenu)
    return menu


def _action(window: MainWindow, title: str, text: str) -> QAction:
    return next(a for a in _menu(window, title).actions() if a.text() == text)


def test_every_command_of_the_table_is_in_its_menu_in_order_with_its_keys(window: MainWindow) -> None:
    assert [a.text() for a in window.menuBar().actions()] == list(MENU_BAR)
    for title, entries in MENU_BAR.items():
        commands = [entry for entry in entries if isinstance(entry, Command)]
        texts = [a.text() for a in _menu(window, title).actions()]
        assert [t for t in texts if t in {c.text for c in commands}] == [c.text for c in commands]
        for command in commands:
            keys = [k.toString() for k in _action(window, title, command.text).shortcuts()]
            assert keys == [QKeySequence(k).toString() for k in window_keys(command.name, window.schema)]
    annotate = [a.text() for a in _menu(window, "&Annotate").actions()]
    assert annotate[:3] == [spec.name for spec in window.schema.labels]
    assert [t for t in annotate if t.startswith("Relation ")] == [f"Relation {r.name}" for r in window.schema.relations]


def test_snap_and_zoom_from_the_view_menu_are_kept_for_the_next_window(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    snap = _action(window, "&View", "&Snap Selection to Words")
    assert snap.isChecked() and window.view.snap_to_words
    snap.trigger()
    assert not window.view.snap_to_words and WindowSettings().snap_to_words is False
    _action(window, "&View", "Zoom &In").trigger()
    _action(window, "&View", "Zoom &In").trigger()
    assert WindowSettings().zoom == 2
    window.close()
    again = build_window(project, annotator="alice")
    qtbot.addWidget(again)
    assert not again.view.snap_to_words and not _action(again, "&View", "&Snap Selection to Words").isChecked()
    _action(again, "&View", "&Reset Zoom").trigger()
    assert WindowSettings().zoom == 0
    recent = next(a for a in _menu(again, "&File").actions() if a.text() == "Open &Recent")
    assert recent.isEnabled() and [a.text() for a in recent.menu().actions()] == [str(project.resolve())]
    again.close()
