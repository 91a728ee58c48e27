"""Opening a 1 MB document with 10,000 suggestions (and no spans) in the real window, against a
bare QPlainTextEdit's setPlainText of the same text, in the same run.

Run: QT_QPA_PLATFORM=offscreen python bench/suggestion_window.py [--repeats N]

The window (ui/main_window.py) sits on a 2 KB document; the 1 MB article (and again the same
text as one 1 MB paragraph) is opened (DocumentNavigator.open_document) and timed as a person
waits: until the first screen is drawn with its suggestions (those that start before a first
screen's end are read with the text: ui/suggestion_reading.py); until Tab, pressed as soon as
that screen is drawn, has selected the first one (Tab reads the rest at once if it has not come);
and, informative, until all 10,000 are read in slices between events and the viewport is painted.
Baseline: a bare read-only QPlainTextEdit of the same size, setPlainText of the same text and a
paint of its viewport. Target <= 2x, as for spans; beside it, the same text opened with the same
10,000 as spans (no suggestions), until its first paint and until its span index is complete
(bench/window.py measures that one in full). Also shown: one repaint where the text stands with
the suggestions drawn, against the bare editor's (ui/suggestion_paint.py paints the visible lines
only), and the same with suggestions hidden (Ctrl+Alt+S).

Rounds alternate annotator and baseline; medians. Prints a table; never fails on time. The
machine may be shared: read the ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from annotator.service import AnnotationService
from annotator.suggest.base import Proposals, Suggestion
from bench.real_window import Article, make_project
from bench.real_window_child import SIZE
from bench.window import make_article, one_paragraph

SUGGESTIONS = 10_000


def store_suggestions(root: Path, external_id: str, article_spans: list[tuple[int, int, str]]) -> None:
    """The article's would-be spans as one source's suggestions, with scores spread over 0..1."""
    rng = random.Random(7)
    with AnnotationService.open(root, "bench") as service:
        document_id = service.find_document(external_id)
        proposed = [
            Suggestion(start, end, label, round(rng.random(), 2), "bench") for start, end, label in article_spans
        ]
        service.store_proposals({"bench": [Proposals(document_id, proposed)]})


def bare_open_ms(app: QApplication, text: str) -> float:
    bare = QPlainTextEdit()
    bare.setReadOnly(True)
    bare.resize(SIZE[0] // 2, SIZE[1])
    bare.show()
    app.processEvents()
    started = time.perf_counter()
    bare.setPlainText(text)
    app.processEvents()
    bare.viewport().grab()
    elapsed = (time.perf_counter() - started) * 1000
    bare.close()
    bare.deleteLater()
    app.processEvents()
    return elapsed


class PaintClock(QObject):
    """When the viewport's paints begin (an event filter sees a paint before it is drawn)."""

    def __init__(self) -> None:
        super().__init__()
        self.paints: list[float] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints.append(time.perf_counter())
        return False


def measure(app: QApplication, root: Path, text: str, repeats: int) -> dict[str, float]:
    from ui.app import build_window

    window = build_window(root, annotator="bench")
    window.resize(*SIZE)
    window.show()
    app.processEvents()
    small, big = window.service.find_document("small"), window.service.find_document("big")
    spanned = window.service.find_document("spans")
    overlay = window.view.suggestions
    shown = overlay.suggestions
    drawn: list[float] = []  # when a paint of the suggestions ended, with some to draw
    paint = overlay.paint

    def timed_paint(*args: Any) -> None:
        paint(*args)
        if len(shown):
            drawn.append(time.perf_counter())

    overlay.paint = timed_paint  # type: ignore[method-assign, assignment]
    times: dict[str, list[float]] = {
        "open": [],
        "first": [],
        "bare": [],
        "spans first": [],
        "spans open": [],
        "tab": [],
        "repaint": [],
        "bare repaint": [],
        "hidden": [],
    }
    clock = PaintClock()
    window.view.viewport().installEventFilter(clock)
    for _ in range(repeats):
        window.navigation.open_document(small)
        app.processEvents()
        gc.collect()
        drawn.clear()
        started = time.perf_counter()
        window.navigation.open_document(big)
        while len(shown) != SUGGESTIONS or not drawn:
            app.processEvents()
        window.view.viewport().grab()
        times["open"].append((time.perf_counter() - started) * 1000)
        times["first"].append((drawn[0] - started) * 1000)
        times["bare"].append(bare_open_ms(app, text))
        # Tab pressed as soon as the first screen is drawn: it reads whatever has not come yet.
        window.navigation.open_document(small)
        app.processEvents()
        gc.collect()
        drawn.clear()
        started = time.perf_counter()
        window.navigation.open_document(big)
        while not drawn:
            app.processEvents()
        window.suggestions.walk(1)
        window.view.viewport().grab()
        times["tab"].append((time.perf_counter() - started) * 1000)
        assert len(shown) == SUGGESTIONS
        window.suggestions.escape(lambda: None)
        window.navigation.open_document(small)
        app.processEvents()
        gc.collect()
        clock.paints.clear()
        started = time.perf_counter()
        window.navigation.open_document(spanned)
        while not window.view.highlighter.is_complete:
            app.processEvents()
        window.view.viewport().grab()
        times["spans open"].append((time.perf_counter() - started) * 1000)
        times["spans first"].append((clock.paints[0] - started) * 1000)
    bare = QPlainTextEdit()
    bare.setReadOnly(True)
    bare.resize(window.view.size())
    bare.setPlainText(text)
    bare.show()
    window.view.select_range(len(text) // 2, len(text) // 2)
    cursor = bare.textCursor()
    cursor.setPosition(len(text) // 2)
    bare.setTextCursor(cursor)
    bare.centerCursor()
    window.view.highlighter.finish_now()
    for _ in range(repeats):
        for name, editor in (("repaint", window.view), ("bare repaint", bare)):
            app.processEvents()
            started = time.perf_counter()
            editor.viewport().repaint()
            times[name].append((time.perf_counter() - started) * 1000)
    window.suggestions.set_visible(False)
    for _ in range(repeats):
        app.processEvents()
        started = time.perf_counter()
        window.view.viewport().repaint()
        times["hidden"].append((time.perf_counter() - started) * 1000)
    window.suggestions.set_visible(True)
    bare.close()
    window.close()
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args, _unknown = parser.parse_known_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    text, spans = make_article(1_000_000, SUGGESTIONS)
    small_text, _ = make_article(2_000, 0)
    marks = [(s.start, s.end, s.label) for s in spans]
    results = {}
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
        QCoreApplication.setApplicationName("annotator-bench-suggestions")
        for name, body in (("1 MB article", text), ("1 MB paragraph", one_paragraph(text))):
            folder = scratch / name.replace(" ", "-")
            articles = [
                Article("small", small_text, []),
                Article("big", body, []),
                Article("spans", body + "\n", spans),
            ]  # not the same text: not a duplicate
            root = make_project(folder, articles)
            store_suggestions(root, "big", marks)
            results[name] = measure(app, root, body, args.repeats)
    print(
        f"{SUGGESTIONS:,} suggestions, 0 spans, real window offscreen {SIZE[0]}x{SIZE[1]}, "
        f"{args.repeats} rounds, medians"
    )
    print("| what | annotator | baseline | ratio | target |\n|---|---|---|---|---|")
    for name, f in results.items():
        print(f"| open until the first screen is drawn with its suggestions, {name} | {f['first']:.0f} ms "
              f"| {f['bare']:.0f} ms (bare setPlainText+paint) | {f['first'] / f['bare']:.2f}x | <= 2x |")  # fmt: skip
        print(f"| open, then Tab as soon as it is drawn (reads the rest then), {name} | {f['tab']:.0f} ms "
              f"| {f['bare']:.0f} ms (bare) | {f['tab'] / f['bare']:.2f}x | <= 2x |")  # fmt: skip
        print(f"| open until all are read between events and drawn, {name} | {f['open']:.0f} ms "
              f"| {f['bare']:.0f} ms (bare) | {f['open'] / f['bare']:.2f}x | (informative) |")  # fmt: skip
        print(f"| the same with 10,000 spans: first paint / index complete, {name} | {f['spans first']:.0f} / "
              f"{f['spans open']:.0f} ms | {f['bare']:.0f} ms (bare) | {f['spans first'] / f['bare']:.2f}x / "
              f"{f['spans open'] / f['bare']:.2f}x | (reference) |")  # fmt: skip
        print(f"| one repaint with suggestions, {name} | {f['repaint']:.1f} ms | {f['bare repaint']:.1f} ms (bare) "
              f"| {f['repaint'] / f['bare repaint']:.2f}x | (informative; hidden: {f['hidden']:.1f} ms) |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
