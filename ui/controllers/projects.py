"""Switching projects: File > Open and Open Recent open a new window, then this one closes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMenu

from annotator.errors import AnnotatorError
from annotator.gcpause import collect_everything
from ui.dialogs import report_error
from ui.login_open import LoginCancelled

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class ProjectSwitcher:
    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def commands(self) -> dict[str, Callable[[], object]]:
        """Handlers of the File menu's project commands (ui/shortcuts.py)."""
        return {"open": self.choose_project}

    def add_recent_menu(self, menu: QMenu) -> None:
        """An Open Recent submenu of the projects remembered in the settings, newest first."""
        recent_menu = menu.addMenu("Open &Recent")
        recent = self._window.settings.recent_projects
        for path in recent:
            action = recent_menu.addAction(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.switch_project(p))
        recent_menu.setEnabled(bool(recent))

    def choose_project(self) -> None:
        window = self._window
        folder = QFileDialog.getExistingDirectory(window, "Open project folder", str(window.project_dir.parent))
        if folder:
            self.switch_project(Path(folder))

    def switch_project(self, folder: Path) -> None:
        from ui.app import build_window  # the app module builds windows; imported late to avoid a cycle

        window = self._window
        try:
            new_window = build_window(folder, window.service.user)  # the person, not gold in review mode
        except LoginCancelled:  # the password dialog was closed: this window stays, nothing to say
            return
        except AnnotatorError as error:
            report_error(window, "Cannot open project", str(error))
            return
        new_window.show()
        window.close()
        # This window's objects were frozen (ui/controllers/navigation.py) and are garbage from
        # now on: reclaim them once the close has run its course, not at some later keystroke.
        QTimer.singleShot(0, collect_everything)
