"""Attacks on the window following another session (ui/live_updates.py): undo and redo of what the
other session changed meanwhile, a relation half drawn when its head goes, a document taken out
under the open window, both sessions editing fast. Each ends reading the database back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.importers import import_paths
from annotator.importers.import_log import undo_import
from annotator.project import Project
from annotator.service import AnnotationService
from tests.ui.conftest import shown_window
from tests.ui.test_main_window import offsets, project, saved_spans, select  # noqa: F401  (fixture)
from ui.main_window import MainWindow

ARRIVES_MS = 3000
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(project: Path, qtbot: QtBot) -> MainWindow:  # noqa: F811
    return shown_window(qtbot, project, "alice")


@pytest.fixture
def other(project: Path) -> Iterator[AnnotationService]:  # noqa: F811
    with AnnotationService.open(project, "alice") as service:
        service.shown_layer.checked = True
        yield service


def label(window: MainWindow, qtbot: QtBot, needle: str, key: Qt.Key = Qt.Key.Key_A) -> int:
    select(window, *offsets(needle))
    qtbot.keyClick(window.view, key)
    span = window.annotate.selected_span
    assert span is not None
    return span


def test_undo_of_a_span_the_other_session_removed_says_so_and_keeps_the_rest(
    window: MainWindow, other: AnnotationService, qtbot: QtBot
) -> None:
    kim = label(window, qtbot, "Kim Jong Un")
    other.document(window.layer.id)
    other.remove_span(kim)
    other.add_span(window.layer.id, *offsets("Monday"), "DATE")
    qtbot.waitUntil(lambda: kim not in window.layer.spans, timeout=ARRIVES_MS)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # undo "add ACTOR 'Kim Jong Un'": gone already
    message = window.statusBar().currentMessage()
    assert message.startswith("Not done"), message
    assert [s[3] for s in saved_spans(window.project_dir)] == ["Monday"]
    assert sorted(s.label for s in window.layer.spans.values()) == ["DATE"]


def test_undo_and_redo_while_the_other_session_adds(window: MainWindow, other: AnnotationService, qtbot: QtBot) -> None:
    label(window, qtbot, "Kim Jong Un")
    other.document(window.layer.id)
    monday = other.add_span(window.layer.id, *offsets("Monday"), "DATE").value
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # may meet the stale copy first: read again, then undone
    assert [s[3] for s in saved_spans(window.project_dir)] == ["Monday"]
    qtbot.keyClick(window.view, Qt.Key.Key_Y, CTRL)
    assert [s[3] for s in saved_spans(window.project_dir)] == ["Kim Jong Un", "Monday"]
    qtbot.waitUntil(lambda: monday.id in window.layer.spans, timeout=ARRIVES_MS)
    assert len(window.layer.spans) == 2


def test_a_relation_half_drawn_when_the_other_session_removes_its_head(
    window: MainWindow, other: AnnotationService, qtbot: QtBot
) -> None:
    kim = label(window, qtbot, "Kim Jong Un")
    claim = label(window, qtbot, "the talks\u00a0resume", Qt.Key.Key_C)
    qtbot.keyClick(window.view, Qt.Key.Key_S)  # SAID_BY from the claim: waits for its tail
    assert window.annotate.pending_relation is not None
    other.document(window.layer.id)
    other.remove_span(claim)
    qtbot.wait(800)  # read, but deferred: the relation waits for its tail
    assert claim in window.layer.spans
    window.annotate.span_clicked(kim)  # the tail: the head is gone by now
    message = window.statusBar().currentMessage()
    assert message.startswith("Not done") and "removed in another window" in message, message
    assert window.annotate.pending_relation is None and claim not in window.layer.spans
    assert [s[3] for s in saved_spans(window.project_dir)] == ["Kim Jong Un"]


def test_the_open_document_taken_out_by_an_undone_import(project: Path, qtbot: QtBot) -> None:  # noqa: F811
    source = project.parent / "late.txt"
    source.write_bytes(b"A late document about Moscow.\n")
    with Project.open(project) as opened:
        event = import_paths(opened, [source]).event_id
    window = shown_window(qtbot, project, "alice")
    late = next(d.id for d in window.service.documents() if d.title.startswith("A late"))
    window.navigation.open_document(late)
    assert window.doc is not None and window.doc.id == late
    with Project.open(project) as opened:
        undo_import(opened, event)
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.id != late, timeout=ARRIVES_MS)
    assert window.document_list.model.rowCount() == 3
    assert window.document_list.current_document() == window.doc.id  # the list and the text agree
    message = window.statusBar().currentMessage()
    assert message.startswith("The document shown was taken out in another session"), message
    select(window, 0, 3)  # editing goes on in the document now shown
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert window.statusBar().currentMessage() == message  # nothing refused
    with AnnotationService.open(project, "alice") as service:
        assert [(s.start, s.end) for s in service.document(window.doc.id).spans] == [(0, 3)]
        assert late not in [d.id for d in service.documents()]


def test_an_update_of_the_open_layer_reads_only_that_layer(
    window: MainWindow,
    other: AnnotationService,
    project: Path,  # noqa: F811
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A burst of another session's edits is read in batches while the annotator works: each batch
    reads the open layer once; the open document's row follows it (no row query), and the other
    layers are read again only when one of them changed."""
    import ui.live_updates as live_updates

    qtbot.waitUntil(lambda: window.other_layers.listed, timeout=ARRIVES_MS)
    rows_read: list[list[int]] = []
    layers_read: list[int] = []
    read_rows, read_layers = live_updates.document_rows, window.service.layers
    monkeypatch.setattr(live_updates, "document_rows", lambda s, ids: rows_read.append(list(ids)) or read_rows(s, ids))
    monkeypatch.setattr(window.service, "layers", lambda d: layers_read.append(d) or read_layers(d))
    doc = window.layer.id
    other.document(doc)
    spans = [other.add_span(doc, *offsets(word), "ACTOR").value for word in ("Kim Jong Un", "Choe Ryong Hae")]
    qtbot.waitUntil(lambda: all(s.id in window.layer.spans for s in spans), timeout=ARRIVES_MS)
    qtbot.wait(100)
    assert all(doc not in ids for ids in rows_read) and layers_read == []
    assert window.document_list.model.data(window.document_list.model.index(0, 3)) == "2"  # its row followed
    with AnnotationService.open(project, "bob") as bob:
        bob.add_span(doc, *offsets("Monday"), "DATE")
    qtbot.waitUntil(lambda: layers_read == [doc], timeout=ARRIVES_MS)  # bob's layer is new to the chooser
    assert "bob" in window.layer_chooser.names()


@pytest.mark.parametrize("writes_between", [2, 99])
def test_an_edit_while_the_other_session_writes_between_each_re_read_and_the_retry(
    window: MainWindow, other: AnnotationService, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, writes_between: int
) -> None:
    """The other window writes again right after each re-read: the edit is made again on the newer
    copy, a few times; past that it says so in the status bar. Never a dialog (it would be modal,
    and hold back the keys and every update behind it)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    window.live.stop()  # the edits themselves find the copy stale
    doc = window.layer.id
    other.document(doc)
    words = iter(["Kim", "Jong", "Un", "Choe", "Ryong", "Hae", "Monday", "officials", "Cafe", "owners", "talks"])
    written: list[str] = []
    catch_up = window.live.catch_up

    def catch_up_then_other_writes(others: bool = False) -> bool:
        caught = catch_up(others)
        if len(written) < writes_between:
            word = next(words)
            other.add_span(doc, *offsets(word), "ACTOR")
            written.append(word)
        return caught

    monkeypatch.setattr(window.live, "catch_up", catch_up_then_other_writes)
    other.add_span(doc, *offsets("resume"), "CLAIM")
    select(window, *offsets("2014-11-14"))
    qtbot.keyClick(window.view, Qt.Key.Key_D)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert dialogs == [], [d.text() for d in dialogs]
    saved = [s[3] for s in saved_spans(window.project_dir)]
    if writes_between == 2:
        assert "2014-11-14" in saved and window.service.undo_description == "add DATE '2014-11-14'"
    else:
        assert "2014-11-14" not in saved and window.service.undo_description is None
        assert "keeps changing in another window" in window.statusBar().currentMessage()
    assert len(saved) == 1 + len(written) + (writes_between == 2)  # nothing of the other window's lost
