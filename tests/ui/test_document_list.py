"""The document list: status per document, progress, and activation by mouse and keyboard."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QVBoxLayout, QWidget

from annotator.models import STATUSES, DocumentSummary, Status
from annotator.type_ahead import same_up_to_case
from ui.document_list import DocumentList

DOCS = [
    DocumentSummary(11, "nk-russia-1", "North Korea and Russia try to boost ties", 3900, "done", 77, 1500.0),
    DocumentSummary(12, "nk-russia-2", "Envoy arrives in Moscow", 2100, "in_progress", 5, 60.0),
    DocumentSummary(13, "nk-russia-3", "Seoul reacts", 1800, "todo", 0, 0.0),
]


class ListedDocuments:
    """The rows a project's database would answer with, from a list (ids ascending)."""

    def __init__(self, docs: Iterable[DocumentSummary]) -> None:
        self.docs = list(docs)
        self.counted = 0

    def put(self, doc: DocumentSummary) -> None:
        """Store a document's new row, or a new document after the others (imported meanwhile)."""
        ids = [d.id for d in self.docs]
        if doc.id in ids:
            self.docs[ids.index(doc.id)] = doc
        else:
            self.docs.append(doc)

    def document_counts(self) -> Mapping[Status, int]:
        self.counted += 1
        return Counter(doc.status for doc in self.docs)

    def document_page(self, position: int, limit: int, after_id: int | None = None) -> list[DocumentSummary]:
        rows = self.docs[position:] if after_id is None else [d for d in self.docs if d.id > after_id]
        return rows[:limit]

    def document_position(self, document_id: int) -> int | None:
        ids = [d.id for d in self.docs]
        return ids.index(document_id) if document_id in ids else None

    def next_document_named(self, text: str, from_id: int | None) -> int | None:
        named = [d.id for d in self.docs if same_up_to_case(d.external_id[: len(text)], text)]
        after = [doc_id for doc_id in named if from_id is None or doc_id >= from_id]
        return (after or named or [None])[0]


@pytest.fixture
def window(qtbot) -> QWidget:
    """An active window that, like the main window, binds Enter window-wide."""
    host = QWidget()
    qtbot.addWidget(host)
    confirm = QAction("Confirm", host)
    confirm.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
    host.addAction(confirm)
    host.confirmed = []  # type: ignore[attr-defined]
    confirm.triggered.connect(lambda: host.confirmed.append(True))  # type: ignore[attr-defined]
    QVBoxLayout(host)
    return host


@pytest.fixture
def docs_list(qtbot, window: QWidget) -> DocumentList:
    widget = DocumentList()
    window.layout().addWidget(widget)
    widget.show_documents(ListedDocuments(DOCS))
    window.resize(500, 400)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return widget


def received(signal) -> list[int]:
    ids: list[int] = []
    signal.connect(ids.append)
    return ids


def cell(widget: DocumentList, row: int, column: int = 1) -> QModelIndex:
    return widget.model.index(row, column)


def test_progress_counts_finished_documents(docs_list: DocumentList) -> None:
    assert docs_list.progress.maximum() == 3
    assert docs_list.progress.value() == 1
    assert docs_list.progress.text() == "1 of 3 done"


def test_skipped_documents_count_as_finished_and_are_named(docs_list: DocumentList) -> None:
    docs_list.update_document(dataclasses.replace(DOCS[2], status="skipped"))
    assert docs_list.progress.value() == 2
    assert docs_list.progress.text() == "2 of 3 done (1 skipped)"


def test_rows_show_number_document_status_and_spans(docs_list: DocumentList) -> None:
    model = docs_list.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["#", "Document", "Status", "Spans"]
    expected = ["2", "nk-russia-2 · Envoy arrives in Moscow", "In progress", "5"]
    assert [cell(docs_list, 1, c).data() for c in range(4)] == expected
    assert cell(docs_list, 0, 2).data() == "Done"
    assert not cell(docs_list, 0, 2).data(Qt.ItemDataRole.DecorationRole).isNull()
    for column in range(4):
        assert cell(docs_list, 2, column).data(Qt.ItemDataRole.UserRole) == 13


def test_update_document_changes_exactly_one_row(docs_list: DocumentList) -> None:
    changed: list[tuple[int, int, int, int]] = []
    docs_list.model.dataChanged.connect(
        lambda top, bottom, _roles=(): changed.append((top.row(), top.column(), bottom.row(), bottom.column()))
    )
    docs_list.update_document(dataclasses.replace(DOCS[1], status="done", span_count=9))
    assert changed == [(1, 0, 1, 3)]
    assert cell(docs_list, 1, 2).data() == "Done"
    assert cell(docs_list, 1, 3).data() == "9"
    assert cell(docs_list, 0, 3).data() == "77"  # the others are untouched
    assert docs_list.progress.text() == "2 of 3 done"


def test_clicking_a_row_activates_its_document(qtbot, docs_list: DocumentList) -> None:
    view = docs_list.view
    with qtbot.waitSignal(docs_list.document_activated, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(cell(docs_list, 2)).center())
    assert blocker.args == [13]


def test_arrow_keys_and_enter_activate_without_the_window_taking_enter(
    qtbot, window: QWidget, docs_list: DocumentList
) -> None:
    docs_list.select_document(11)
    docs_list.view.setFocus()
    ids = received(docs_list.document_activated)
    qtbot.keyClick(docs_list.view, Qt.Key.Key_Down)
    assert ids == [12]
    qtbot.keyClick(docs_list.view, Qt.Key.Key_Return)
    assert ids == [12, 12]
    assert window.confirmed == []  # type: ignore[attr-defined]


def test_select_document_does_not_emit(docs_list: DocumentList) -> None:
    ids = received(docs_list.document_activated)
    docs_list.select_document(13)
    assert ids == []
    assert docs_list.current_document() == 13
    assert docs_list.view.selectionModel().isRowSelected(2, QModelIndex())


def test_show_documents_keeps_the_selection_quietly(docs_list: DocumentList) -> None:
    docs_list.select_document(12)
    ids = received(docs_list.document_activated)
    docs_list.show_documents(ListedDocuments([DOCS[1], DOCS[2]]))
    assert ids == []
    assert docs_list.current_document() == 12
    assert docs_list.progress.text() == "0 of 2 done"


def test_tabbing_into_the_list_opens_nothing(qtbot, docs_list: DocumentList) -> None:
    docs_list.show_documents(ListedDocuments(DOCS))  # a fresh model: no current row
    docs_list.view.clearFocus()
    ids = received(docs_list.document_activated)
    docs_list.view.setFocus()  # Qt makes row 0 current (not selected) on focus
    qtbot.wait(10)
    assert docs_list.view.currentIndex().isValid()
    assert ids == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.lists(st.sampled_from(STATUSES), max_size=8),
    updates=st.lists(st.tuples(st.integers(0, 11), st.sampled_from(STATUSES)), max_size=20),
)
def test_the_progress_kept_per_update_equals_a_recount(
    docs_list: DocumentList, first: list[Status], updates: list[tuple[int, Status]]
) -> None:
    """The counts behind the progress bar follow each row change (an edit must not recount a
    100,000-document list), and always say what counting every row says."""
    summary = lambda doc_id, status: DocumentSummary(doc_id, f"d{doc_id}", "t", 1, status, 0, 0.0)  # noqa: E731
    database = ListedDocuments(summary(doc_id, status) for doc_id, status in enumerate(first))
    docs_list.show_documents(database)
    for doc_id, status in updates:  # ids past the list are documents imported meanwhile: appended
        database.put(summary(doc_id, status))  # the edit, committed
        docs_list.update_document(summary(doc_id, status))
        rows = [docs_list.model.pages.at(row) for row in range(docs_list.model.rowCount())]
        assert rows == database.docs
        finished = sum(doc.status in ("done", "skipped") for doc in rows)
        skipped = sum(doc.status == "skipped" for doc in rows)
        text = f"{finished} of {len(rows)} done" + (f" ({skipped} skipped)" if skipped else "")
        assert (docs_list.progress.value(), docs_list.progress.format()) == (finished, text)


def test_an_edit_of_a_shown_row_is_counted_without_counting_every_document(qtbot, window: QWidget) -> None:
    database = ListedDocuments(DOCS)
    widget = DocumentList()
    window.layout().addWidget(widget)
    widget.show_documents(database)
    window.show()
    qtbot.waitUntil(lambda: widget.model.pages is not None and widget.model.pages.held_pages == [0])  # painted
    widget.update_document(dataclasses.replace(DOCS[2], status="done"))
    assert database.counted == 1  # once, when listed
    assert widget.progress.text() == "2 of 3 done"
    assert cell(widget, 2, 2).data() == "Done"
