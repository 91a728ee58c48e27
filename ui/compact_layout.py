"""Small windows: the side panels give way, so the article keeps at least half the width.

Dock widths are the user's (dragged, restored from the last session); they are only
narrowed, both sides in proportion, when the text would otherwise get less than half
of the window. Panels can shrink to SIDE_PANEL_MIN_WIDTH, which lets even a 640 px
window keep half for the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

__all__ = ["SIDE_PANEL_MIN_WIDTH", "TextKeepsHalf"]

SIDE_PANEL_MIN_WIDTH = 120
_SPLITTER_ROOM = 24  # dock separators and frames between the text and the docks


class TextKeepsHalf(QObject):
    """Watches a main window's size and narrows its docks when the text gets too little."""

    def __init__(self, window: QMainWindow, text: QWidget, docks: Sequence[QDockWidget]) -> None:
        super().__init__(window)
        self.window, self.text, self.docks = window, text, tuple(docks)
        for dock in self.docks:
            dock.setMinimumWidth(SIDE_PANEL_MIN_WIDTH)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.give_text_half()
        return super().eventFilter(watched, event)

    def give_text_half(self) -> None:
        widest: dict[Qt.DockWidgetArea, QDockWidget] = {}
        for dock in self.docks:
            area = self.window.dockWidgetArea(dock)
            if not dock.isVisible() or dock.isFloating() or area not in _SIDES:
                continue
            if area not in widest or dock.width() > widest[area].width():
                widest[area] = dock
        if not widest:
            return
        room = self.window.width() - (self.window.width() + 1) // 2 - _SPLITTER_ROOM
        used = sum(dock.width() for dock in widest.values())
        if used <= room:
            return
        docks = list(widest.values())
        widths = [max(SIDE_PANEL_MIN_WIDTH, dock.width() * room // used) for dock in docks]
        self.window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)


_SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
