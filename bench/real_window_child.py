"""One measurement of bench/real_window.py, run in a process of its own; prints its figures as JSON.

Usage (bench/real_window.py runs these): python -m bench.real_window_child CASE ARGS...

  open PROJECT SETTINGS         the real window on PROJECT (its first document, a 2 KB one, is
                                open); Alt+Down opens the next one: ms from that key press until
                                the window has painted, and until the key is handled too, and the
                                RSS then
  bare-open TEXTFILE            a bare QPlainTextEdit of the window's size: ms of setPlainText
                                until it has painted, and the RSS then
  add PROJECT SETTINGS ID N     the real window on document ID, every span formatted; N times:
                                Shift+Right over a free word, press the label's key, ms until
                                the window has painted (then Ctrl+Z)
  memory PROJECT SETTINGS ID    RSS of the real window holding document ID, every span formatted
  bare-memory TEXTFILE          RSS of a bare QPlainTextEdit holding that text, painted
  bare-memory-libraries TEXTFILE  the same in a process that has also imported the libraries
                                the window imports (WINDOW_LIBRARIES), with the window's own
                                fix of PySide6's import hook (ui/feature_hook.py)
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit

SIZE = (1400, 860)  # the window's own default size (ui/main_window.py)
FREE_WORD = "ministry"
# What the window process imports beyond PySide6 that is not Annotator's: the store (SQLAlchemy
# on SQLite), the schema (PyYAML), word snapping (regex).
WINDOW_LIBRARIES = ("sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.sqlite", "sqlite3", "yaml", "regex")


def rss_mib() -> float:
    """Resident memory of this process now, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PaintWatch:
    """Notes when an editor's paintEvent (its text on screen) has returned, by wrapping it."""

    def __init__(self, editor: QPlainTextEdit) -> None:
        self.painted_at: tuple[float, float] | None = None  # (wall, CPU) when the paint ended
        original = editor.paintEvent

        def paint(event: QPaintEvent) -> None:
            original(event)
            self.painted_at = time.perf_counter(), time.process_time()

        editor.paintEvent = paint  # type: ignore[method-assign]  # Qt calls the Python override


def ms_until_painted(
    app: QApplication, editor: QPlainTextEdit, action: Callable[[], object], handled: list[float] | None = None
) -> tuple[float, float]:
    """Milliseconds from ``action`` (a key press, say) until ``editor`` has painted its text: the
    wall clock, and this process's CPU time (steadier on a machine shared with other work).
    Idle-time work started by that paint (formatting the rest of a long document) is not counted.
    ``handled`` gets the same two figures until the action has returned and the text is painted
    (when the window takes the next key)."""
    watch = PaintWatch(editor)
    app.processEvents()
    watch.painted_at = None
    started, cpu_started = time.perf_counter(), time.process_time()
    action()
    returned = time.perf_counter(), time.process_time()
    while watch.painted_at is None:
        app.processEvents()
    wall, cpu = watch.painted_at
    del editor.paintEvent
    if handled is not None:
        handled[:] = [(max(wall, returned[0]) - started) * 1000, (max(cpu, returned[1]) - cpu_started) * 1000]
    return (wall - started) * 1000, (cpu - cpu_started) * 1000


def use_settings(folder: str) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)


def real_window(project: str, settings: str):  # type: ignore[no-untyped-def]
    use_settings(settings)
    from ui.app import application, build_window

    app = application()
    window = build_window(project, annotator="bench")
    window.resize(*SIZE)
    window.show()
    app.processEvents()
    window.activateWindow()
    window.view.setFocus()
    return app, window


def settle(app: QApplication, window) -> None:  # type: ignore[no-untyped-def]
    """Until the long document's remaining blocks are formatted in idle time (steady state)."""
    while not window.view.highlighter.is_complete:
        app.processEvents()
    app.processEvents()


def open_case(project: str, settings: str) -> dict[str, float]:
    app, window = real_window(project, settings)
    alt_down = lambda: QTest.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # noqa: E731
    handled: list[float] = []
    ms, cpu = ms_until_painted(app, window.view, alt_down, handled)
    assert len(window.doc.text) > 100_000, "Alt+Down did not open the long document"
    return {"ms": ms, "cpu": cpu, "rss": rss_mib(), "handled ms": handled[0], "handled cpu": handled[1]}


def bare_editor(text_file: str) -> tuple[QApplication, QPlainTextEdit, str]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    text = Path(text_file).read_text(encoding="utf-8")
    editor = QPlainTextEdit()
    editor.setReadOnly(True)
    editor.resize(*SIZE)
    editor.show()
    app.processEvents()
    return app, editor, text


def bare_open_case(text_file: str) -> dict[str, float]:
    app, editor, text = bare_editor(text_file)
    handled: list[float] = []
    ms, cpu = ms_until_painted(app, editor, lambda: editor.setPlainText(text), handled)
    return {"ms": ms, "cpu": cpu, "rss": rss_mib(), "handled ms": handled[0], "handled cpu": handled[1]}


def open_by_id(app: QApplication, window, external_id: str) -> None:  # type: ignore[no-untyped-def]
    window.navigation.open_document(window.service.find_document(external_id))
    settle(app, window)


def add_case(project: str, settings: str, external_id: str, repeats: int) -> dict[str, float]:
    app, window = real_window(project, settings)
    open_by_id(app, window, external_id)
    view = window.view
    text = window.doc.text
    at = next(
        i
        for i in range(text.find(FREE_WORD), len(text), 1)
        if text.startswith(FREE_WORD, i) and not view.spans_at(i) and not view.spans_at(i + len(FREE_WORD) - 1)
    )
    times, cpu_times = [], []
    for _ in range(repeats):
        view.select_range(at, at)  # the caret before the word, as a click would put it
        view.centerCursor()
        app.processEvents()
        for _step in FREE_WORD:
            QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        app.processEvents()
        spans_before = len(window.doc.spans)
        ms, cpu = ms_until_painted(app, view, lambda: QTest.keyClick(view, Qt.Key.Key_A))
        times.append(ms)
        cpu_times.append(cpu)
        assert len(window.doc.spans) == spans_before + 1, "the label key added no span"
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
        assert len(window.doc.spans) == spans_before, "Ctrl+Z did not undo the span"
    return {"ms": statistics.median(times), "cpu": statistics.median(cpu_times)}


def memory_case(project: str, settings: str, external_id: str) -> dict[str, float]:
    app, window = real_window(project, settings)
    open_by_id(app, window, external_id)
    gc.collect()
    window.grab()
    return {"rss": rss_mib()}


def bare_memory_case(text_file: str) -> dict[str, float]:
    app, editor, text = bare_editor(text_file)
    editor.setPlainText(text)
    app.processEvents()
    gc.collect()
    editor.grab()
    return {"rss": rss_mib()}


def bare_memory_libraries_case(text_file: str) -> dict[str, float]:
    import ui.feature_hook  # noqa: F401  (as in the window: PySide6 keeps no source of what follows)

    for name in WINDOW_LIBRARIES:
        importlib.import_module(name)
    return bare_memory_case(text_file)


def main(argv: list[str]) -> int:
    case, *args = argv
    if case == "open":
        figures = open_case(*args)
    elif case == "bare-open":
        figures = bare_open_case(*args)
    elif case == "add":
        figures = add_case(args[0], args[1], args[2], int(args[3]))
    elif case == "memory":
        figures = memory_case(*args)
    elif case == "bare-memory":
        figures = bare_memory_case(*args)
    elif case == "bare-memory-libraries":
        figures = bare_memory_libraries_case(*args)
    else:
        raise SystemExit(f"unknown case {case!r}")
    print(json.dumps(figures))
    sys.stdout.flush()
    QCoreApplication.processEvents()
    os._exit(0)  # the figures are out; tearing the window down is not part of any of them


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
