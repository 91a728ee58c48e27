"""A probe that reports when a Qt program first paints its window, then ends it.

Put this folder on PYTHONPATH (bench/startup.py and tests/ui/test_startup.py do) and any
Python process that shows a QMainWindow prints, on its standard error, one line per moment:

    first-paint <ns>   the first paint event of any widget in a QMainWindow
    text-paint <ns>    the first paint of a QPlainTextEdit (its viewport) holding text

<ns> is time.monotonic_ns() (one clock for every process on the machine). After the text
paint the process exits at once (os._exit: no teardown is timed). With FIRST_PAINT_MODULES
set to a file name, the names in sys.modules at the first paint are written there.

Nothing of Qt is imported here: the hook waits for the program's own import of
PySide6.QtWidgets and wraps its QApplication, so the program starts exactly as without it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

WATCHED = "PySide6.QtWidgets"


def report(what: str) -> None:
    os.write(2, f"{what} {time.monotonic_ns()}\n".encode())


def watch_paints(widgets: ModuleType) -> None:
    from PySide6.QtCore import QEvent, QObject  # loaded already: QtWidgets imports QtCore

    seen: set[str] = set()

    class PaintWatcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and isinstance(watched, widgets.QWidget):
                if "first-paint" not in seen and isinstance(watched.window(), widgets.QMainWindow):
                    seen.add("first-paint")
                    report("first-paint")
                    modules_file = os.environ.get("FIRST_PAINT_MODULES")
                    if modules_file:
                        with open(modules_file, "w", encoding="utf-8") as out:
                            out.write("\n".join(sorted(sys.modules)) + "\n")
                editor = watched.parent()
                if isinstance(editor, widgets.QPlainTextEdit) and editor.document().characterCount() > 1:
                    report("text-paint")
                    os._exit(0)
            return False

    class WatchedApplication(widgets.QApplication):  # type: ignore[misc]
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self._paint_watcher = PaintWatcher()
            self.installEventFilter(self._paint_watcher)

    widgets.QApplication = WatchedApplication


class QtWidgetsWatch(MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if name != WATCHED:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        load = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            load(module)
            watch_paints(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, QtWidgetsWatch())
