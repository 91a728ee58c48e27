"""The label bar: one button and one window-wide hotkey per schema label."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QVBoxLayout, QWidget

from annotator.schema import Schema, load_schema
from ui.label_bar import LabelBar

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(ROOT / "annotator" / "example" / "news.yaml")


@pytest.fixture
def bar(qtbot, schema: Schema) -> LabelBar:
    widget = LabelBar(schema)
    qtbot.addWidget(widget)
    return widget


def received(signal) -> list[str]:
    names: list[str] = []
    signal.connect(names.append)
    return names


def test_one_action_per_label_with_its_hotkey_and_guideline(bar: LabelBar) -> None:
    assert list(bar.label_actions) == ["ACTOR", "CLAIM", "DATE"]
    actor = bar.label_actions["ACTOR"]
    assert actor.text() == "ACTOR"
    assert actor.shortcut() == QKeySequence("a")
    assert actor.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    assert not actor.icon().isNull()
    tooltip = actor.toolTip()
    assert tooltip.startswith("<b>ACTOR</b> (a)<br>")
    # The YAML block's line breaks are joined into one paragraph, and HTML is escaped.
    assert "Mark every mention of a named person or organisation, wherever it occurs" in tooltip
    assert '"Mr Choe" -&gt; Choe' in tooltip
    assert bar.label_actions["DATE"].shortcut() == QKeySequence("d")


def test_qwidget_actions_is_not_shadowed(bar: LabelBar) -> None:
    # The hotkeys live in label_actions (the window adds them to itself); the bar's own
    # QWidget.actions() stays Qt's method (an attribute named `actions` used to replace it).
    assert bar.actions() == []


def test_buttons_show_name_and_hotkey_and_keep_them_when_disabled(bar: LabelBar) -> None:
    button = bar.buttons["CLAIM"]
    assert button.text() == "CLAIM  c"
    assert button.toolTip().startswith("<b>CLAIM</b> (c)<br>")
    bar.set_enabled_labels(False)
    bar.set_enabled_labels(True)
    assert button.text() == "CLAIM  c"  # an action change re-applies the action to the button


def test_clicking_a_button_emits_label_chosen(qtbot, bar: LabelBar) -> None:
    bar.show()
    with qtbot.waitSignal(bar.label_chosen, timeout=1000) as blocker:
        qtbot.mouseClick(bar.buttons["DATE"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["DATE"]


def test_hotkey_works_from_elsewhere_in_the_window(qtbot, schema: Schema) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    bar = LabelBar(schema)  # owned by the window, which the test closes
    other = QWidget()
    other.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    layout = QVBoxLayout(window)
    layout.addWidget(bar)
    layout.addWidget(other)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    other.setFocus()
    names = received(bar.label_chosen)
    qtbot.keyClick(other, "c")
    assert names == ["CLAIM"]


def test_disabled_labels_emit_nothing(qtbot, bar: LabelBar) -> None:
    bar.show()
    names = received(bar.label_chosen)
    bar.set_enabled_labels(False)
    qtbot.mouseClick(bar.buttons["ACTOR"], Qt.MouseButton.LeftButton)
    bar.label_actions["ACTOR"].trigger()
    assert names == []
    assert not bar.buttons["ACTOR"].isEnabled()
    bar.set_enabled_labels(True)
    qtbot.mouseClick(bar.buttons["ACTOR"], Qt.MouseButton.LeftButton)
    assert names == ["ACTOR"]


def test_buttons_wrap_in_a_narrow_dock(qtbot, bar: LabelBar) -> None:
    bar.resize(600, 60)
    bar.show()
    qtbot.waitExposed(bar)
    tops = {button.geometry().top() for button in bar.buttons.values()}
    assert len(tops) == 1  # wide: one row
    bar.resize(bar.buttons["ACTOR"].width() + 90, 200)
    qtbot.wait(10)
    tops = {button.geometry().top() for button in bar.buttons.values()}
    assert len(tops) > 1  # narrow: the buttons wrap instead of being cut off
