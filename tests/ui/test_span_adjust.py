"""Moving a span's edges from the keyboard: one undoable resize per key, read back from the database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.test_main_window import offsets, project, saved_spans, window
from ui.main_window import MainWindow

__all__ = ["project", "window"]  # fixtures

ALT_SHIFT = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def label(window: MainWindow, qtbot: QtBot, needle: str, key: Qt.Key = Qt.Key.Key_A) -> int:
    window.view.select_range(*offsets(needle))
    qtbot.keyClick(window.view, key)
    assert window.annotate.selected_span is not None
    return window.annotate.selected_span


def test_edges_move_by_a_word_each_key_one_undo_step(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    span_id = label(window, qtbot, "Choe Ryong")
    qtbot.keyClick(window.view, Qt.Key.Key_Right, ALT_SHIFT)  # end one word right
    assert saved_spans(project) == [(*offsets("Choe Ryong Hae"), "ACTOR", "Choe Ryong Hae")]
    assert window.undo_action.text() == "Undo resize ACTOR 'Choe Ryong' → 'Choe Ryong Hae'"
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL_ALT)  # start one word right
    assert saved_spans(project) == [(*offsets("Ryong Hae"), "ACTOR", "Ryong Hae")]
    qtbot.keyClick(window.view, Qt.Key.Key_Left, ALT_SHIFT)  # end one word left
    assert saved_spans(project) == [(*offsets("Ryong"), "ACTOR", "Ryong")]
    qtbot.keyClick(window.view, Qt.Key.Key_Left, CTRL_ALT)  # start one word left
    assert saved_spans(project) == [(*offsets("Choe Ryong"), "ACTOR", "Choe Ryong")]
    assert window.annotate.selected_span == span_id  # the same span, still selected...
    assert window.view._frames["current"][0][:2] == offsets("Choe Ryong")  # ...and framed where it now is
    for expected in ("Ryong", "Ryong Hae", "Choe Ryong Hae", "Choe Ryong"):
        qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert [s[3] for s in saved_spans(project)] == [expected]


def test_with_snapping_off_edges_move_by_a_character(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    label(window, qtbot, "Choe Ryong")
    window.view.snap_to_words = False
    qtbot.keyClick(window.view, Qt.Key.Key_Right, ALT_SHIFT)
    assert [s[3] for s in saved_spans(project)] == ["Choe Ryong H"]  # the space is passed over
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL_ALT)
    assert [s[3] for s in saved_spans(project)] == ["hoe Ryong H"]


def test_a_refused_move_changes_nothing_and_says_why_in_words(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    label(window, qtbot, "the talks", Qt.Key.Key_C)
    label(window, qtbot, "said")
    before = saved_spans(project)
    qtbot.keyClick(window.view, Qt.Key.Key_Right, ALT_SHIFT)  # "said:\tthe" would cross the CLAIM
    assert saved_spans(project) == before
    message = window.statusBar().currentMessage()
    assert "“said:\tthe”".replace("\t", " ") in message and "“the talks”" in message, message
    assert "[" not in message  # words, not offsets


def test_without_a_selected_span_the_keys_say_what_to_do(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Right, ALT_SHIFT)
    assert saved_spans(project) == []
    assert "Select a span first" in window.statusBar().currentMessage()
