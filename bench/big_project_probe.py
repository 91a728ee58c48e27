"""One fresh process of bench/big_project.py: open the real window on a project, measure, print JSON.

    python bench/big_project_probe.py open PROJECT [--code DIR]
        open to first paint: from build_window (the project, the service, every panel, the
        document list) to the moment both the text view and the document list have painted;
        RSS then, and the process's peak RSS.
    python bench/big_project_probe.py edit PROJECT --repeat N [--code DIR]
        add a span as a user does: a word selected, the label's key pressed (QTest, through
        the window's shortcut), until the text view has painted the result; undone between
        presses (not timed). Median and every figure.

The window is built as `python main.py gui` builds it (ui/app.py's build_window), offscreen,
with settings in a fresh folder (so no remembered document or layout), as annotator "bench".
--code DIR runs another checkout's ui/ and annotator/ (e.g. the code before a change).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

ROOT = Path(__file__).resolve().parents[1]
WORD = "ministry"  # a corpus word; the first free occurrence (inside no span) is labelled
LABEL_KEY = "a"  # ACTOR's hotkey in the corpus's schema
PAINT_TIMEOUT_S = 60.0


def rss_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("open", "edit"))
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose ui/ and annotator/ run")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(args.code.resolve()))
    with tempfile.TemporaryDirectory() as settings_folder:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_folder)
        figures = measure_open(args.project) if args.what == "open" else measure_edit(args.project, args.repeat)
    print(json.dumps(figures))
    return 0


def measure_open(project: Path) -> dict[str, float]:
    from ui.app import application, build_window

    app = application()
    started = time.perf_counter()
    window = build_window(project, annotator="bench")
    painted = PaintWatch(window.view.viewport(), window.document_list.view.viewport())
    window.show()
    painted.wait(app)
    open_ms = (time.perf_counter() - started) * 1000
    figures = {"open_ms": open_ms, "rss_mib": rss_mib("VmRSS"), "peak_mib": rss_mib("VmHWM")}
    window.close()
    return figures


def measure_edit(project: Path, repeat: int) -> dict[str, object]:
    from ui.app import application, build_window

    app = application()
    window = build_window(project, annotator="bench")
    window.show()
    window.activateWindow()
    window.view.setFocus()
    while not window.view.highlighter.is_complete:  # formatting left for idle time is not the edit's
        app.processEvents()
    app.processEvents()
    text, spans = window.layer.text, window.layer.spans.values()
    at = next(
        i
        for i in range(len(text))
        if text.startswith(WORD, i) and not any(s.start < i + len(WORD) and s.end > i for s in spans)
    )
    times: list[float] = []
    for _ in range(repeat):
        window.view.select_range(at, at + len(WORD))
        app.processEvents()
        painted = PaintWatch(window.view.viewport())
        started = time.perf_counter()
        QTest.keyClick(window.view, LABEL_KEY)
        painted.wait(app)
        times.append((time.perf_counter() - started) * 1000)
        added = [s for s in window.layer.spans.values() if (s.start, s.end) == (at, at + len(WORD))]
        if [s.label for s in added] != ["ACTOR"]:
            raise RuntimeError(f"the key press added no ACTOR span at {at} (the window said: {status(window)})")
        QTest.keyClick(window.view, "z", Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
    window.close()
    return {"edit_ms": statistics.median(times), "all_ms": times}


def status(window: object) -> str:
    return window.statusBar().currentMessage()  # type: ignore[attr-defined, no-any-return]


class PaintWatch(QObject):
    """Waits until each watched widget has received a paint event (the window as painted)."""

    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        self.widgets = widgets
        self.waiting = set(widgets)
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.waiting.discard(watched)  # type: ignore[arg-type]
        return False

    def wait(self, app: QCoreApplication) -> None:
        deadline = time.perf_counter() + PAINT_TIMEOUT_S
        while self.waiting:
            app.processEvents()
            if time.perf_counter() > deadline:
                raise RuntimeError("the window did not paint")
        for widget in self.widgets:
            widget.removeEventFilter(self)


if __name__ == "__main__":
    sys.exit(main())
