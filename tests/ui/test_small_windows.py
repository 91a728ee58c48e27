"""Small windows: the side panels give way so the text keeps at least half the width."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget
from pytestqt.qtbot import QtBot

from tests.ui.test_main_window import project, window
from ui.main_window import MainWindow

__all__ = ["project", "window"]  # fixtures


@pytest.mark.parametrize(("width", "height"), [(800, 600), (640, 480)])
def test_the_text_keeps_half_the_width(window: MainWindow, qtbot: QtBot, width: int, height: int) -> None:
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]  # the panels shown (not those hidden)
    left = [d for d in docks if window.dockWidgetArea(d) == Qt.DockWidgetArea.LeftDockWidgetArea]
    right = [d for d in docks if window.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]
    window.resizeDocks([left[0], right[0]], [420, 520], Qt.Orientation.Horizontal)  # a user's wide panels
    QApplication.processEvents()
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    QApplication.processEvents()
    assert window.view.width() >= window.width() / 2
    assert all(dock.isVisible() for dock in docks)  # narrower, not gone
    assert all(dock.width() > 0 and dock.x() + dock.width() <= window.width() for dock in docks)


def test_a_wide_window_keeps_the_panels_as_the_user_made_them(window: MainWindow, qtbot: QtBot) -> None:
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: window.width() == 1600)
    dock = window.findChild(QDockWidget, "documentsDock")
    window.resizeDocks([dock], [360], Qt.Orientation.Horizontal)
    QApplication.processEvents()
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: window.width() == 1500)
    QApplication.processEvents()
    assert dock.width() >= 340  # Qt shares a few pixels of the change; nothing forces it narrow
