"""The attribute editor: a form per label, typed fields, bad dates refused, quiet filling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QVBoxLayout, QWidget

from annotator.models import Span
from annotator.schema import Schema, load_schema, parse_schema
from ui.attribute_editor import AttributeEditor

ROOT = Path(__file__).resolve().parents[2]
ACTOR = Span(1, 0, 11, "ACTOR", "North Korea", {"kind": "state"})
CLAIM = Span(2, 20, 60, "CLAIM", "Choe Ryong Hae will visit Russia soon", {})
DATE = Span(3, 70, 79, "DATE", "next week", {"value": "2014-W47"})
BARE_DATE = Span(4, 80, 86, "DATE", "Monday", {})


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(ROOT / "annotator" / "example" / "news.yaml")


@pytest.fixture
def window(qtbot) -> QWidget:
    """An active window that, like the main window, binds Enter window-wide."""
    host = QWidget()
    qtbot.addWidget(host)
    confirm = QAction("Confirm", host)
    confirm.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
    host.addAction(confirm)
    QVBoxLayout(host)
    return host


@pytest.fixture
def editor(qtbot, window: QWidget) -> AttributeEditor:
    widget = AttributeEditor()
    window.layout().addWidget(widget)
    window.resize(360, 240)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return widget


@pytest.fixture
def edits(editor: AttributeEditor) -> list[tuple[int, str, Any]]:
    got: list[tuple[int, str, Any]] = []
    editor.attribute_edited.connect(lambda span_id, name, value: got.append((span_id, name, value)))
    return got


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_no_span_shows_a_hint_and_no_fields(editor: AttributeEditor) -> None:
    editor.show_span(None, None)
    assert editor.fields == {}
    assert editor.hint.isVisible() and editor.hint.text() == "Select a span to edit its attributes"


def test_fields_follow_the_label(editor: AttributeEditor, schema: Schema) -> None:
    editor.show_span(ACTOR, schema)
    kind = editor.fields["kind"]
    assert list(editor.fields) == ["kind"] and isinstance(kind, QComboBox)
    assert [kind.itemText(i) for i in range(kind.count())] == ["—", "person", "organisation", "state", "other"]
    assert kind.currentText() == "state"
    assert "one human being" in kind.toolTip()  # the attribute's description
    assert not editor.hint.isVisible()
    assert "ACTOR" in editor.header.text() and "North Korea" in editor.header.text()

    editor.show_span(CLAIM, schema)
    assert editor.fields == {}
    assert editor.hint.isVisible() and editor.hint.text() == "CLAIM has no attributes"

    editor.show_span(DATE, schema)
    value = editor.fields["value"]
    assert list(editor.fields) == ["value"] and isinstance(value, QLineEdit)
    assert value.text() == "2014-W47"
    assert "normalised against the article" in value.toolTip()


def test_showing_spans_emits_nothing(editor: AttributeEditor, schema: Schema, edits: list) -> None:
    for span in (ACTOR, DATE, CLAIM, BARE_DATE, ACTOR, ACTOR, None):
        editor.show_span(span, schema)
    assert edits == []


def test_choosing_a_choice_emits_it_and_the_dash_clears(qtbot, editor: AttributeEditor, schema, edits) -> None:
    editor.show_span(ACTOR, schema)
    kind = editor.fields["kind"]
    kind.setFocus()
    qtbot.keyClick(kind, Qt.Key.Key_Down)  # state -> other
    assert edits == [(1, "kind", "other")]
    kind.setCurrentIndex(0)
    assert edits[-1] == (1, "kind", None)


def test_invalid_date_is_refused_with_a_message(qtbot, editor: AttributeEditor, schema, edits) -> None:
    editor.show_span(BARE_DATE, schema)
    value = editor.fields["value"]
    type_into(qtbot, value, "2014-02-30")
    assert edits == []
    message = editor.errors["value"]
    assert message.isVisible() and message.text() == "2014-02 has no day 30"
    assert "border" in value.styleSheet()
    type_into(qtbot, value, "2014-W47")  # fixing it saves it and clears the alarm
    assert edits == [(4, "value", "2014-W47")]
    assert not message.isVisible() and value.styleSheet() == ""


def test_valid_date_is_emitted_once_on_enter(qtbot, window, editor: AttributeEditor, schema, edits) -> None:
    confirmed = received_triggers(window)
    editor.show_span(BARE_DATE, schema)
    value = editor.fields["value"]
    type_into(qtbot, value, "2014-W47")
    value.clearFocus()  # focus-out finishes editing again: no second write
    assert edits == [(4, "value", "2014-W47")]
    assert confirmed == []  # Enter committed the field, it did not reach the window's action


def test_emptying_a_date_clears_it(qtbot, editor: AttributeEditor, schema, edits) -> None:
    editor.show_span(DATE, schema)
    type_into(qtbot, editor.fields["value"], "")
    assert edits == [(3, "value", None)]


def test_boolean_and_text_attributes(qtbot, editor: AttributeEditor, edits) -> None:
    schema = parse_schema(
        "name: t\nversion: 1\nlabels:\n  - name: QUOTE\n    color: '#FFAA00'\n    hotkey: q\n    attributes:\n"
        "      - {name: direct, type: boolean, description: Within quotation marks}\n"
        "      - {name: note, type: text}\n"
    )
    editor.show_span(Span(7, 0, 5, "QUOTE", "hello", {"direct": True}), schema)
    direct, note = editor.fields["direct"], editor.fields["note"]
    assert isinstance(direct, QCheckBox) and direct.isChecked() and isinstance(note, QLineEdit)
    assert edits == []
    qtbot.mouseClick(direct, Qt.MouseButton.LeftButton, pos=QPoint(8, direct.height() // 2))
    direct.setFocus()
    qtbot.keyClick(direct, Qt.Key.Key_Space)
    type_into(qtbot, note, "ironic")
    assert edits == [(7, "direct", False), (7, "direct", True), (7, "note", "ironic")]


def test_refreshing_the_same_span_keeps_the_form_and_focus(qtbot, editor: AttributeEditor, schema) -> None:
    editor.show_span(DATE, schema)
    value = editor.fields["value"]
    value.setFocus()
    editor.show_span(Span(3, 70, 79, "DATE", "next week", {"value": "2014-W48"}), schema)
    assert editor.fields["value"] is value and value.hasFocus()
    assert value.text() == "2014-W48"


def received_triggers(window: QWidget) -> list[bool]:
    got: list[bool] = []
    for action in window.actions():
        action.triggered.connect(lambda _checked=False: got.append(True))
    return got


def test_a_form_built_while_hidden_appears_when_shown(qtbot, schema: Schema) -> None:
    editor = AttributeEditor()
    qtbot.addWidget(editor)
    editor.show_span(ACTOR, schema)  # e.g. the dock is closed
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.fields["kind"].isVisible()
