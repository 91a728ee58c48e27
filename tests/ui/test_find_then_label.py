"""Find -> label from the keyboard alone: Ctrl+F, type, Enter/F3, Esc, the label key."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import TRICKY_TEXT
from tests.ui.test_main_window import offsets, project, saved_spans, window
from ui.main_window import MainWindow

__all__ = ["project", "window"]  # fixtures


@pytest.mark.parametrize("step_key", [Qt.Key.Key_Return, Qt.Key.Key_F3])
def test_esc_closes_the_find_bar_keeps_the_hit_and_the_label_key_labels_it(
    window: MainWindow, project: Path, qtbot: QtBot, step_key: Qt.Key
) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible() and window.find_bar.input.hasFocus()
    qtbot.keyClicks(window.find_bar.input, "Kim Jong Un")
    qtbot.keyClick(window.find_bar.input, step_key)
    qtbot.keyClick(window.find_bar.input, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.find_bar.input.text() == "Kim Jong Un"
    start, end = offsets("Kim Jong Un", TRICKY_TEXT)
    assert window.view.selected_range() == (start, end)  # the hit stays selected
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_A)
    assert window.find_bar.input.text() == "Kim Jong Un"  # nothing typed into the box
    assert saved_spans(project) == [(start, end, "ACTOR", "Kim Jong Un")]
