"""The window's newer features used the way an impatient or hostile user would: keys with nothing
open, sequences across documents, layers changed by another process, 100-character annotator
names. Each test drives the real widgets by keys, reads the database back, and checks that no
error dialog came up (a user's mistake is one status-bar line)."""

# ruff: noqa: F811  (test_other_layers' fixtures, imported, are the tests' parameters)

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import ui.controllers.annotate
import ui.review_mode
from annotator.example_project import default_schema
from annotator.importers import import_paths
from annotator.new_project import create_project
from annotator.project import Project
from annotator.service import AnnotationService
from tests.ui.conftest import shown_window
from tests.ui.test_other_layers import CTRL_ALT, CTRL_SHIFT, press, project, stored, window  # noqa: F401
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier
LONG_NAME = ("annotator-with-a-very-long-name-" * 4)[:100]  # the longest name an annotator may have


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The error dialogs the window would have shown."""
    shown: list[str] = []
    for module in (ui.controllers.annotate, ui.review_mode):
        monkeypatch.setattr(module, "report_error", lambda _parent, _title, message: shown.append(message))
    return shown


def opened(root: Path, qtbot: QtBot) -> MainWindow:
    win = shown_window(qtbot, root, "alice")
    qtbot.waitUntil(win.isActiveWindow)
    return win


def test_copy_all_undone_and_redone_from_another_document(
    window: MainWindow, project: Path, qtbot: QtBot, dialogs: list[str]
) -> None:
    press(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)  # model
    model = sorted(stored(project, "model"))
    first = window.doc.id if window.doc is not None else None
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)
    assert sorted(stored(project, "alice")) == model
    press(qtbot, window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # the next document
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.id != first)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # the copy, on the first document, in one step
    assert stored(project, "alice") == []
    press(qtbot, window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert sorted(stored(project, "alice")) == model
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)  # this document has no model layer: a line, nothing written
    assert "No other layer" in window.statusBar().currentMessage()
    assert sorted(stored(project, "alice")) == model and not dialogs


def test_copy_all_leaves_out_what_crosses_the_own_spans(
    window: MainWindow, project: Path, qtbot: QtBot, dialogs: list[str]
) -> None:
    press(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)  # model
    first = min(window.view.read_only.spans.values(), key=lambda s: s.start)
    assert window.doc is not None
    window.service.add_span(window.doc.id, first.start + 1, first.end + 3, "DATE")  # crosses it
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)
    assert "skipped 1 refused by the schema's overlap rule" in window.statusBar().currentMessage()
    own = stored(project, "alice")
    assert not any(a[0] < b[0] < a[1] < b[1] for a in own for b in own)  # the schema's rule is nested
    window.view.select_range(first.start, first.start)
    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)  # that one alone: refused, in a line
    assert window.statusBar().currentMessage().startswith("Not done: nothing copied from model")
    assert stored(project, "alice") == own and not dialogs


def test_every_new_key_on_an_empty_project(tmp_path: Path, qtbot: QtBot, dialogs: list[str]) -> None:
    root = tmp_path / "empty"
    with default_schema() as schema:
        create_project(root, schema)
    win = opened(root, qtbot)
    win.quality.dashboard.dock.show()
    win.quality.agreement.dock.show()
    keys = [(Qt.Key.Key_L, CTRL_SHIFT), (Qt.Key.Key_C, CTRL_SHIFT), (Qt.Key.Key_C, CTRL_ALT)]
    keys += [(Qt.Key.Key_D, CTRL_SHIFT), (Qt.Key.Key_F4, NONE), (Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)]
    keys += [(Qt.Key.Key_R, CTRL_SHIFT), *((key, NONE) for key in (Qt.Key.Key_F5, Qt.Key.Key_F6, Qt.Key.Key_F7))]
    keys += [(Qt.Key.Key_F8, NONE), (Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier), (Qt.Key.Key_Return, CTRL)]
    keys += [(Qt.Key.Key_Z, CTRL), (Qt.Key.Key_R, CTRL_SHIFT), (Qt.Key.Key_Z, CTRL)]
    for key, modifiers in keys * 2:
        qtbot.keyClick(win.view, key, modifiers)
    assert not win.review.active and not dialogs


def test_a_100_character_annotator_name_is_shortened_in_the_chooser_and_panels(
    project: Path, qtbot: QtBot, tmp_path: Path, dialogs: list[str]
) -> None:
    with AnnotationService.open(project, "model") as model:
        view = model.document(model.find_document("nk-russia-1"))
        spans = [{"start": s.start, "end": s.end, "label": s.label} for s in view.spans[:20]]
    record = {"id": "nk-russia-1", "text": view.text, "annotator": LONG_NAME, "status": "done", "spans": spans}
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Project.open(project) as opened_project:
        import_paths(opened_project, [path])
    win = opened(project, qtbot)
    qtbot.waitUntil(lambda: win.other_layers.listed)
    combo = win.layer_chooser.combo
    assert win.layer_chooser.names()[0] == LONG_NAME
    assert combo.sizeHint().width() < 450  # the toolbar keeps its place for the labels
    assert combo.itemData(1, Qt.ItemDataRole.ToolTipRole) == LONG_NAME
    press(qtbot, win, Qt.Key.Key_L, CTRL_SHIFT)  # the long-named layer comes first
    assert win.view.read_only.name == LONG_NAME
    press(qtbot, win, Qt.Key.Key_C, CTRL_ALT)
    assert sorted(stored(project, "alice")) == sorted(stored(project, LONG_NAME))
    press(qtbot, win, Qt.Key.Key_R, CTRL_SHIFT)
    press(qtbot, win, Qt.Key.Key_D, CTRL_SHIFT)
    for model, section in ((win.review.panel.model, 2), (win.disagreements.panel.model, 3)):  # type: ignore[union-attr]
        header = [model.headerData(s, Qt.Orientation.Horizontal) for s in range(model.columnCount())]
        assert LONG_NAME not in header
        named = next(s for s in range(section, model.columnCount()) if str(header[s]).startswith("annotator-w"))
        assert model.headerData(named, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == LONG_NAME
    pairs = win.disagreements.panel.pairs  # type: ignore[union-attr]
    assert all(len(pairs.itemText(i)) < 60 for i in range(pairs.count()))
    assert not dialogs


def test_copying_thousands_of_spans_repaints_a_screenful_and_undoes_in_one_step(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, dialogs: list[str]
) -> None:
    root = tmp_path / "long"
    with default_schema() as schema:
        create_project(root, schema)
    sentence = "Kim met Putin in Moscow on Monday and they talked about trade. "
    count = 2000
    spans = [{"start": i * len(sentence) + 8, "end": i * len(sentence) + 13, "label": "ACTOR"} for i in range(count)]
    record = {"id": "long", "text": sentence * count, "annotator": "model", "spans": spans}
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Project.open(root) as opened_project:
        import_paths(opened_project, [path])
    win = opened(root, qtbot)
    qtbot.waitUntil(lambda: win.other_layers.listed)
    press(qtbot, win, Qt.Key.Key_L, CTRL_SHIFT)
    assert len(win.view.read_only.spans) == count
    asked: list[tuple[int, int]] = []
    measure = win.view.fragment_rects
    monkeypatch.setattr(win.view, "fragment_rects", lambda a, b: asked.append((a, b)) or measure(a, b))
    press(qtbot, win, Qt.Key.Key_C, CTRL_ALT)
    assert len(asked) < 100  # the spans on screen at most, never one walk of the lines per copied span
    assert len(stored(root, "alice", "long")) == count and len(win.layer.spans) == count
    press(qtbot, win, Qt.Key.Key_Z, CTRL)
    assert stored(root, "alice", "long") == [] and not win.layer.spans and not dialogs


def test_a_layer_replaced_or_removed_by_another_process_is_shown_again_before_anything_is_copied(
    window: MainWindow, project: Path, qtbot: QtBot, tmp_path: Path, dialogs: list[str]
) -> None:
    press(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)  # model, 70 spans
    assert window.doc is not None
    record = {"id": "nk-russia-1", "text": window.doc.text, "annotator": "model",
              "spans": [{"start": 0, "end": 5, "label": "ACTOR"}]}  # fmt: skip
    path = tmp_path / "replace.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Project.open(project) as other_process:
        import_paths(other_process, [path], replace=True)
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)  # the 70 on screen are no longer model's: none copied
    assert stored(project, "alice") == []
    assert "model's layer changed since it was shown" in window.statusBar().currentMessage()
    assert [(s.start, s.end) for s in window.view.read_only.spans.values()] == [(0, 5)]  # shown as it is now
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)
    assert stored(project, "alice") == [(0, 5, "ACTOR", {})]
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    record["spans"] = [{"start": 0, "end": 5, "label": "ACTOR"}, {"start": 6, "end": 11, "label": "ACTOR"}]
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Project.open(project) as other_process:
        import_paths(other_process, [path], replace=True)  # replaced again, under the same offsets
    window.view.select_range(1, 1)
    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)
    assert stored(project, "alice") == [] and len(window.view.read_only.spans) == 2
    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)  # now what is shown is stored: the span at the cursor
    assert stored(project, "alice") == [(0, 5, "ACTOR", {})] and not dialogs
