"""Suggestions in the window, driven by keys and mouse (tests/ui/suggestion_sources.py proposes):
accepted ones become spans with their attributes, rejected ones stay rejected across runs of the
sources and reopening, each decision one undo step, read back from the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.suggest import registry
from annotator.suggest.base import Proposals, Suggestion
from tests.conftest import ProjectMaker
from tests.ui.conftest import shown_window
from ui.controllers.navigation import FIRST_SCREEN_SPANS
from ui.main_window import MainWindow

TEXT = "Kim Jong Un said yesterday that Putin met Xi in Moscow. Putin left."
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@pytest.fixture(autouse=True)
def test_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.SOURCE_MODULES, "layer", "tests.ui.suggestion_sources")


def make(make_project: ProjectMaker, tmp_path: Path, sources: str = '["layer:fixed"]') -> Path:
    root = make_project()
    with (root / "project.yaml").open("a", encoding="utf-8") as config:
        config.write(f"suggestions:\n  sources: {sources}\n  on_open: true\n")
    source = tmp_path / "doc.jsonl"
    source.write_text(json.dumps({"id": "doc", "text": TEXT, "meta": {"date": "2014-11-14"}}) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [source])
    return root


def opened(qtbot: QtBot, root: Path, count: int, *, active: bool = True) -> MainWindow:
    window = shown_window(qtbot, root, "alice")
    qtbot.waitUntil(lambda: len(window.view.suggestions.suggestions) == count and window.suggestions.running is None)
    if active:
        qtbot.waitUntil(window.isActiveWindow)
    return window


def spans(root: Path) -> list[tuple[str, str, dict[str, object]]]:
    with AnnotationService.open(root, "alice") as service:
        view = service.document(service.find_document("doc"))
        return [(s.text, s.label, dict(s.attributes)) for s in view.spans]


def shown(window: MainWindow) -> list[str]:
    return [TEXT[s.start : s.end] for s in window.view.suggestions.suggestions.shown()]


def selected(window: MainWindow) -> str | None:
    current = window.suggestions.current()
    return TEXT[current.start : current.end] if current is not None else None


def test_accept_three_reject_one_undo_one_then_reopen(make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot) -> None:
    root = make(make_project, tmp_path)
    window = opened(qtbot, root, 6)  # the sources ran on opening: nothing was stored
    assert shown(window) == ["Kim Jong Un", "yesterday", "Putin", "Xi", "Moscow", "Putin"]
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    assert selected(window) == "Kim Jong Un"
    qtbot.keyClick(window.view, Qt.Key.Key_Return)  # accepts, selects the next
    assert selected(window) == "yesterday"
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert selected(window) == "Putin"
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    assert selected(window) == "Xi"
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)  # rejects, selects the next
    assert selected(window) == "Moscow"
    qtbot.keyClick(window.view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert selected(window) == "Putin"
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert window.undo_action.text() == "Undo accept ACTOR 'Putin'"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the third accept
    assert shown(window) == ["Putin", "Moscow", "Putin"]
    expected = [("Kim Jong Un", "ACTOR", {"kind": "person"}), ("yesterday", "DATE", {"value": "2014-11-13"})]
    assert spans(root) == expected
    window.close()

    again = opened(qtbot, root, 3)
    assert shown(again) == ["Putin", "Moscow", "Putin"]
    qtbot.keyClick(again.view, Qt.Key.Key_S, CTRL_SHIFT)  # the sources propose Xi again: still rejected
    assert again.suggestions.running is not None
    qtbot.waitUntil(lambda: again.suggestions.running is None)
    assert shown(again) == ["Putin", "Moscow", "Putin"] and spans(root) == expected
    again.close()


def test_accept_all_of_a_label_is_one_undo_step(make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot) -> None:
    root = make(make_project, tmp_path)
    window = opened(qtbot, root, 6)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL_SHIFT)
    assert [label for _text, label, _a in spans(root)] == ["ACTOR"] * 5
    assert shown(window) == ["yesterday"]
    assert window.undo_action.text() == "Undo accept 5 ACTOR suggestions"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert spans(root) == [] and len(shown(window)) == 6
    window.close()


def test_accept_above_a_score_asks_once_and_remembers(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(make_project, tmp_path)
    window = opened(qtbot, root, 6)
    offered: list[float] = []

    def answer(_parent: object, last: float) -> float:
        offered.append(last)
        return 0.7

    monkeypatch.setattr("ui.suggestion_control.ask_threshold", answer)
    qtbot.keyClick(window.view, Qt.Key.Key_T, CTRL_SHIFT)
    assert sorted(text for text, _l, _a in spans(root)) == ["Kim Jong Un", "Putin", "Putin", "yesterday"]
    assert window.undo_action.text() == "Undo accept 4 suggestions scored 0.70 or more"
    qtbot.keyClick(window.view, Qt.Key.Key_T, CTRL_SHIFT)  # none left that high: nothing done
    assert offered == [0.8, 0.7] and len(spans(root)) == 4
    window.close()


def test_hide_and_show_is_remembered_and_drawn(make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot) -> None:
    root = make(make_project, tmp_path)
    window = opened(qtbot, root, 6)
    rect = window.view.fragment_rects(TEXT.index("Xi"), TEXT.index("Xi") + 2)[0].toAlignedRect()

    def pixels() -> set[int]:
        image: QImage = window.view.viewport().grab().toImage()
        return {image.pixel(x, rect.bottom() - 1) for x in range(rect.left() + 1, rect.right() - 1)}

    drawn = pixels()
    assert len(drawn) > 1  # a dotted underline: dots and gaps
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL_ALT)
    assert len(pixels()) == 1  # plain text background
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)  # hidden: nothing to walk
    assert selected(window) is None
    window.close()
    again = opened(qtbot, root, 6)
    assert not again.view.suggestions.visible
    qtbot.keyClick(again.view, Qt.Key.Key_S, CTRL_ALT)
    assert again.view.suggestions.visible
    again.close()


def test_a_click_selects_a_suggestion_and_hover_tells_its_source(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot
) -> None:
    root = make(make_project, tmp_path)
    window = opened(qtbot, root, 6)
    start = TEXT.index("Moscow")
    centre = window.view.fragment_rects(start, start + 6)[0].center().toPoint()
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert selected(window) == "Moscow"
    tip = window.view.suggestions.tooltip(start + 1, window.view.suggestions.suggestions.at(start + 1))
    assert "ACTOR?" in tip and "by <b>fixed</b>, score <b>0.40</b>" in tip
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert selected(window) is None
    window.close()


def test_a_failing_source_is_named_once_and_the_window_goes_on(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot
) -> None:
    """Named in the status bar, not in a dialog of its own: the sources run in the background, and a
    dialog popping up would take the keys being typed. The keys go on reaching the text."""
    root = make(make_project, tmp_path, '["layer:broken", "layer:unbuildable", "layer:fixed"]')
    window = opened(qtbot, root, 6)
    notice = window.suggestions.failures.button
    assert notice.isVisible() and notice.text() == "⚠ 2 suggestion sources failed"
    assert "'broken' failed: RuntimeError: the broken source broke" in notice.toolTip()
    assert "no such thing" in notice.toolTip()
    assert [b for b in window.findChildren(QMessageBox) if b.isVisible()] == [] and window.isActiveWindow()
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL_SHIFT)  # again: nothing named twice
    qtbot.waitUntil(lambda: window.suggestions.running is None)
    assert notice.text() == "⚠ 2 suggestion sources failed"
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert spans(root) == [("Kim Jong Un", "ACTOR", {"kind": "person"})]
    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)  # the details, asked for
    dialogs = [b for b in window.findChildren(QMessageBox) if b.objectName() == "errorDialog" and b.isVisible()]
    assert len(dialogs) == 1 and "the broken source broke" in dialogs[0].text() and not notice.isVisible()
    dialogs[0].close()
    window.close()


def test_a_suggested_relation_is_accepted_with_its_ends_or_rejected_for_good(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot
) -> None:
    root = make(make_project, tmp_path, '["layer:related"]')
    window = opened(qtbot, root, 2)
    rows = window.suggestions.relation_list
    assert rows.isVisible() and rows.list.count() == 1
    assert rows.list.item(0).text().startswith("SAID_BY? 'Putin met Xi in Mos…' → 'Kim Jong Un'")
    qtbot.mouseClick(rows.accept_button, Qt.MouseButton.LeftButton)
    assert [(text[:5], label) for text, label, _a in spans(root)] == [("Kim J", "ACTOR"), ("Putin", "CLAIM")]
    with AnnotationService.open(root, "alice") as service:
        assert [r.label for r in service.document(service.find_document("doc")).relations] == ["SAID_BY"]
    assert not rows.isVisible() and shown(window) == []
    window.annotate.undo()  # one step: the relation and both ends
    assert spans(root) == [] and rows.list.count() == 1 and len(shown(window)) == 2
    qtbot.mouseClick(rows.reject_button, Qt.MouseButton.LeftButton)
    assert not rows.isVisible() and len(shown(window)) == 2  # its ends stay suggested
    window.annotate.undo()  # the rejection is an edit like any other
    assert rows.isVisible() and rows.list.count() == 1
    window.annotate.redo()
    assert not rows.isVisible()
    window.close()
    window = opened(qtbot, root, 2)  # kept: not listed again, though the source still proposes it
    window.suggestions.suggest_now()
    qtbot.waitUntil(lambda: window.suggestions.running is None)
    assert not window.suggestions.relation_list.isVisible()
    window.close()


def test_a_paint_reads_the_suggestions_of_the_visible_lines_only(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot
) -> None:
    root = make_project()
    long_text = "Putin met Xi in Moscow. " * 20_000  # 480,000 code points in one paragraph
    source = tmp_path / "long.jsonl"
    source.write_text(json.dumps({"id": "long", "text": long_text}) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [source])
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("long")
        marks = [Suggestion(i, i + 5, "ACTOR", 0.5, "fixed") for i in range(0, len(long_text), 24)]
        service.store_proposals({"fixed": [Proposals(doc, marks)]})
    window = opened(qtbot, root, 20_000)
    asked: list[tuple[int, int]] = []
    real = window.view.suggestions.suggestions.between
    window.view.suggestions.suggestions.between = lambda a, b: asked.append((a, b)) or real(a, b)  # type: ignore[method-assign]
    window.view.select_range(len(long_text) // 2, len(long_text) // 2)
    window.view.viewport().repaint()
    assert asked and all(end - start < 20_000 for start, end in asked)
    assert any(start <= len(long_text) // 2 < end for start, end in asked)
    window.close()


def test_opening_reads_only_the_first_screens_suggestions_before_its_first_paint(
    make_project: ProjectMaker, tmp_path: Path, qtbot: QtBot
) -> None:
    root = make_project()
    long_text = "Putin met Xi in Moscow.\n" * 10_000  # 240,000 code points, one sentence a line
    source = tmp_path / "long.jsonl"
    source.write_text(
        "".join(json.dumps({"id": name, "text": text}) + "\n" for name, text in (("short", TEXT), ("long", long_text))),
        encoding="utf-8",
    )
    with Project.open(root) as project:
        import_paths(project, [source])
    with AnnotationService.open(root, "alice") as service:
        short, doc = service.find_document("short"), service.find_document("long")
        marks = [Suggestion(i, i + 5, "ACTOR", 0.5, "fixed") for i in range(0, len(long_text), 24)]
        service.store_proposals({"fixed": [Proposals(doc, marks)]})
    window = shown_window(qtbot, root, "alice")
    window.navigation.open_document(short)
    qtbot.waitUntil(lambda: not window.first_paint.waiting)
    model = window.view.suggestions.suggestions
    at_paints: list[tuple[int, int]] = []  # (shown, last start) at each paint of the viewport
    spy = PaintSpy(lambda: at_paints.append((len(model), model.shown()[-1].start if len(model) else -1)))
    window.view.viewport().installEventFilter(spy)
    window.navigation.open_document(doc)
    qtbot.waitUntil(lambda: len(model) == len(marks))
    window.view.viewport().removeEventFilter(spy)
    first_shown, last_start = at_paints[0]
    # The first paint has the suggestions of its screen, and none that start past the first screen's part.
    assert 0 < first_shown < len(marks) and last_start < FIRST_SCREEN_SPANS
    # Tab's walk, accepting all of a label: whatever needs them all reads the rest at once if it has not come.
    window.navigation.open_document(short)
    window.navigation.open_document(doc)
    assert len(model) < len(marks)
    window.suggestions.walk(-1)  # Shift+Tab from the top wraps round to the last one
    current = window.suggestions.current()
    assert current is not None and current.start == marks[-1].start and len(model) == len(marks)
    window.close()


class PaintSpy(QObject):
    def __init__(self, seen: Callable[[], object]) -> None:
        super().__init__()
        self._seen = seen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._seen()
        return False
