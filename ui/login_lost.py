"""A database that fails the window after it opened: a dialog with one line, not a traceback.

On a team's server the login can go away mid-session: the admin removes the member (every
read is then "permission denied"), the server restarts or the network drops. Edits already
turn such refusals into dialogs (controllers/annotate.py); a read in a slot (the document list,
the next document) would only print a traceback to a terminal nobody watches. This hook shows
it the way the command line words it (cli_errors.storage_problem); anything else goes on to
the previous hook.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from ui.dialogs import report_error

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
TITLE = "Database problem"


def database_failure_hook(previous: ExceptHook) -> ExceptHook:
    """An excepthook that shows a storage error in a dialog (one at a time) and passes the rest on."""

    shown: list[QMessageBox] = []  # the dialog on screen, kept alive here when it has no parent window

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        loaded = "sqlalchemy.exc" in sys.modules  # no database error can have happened before it loads
        if not loaded or not isinstance(error, sys.modules["sqlalchemy.exc"].DBAPIError):
            previous(kind, error, trace)
            return
        from annotator.cli_errors import storage_problem

        if shown and shown[0].isVisible():
            return  # one dialog says it; a timer failing again meanwhile adds nothing
        shown[:] = [report_error(QApplication.activeWindow(), TITLE, storage_problem(error))]

    return hook
