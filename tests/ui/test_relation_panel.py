"""The relation panel: the list, deletion from the keyboard, and starting a relation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QVBoxLayout, QWidget

from annotator.layer_model import LayerModel
from annotator.models import Changes, DocumentView, Relation, Span
from annotator.schema import Schema, load_schema
from ui.relation_panel import RelationPanel

ROOT = Path(__file__).resolve().parents[2]
ACTOR = Span(1, 0, 11, "ACTOR", "Koh Yu-hwan", {"kind": "person"})
CLAIM = Span(2, 20, 90, "CLAIM", "Russia could be looking to increase its influence in the Far East", {})
DATE = Span(3, 95, 104, "DATE", "next week", {"value": "2014-W47"})
SAID_BY = Relation(10, "SAID_BY", 2, 1)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(ROOT / "annotator" / "example" / "news.yaml")


def make_view(spans: tuple[Span, ...], relations: tuple[Relation, ...]) -> DocumentView:
    return DocumentView(1, "doc", "x" * 200, {}, "alice", "todo", spans, relations, ())


@pytest.fixture
def window(qtbot) -> QWidget:
    """An active window that, like the main window, binds Delete and Enter window-wide."""
    host = QWidget()
    qtbot.addWidget(host)
    host.triggered = []  # type: ignore[attr-defined]
    for key in ("Delete", "Return"):
        action = QAction(key, host)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False, key=key: host.triggered.append(key))  # type: ignore[attr-defined]
        host.addAction(action)
    QVBoxLayout(host)
    return host


@pytest.fixture
def layer() -> LayerModel:
    return LayerModel()


@pytest.fixture
def panel(qtbot, window: QWidget, schema: Schema, layer: LayerModel) -> RelationPanel:
    widget = RelationPanel(layer, schema)
    window.layout().addWidget(widget)
    layer.load(make_view((ACTOR, CLAIM, DATE), (SAID_BY,)))
    window.resize(420, 400)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return widget


def rows(panel: RelationPanel) -> list[str]:
    return [panel.model.index(row).data() for row in range(panel.model.rowCount())]


def received(signal) -> list:
    got: list = []
    signal.connect(got.append)
    return got


def test_lists_relations_with_type_and_both_span_texts(panel: RelationPanel) -> None:
    assert rows(panel) == ["SAID_BY: 'Russia could be loo…' → 'Koh Yu-hwan'"]
    assert panel.title.text() == "Relations (1)"
    assert "Russia could be looking to increase its influence" in panel.model.index(0).data(Qt.ItemDataRole.ToolTipRole)


def test_head_span_offers_only_the_relations_it_may_start(qtbot, panel: RelationPanel) -> None:
    panel.set_head_span(CLAIM)
    assert [b.text() for b in panel.type_buttons.values()] == ["SAID_BY (s)", "WHEN (w)"]
    assert all(button.isVisible() for button in panel.type_buttons.values())
    panel.set_head_span(ACTOR)
    assert panel.type_buttons == {}
    assert "ACTOR" in panel.head_label.text()
    panel.set_head_span(None)
    assert panel.type_buttons == {}


def test_clicking_a_type_button_emits_it(qtbot, panel: RelationPanel) -> None:
    panel.set_head_span(CLAIM)
    with qtbot.waitSignal(panel.relation_type_chosen, timeout=1000) as blocker:
        qtbot.mouseClick(panel.type_buttons["WHEN"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["WHEN"]


def test_delete_on_the_selected_relation_requests_its_removal(qtbot, window, panel: RelationPanel) -> None:
    requested = received(panel.relation_delete_requested)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert requested == []  # nothing selected yet
    panel.select_relation(10)
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert requested == [10]
    assert window.triggered == []  # the window's own Delete (remove span) did not fire


def test_remove_button_requests_removal_of_the_selection(qtbot, panel: RelationPanel) -> None:
    assert not panel.remove_button.isEnabled()
    panel.select_relation(10)
    assert panel.remove_button.isEnabled()
    with qtbot.waitSignal(panel.relation_delete_requested, timeout=1000) as blocker:
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [10]


def test_clicking_and_enter_select_but_select_relation_is_quiet(qtbot, window, panel: RelationPanel) -> None:
    selected = received(panel.relation_selected)
    panel.select_relation(10)
    panel.select_relation(None)
    assert selected == []
    rect = panel.list.visualRect(panel.model.index(0))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected == [10]
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert selected == [10, 10]
    assert window.triggered == []


def test_layer_changes_add_and_remove_rows(panel: RelationPanel, layer: LayerModel) -> None:
    when = Relation(11, "WHEN", 2, 3)
    layer.apply(Changes("add", relations_added=(when,)))
    assert rows(panel)[1] == "WHEN: 'Russia could be loo…' → 'next week'"
    layer.apply(Changes("remove", relations_removed=(SAID_BY,)))
    assert rows(panel) == ["WHEN: 'Russia could be loo…' → 'next week'"]
    assert panel.title.text() == "Relations (1)"


def test_a_changed_span_text_is_shown(panel: RelationPanel, layer: LayerModel) -> None:
    renamed = Span(1, 0, 3, "ACTOR", "Koh", {})
    layer.apply(Changes("resize", spans_changed=(renamed,)))
    assert rows(panel) == ["SAID_BY: 'Russia could be loo…' → 'Koh'"]


def test_pending_relation_shows_what_to_do(panel: RelationPanel) -> None:
    panel.set_pending("SAID_BY")
    assert panel.pending_label.isVisible()
    assert panel.pending_label.text() == "Pick the tail span for SAID_BY — Esc cancels"
    panel.set_pending(None)
    assert not panel.pending_label.isVisible()


def test_reference_layer_lists_all_relations(panel: RelationPanel, layer: LayerModel) -> None:
    record = json.loads((ROOT / "annotator/example/reference.jsonl").read_text(encoding="utf-8").splitlines()[0])
    spans = tuple(
        Span(int(s["id"][1:]), s["start"], s["end"], s["label"], s["text"], s.get("attributes", {}))
        for s in record["spans"]
    )
    relations = tuple(
        Relation(int(r["id"][1:]), r["label"], int(r["head"][1:]), int(r["tail"][1:])) for r in record["relations"]
    )
    layer.load(make_view(spans, relations))
    assert panel.model.rowCount() == 14
    assert "SAID_BY: 'Russia could be loo…' → 'Koh Yu-hwan'" in rows(panel)


def test_tabbing_into_the_list_selects_nothing(qtbot, panel: RelationPanel) -> None:
    panel.list.clearFocus()
    selected = received(panel.relation_selected)
    panel.list.setFocus()
    qtbot.wait(10)
    assert selected == []
    assert not panel.remove_button.isEnabled()


def test_a_relation_whose_head_moves_takes_its_place_in_the_order(panel: RelationPanel, layer: LayerModel) -> None:
    when = Relation(11, "WHEN", 2, 3)
    layer.apply(Changes("add", relations_added=(when,)))
    panel.select_relation(10)
    late_claim = Span(4, 150, 160, "CLAIM", "later text", {})
    layer.apply(Changes("add", spans_added=(late_claim,), relations_added=(Relation(12, "SAID_BY", 4, 1),)))
    assert [panel.model.index(row).data(Qt.ItemDataRole.UserRole) for row in range(3)] == [10, 11, 12]
    layer.apply(Changes("resize", spans_changed=(Span(4, 5, 15, "CLAIM", "early text", {}),)))
    assert rows(panel)[0] == "SAID_BY: 'early text' → 'Koh Yu-hwan'"
    assert panel.selected_relation() == 10  # the selection stayed on its relation


def test_thousands_of_relations_make_text_only_for_the_rows_on_screen(
    qtbot, panel: RelationPanel, layer: LayerModel
) -> None:
    spans = tuple(Span(i, i, i + 1, "CLAIM" if i % 2 else "ACTOR", "x", {}) for i in range(1, 4001))
    relations = tuple(Relation(10_000 + i, "SAID_BY", i, i + 1) for i in range(1, 4000, 2))
    asked: set[int] = set()
    data = panel.model.data

    def counting_data(index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if role == Qt.ItemDataRole.DisplayRole:
            asked.add(index.row())
        return data(index, role)

    panel.model.data = counting_data  # type: ignore[method-assign]
    layer.load(make_view(spans, relations))
    panel.list.viewport().repaint()
    qtbot.wait(10)
    assert panel.model.rowCount() == 2000
    assert 0 < len(asked) < 100, f"text made for {len(asked)} rows"
