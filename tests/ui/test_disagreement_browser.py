"""The disagreement browser, driven by keys: Ctrl+Shift+D, arrows, Enter, F4 / Shift+F4 from the text."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import REPO, ProjectMaker
from tests.ui.conftest import shown_window
from ui.main_window import MainWindow

FIRST = "Kim Jong Un met Putin in Moscow on Monday."
SECOND = "Xi Jinping flew to Seoul on Friday."


def record(annotator: str, doc: str, text: str, spans: list[tuple[int, int, str]]) -> str:
    return json.dumps(
        {
            "id": doc,
            "text": text,
            "spans": [{"start": s, "end": e, "label": label, "text": text[s:e]} for s, e, label in spans],
            "annotator": annotator,
            "status": "done",
        }
    )


@pytest.fixture
def window(make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    root = make_project()
    lines = [
        record("alice", "d1", FIRST, [(0, 11, "ACTOR"), (16, 21, "ACTOR"), (25, 31, "ACTOR")]),
        record("bob", "d1", FIRST, [(0, 8, "ACTOR"), (16, 21, "ACTOR"), (35, 41, "DATE")]),
        record("alice", "d2", SECOND, [(0, 10, "ACTOR")]),
        record("bob", "d2", SECOND, [(0, 10, "ACTOR"), (19, 24, "ACTOR")]),
        record("carol", "d1", FIRST, [(0, 11, "ACTOR"), (16, 21, "ACTOR"), (25, 31, "ACTOR")]),  # as alice
        record("carol", "d2", SECOND, [(0, 10, "ACTOR")]),
    ]
    path = tmp_path / "layers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [path])
    win = shown_window(qtbot, root, "alice")
    yield win
    gc.unfreeze()


def open_panel(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.disagreements.panel
    assert panel is not None
    qtbot.waitUntil(lambda: "in the 2 document(s) both marked done" in panel.status.text())


def test_keys_browse_and_jump(window: MainWindow, qtbot: QtBot) -> None:
    assert window.disagreements.panel is None  # nothing is built until it is asked for
    open_panel(window, qtbot)
    panel = window.disagreements.panel
    assert panel is not None and window.disagreements.dock is not None
    assert window.disagreements.dock.isVisible()
    assert QApplication.focusWidget() is panel.view
    rows = [panel.model.disagreement(row) for row in range(panel.model.rowCount())]
    assert [(d.external_id, d.kind, d.start, d.end) for d in rows if d] == [
        ("d1", "boundary", 0, 11),
        ("d1", "missing", 25, 31),
        ("d1", "missing", 35, 41),
        ("d2", "missing", 19, 24),
    ]
    d1, d2 = rows[0].document_id, rows[3].document_id  # type: ignore[union-attr]
    assert panel.pairs.currentText() == "alice – bob"
    assert panel.current_row() == 0
    assert (
        panel.detail.text() == "d1, boundary differs: alice: ACTOR 'Kim Jong Un' [0,11) — bob: ACTOR 'Kim Jong' [0,8)"
    )

    qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert panel.detail.text() == "d1, missing span: alice: none — bob: DATE 'Monday' [35,41)"
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert window.doc is not None and window.doc.id == d2
    assert window.view.selected_range() == (19, 24)
    assert QApplication.focusWidget() is window.view
    # Both versions in the text: bob's layer shown read-only beside alice's own.
    qtbot.waitUntil(lambda: window.other_layers.shown is not None)
    shown = window.other_layers.shown
    assert shown is not None and (shown.annotator, shown.document_id) == ("bob", d2)
    assert [(s.start, s.end) for s in shown.spans] == [(0, 10), (19, 24)]

    # F4 / Shift+F4 from the text view: the list goes on from its current row, opening documents.
    qtbot.keyClick(window.view, Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)
    assert window.doc.id == d1 and window.view.selected_range() == (35, 41)
    assert panel.current_row() == 2
    qtbot.keyClick(window.view, Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.selected_range() == (25, 31)
    qtbot.keyClick(window.view, Qt.Key.Key_F4)
    qtbot.keyClick(window.view, Qt.Key.Key_F4)
    assert window.doc.id == d2 and window.view.selected_range() == (19, 24)
    qtbot.keyClick(window.view, Qt.Key.Key_F4)  # past the end: stays, and says so
    assert window.doc.id == d2 and "No further disagreement" in window.statusBar().currentMessage()


def test_kind_filter_and_double_click(window: MainWindow, qtbot: QtBot) -> None:
    open_panel(window, qtbot)
    panel = window.disagreements.panel
    assert panel is not None
    assert panel.kind_boxes["missing"].text() == "Missing span 3"
    panel.kind_boxes["missing"].setChecked(False)
    assert panel.model.rowCount() == 1
    index = panel.model.index(0, 1)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's first
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.doc is not None and window.doc.id == panel.model.items[0].document_id
    assert window.view.selected_range() == (0, 11)


def test_f4_builds_the_list_when_it_is_not_there(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_F4)
    panel = window.disagreements.panel
    assert panel is not None and panel.current_row() == 0
    assert window.doc is not None and window.doc.id == panel.model.items[0].document_id
    assert window.view.selected_range() == (0, 11)


def test_the_list_is_read_between_events_not_when_shown(window: MainWindow, qtbot: QtBot) -> None:
    window.disagreements.show_panel()
    panel = window.disagreements.panel
    assert panel is not None
    assert panel.model.rowCount() == 0 and "0 of 2 documents read" in panel.status.text()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4)


def test_the_window_starts_without_the_agreement_modules() -> None:
    script = (
        "import json, sys; import ui.main_window; "
        "print(json.dumps([m for m in sys.modules if m.startswith(('annotator.agreement', 'numpy'))]))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert json.loads(result.stdout) == []


def test_choosing_a_pair_reads_its_list(window: MainWindow, qtbot: QtBot) -> None:
    open_panel(window, qtbot)
    panel = window.disagreements.panel
    assert panel is not None
    assert [panel.pairs.itemText(i) for i in range(panel.pairs.count())] == [
        "alice – bob",
        "alice – carol",
        "bob – carol",
    ]
    panel.pairs.setCurrentIndex(1)  # carol's layers are alice's
    qtbot.waitUntil(lambda: panel.status.text() == "0 in the 2 document(s) both marked done")
    assert panel.model.rowCount() == 0
    panel.pairs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4 and not window.disagreements.reading)
    header = panel.model.headerData
    assert (header(3, Qt.Orientation.Horizontal), header(4, Qt.Orientation.Horizontal)) == ("bob", "carol")
    assert panel.model.items[0].first.describe() == "bob: ACTOR 'Kim Jong' [0,8)"
