"""Starting the window: `build_window` for tests and scripts, `run` for people."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from annotator.errors import AnnotatorError
from annotator.service import AnnotationService, default_annotator_name
from ui.dialogs import ask_annotator_name, report_error
from ui.main_window import MainWindow
from ui.settings import WindowSettings

ORGANIZATION = "Annotator"
APPLICATION = "annotator"
NO_DISPLAY = (
    "no display to open the window on: set DISPLAY (X11) or WAYLAND_DISPLAY, "
    "or run headless with QT_QPA_PLATFORM=offscreen (e.g. make screenshot)"
)


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setOrganizationName(ORGANIZATION)
        app.setApplicationName(APPLICATION)
    assert isinstance(app, QApplication)
    return app


def build_window(project_dir: str | os.PathLike[str], annotator: str | None = None) -> MainWindow:
    """The ready main window on a project, without starting the event loop.

    Raises AnnotatorError (SchemaError, ProjectError, ...) when the project cannot be opened.
    """
    application()
    settings = WindowSettings()
    name = annotator or settings.annotator or ask_annotator_name(None) or default_annotator_name()
    root = Path(project_dir)
    service = AnnotationService.open(root, name)
    settings.annotator = name
    settings.add_recent_project(root)
    return MainWindow(service, settings, root)


def has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(project_dir: Path) -> int:
    """Open the window on a project and run until it closes; errors become dialogs."""
    if not has_display():  # the CLI says it in its one error line, like every failure
        raise AnnotatorError(NO_DISPLAY)
    app = application()
    try:
        window = build_window(project_dir)
    except AnnotatorError as error:
        report_error(None, "Cannot open project", str(error)).exec()
        return 1
    window.show()
    return app.exec()
