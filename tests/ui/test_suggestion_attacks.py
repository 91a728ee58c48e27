"""Suggestions in the window under misuse: documents switched while the sources still run on
another, sources that answer late, read back from the window and the database."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import tests.ui.suggestion_sources as test_sources
from annotator.importers import import_paths
from annotator.project import Project
from annotator.suggest import registry
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, Suggestion
from tests.conftest import ProjectMaker
from tests.ui.conftest import shown_window
from tests.ui.test_suggestions import CTRL_ALT, CTRL_SHIFT, TEXT


class _Gated:
    """The fixed source, answering only once the test opens its gate (a slow model, say)."""

    name = "gated"
    gate = threading.Event()

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        self.gate.wait(10)
        return test_sources.FixedSource().propose(documents)


@pytest.fixture(autouse=True)
def gated_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.SOURCE_MODULES, "layer", "tests.ui.suggestion_sources")

    def make_source(_context: SourceContext, _argument: str | None) -> _Gated:
        return _Gated()

    monkeypatch.setattr(test_sources, "make_source", make_source)
    _Gated.gate = threading.Event()


def _three_documents(make_project: ProjectMaker, tmp_path: Path) -> Path:
    root = make_project()
    with (root / "project.yaml").open("a", encoding="utf-8") as config:
        config.write('suggestions:\n  sources: ["layer:gated"]\n  on_open: true\n')
    source = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": f"d{i}", "text": f"{TEXT} ({i})"}) + "\n" for i in range(3)]
    source.write_text("".join(lines), encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [source])
    return root


def test_a_document_opened_while_the_sources_run_on_another_gets_its_own_run(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot
) -> None:
    root = _three_documents(make_project, tmp_path)
    window = shown_window(qtbot, root, "alice")
    qtbot.waitUntil(lambda: window.suggestions.running is not None)
    first = window.doc.id
    second = next(i for i in (window.document_list.model.document_id(r) for r in range(3)) if i != first)
    window.navigation.open_document(second)  # on_open cannot start: the first run is not done
    assert window.doc.id == second
    qtbot.waitUntil(lambda: "still running" in window.statusBar().currentMessage())  # its on_open run waits
    _Gated.gate.set()
    qtbot.waitUntil(lambda: window.suggestions.running is None and len(window.view.suggestions.suggestions) == 6)
    assert window.view.suggestions.suggestions.document_id == second
    window.close()


def test_hidden_suggestions_are_not_accepted_above_a_score(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _three_documents(make_project, tmp_path)
    _Gated.gate.set()
    window = shown_window(qtbot, root, "alice")
    qtbot.waitUntil(lambda: window.suggestions.running is None and len(window.view.suggestions.suggestions) == 6)
    asked: list[float] = []
    monkeypatch.setattr("ui.suggestion_control.ask_threshold", lambda _parent, last: asked.append(last) or 0.0)
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL_ALT)  # hidden
    qtbot.keyClick(window.view, Qt.Key.Key_T, CTRL_SHIFT)
    assert asked == [] and not window.layer.spans
    assert window.statusBar().currentMessage() == "Suggestions are hidden: Ctrl+Alt+S shows them"
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL_ALT)  # shown again: the same key accepts
    qtbot.keyClick(window.view, Qt.Key.Key_T, CTRL_SHIFT)
    assert len(asked) == 1 and len(window.layer.spans) == 6
    window.close()


def test_a_relation_dropped_on_a_suggestion_says_to_accept_it_first(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(test_sources, "make_source", lambda _context, _argument: test_sources.RelatedSource())
    root = _three_documents(make_project, tmp_path)
    window = shown_window(qtbot, root, "alice")
    qtbot.waitUntil(lambda: window.suggestions.running is None and len(window.view.suggestions.suggestions) == 2)
    claim = window.view.suggestions.suggestions.shown()[1]
    assert claim.label == "CLAIM"
    window.suggestions.select((claim.start, claim.end, claim.label))
    qtbot.keyClick(window.view, Qt.Key.Key_Return)  # the CLAIM is a span; Kim Jong Un still a suggestion
    viewport, ctrl = window.view.viewport(), Qt.KeyboardModifier.ControlModifier
    start = window.view.fragment_rects(claim.start + 3, claim.start + 4)[0].center().toPoint()
    end = window.view.fragment_rects(2, 3)[0].center().toPoint()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, ctrl, start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, ctrl, end)
    assert not window.layer.relations
    assert window.statusBar().currentMessage().startswith("That is a suggestion, not a span yet: accept it")
    window.close()


class _Nested:
    """Four suggestions over "Kim Jong Un", nested and crossing (a model, memory and patterns agreeing in part)."""

    name = "nested"

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        spans = [(0, 8, "ACTOR"), (4, 11, "ACTOR"), (0, 11, "ACTOR"), (0, 11, "CLAIM")]
        return [Proposals(d.id, [Suggestion(*span, 0.5, self.name) for span in spans]) for d in documents]


def test_stacked_suggestions_leave_the_text_under_them_dark(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(test_sources, "make_source", lambda _context, _argument: _Nested())
    root = _three_documents(make_project, tmp_path)
    window = shown_window(qtbot, root, "alice")
    qtbot.waitUntil(lambda: window.suggestions.running is None and len(window.view.suggestions.suggestions) == 4)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)  # the selected one's stronger wash on top
    rect = window.view.fragment_rects(4, 8)[0].toAlignedRect()  # "Jong": under all four

    def darkest() -> int:
        image = window.view.viewport().grab().toImage()
        xs, ys = range(rect.left(), rect.right()), range(rect.top(), rect.bottom())
        return min(image.pixelColor(x, y).lightness() for x in xs for y in ys)

    washed = darkest()
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL_ALT)  # hidden: the bare text
    bare = darkest()
    assert washed <= bare + 25  # the glyphs keep their ink: the washes tint the paper, not the letters
    window.close()
