"""Opening a document by key: no full garbage collection (and freezing its objects leaks nothing),
and a closed span list builds no rows until it is shown."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.project import Project
from tests.conftest import NEWS_SCHEMA
from tests.ui.conftest import shown_window
from ui.main_window import MainWindow

SENTENCE = "Kim Jong Un said on Monday that talks with Moscow resume. "


def article(number: int, sentences: int) -> DocumentRecord:
    text = f"Article {number}. " + SENTENCE * sentences
    spans = []
    for i in range(sentences):
        at = len(f"Article {number}. ") + i * len(SENTENCE)
        spans.append(SpanRecord(None, at, at + len("Kim Jong Un"), "ACTOR"))
        spans.append(SpanRecord(None, at, at + len(SENTENCE) - 2, "CLAIM"))  # nests the ACTOR
    return DocumentRecord("test", number, text, external_id=f"a{number}", annotator="alice", spans=spans)


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: gc\nschema: schema.yaml\n", encoding="utf-8")
    with Project.open(root) as project:
        import_records(project, [article(n, 150) for n in range(1, 4)])
    win = shown_window(qtbot, root, "alice")
    yield win
    gc.unfreeze()  # what the window froze goes back to the collector, as before this test


def next_document(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)


def test_opening_a_document_by_key_runs_no_full_collection(window: MainWindow, qtbot: QtBot) -> None:
    generations: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    first = window.doc.id if window.doc else None
    gc.callbacks.append(note)
    try:
        next_document(window, qtbot)
        qtbot.wait(10)  # the paint that follows, and whatever it makes
    finally:
        gc.callbacks.remove(note)
    assert window.doc is not None and window.doc.id != first
    assert 2 not in generations, f"a full collection ran while the document opened: {generations}"


def test_the_open_documents_spans_are_kept_out_of_the_collectors_scans(window: MainWindow, qtbot: QtBot) -> None:
    next_document(window, qtbot)
    assert window.doc is not None and len(window.doc.spans) == 300
    tracked = {id(obj) for obj in gc.get_objects()}  # every generation the collector scans; not the frozen
    assert not [span for span in window.doc.spans.values() if id(span) in tracked]


def test_opening_documents_back_and_forth_leaves_nothing_for_a_full_collection(
    window: MainWindow, qtbot: QtBot
) -> None:
    gc.unfreeze()  # earlier tests' windows were frozen by their opens: collect them first
    gc.collect()
    gc.freeze()  # this window's own objects, as its first open left them
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what a collection finds, to say what it was
    try:
        for _ in range(3):
            next_document(window, qtbot)
            next_document(window, qtbot)
            qtbot.keyClick(window.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
            qtbot.keyClick(window.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
        gc.unfreeze()
        gc.collect()
        found = {type(obj).__name__ for obj in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert "Span" not in found and "DocumentView" not in found, f"documents left cycles behind: {sorted(found)}"


def test_a_closed_span_list_builds_its_rows_only_when_shown(window: MainWindow, qtbot: QtBot) -> None:
    dock = window.findChild(QDockWidget, "spansDock")
    assert dock is not None
    dock.toggleViewAction().trigger()  # View > Panels > Spans: closed
    assert not window.span_list.isVisible()
    resets: list[int] = []
    window.span_list.model.modelReset.connect(lambda: resets.append(1))
    next_document(window, qtbot)
    next_document(window, qtbot)
    assert resets == []  # two documents opened, no rows built for either
    dock.toggleViewAction().trigger()
    qtbot.waitUntil(window.span_list.isVisible)
    assert window.doc is not None
    model = window.span_list.model
    listed = [model.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount())]
    expected = [s.id for s in sorted(window.doc.spans.values(), key=lambda s: (s.start, s.end, s.id))]
    assert listed == expected and len(listed) == 300
    assert window.span_list.title.text() == "Spans (300)"
