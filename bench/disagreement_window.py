"""The disagreement panel on a big project, as a person waits for it: does reading the list hold up keys?

The project: bench/agreement.py's (10,000 documents x 3 annotators by default, built once). The
window (ui/app.py's build_window, as `python main.py` builds it) opens on it as alice; then,
each round:

  idle   the window left alone for as long as the reading below took: the longest gap between
         two ticks of a 1 ms timer (the baseline: what the event loop gives anyway)
  panel  Ctrl+Shift+D on the text view (the first round; later ones press Refresh), then the
         event loop runs until the list is complete: how long the key took, until the first rows
         show, until the list is complete, and the longest gap between two ticks while it reads
         (how long a key typed at the worst moment would wait)
  F4     F4 from the text view: the next disagreement's document opened, its range selected

Printed: the first key's time, and medians of the Refresh rounds; the longest gap against
idle's (target: under 100 ms, issue 10's "never block typing"). A benchmark: nothing fails on a slow result.

Usage: QT_QPA_PLATFORM=offscreen python bench/disagreement_window.py [--docs 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator, not an installed one

from agreement import ensure_project
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSettings, Qt, QTimer
from PySide6.QtTest import QTest

from ui.app import application, build_window
from ui.main_window import MainWindow

TARGET_MS = 100.0


class Heartbeat:
    """A 1 ms timer noting the longest gap between its ticks: how long the event loop was held."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.longest = 0.0
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.longest = 0.0
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.longest = max(self.longest, self.clock.nsecsElapsed() / 1e6)
        self.clock.restart()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


def run_loop(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents()


def one_round(window: MainWindow, beat: Heartbeat) -> dict[str, float]:
    browser = window.disagreements
    window.view.setFocus()
    started = time.perf_counter()
    if browser.panel is None:
        QTest.keyClick(
            window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    else:
        browser.refresh()  # a new reading each round, as the panel's Refresh makes
    handled = time.perf_counter() - started
    panel = browser.panel
    assert panel is not None
    beat.start()
    first = None
    while browser.reading or first is None:
        QCoreApplication.processEvents()
        if first is None and panel.model.rowCount():
            first = time.perf_counter() - started
    complete = time.perf_counter() - started
    longest = beat.stop()
    beat.start()
    run_loop(complete - handled)
    idle = beat.stop()
    window.view.setFocus()
    panel.select_row(0)
    f4_started = time.perf_counter()
    QTest.keyClick(window.view, Qt.Key.Key_F4)
    QCoreApplication.processEvents()
    f4 = time.perf_counter() - f4_started
    assert window.view.selected_range() is not None
    return {
        "key handled ms": handled * 1000,
        "first rows s": first,
        "complete s": complete,
        "longest gap ms": longest,
        "idle gap ms": idle,
        "F4 ms": f4 * 1000,
        "rows": float(len(panel.model.found)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    project = ensure_project(args.docs, args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
        application()
        window = build_window(project, annotator="alice")
        window.resize(1400, 860)
        window.show()
        run_loop(0.5)
        beat = Heartbeat()
        rounds = [one_round(window, beat) for _ in range(args.repeat)]
        window.close()
    figures = {name: statistics.median(r[name] for r in rounds[1:] or rounds) for name in rounds[0]}
    print(f"\nDISAGREEMENT PANEL, {args.docs:,} documents x 3 layers, pair alice-bob")
    print(
        f"Ctrl+Shift+D the first time (builds the panel, imports the agreement modules): "
        f"{rounds[0]['key handled ms']:.0f} ms; then (medians of the Refresh rounds): "
        f"Refresh {figures['key handled ms']:.0f} ms (the pair's finished documents found), "
        f"first rows after {figures['first rows s']:.3f} s, {figures['rows']:,.0f} rows complete after "
        f"{figures['complete s']:.1f} s, F4 {figures['F4 ms']:.0f} ms"
    )
    ratio = figures["longest gap ms"] / max(figures["idle gap ms"], 0.001)
    verdict = "met" if figures["longest gap ms"] <= TARGET_MS else "missed"
    print(f"{'what':<30} | {'reading':>8} | {'idle':>8} | {'ratio':>6} | target")
    print(
        f"{'event loop held at most, ms':<30} | {figures['longest gap ms']:>8.1f} | {figures['idle gap ms']:>8.1f} | "
        f"{ratio:>5.2f}x | {verdict} (<= {TARGET_MS:g} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
