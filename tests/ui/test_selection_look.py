"""What the annotator sees: the snapped selection while dragging, and the selected span's own look."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import TRICKY_TEXT
from tests.ui.test_main_window import offsets, project, saved_spans, window
from ui.colors import line_color, selected_span_tint
from ui.main_window import MainWindow
from ui.text_view import AnnotationTextView

__all__ = ["project", "window"]  # fixtures


def point_inside(view: AnnotationTextView, offset: int) -> QPoint:
    """Viewport point over the middle of the character at code point ``offset``."""
    rect = view.fragment_rects(offset, offset + 1)[0]
    return rect.center().toPoint()


def mouse(view: AnnotationTextView, kind: QMouseEvent.Type, at: QPoint, held: bool) -> None:
    button = Qt.MouseButton.LeftButton
    buttons = button if held else Qt.MouseButton.NoButton
    which = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseMove else button
    event = QMouseEvent(kind, QPointF(at), QPointF(view.viewport().mapToGlobal(at)), which, buttons, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def test_the_selection_snaps_live_while_dragging_and_is_what_gets_labelled(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    view = window.view
    start, end = offsets("Choe Ryong Hae said:")
    mouse(view, QMouseEvent.Type.MouseButtonPress, point_inside(view, start + 2), held=True)  # in "Choe"
    mouse(view, QMouseEvent.Type.MouseMove, point_inside(view, start + 8), held=True)  # in "Ryong"
    cursor = view.textCursor()
    shown = (view.offset_at_qt(cursor.selectionStart()), view.offset_at_qt(cursor.selectionEnd()))
    assert TRICKY_TEXT[shown[0] : shown[1]] == "Choe Ryong"  # whole words while the mouse is still down
    mouse(view, QMouseEvent.Type.MouseMove, point_inside(view, end - 1), held=True)  # on the colon
    cursor = view.textCursor()
    shown = (view.offset_at_qt(cursor.selectionStart()), view.offset_at_qt(cursor.selectionEnd()))
    assert TRICKY_TEXT[shown[0] : shown[1]] == "Choe Ryong Hae said"  # the colon is not shown selected
    mouse(view, QMouseEvent.Type.MouseButtonRelease, point_inside(view, end - 1), held=False)
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert saved_spans(project) == [(start, end - 1, "CLAIM", "Choe Ryong Hae said")]


def test_dragging_backwards_snaps_too_and_can_give_words_back(window: MainWindow) -> None:
    view = window.view
    start, _ = offsets("Choe Ryong Hae")
    mouse(view, QMouseEvent.Type.MouseButtonPress, point_inside(view, start + 12), held=True)  # in "Hae"
    mouse(view, QMouseEvent.Type.MouseMove, point_inside(view, start + 1), held=True)  # back into "Choe"
    assert view.selected_range() == offsets("Choe Ryong Hae")
    assert view.textCursor().position() < view.textCursor().anchor()  # still a backwards selection
    mouse(view, QMouseEvent.Type.MouseMove, point_inside(view, start + 7), held=True)  # back into "Ryong"
    assert view.selected_range() == offsets("Ryong Hae")


def test_with_snapping_off_the_selection_is_taken_as_it_is(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    window.view.snap_to_words = False
    start, end = offsets("said:")
    window.view.select_range(start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert saved_spans(project) == [(start, end, "ACTOR", "said:")]


def test_a_new_span_stays_selected_in_its_own_colour_with_a_frame_not_like_a_text_selection(
    window: MainWindow, qtbot: QtBot
) -> None:
    view = window.view
    start, end = offsets("Choe Ryong Hae")
    view.select_range(start, end)
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert window.annotate.selected_span is not None and not view.textCursor().hasSelection()
    view.viewport().repaint()
    image = view.viewport().grab().toImage()
    rect = view.fragment_rects(start, end)[0]
    inside = Counter(
        image.pixelColor(x, y).name()
        for x in range(int(rect.left()) + 4, int(rect.right()) - 4)
        for y in range(int(rect.top()) + 4, int(rect.bottom()) - 4)
    )
    background = QColor(inside.most_common(1)[0][0])
    actor = QColor(window.schema.label("ACTOR").color)
    assert background.name() == selected_span_tint(actor).name()
    assert abs(background.hslHueF() - actor.hslHueF()) < 0.03  # the label's own hue...
    assert background.name() != view.palette().color(QPalette.ColorRole.Highlight).name()  # ...not a selection's
    frame = line_color(actor).name()
    y = int(rect.center().y())
    assert image.pixelColor(int(rect.left()) + 1, y).name() == frame  # left side of the frame
    assert image.pixelColor(int(rect.right()) - 2, y).name() == frame  # right side
    assert image.pixelColor(int(rect.left()) - 1, int(rect.top()) - 1).name() == frame  # the start handle


def test_a_keyboard_selection_shows_what_it_will_label_in_a_dashed_frame(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    view = window.view
    start, _ = offsets("Choe Ryong Hae")
    view.select_range(start + 1, start + 1)
    for _ in range(6):  # "hoe Ry": the selection itself moves one character per key
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.shown_selection() == (start + 1, start + 7)
    [(framed_start, framed_end, pen)] = view._frames["snapped"]
    assert TRICKY_TEXT[framed_start:framed_end] == "Choe Ryong"
    assert pen.style() == Qt.PenStyle.DashLine
    view.viewport().repaint()
    image = view.viewport().grab().toImage()
    rect = view.fragment_rects(framed_start, framed_end)[0]
    left_edge = {
        image.pixelColor(int(rect.left()) + 1, y).name() for y in range(int(rect.top()) + 2, int(rect.bottom()) - 2)
    }
    assert "#202020" in left_edge  # the frame is drawn, left of the shown selection
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert [s[3] for s in saved_spans(project)] == ["Choe Ryong"]  # what the frame showed
    assert view._frames["snapped"] == []  # the selection is used up


def test_no_dashed_frame_when_the_selection_is_what_gets_labelled(window: MainWindow) -> None:
    window.view.select_range(*offsets("Choe Ryong"))
    assert window.view._frames["snapped"] == []
    window.view.snap_to_words = False
    window.view.select_range(*offsets("hoe Ry"))
    assert window.view._frames["snapped"] == []
