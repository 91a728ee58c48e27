"""Adjudicating a document into gold with the keys only, then exporting gold and reading it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from annotator.cli import main
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import NEWS_SCHEMA
from tests.ui.conftest import shown_window
from ui.main_window import MainWindow

TEXT = "Kim Jong Un met Putin in Moscow on Monday, officials said the talks went well.\n"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT_SHIFT = Qt.KeyboardModifier.AltModifier | SHIFT


def at(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def spans(*placed: tuple[str, str]) -> list[dict[str, Any]]:
    out = []
    for number, (words, label) in enumerate(placed):
        start, end = at(words)
        out.append({"id": f"s{number}", "start": start, "end": end, "label": label, "text": words})
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """One document with alice's and bob's finished layers (and the reference, not counted)."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "schema.yaml").write_bytes(NEWS_SCHEMA.read_bytes())
    (root / "project.yaml").write_text("name: review\nschema: schema.yaml\n", encoding="utf-8")
    kim = ("Kim Jong Un", "ACTOR")
    layers = {
        "alice": spans(kim, ("Putin", "ACTOR"), ("Moscow", "ACTOR"), ("Monday", "DATE"), ("officials", "ACTOR")),
        "bob": spans(kim, ("Putin", "ACTOR"), ("Monday", "DATE"), ("the talks", "ACTOR")),
        "reference": spans(("Moscow", "ACTOR")),
    }
    source = tmp_path / "layers.jsonl"
    records = [
        {"id": "talks", "text": TEXT, "annotator": name, "status": "done", "spans": layer}
        for name, layer in layers.items()
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with Project.open(root) as opened:
        import_paths(opened, [source])
    return root


@pytest.fixture
def window(project: Path, qtbot: QtBot) -> MainWindow:
    win = shown_window(qtbot, project, "rita")
    return win


def gold(project: Path) -> list[tuple[str, str]]:
    with AnnotationService.open(project, "someone") as service:
        doc = service.find_document("talks")
        return [(s.text, s.label) for s in service.document(doc, "gold").spans]


def press(
    window: MainWindow, qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(window.view, key, modifiers)


def current_text(window: MainWindow) -> str:
    current = window.review.current
    assert current is not None
    return TEXT[current[0] : current[1]]


def test_adjudicate_with_keys_then_export_gold(window: MainWindow, project: Path, qtbot: QtBot, tmp_path: Path) -> None:
    press(window, qtbot, Qt.Key.Key_R, CTRL | SHIFT)  # review mode on
    assert window.review.active and window.review.dock.isVisible()
    assert window.document_list.model.index(0, 2).data() == "To review"
    board = window.review.board
    assert board is not None and board.n == 2  # alice and bob; the reference is shown, not counted
    assert [(c.text, c.k, c.agreed) for c in board.candidates] == [
        ("Kim Jong Un", 2, True), ("Putin", 2, True), ("Moscow", 1, False), ("Monday", 2, True),
        ("officials", 1, False), ("the talks", 1, False),
    ]  # fmt: skip
    press(window, qtbot, Qt.Key.Key_F8)
    assert current_text(window) == "Kim Jong Un"
    assert window.view.selected_range() == at("Kim Jong Un")  # shown in the text
    press(window, qtbot, Qt.Key.Key_F5)  # accept
    press(window, qtbot, Qt.Key.Key_F8)
    press(window, qtbot, Qt.Key.Key_F8)  # past Putin (left for F7) to Moscow
    assert current_text(window) == "Moscow"
    press(window, qtbot, Qt.Key.Key_F6)  # reject
    press(window, qtbot, Qt.Key.Key_F8)
    press(window, qtbot, Qt.Key.Key_F8)
    assert current_text(window) == "officials"
    press(window, qtbot, Qt.Key.Key_F5)
    press(window, qtbot, Qt.Key.Key_Right, ALT_SHIFT)  # the accepted span's end one word right
    assert gold(project) == [("Kim Jong Un", "ACTOR"), ("officials said", "ACTOR")]
    press(window, qtbot, Qt.Key.Key_F7)  # Putin and Monday, one step
    assert gold(project) == [
        ("Kim Jong Un", "ACTOR"), ("Putin", "ACTOR"), ("Monday", "DATE"), ("officials said", "ACTOR")
    ]  # fmt: skip
    assert window.undo_action.text() == "Undo accept 2 agreed span(s)"
    press(window, qtbot, Qt.Key.Key_Z, CTRL)  # undoes the whole batch, nothing else
    assert gold(project) == [("Kim Jong Un", "ACTOR"), ("officials said", "ACTOR")]
    press(window, qtbot, Qt.Key.Key_F8, SHIFT)  # back to Monday, undecided again
    assert current_text(window) == "Monday"
    press(window, qtbot, Qt.Key.Key_F5)
    states = {c.text: c.state for c in window.review.board.candidates}  # type: ignore[union-attr]
    assert states == {
        "Kim Jong Un": "accepted", "Putin": "undecided", "Moscow": "rejected", "Monday": "accepted",
        "officials": "resolved", "officials said": "accepted", "the talks": "undecided",
    }  # fmt: skip
    press(window, qtbot, Qt.Key.Key_Return, CTRL)  # reviewed
    assert window.document_list.model.index(0, 2).data() == "Reviewed"
    expected = [(*at("Kim Jong Un"), "ACTOR"), (*at("Monday"), "DATE"), (*at("officials said"), "ACTOR")]

    native = tmp_path / "gold.jsonl"
    assert main(["export", str(project), "--annotator", "gold", "-o", str(native)]) == 0
    [record] = [json.loads(line) for line in native.read_text(encoding="utf-8").splitlines()]
    assert (record["annotator"], record["status"]) == ("gold", "done")
    assert [(s["start"], s["end"], s["label"]) for s in record["spans"]] == expected

    conll = tmp_path / "gold.conll"
    assert main(["export", str(project), "--format", "conll", "--layer", "gold", "-o", str(conll)]) == 0
    assert conll_spans(conll.read_text(encoding="utf-8")) == [
        ("Kim Jong Un", "ACTOR"), ("Monday", "DATE"), ("officials said", "ACTOR")
    ]  # fmt: skip


def conll_spans(text: str) -> list[tuple[str, str]]:
    """The (words, label) of each B-/I- run of an IOB2 CoNLL file."""
    found: list[tuple[list[str], str]] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            continue
        token, tag = parts[0], parts[-1]
        if tag.startswith("B-"):
            found.append(([token], tag[2:]))
        elif tag.startswith("I-"):
            found[-1][0].append(token)
    return [(" ".join(words), label) for words, label in found]


def test_review_keys_say_review_mode_is_off(window: MainWindow, qtbot: QtBot) -> None:
    press(window, qtbot, Qt.Key.Key_F5)
    assert "Review mode is off" in window.statusBar().currentMessage()
    assert window.findChild(QDockWidget, "reviewDock") is None  # never reviewed: no panel made
    press(window, qtbot, Qt.Key.Key_R, CTRL | SHIFT)
    # The panel's settings: the reference ticked counts (n = 3); a threshold of 1 agrees with any one.
    window.review.panel.counted["reference"].setChecked(True)
    assert window.review.board is not None and window.review.board.n == 3
    window.review.panel.threshold.setValue(1)
    assert all(c.agreed for c in window.review.board.candidates)
    press(window, qtbot, Qt.Key.Key_R, CTRL | SHIFT)  # and off again: the own layer, its own words
    assert not window.review.active and window.service.annotator == "rita"
    assert (
        window.document_list.model.index(0, 2).data() == "Done"
        or window.document_list.model.index(0, 2).data() == "To do"
    )
