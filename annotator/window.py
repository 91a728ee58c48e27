"""Finding the window when it is wanted.

The window (ui/, PySide6) is the `gui` extra: `pip install .` gives the core and the CLI
without Qt. So the CLI imports the window by name at the moment it is asked for, and a
missing PySide6 is one error line saying how to add it, not a traceback.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.example_project import copy_example, user_example_folder

WINDOW_MODULE = "ui.app"
# A ModuleNotFoundError for one of these means the gui extra is not installed; any other is a bug.
WINDOW_PACKAGES = frozenset({"PySide6", "shiboken6", "ui"})
WINDOW_MISSING = (
    "the window needs PySide6, which is not installed: install Annotator with its gui extra "
    "(pip install '.[gui]' in its folder); the command line works without it"
)


def open_window(project: Path | None) -> int:
    """Run the window on `project` until it closes; on the user's copy of the example project if None."""
    try:
        window = importlib.import_module(WINDOW_MODULE)
    except ModuleNotFoundError as error:
        if error.name not in WINDOW_PACKAGES:
            raise
        raise AnnotatorError(WINDOW_MISSING) from None
    return int(window.run(project if project is not None else copy_example(user_example_folder())))
