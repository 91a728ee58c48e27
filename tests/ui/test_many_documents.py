"""A project of a few hundred documents in the real window, its list read in pages of twenty.

The list must hold only the pages it showed, and still walk to the last document by keys,
find rows by id, and count statuses right after edits; the window never lists every document.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from annotator import document_pages
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker
from tests.ui.conftest import shown_window
from ui.main_window import MainWindow

DOCUMENTS = 300
PAGE = 20  # a screenful of rows fits in HELD pages
HELD = 3
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def project(make_project: ProjectMaker) -> Path:
    root = make_project()
    texts = [f"Article {n}: Seoul said on Monday that talks resume.\n" for n in range(DOCUMENTS)]
    with Project.open(root) as opened:
        import_records(opened, [DocumentRecord("test", n + 1, t, external_id=f"a{n:03d}") for n, t in enumerate(texts)])
    return root


@pytest.fixture
def window(project: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(document_pages, "PAGE_SIZE", PAGE)
    monkeypatch.setattr(document_pages, "MAX_PAGES", HELD)

    def every_document(*_args: object) -> None:
        raise AssertionError("the window listed every document")

    monkeypatch.setattr(AnnotationService, "documents", every_document)
    win = shown_window(qtbot, project, "alice")
    qtbot.waitUntil(lambda: bool(held_pages(win)))  # the list has painted
    return win


def held_pages(window: MainWindow) -> list[int]:
    pages = window.document_list.model.pages
    assert pages is not None
    return pages.held_pages


def row_of_open_document(window: MainWindow) -> int | None:
    assert window.doc is not None
    return window.document_list.model.row_of(window.doc.id)


def counts(project: Path) -> dict[str, int]:
    with AnnotationService.open(project, "alice") as service:
        return dict(service.document_counts())


def test_opening_reads_the_counts_and_only_the_pages_shown(window: MainWindow) -> None:
    assert window.document_list.model.rowCount() == DOCUMENTS
    assert len(held_pages(window)) <= HELD and 0 in held_pages(window)
    assert window.document_list.progress.text() == f"0 of {DOCUMENTS} done"
    assert row_of_open_document(window) == 0
    assert window.status_line.position_label.text() == f"Document 1 of {DOCUMENTS}"


def test_keys_walk_to_the_last_document_and_back(window: MainWindow, qtbot: QtBot) -> None:
    model = window.document_list.model
    window.navigation.open_document(model.document_id(DOCUMENTS - 2))
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown, CTRL)
    assert row_of_open_document(window) == DOCUMENTS - 1
    assert window.doc is not None and window.doc.text.startswith(f"Article {DOCUMENTS - 1}:")
    assert window.document_list.view.currentIndex().row() == DOCUMENTS - 1
    assert window.status_line.position_label.text() == f"Document {DOCUMENTS} of {DOCUMENTS}"
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown, CTRL)
    assert row_of_open_document(window) == DOCUMENTS - 1
    assert window.statusBar().currentMessage() == "No further document in that direction"
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp, CTRL)
    assert row_of_open_document(window) == DOCUMENTS - 2
    qtbot.wait(20)
    assert len(held_pages(window)) <= HELD


def test_the_end_key_in_the_list_opens_the_last_document(window: MainWindow, qtbot: QtBot) -> None:
    view = window.document_list.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_End, CTRL)
    assert row_of_open_document(window) == DOCUMENTS - 1
    qtbot.wait(20)  # painted at the end of the list
    assert (DOCUMENTS - 1) // PAGE in held_pages(window) and len(held_pages(window)) <= HELD


def test_mark_done_counts_it_and_goes_on_to_the_next_page(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    window.navigation.open_document(window.document_list.model.document_id(PAGE - 1))
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    assert row_of_open_document(window) == PAGE  # the next unfinished one, the first row of page 1
    assert window.document_list.progress.text() == f"1 of {DOCUMENTS} done"
    assert window.document_list.model.index(PAGE - 1, 2).data() == "Done"
    assert counts(project)["done"] == 1


def test_an_edit_after_scrolling_the_list_away_is_still_counted(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    window.document_list.view.scrollToBottom()
    qtbot.waitUntil(lambda: 0 not in held_pages(window))  # the open document's page was dropped
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.qt_at_offset(len("Article 0: ")))
    cursor.setPosition(window.view.qt_at_offset(len("Article 0: Seoul")), QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_I, CTRL)  # mark in progress
    assert window.document_list.model.statuses == counts(project)
    assert window.document_list.progress.text() == f"0 of {DOCUMENTS} done"
    window.document_list.view.scrollToTop()
    qtbot.waitUntil(lambda: 0 in held_pages(window))
    row = window.document_list.model.index(0, 2)
    assert (row.data(), row.siblingAtColumn(3).data()) == ("In progress", "1")


def test_next_unfinished_wraps_round_past_the_pages_not_held(window: MainWindow, qtbot: QtBot) -> None:
    model = window.document_list.model
    window.navigation.open_document(model.document_id(DOCUMENTS - 1))
    qtbot.keyClick(window.view, Qt.Key.Key_J, CTRL)
    assert row_of_open_document(window) == 0


def test_adding_a_span_reads_nothing_of_the_list_back(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    for name in ("document_counts", "document_page", "document_position", "next_unfinished"):
        read = getattr(window.service, name)
        monkeypatch.setattr(
            window.service, name, lambda *args, _read=read, _name=name: reads.append(_name) or _read(*args)
        )
    window.view.select_range(len("Article 0: "), len("Article 0: Seoul"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.wait(20)  # painted
    assert window.document_list.model.index(0, 3).data() == "1"
    assert reads == []  # the row and the counts follow the edit itself
