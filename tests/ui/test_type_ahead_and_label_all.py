"""The whole window driven by keys: typing in the document list opens the document whose name
starts with what was typed (a query, not a read of every row), and 'label all occurrences' of
a word found 40 times is one edit that one Ctrl+Z takes back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import NEWS_SCHEMA
from ui.app import build_window
from ui.main_window import MainWindow

NAMED = {40: "Apple pie", 120: "Banana", 130: "cherry", 131: "Cider", 132: "doc-x"}
WORD_LINE = "Seoul said so; Seoul agreed.\n"
OCCURRENCES = 40


def names() -> list[str]:
    return [NAMED.get(number, f"doc-{number:04d}") for number in range(150)]


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> MainWindow:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: ui\nschema: schema.yaml\n", encoding="utf-8")
    records = [
        DocumentRecord("test", number + 1, WORD_LINE * (OCCURRENCES // 2) + f"{name}\n", external_id=name)
        for number, name in enumerate(names())
    ]
    with Project.open(root) as project:
        import_records(project, records)
    win = build_window(root, annotator="alice")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    return win


def type_in_list(window: MainWindow, qtbot: QtBot, keys: str) -> str:
    """Type into the focused document list; the name of the document the window shows then."""
    view = window.document_list.view
    view.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a new search, not the last one going on
    qtbot.keyClicks(view, keys)
    assert window.doc is not None
    return window.doc.view().external_id


def test_typing_in_the_document_list_opens_the_document_named_so(window: MainWindow, qtbot: QtBot) -> None:
    assert window.doc is not None and window.doc.view().external_id == "doc-0000"
    assert type_in_list(window, qtbot, "ban") == "Banana"
    assert type_in_list(window, qtbot, "DOC-01") == "doc-0121"  # on from the row after Banana
    assert type_in_list(window, qtbot, "ap") == "Apple pie"  # round to the top; 'a' is ACTOR's key, not here
    assert type_in_list(window, qtbot, "c") == "cherry"
    assert type_in_list(window, qtbot, "c") == "Cider"  # a new search starts after the current row
    assert type_in_list(window, qtbot, "cc") == "Cider"  # cherry (round to the top), then the same key: the next
    assert type_in_list(window, qtbot, "zebra") == "Cider"  # no such name: nothing moves
    assert window.document_list.current_document() == window.doc.id
    with AnnotationService.open(window.service.project.config.root, "alice") as other:
        assert other.document(window.doc.id).spans == ()  # the letters labelled nothing


def test_the_number_column_types_row_numbers(window: MainWindow, qtbot: QtBot) -> None:
    view = window.document_list.view
    view.setCurrentIndex(window.document_list.model.index(0, 0))  # a click in the "#" column
    qtbot.wait(50)
    assert type_in_list(window, qtbot, "121") == "Banana"


def test_label_all_of_40_occurrences_is_one_undo_step(window: MainWindow, qtbot: QtBot) -> None:
    view = window.view
    view.setFocus()
    cursor = view.textCursor()
    cursor.setPosition(view.qt_at_offset(0))
    cursor.setPosition(view.qt_at_offset(len("Seoul")), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.keyClick(view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.doc is not None and len(window.doc.spans) == OCCURRENCES
    assert window.undo_action.text() == f"Undo label {OCCURRENCES - 1} × 'Seoul' as ACTOR"
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.doc.spans) == 1
    with AnnotationService.open(window.service.project.config.root, "alice") as other:
        assert [s.start for s in other.document(window.doc.id).spans] == [0]
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.doc.spans) == OCCURRENCES
