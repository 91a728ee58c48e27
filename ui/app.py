"""Starting the window: `build_window` for tests and scripts, `run` for people.

`run` paints a start window first (ui/start_window.py) and opens the project right after: the
main window's modules, SQLAlchemy and the database are loaded only then, so nothing here
imports them at the top (tests/ui/test_startup.py keeps it so).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

import ui.feature_hook  # noqa: F401  (first: PySide6 keeps no source of what the window imports after)
from annotator.errors import AnnotatorError
from ui.login_lost import database_failure_hook
from ui.login_open import LoginCancelled
from ui.settings import WindowSettings
from ui.start_window import StartWindow

if TYPE_CHECKING:
    from annotator.service import AnnotationService
    from ui.main_window import MainWindow

ORGANIZATION = "Annotator"
APPLICATION = "annotator"
NO_DISPLAY = (
    "no display to open the window on: set DISPLAY (X11) or WAYLAND_DISPLAY, "
    "or run headless with QT_QPA_PLATFORM=offscreen (e.g. make screenshot)"
)
# A start window that is never painted (shown minimised, say) must not keep the project closed.
OPEN_WITHOUT_PAINT_MS = 1000


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
    from ui.main_window import MainWindow

    application()
    settings = WindowSettings()
    root = Path(project_dir)
    service = open_service(root, annotator, settings)
    return MainWindow(service, settings, root)


def annotator_name(settings: WindowSettings, given: str | None = None) -> str:
    """The given name, else the remembered one, else asked (the first start), else the login name."""
    name = given or settings.annotator
    if name:
        return name
    from ui.dialogs import ask_annotator_name

    name = ask_annotator_name(None)
    if name:
        return name
    from annotator.project import default_annotator_name

    return default_annotator_name()


def open_service(
    root: Path, given: str | None, settings: WindowSettings, parent: QWidget | None = None
) -> AnnotationService:
    """The service on a project. On a team's database the name is the login: nothing is asked, and
    the server's password dialog comes first if it wants one (ui/login_open.py). Elsewhere the
    given, remembered or asked name (annotator_name), remembered for next time.

    Which of the two is known only once the database is open (project.team), so the name is
    decided after the start window's first paint, not before: reading the team before it would
    mean connecting (and maybe asking for a password) before anything is on screen, while
    guessing from the URL would misjudge a PostgreSQL project without a team. The only cost:
    on the very first start the name dialog comes over the start window instead of before it.
    """
    from annotator.service import AnnotationService
    from ui.login_open import open_project_logging_in

    project = open_project_logging_in(root, parent)
    try:
        name = None if project.team is not None else annotator_name(settings, given)
        service = AnnotationService(project, name)
    except BaseException:
        project.close()
        raise
    if project.team is None:  # a team's login is not a typed name to offer next time
        settings.annotator = service.annotator
    settings.add_recent_project(root)
    return service


def has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class ProjectOpening:
    """Opens the project behind the start window, saying each step, then puts the main window in its place.

    What a failure does is what it did before the start window: an AnnotatorError is a dialog
    and exit 1; anything else (a storage error, a bug) leaves `run` as an exception, which the
    CLI turns into its one error line.
    """

    def __init__(self, root: Path, annotator: str | None, settings: WindowSettings) -> None:
        self.root = root
        self.annotator = annotator
        self.settings = settings
        self.start = StartWindow(f"Annotator — {root.name}", settings.geometry)
        self.window: MainWindow | None = None
        self.exit_code = 0
        self.failure: BaseException | None = None
        self._begun = False

    def begin(self) -> None:
        self.start.painted.connect(self.open)
        QTimer.singleShot(OPEN_WITHOUT_PAINT_MS, self.open)
        self.start.say(f"Opening {self.root}…")
        self.start.show()

    def open(self) -> None:
        if self._begun:
            return
        self._begun = True
        try:
            self.start.say(f"Opening {self.root}: loading the program…")
            from ui.main_window import MainWindow  # with it the core, SQLAlchemy and the widgets

            self.start.say(f"Opening {self.root}: reading its database…")
            service = open_service(self.root, self.annotator, self.settings, self.start)
            self.start.say(f"Opening {self.root}: building the window and reading the first document…")
            window = MainWindow(service, self.settings, self.root)
        except LoginCancelled:
            self.exit_code = 1  # the annotator's own choice: nothing to report
        except AnnotatorError as error:
            from ui.dialogs import report_error

            self.exit_code = 1
            report_error(self.start, "Cannot open project", str(error)).exec()
        except BaseException as error:  # raised again by run(), out of the event loop, as before
            self.failure = error
        else:
            window.show()
            self.window = window
            self.start.close()
            self.start.deleteLater()
            return
        # Nothing left to run: the loop ends here. Hidden, not closed: closing the last window
        # would also post a quit, which would end the next loop (a test's) as well.
        self.start.hide()
        self.start.deleteLater()
        QApplication.exit(1)

    def finish(self, loop_code: int) -> int:
        if self.failure is not None:
            raise self.failure
        return self.exit_code or loop_code


def run(project_dir: Path) -> int:
    """Open the window on a project and run until it closes; errors opening it become dialogs."""
    if not has_display():  # the CLI says it in its one error line, like every failure
        raise AnnotatorError(NO_DISPLAY)
    app = application()
    settings = WindowSettings()
    opening = ProjectOpening(project_dir, None, settings)
    previous_hook = sys.excepthook
    sys.excepthook = database_failure_hook(previous_hook)  # a server lost mid-session: a dialog (login_lost.py)
    try:
        opening.begin()
        return opening.finish(app.exec())
    finally:
        sys.excepthook = previous_hook
