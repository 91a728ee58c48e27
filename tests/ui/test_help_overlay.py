"""F1 or ?: an overlay listing every key of the schema and of the window; no key reaches the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from annotator.schema import load_schema
from tests.conftest import NEWS_SCHEMA
from tests.ui.test_main_window import offsets, project, saved_spans, window
from ui.help_overlay import KeyRow, key_rows
from ui.main_window import MainWindow
from ui.shortcuts import SHORTCUTS

__all__ = ["project", "window"]  # fixtures


def test_rows_cover_every_label_relation_and_window_key() -> None:
    schema = load_schema(NEWS_SCHEMA)
    rows = key_rows(schema)
    labels = {(row.keys, row.what) for row in rows if row.section == "Labels"}
    assert labels == {((spec.hotkey,), spec.name) for spec in schema.labels}
    relations = [row.what for row in rows if row.section == "Relations"]
    assert relations == ["SAID_BY (CLAIM → ACTOR)", "WHEN (CLAIM → DATE)"]
    shown = {k for row in rows if row.section == "Window" for k in row.keys}
    native = {
        k if len(k) == 1 else QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
        for command in SHORTCUTS.values()
        for k in command.keys
    }
    assert shown == native
    assert "Move Span End Right" in {row.what for row in rows}


@pytest.mark.parametrize(("key", "text"), [(Qt.Key.Key_F1, ""), (Qt.Key.Key_Question, "?")])
def test_f1_or_question_mark_shows_it_and_a_key_closes_it_without_labelling(
    window: MainWindow, project: Path, qtbot: QtBot, key: Qt.Key, text: str
) -> None:
    window.view.select_range(*offsets("Choe Ryong Hae"))
    if text:
        qtbot.keyClicks(window.view, text)
    else:
        qtbot.keyClick(window.view, key)
    overlay = window.help_overlay
    assert overlay.isVisible()
    shown = overlay.text.text()
    for needle in ("ACTOR", "CLAIM", "DATE", "SAID_BY", "WHEN", "Undo", "Find", "Move Span Start Left", "F1"):
        assert needle in shown
    assert overlay.width() > window.width() // 2
    qtbot.keyClick(overlay, Qt.Key.Key_A)  # read as "close", never as the ACTOR key
    assert not overlay.isVisible()
    assert saved_spans(project) == []
    assert window.view.hasFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # now it labels
    assert [s[3] for s in saved_spans(project)] == ["Choe Ryong Hae"]


def test_a_schema_hotkey_wins_over_the_same_window_key(tmp_path: Path) -> None:
    text = NEWS_SCHEMA.read_text(encoding="utf-8").replace("    hotkey: d\n", '    hotkey: "?"\n', 1)
    (tmp_path / "schema.yaml").write_text(text, encoding="utf-8")
    schema = load_schema(tmp_path / "schema.yaml")
    rows = key_rows(schema)
    assert KeyRow("Labels", ("?",), "DATE", schema.label("DATE").color) in rows
    help_row = next(row for row in rows if row.what == "Keys")
    assert help_row.keys == ("F1",)  # "?" labels DATEs in this schema
