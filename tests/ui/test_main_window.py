"""The whole window, driven like an annotator: select, press keys, read the database back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from annotator.example_project import copy_example
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import NEWS_SCHEMA, TRICKY_TEXT
from tests.ui.conftest import shown_window
from ui.app import build_window
from ui.main_window import MainWindow

SECOND = "A short second document about Seoul.\n"
THIRD = "Third: Moscow said on Monday that talks resume.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: ui\nschema: schema.yaml\n", encoding="utf-8")
    sources = tmp_path / "docs"
    sources.mkdir()
    for name, text in (("1-tricky", TRICKY_TEXT), ("2-second", SECOND), ("3-third", THIRD)):
        (sources / f"{name}.txt").write_bytes(text.encode("utf-8"))
    with Project.open(root) as opened:
        import_paths(opened, [sources])
    return root


@pytest.fixture
def window(project: Path, qtbot: QtBot) -> MainWindow:
    win = shown_window(qtbot, project, "alice")
    return win


def saved_spans(project: Path, annotator: str = "alice") -> list[tuple[int, int, str, str]]:
    """Read the database back through a separate service, as another process would."""
    with AnnotationService.open(project, annotator) as service:
        doc = service.documents()[0]
        return [(s.start, s.end, s.label, s.text) for s in service.document(doc.id).spans]


def select(window: MainWindow, start: int, end: int) -> None:
    """Select code points [start, end) with a real QTextCursor (Qt positions differ)."""
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.qt_at_offset(start))
    cursor.setPosition(window.view.qt_at_offset(end), QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)


def offsets(needle: str, text: str = TRICKY_TEXT) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def test_select_and_press_the_hotkey_saves_exact_offsets_after_emoji_and_crlf(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    start, end = offsets("Choe Ryong Hae")  # after an emoji, a flag, a ZWJ family and a CRLF
    select(window, start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert saved_spans(project) == [(start, end, "ACTOR", "Choe Ryong Hae")]
    assert window.annotate.selected_span is not None  # the new span is selected for its attributes
    assert "1 spans" in window.status_line.spans_label.text()


def test_a_sloppy_mouse_selection_snaps_to_the_word(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    start, end = offsets("Ryong")
    select(window, start + 1, end - 1)  # "yon"
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert saved_spans(project) == [(start, end, "ACTOR", "Ryong")]


def test_relabel_delete_undo_redo(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    start, end = offsets("Monday")
    select(window, start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_D)  # the span is selected: relabel it
    assert saved_spans(project) == [(start, end, "DATE", "Monday")]
    assert window.undo_action.text() == "Undo relabel 'Monday' ACTOR → DATE"
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert saved_spans(project) == []
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert saved_spans(project) == [(start, end, "DATE", "Monday")]
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert saved_spans(project) == [(start, end, "ACTOR", "Monday")]
    qtbot.keyClick(window.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert saved_spans(project) == [(start, end, "DATE", "Monday")]
    assert window.redo_action.text() == "Redo remove DATE 'Monday'"


def test_attributes_are_saved_from_the_side_panel(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    select(window, *offsets("Kim Jong Un"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    window.attribute_editor.attribute_edited.emit(window.annotate.selected_span, "kind", "person")
    with AnnotationService.open(project, "alice") as service:
        (span,) = service.document(service.documents()[0].id).spans
    assert dict(span.attributes) == {"kind": "person"}


def test_a_relation_from_claim_to_actor(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    select(window, *offsets("Choe Ryong Hae"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    actor = window.annotate.selected_span
    select(window, *offsets("the talks\u00a0resume  on Monday"))
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    claim = window.annotate.selected_span
    qtbot.keyClick(window.view, Qt.Key.Key_S)  # SAID_BY from the selected CLAIM...
    assert window.annotate.pending_relation == ("SAID_BY", claim)
    window.view.span_clicked.emit(actor)  # ...to the ACTOR clicked next
    with AnnotationService.open(project, "alice") as service:
        view = service.document(service.documents()[0].id)
    assert [(r.label, r.head, r.tail) for r in view.relations] == [("SAID_BY", claim, actor)]
    assert window.annotate.pending_relation is None


def test_navigation_and_mark_done(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    first = window.doc.id
    assert "Document 1 of 3" in window.status_line.position_label.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # done, go on
    assert window.doc.id != first and "Document 2 of 3" in window.status_line.position_label.text()
    with AnnotationService.open(project, "alice") as service:
        assert [d.status for d in service.documents()] == ["done", "todo", "todo"]
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.id == first
    qtbot.keyClick(window.view, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)  # next unfinished
    assert "Document 2 of 3" in window.status_line.position_label.text()


def test_find_highlights_hits_and_label_all_labels_them_in_one_step(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    window.navigation.open_document(window.document_list.model.document_id(2))
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.input, "o")
    assert window.find_bar.count.text() == f"1 of {THIRD.lower().count('o')}"
    window.find_bar.input.clear()
    qtbot.keyClicks(window.find_bar.input, "Monday")
    assert window.search.hits == [offsets("Monday", THIRD)]
    window.search.label_all_found()
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    next(a for a in menu.actions() if a.text().startswith("DATE")).trigger()
    with AnnotationService.open(project, "alice") as service:
        third = service.documents()[2]
        assert [(s.text, s.label) for s in service.document(third.id).spans] == [("Monday", "DATE")]


def test_label_all_occurrences_of_the_selected_span(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    text = "Seoul and Seoul again, then Seoul.\n"
    with Project.open(project) as opened:
        import_paths(opened, [_write(project.parent / "seoul.txt", text)])
    window.navigation.reload_documents()
    window.navigation.open_document(window.document_list.model.document_id(window.document_list.model.rowCount() - 1))
    select(window, 0, 5)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert len(window.doc.spans) == 3
    assert window.undo_action.text() == "Undo label 2 × 'Seoul' as ACTOR"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.doc.spans) == 1


def test_overlapping_spans_are_all_drawn(window: MainWindow, qtbot: QtBot) -> None:
    claim = offsets("Choe Ryong Hae said:\tthe talks\u00a0resume  on Monday")
    actor = offsets("Choe Ryong Hae")
    date = offsets("Monday")
    for (start, end), key in ((claim, Qt.Key.Key_C), (actor, Qt.Key.Key_A), (date, Qt.Key.Key_D)):
        select(window, start, end)
        qtbot.keyClick(window.view, key)
    window.annotate.clear_selection()  # no overlay over what is checked
    qtbot.wait(50)

    def labels(offset: int) -> tuple[str, ...]:
        look = window.view.highlighter.drawn_at(offset).look
        return look.labels if look is not None else ()

    drawn = {offset: labels(offset) for offset in (actor[0], claim[0] + 16, date[0], claim[1])}
    # Inside the CLAIM, the ACTOR and the DATE are drawn with the CLAIM still marked.
    assert drawn == {actor[0]: ("CLAIM", "ACTOR"), claim[0] + 16: ("CLAIM",), date[0]: ("CLAIM", "DATE"), claim[1]: ()}
    looks = {offset: window.view.highlighter.drawn_at(offset).look for offset in (actor[0], claim[0] + 16, date[0])}
    backgrounds = {offset: look.background.name() for offset, look in looks.items() if look is not None}
    assert len(set(backgrounds.values())) == 3  # three labels, three colours


def test_a_broken_schema_gives_an_error_not_a_crash(tmp_path: Path, qtbot: QtBot) -> None:
    from annotator.errors import AnnotatorError
    from ui.dialogs import report_error

    root = tmp_path / "broken"
    root.mkdir()
    (root / "schema.yaml").write_text("name: x\nversion: 1\nlabels: []\n", encoding="utf-8")
    (root / "project.yaml").write_text("name: x\nschema: schema.yaml\n", encoding="utf-8")
    with pytest.raises(AnnotatorError) as failure:
        build_window(root, annotator="alice")
    box = report_error(None, "Cannot open project", str(failure.value))
    qtbot.addWidget(box)
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "schema.yaml:3" in box.text()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_example_reference_layer_opens(qtbot: QtBot, tmp_path: Path) -> None:
    root = tmp_path / "example"
    win = build_window(copy_example(root), annotator="reference")
    qtbot.addWidget(win)
    assert len(win.doc.spans) == 77 and len(win.doc.relations) == 14
    assert "77 spans" in win.status_line.spans_label.text() and "Layer: reference" in win.status_line.layer_label.text()
