"""Other layers in the window, driven by keys and mouse: the chooser and Ctrl+Shift+L, read-only
spans drawn apart from the own layer, hover, and Ctrl+Shift+C / Ctrl+Alt+C copying into the own
layer (read back from the database), undone in one step; another layer's spans are never edited."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QImage, QTextCursor
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from annotator.importers import import_paths
from annotator.models import Span
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import without_suggestions_on_open
from tests.ui.conftest import shown_window
from tests.unit.test_layer_copy import make_example
from ui.colors import line_color
from ui.main_window import MainWindow

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
SECOND = "Seoul said on Monday that talks with Moscow resume."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The example article with `reference` and `model` layers, then a document whose only other layer
    is `reference`'s, then one with none."""
    root = without_suggestions_on_open(make_example(tmp_path))
    records = [
        {"id": "second", "text": SECOND, "annotator": "reference", "status": "done",
         "spans": [{"start": 0, "end": 5, "label": "ACTOR", "attributes": {"kind": "state"}}]},
        {"id": "third", "text": "Nothing to see here."},
    ]  # fmt: skip
    more = tmp_path / "more.jsonl"
    more.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    with Project.open(root) as opened:
        import_paths(opened, [more])
    return root


@pytest.fixture
def window(project: Path, qtbot: QtBot) -> MainWindow:
    win = shown_window(qtbot, project, "alice")
    qtbot.waitUntil(lambda: win.other_layers.listed)
    return win


def stored(project: Path, annotator: str, document: str = "nk-russia-1") -> list[tuple[int, int, str, dict]]:
    """A layer as another process reads it back from the database."""
    with AnnotationService.open(project, annotator) as service:
        view = service.document(service.find_document(document))
        return [(s.start, s.end, s.label, dict(s.attributes)) for s in view.spans]


def press(
    qtbot: QtBot, window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(window.view, key, modifiers)


def click_at(qtbot: QtBot, window: MainWindow, offset: int) -> None:
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(window.view.qt_at_offset(offset))
    rect = window.view.cursorRect(cursor)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x() + 3, rect.center().y()))


def lone_actor(window: MainWindow) -> Span:
    """A shown ACTOR with attributes that no other read-only span overlaps (its frame sits alone)."""
    spans = list(window.view.read_only.spans.values())
    return next(
        s for s in spans
        if s.label == "ACTOR" and s.attributes and len(s.text) > 6
        and not any(o is not s and o.start < s.end and s.start < o.end for o in spans)
    )  # fmt: skip


def test_ctrl_shift_l_cycles_the_layers_and_the_choice_holds_on_the_next_document(
    window: MainWindow, qtbot: QtBot
) -> None:
    chooser = window.layer_chooser.combo
    assert window.view.read_only.name is None  # nothing shown until asked
    assert [chooser.itemText(i) for i in range(chooser.count())] == [
        "none", "model · 70 spans · in progress", "reference · 77 spans · done"
    ]  # fmt: skip
    shown = []
    for _ in range(3):
        press(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)
        shown.append((window.view.read_only.name, chooser.currentData()))
    assert shown == [("model", "model"), ("reference", "reference"), (None, None)]
    press(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)
    press(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)  # reference again
    press(qtbot, window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # the next document
    qtbot.waitUntil(lambda: window.view.read_only.name == "reference")
    assert [s.text for s in window.view.read_only.spans.values()] == ["Seoul"]
    press(qtbot, window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # one without it: none shown...
    qtbot.waitUntil(lambda: window.layer_chooser.names() == [])
    assert window.view.read_only.name is None
    press(qtbot, window, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # ...but the choice holds
    qtbot.waitUntil(lambda: window.view.read_only.name == "reference")
    assert window.settings.other_layer == "reference"
    window.show_other_layer(None)
    assert window.view.read_only.name is None and window.settings.other_layer is None


def test_read_only_spans_are_framed_never_filled_and_the_own_layer_is_drawn_as_before(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.show_other_layer("reference")
    view = window.view
    actor = lone_actor(window)
    view.select_range(actor.start, actor.start)
    qtbot.wait(50)

    def rows(image: QImage, span: Span, dy: int) -> Counter[str]:
        rect = view.fragment_rects(span.start, span.end)[0]
        y = int(rect.top()) + dy
        return Counter(image.pixelColor(x, y).name() for x in range(int(rect.left()) + 2, int(rect.right()) - 2))

    fill = view.highlighter.color_of("ACTOR").name()
    frame = line_color(view.highlighter.color_of("ACTOR")).name()
    image = view.viewport().grab().toImage()
    assert frame in rows(image, actor, 1)  # the dashed frame along its top, in the label's dark shade
    assert rows(image, actor, 4).most_common(1)[0][0] != fill  # never the own layer's fill
    # Copied into the own layer: the own fill, the selected span's frame and handles, as without it.
    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)
    assert window.annotate.selected_span is not None
    qtbot.wait(50)
    image = view.viewport().grab().toImage()
    window.show_other_layer(None)
    qtbot.wait(50)
    alone = view.viewport().grab().toImage()
    assert rows(image, actor, 4).most_common(1)[0][0] == rows(alone, actor, 4).most_common(1)[0][0]
    rect = view.fragment_rects(actor.start, actor.end)[0]
    handle = QPoint(int(rect.left()) - 1, int(rect.center().y()))
    assert image.pixelColor(handle) == alone.pixelColor(handle)


def test_hover_names_the_layer_label_and_attributes(window: MainWindow, qtbot: QtBot) -> None:
    window.show_other_layer("reference")
    actor = lone_actor(window)
    tip = window.view.tooltip_at(actor.start)
    assert "reference" in tip and "read-only" in tip and "ACTOR" in tip
    for name, value in actor.attributes.items():
        assert f"{name}: <b>{value}</b>" in tip
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(window.view.qt_at_offset(actor.start + 1))
    point = window.view.cursorRect(cursor).center()
    QToolTip.hideText()
    window.view.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, point, window.view.viewport().mapToGlobal(point)))
    assert "reference" in QToolTip.text() and actor.text in QToolTip.text()
    QToolTip.hideText()


def test_a_clicked_read_only_span_is_copied_never_edited(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    window.show_other_layer("reference")
    reference = stored(project, "reference")
    actor = lone_actor(window)
    click_at(qtbot, window, actor.start)
    assert window.view.read_only.selected == actor.id and window.annotate.selected_span is None
    for key, modifiers in (
        (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_C, Qt.KeyboardModifier.NoModifier),  # CLAIM's hotkey: no relabel
        (Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier),  # no resize
        (Qt.Key.Key_Left, CTRL_ALT),
    ):
        press(qtbot, window, key, modifiers)
    assert stored(project, "reference") == reference and stored(project, "alice") == []
    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)
    assert stored(project, "alice") == [(actor.start, actor.end, "ACTOR", dict(actor.attributes))]
    assert window.undo_action.text() == f"Undo copy ACTOR '{actor.text}' from reference"
    own = window.layer.spans[window.annotate.selected_span or -1]
    assert (own.start, own.end) == (actor.start, actor.end)  # the copy is selected, to correct at once
    press(qtbot, window, Qt.Key.Key_D)  # ...relabelled as DATE, say: the own copy changes, not the source
    assert [s[2] for s in stored(project, "alice")] == ["DATE"]
    assert stored(project, "reference") == reference


def test_ctrl_alt_c_copies_the_whole_layer_as_one_undo_step(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    press(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)  # model
    model = stored(project, "model")
    first = window.view.read_only.spans[min(window.view.read_only.spans)]
    window.view.select_range(first.start + 1, first.start + 1)  # the text cursor in it
    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)
    assert sorted(stored(project, "alice")) == sorted(model)
    assert window.undo_action.text() == f"Undo copy {len(model) - 1} spans from model"
    message = window.statusBar().currentMessage()
    assert f"Copied {len(model) - 1} spans and" in message and "skipped 1 already in your layer" in message
    with AnnotationService.open(project, "alice") as service:
        assert len(service.document(service.find_document("nk-russia-1")).relations) > 0
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step takes back the lot
    assert stored(project, "alice") == [(first.start, first.end, first.label, dict(first.attributes))]
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)
    press(qtbot, window, Qt.Key.Key_C, CTRL_ALT)  # twice: nothing more to copy, and it says why
    assert "nothing copied from model" in window.statusBar().currentMessage()
    assert sorted(stored(project, "alice")) == sorted(model)
