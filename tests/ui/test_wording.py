"""Wording the annotator reads: articles before label names, refusals that quote the words."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.models import Span
from tests.ui.test_main_window import offsets, project, saved_spans, window
from ui.main_window import MainWindow
from ui.wording import explain_refusal, with_article

__all__ = ["project", "window"]  # fixtures


@pytest.mark.parametrize(
    ("label", "expected"),
    [("ACTOR", "an ACTOR"), ("CLAIM", "a CLAIM"), ("DATE", "a DATE"), ("EVENT", "an EVENT"), ("org", "an org")],
)
def test_articles_follow_the_labels_first_letter(label: str, expected: str) -> None:
    assert with_article(label) == expected


def test_refusals_name_spans_by_their_words() -> None:
    text = "Kim Jong Un said talks resume."
    spans = {7: Span(7, 0, 11, "ACTOR", "Kim Jong Un", {})}
    message = "span CLAIM [9, 22) crosses ACTOR [0, 11); schema 'news' allows only nested spans"
    assert explain_refusal(message, text, spans) == (
        "span CLAIM “Un said talks” crosses ACTOR “Kim Jong Un”; schema 'news' allows only nested spans"
    )
    assert explain_refusal("span 7 is already ACTOR", text, spans) == "ACTOR “Kim Jong Un” is already ACTOR"
    assert explain_refusal("span 8 is gone", text, spans) == "span 8 is gone"  # unknown ids stay as they are
    assert explain_refusal("empty or reversed span [5, 5)", text, spans) == "empty or reversed span [5, 5)"


def test_the_relation_panel_says_an_actor(window: MainWindow, qtbot: QtBot) -> None:
    window.view.select_range(*offsets("Choe Ryong Hae"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert window.relation_panel.head_label.text() == "No relation starts at an ACTOR."
    qtbot.keyClick(window.view, Qt.Key.Key_S)  # SAID_BY needs a CLAIM as its head
    assert "first select a CLAIM span" in window.statusBar().currentMessage()


def test_a_refused_label_key_quotes_the_spans_in_the_status_bar(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    window.view.select_range(*offsets("Choe Ryong Hae"))
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    window.view.select_range(*offsets("Hae said"))
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    assert [s[3] for s in saved_spans(project)] == ["Choe Ryong Hae"]
    message = window.statusBar().currentMessage()
    assert message.startswith("Not done: ") and "CLAIM “Hae said”" in message and "ACTOR “Choe Ryong Hae”" in message


def test_the_broken_schema_dialog_shows_file_line_and_our_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from tests.unit.test_yaml_errors import BROKEN_SCHEMA, PYYAML_TEXT
    from ui import app as app_module

    root = tmp_path / "broken"
    root.mkdir()
    (root / "schema.yaml").write_text(BROKEN_SCHEMA, encoding="utf-8")
    (root / "project.yaml").write_text("name: broken\nschema: schema.yaml\n", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(app_module.WindowSettings, "annotator", "alice", raising=False)
    assert app_module.run(root) == 1
    assert shown == [
        f"{root / 'schema.yaml'}:5: YAML syntax error: a quoted value starts here and its closing quote is missing"
    ]
    assert not any(raw in shown[0] for raw in PYYAML_TEXT)
