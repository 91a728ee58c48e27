"""The real window follows another session's edits without a restart (ui/live_updates.py): the
document list's rows, the open layer (caret and selection kept), deferred while an edit is under
way; and an edit made on a stale copy runs on the layer as it is now, or says why not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.ui.conftest import shown_window
from tests.ui.test_main_window import offsets, project, saved_spans, select  # noqa: F401  (fixture)
from ui.main_window import MainWindow

ARRIVES_MS = 3000  # the feed polls SQLite every 250 ms; the test allows for a loaded machine


@pytest.fixture
def window(project: Path, qtbot: QtBot) -> MainWindow:  # noqa: F811
    return shown_window(qtbot, project, "alice")


@pytest.fixture
def other(project: Path) -> Iterator[AnnotationService]:  # noqa: F811
    """Another window of the same annotator: a service on its own engine."""
    with AnnotationService.open(project, "alice") as service:
        service.shown_layer.checked = True
        yield service


def status_shown(window: MainWindow, row: int) -> str:
    model = window.document_list.model
    return str(model.data(model.index(row, 2)))


def test_another_sessions_edits_arrive_in_the_list_and_the_text(
    window: MainWindow, other: AnnotationService, qtbot: QtBot
) -> None:
    doc = window.doc
    assert doc is not None
    caret = window.view.qt_at_offset(offsets("met")[0])
    cursor = window.view.textCursor()
    cursor.setPosition(caret)
    window.view.setTextCursor(cursor)
    second = window.document_list.model.document_id(1)
    assert second is not None and status_shown(window, 1) == "To do"

    span = other.add_span(doc.id, *offsets("Choe Ryong Hae"), "ACTOR").value
    other.set_status(second, "done")
    qtbot.waitUntil(lambda: span.id in window.layer.spans and status_shown(window, 1) == "Done", timeout=ARRIVES_MS)

    assert window.statusBar().currentMessage() == "Updated: 1 change by alice in another window"
    assert window.view.textCursor().position() == caret  # the text was not loaded again
    assert "1 spans" in window.status_line.spans_label.text()
    model = window.document_list.model
    assert model.data(model.index(0, 3)) == "1"  # the open document's span count
    assert "1 of 3 done" in window.document_list.progress.format()
    # The window edits on: its copy is current, so nothing is refused or read again.
    select(window, *offsets("Monday"))
    qtbot.keyClick(window.view, Qt.Key.Key_D)
    assert [s[3] for s in saved_spans(window.project_dir)] == ["Choe Ryong Hae", "Monday"]


def test_a_selected_span_stays_selected_and_shows_its_new_label(
    window: MainWindow, other: AnnotationService, qtbot: QtBot
) -> None:
    select(window, *offsets("Kim Jong Un"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    selected = window.annotate.selected_span
    assert selected is not None
    other.document(window.layer.id)
    other.relabel_span(selected, "CLAIM")
    qtbot.waitUntil(lambda: window.layer.spans[selected].label == "CLAIM", timeout=ARRIVES_MS)
    assert window.annotate.selected_span == selected


def test_an_update_waits_while_an_attribute_is_being_edited(
    window: MainWindow, other: AnnotationService, qtbot: QtBot
) -> None:
    select(window, *offsets("Kim Jong Un"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # selected: the attribute editor shows its fields
    field = window.attribute_editor.findChild(QComboBox)
    assert field is not None
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    span = other.add_span(window.layer.id, *offsets("Monday"), "DATE").value
    qtbot.wait(1200)  # the change has been read by now, but not brought in
    assert span.id not in window.layer.spans
    window.view.setFocus()  # done with the attribute: the window is idle again
    qtbot.waitUntil(lambda: span.id in window.layer.spans, timeout=ARRIVES_MS)


def test_an_edit_on_a_stale_copy_runs_on_the_layer_as_it_is_now(
    window: MainWindow, other: AnnotationService, qtbot: QtBot
) -> None:
    window.live.stop()  # no update arrives first: the edit itself finds the copy stale
    doc = window.layer.id
    other.document(doc)
    kim = other.add_span(doc, *offsets("Kim Jong Un"), "ACTOR").value
    select(window, *offsets("Monday"))
    qtbot.keyClick(window.view, Qt.Key.Key_D)
    assert [s[3] for s in saved_spans(window.project_dir)] == ["Kim Jong Un", "Monday"]
    assert kim.id in window.layer.spans and len(window.layer.spans) == 2  # read again, then labelled
    assert window.service.undo_description == "add DATE 'Monday'"


def test_an_edit_the_new_layer_forbids_says_why(window: MainWindow, other: AnnotationService, qtbot: QtBot) -> None:
    select(window, *offsets("Choe Ryong Hae"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    choe = window.annotate.selected_span
    assert choe is not None
    window.live.stop()
    other.document(window.layer.id)
    other.remove_span(choe)
    other.add_span(window.layer.id, *offsets("Ryong Hae said"), "CLAIM")
    # The window still shows Choe Ryong Hae, selected: Delete asks to remove what is gone.
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    message = window.statusBar().currentMessage()
    assert message.startswith("Not done: ") and "removed in another window" in message, message
    assert choe not in window.layer.spans  # shown as it is now
    # A span crossing the one now shown is refused, naming it, not a span the window never showed.
    select(window, *offsets("Choe Ryong"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    message = window.statusBar().currentMessage()
    assert "Ryong Hae said" in message, message
    assert [s[3] for s in saved_spans(window.project_dir)] == ["Ryong Hae said"]


def test_documents_imported_elsewhere_join_the_list(window: MainWindow, project: Path, qtbot: QtBot) -> None:  # noqa: F811
    source = project.parent / "late.txt"
    source.write_bytes(b"A fourth document, imported while the window is open.\n")
    with Project.open(project) as opened:
        import_paths(opened, [source])
    qtbot.waitUntil(lambda: window.document_list.model.rowCount() == 4, timeout=ARRIVES_MS)
    assert "0 of 4 done" in window.document_list.progress.format()
    assert window.document_list.current_document() == window.layer.id  # the open document stays selected
