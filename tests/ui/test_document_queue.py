"""The window follows the annotator's queue (annotator assign): the list shows only the documents
assigned to them, next unfinished and done-and-next stay within them, an empty queue says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.team.assign import assign_documents
from annotator.team.identity import TeamLogin
from tests.conftest import NEWS_SCHEMA
from tests.ui.conftest import shown_window
from ui.document_list import NO_DOCUMENTS, NOTHING_ASSIGNED
from ui.main_window import MainWindow
from ui.settings import WindowSettings

COUNT = 12


def make_project(tmp_path: Path, count: int = COUNT) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: queue\nschema: schema.yaml\n", encoding="utf-8")
    records = [
        DocumentRecord("test", n + 1, f"Document {n}: Seoul said talks resume.", external_id=f"doc-{n:02d}")
        for n in range(count)
    ]
    with Project.open(root) as project:
        import_records(project, records)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    with Project.open(root) as opened:
        assign_documents(opened, ["alice", "bob", "carol"], 1, seed=5)
    return root


def queue_of(project: Path, name: str) -> list[str]:
    with AnnotationService.open(project, name) as service:
        return [doc.external_id for doc in service.documents()]


def active_window(qtbot: QtBot, project: Path, annotator: str) -> MainWindow:
    window = shown_window(qtbot, project, annotator)
    qtbot.waitUntil(window.isActiveWindow)  # the keys go to the active window only
    window.view.setFocus()
    return window


def listed(window: MainWindow) -> list[str]:
    model = window.document_list.model
    return [model.index(row, 1).data().split(" · ")[0] for row in range(model.rowCount())]


def test_an_annotator_sees_only_their_documents_and_next_unfinished_stays_within_them(
    project: Path, qtbot: QtBot
) -> None:
    mine = queue_of(project, "alice")
    assert len(mine) == COUNT // 3 and len(queue_of(project, "lead")) == COUNT
    window = active_window(qtbot, project, "alice")
    assert listed(window) == mine
    assert window.doc.view().external_id == mine[0]
    assert f"Document 1 of {len(mine)}" in window.status_line.position_label.text()
    assert not window.document_list.empty_note.isVisible()
    visited = [window.doc.view().external_id]
    for _step in range(len(mine)):
        qtbot.keyClick(window.view, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)  # next unfinished
        visited.append(window.doc.view().external_id)
    assert set(visited) == set(mine) and visited[-1] == mine[0]  # round the queue and back
    for _step in range(len(mine)):
        qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # done, go on
        assert window.doc.view().external_id in mine
    with AnnotationService.open(project, "alice") as service:
        assert [doc.status for doc in service.documents()] == ["done"] * len(mine)
    assert window.document_list.progress.text() == f"{len(mine)} of {len(mine)} done"
    with AnnotationService.open(project, "lead") as lead:  # nobody else's document was touched
        assert {doc.status for doc in lead.documents()} == {"todo"}


def test_the_type_ahead_finds_only_assigned_documents(project: Path, qtbot: QtBot) -> None:
    mine, bobs = queue_of(project, "alice"), queue_of(project, "bob")
    window = active_window(qtbot, project, "alice")
    ids = {window.service.find_document(name): name for name in mine}
    view = window.document_list.view
    view.setFocus()
    view.setCurrentIndex(window.document_list.model.index(0, 1))
    for name in bobs:  # bob's names: the list never lands on one (it has none)
        qtbot.keyClicks(view, name)
        assert ids[window.document_list.current_document()] != name
        qtbot.wait(PAST_TYPING_MS)
    qtbot.keyClicks(view, mine[-1])
    assert ids[window.document_list.current_document()] == mine[-1]


PAST_TYPING_MS = 450  # past the keyboard input interval (400 ms by default): a new type-ahead search


def test_a_layer_without_assignments_sees_every_document(project: Path, qtbot: QtBot) -> None:
    window = shown_window(qtbot, project, "lead")
    assert len(listed(window)) == COUNT


def test_an_empty_queue_says_so(project: Path, qtbot: QtBot) -> None:
    """On a team database an annotator member without assignments has an empty list (queue_filter.py);
    the team is stood in for on SQLite by the project's TeamLogin."""
    opened = Project.open(project)
    opened.team = TeamLogin("queue", False, "erin", "annotator")
    window = MainWindow(AnnotationService(opened, "erin"), WindowSettings(), project)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    note = window.document_list.empty_note
    assert window.document_list.model.rowCount() == 0 and window.doc is None
    assert note.isVisible() and note.text() == NOTHING_ASSIGNED
    assert "Document 0 of 0" in window.status_line.position_label.text()


def test_a_project_without_documents_says_so(tmp_path: Path, qtbot: QtBot) -> None:
    window = shown_window(qtbot, make_project(tmp_path, 0), "alice")
    assert window.document_list.empty_note.isVisible()
    assert window.document_list.empty_note.text() == NO_DOCUMENTS
