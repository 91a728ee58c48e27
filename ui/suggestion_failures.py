"""Naming suggestion sources that failed, without taking the keyboard.

A source fails on a worker thread, while the annotator may be typing: a dialog popping up then
would take the keys (and, modal, block the window). So a failure is named in the status bar, in
a button that stays until clicked; the click shows every failure in full.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QToolButton

from ui.dialogs import report_error


class SourceFailures:
    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.reported: list[str] = []  # each failure once, in the order met
        self.button = QToolButton(window)
        self.button.setObjectName("suggestionFailures")
        self.button.setAutoRaise(True)
        self.button.clicked.connect(self.explain)
        self.button.hide()
        window.statusBar().addPermanentWidget(self.button)

    def add(self, failures: list[str]) -> list[str]:
        """Name the failures not named yet; returns them."""
        new = [failure for failure in dict.fromkeys(failures) if failure not in self.reported]
        if not new:
            return []
        self.reported.extend(new)
        count = len(self.reported)
        self.button.setText(f"⚠ {count} suggestion source{'' if count == 1 else 's'} failed")
        self.button.setToolTip("\n".join(self.reported) + "\n\nClick for details.")
        self.button.show()
        return new

    def explain(self) -> None:
        self.button.hide()
        report_error(self._window, "Suggestions", "\n".join(self.reported) + "\n\nThe window goes on without them.")
