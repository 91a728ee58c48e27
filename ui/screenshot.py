"""Render the window on the example project to a PNG, as a user would see it.

`make screenshot` writes docs/screenshot.png: the reference layer of the example article,
with a CLAIM that contains an ACTOR and a DATE, its SAID_BY relation drawn, and the side
panels filled; and docs/suggestions.png: a new annotator's empty layer with the example's
suggestions (patterns, memory, dates), one of them selected. It works on a copy of the
project, so no database or setting is touched. `example_window` is the set-up every
screenshot script shares.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings

from annotator.example_project import copy_example
from ui.app import application, build_window

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]
SIZE = (1500, 900)
SHOWN_CLAIM = "Russia could be looking"  # nests an ACTOR; SAID_BY -> Koh Yu-hwan (an ACTOR, kind person)


@contextmanager
def example_window(
    annotator: str, project: Callable[[Path], Path] = lambda scratch: copy_example(scratch / "example")
) -> Iterator[tuple[QApplication, MainWindow]]:
    """The window on a copy of the example project (``project`` makes it in a scratch folder),
    with settings of its own, shown at SIZE once the suggestion sources it started are done."""
    with tempfile.TemporaryDirectory() as scratch:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
        app = application()
        QCoreApplication.setApplicationName("annotator-screenshot")
        window = build_window(project(Path(scratch)), annotator=annotator)
        window.resize(*SIZE)
        window.show()
        settle(app, window)
        try:
            yield app, window
        finally:
            window.close()


def settle(app: QApplication, window: MainWindow) -> None:
    """Let the window finish what it does after showing: the sources' run, the rest of the layer."""
    for _ in range(5):
        app.processEvents()
    window.suggestions.finish_reading()
    while window.suggestions.running is not None:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def render(target: Path) -> Path:
    with example_window("reference") as (app, window):
        doc = window.doc
        assert doc is not None
        claim = next(s for s in doc.spans.values() if s.label == "CLAIM" and s.text.startswith(SHOWN_CLAIM))
        relation = next(r for r in doc.relations.values() if r.head == claim.id)
        window.annotate.select_span(relation.tail)  # its attribute form is shown filled in
        window.annotate.select_relation(relation.id)
        window.view.select_range(claim.start, claim.start)
        window.view.centerCursor()
        settle(app, window)
        target.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(target))
    return target


def render_suggestions(target: Path) -> Path:
    """A new annotator's layer: nothing but the sources' suggestions, the third one selected."""
    with example_window("newcomer") as (app, window):
        for _ in range(3):
            window.suggestions.walk(1)
        window.view.centerCursor()
        settle(app, window)
        window.grab().save(str(target))
    return target


if __name__ == "__main__":
    out = render(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshot.png")
    print(f"wrote {out}")
    print(f"wrote {render_suggestions(out.parent / 'suggestions.png')}")
