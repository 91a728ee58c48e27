"""The span list: spans in text order, kept up to date from Changes, selectable without loops."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.layer_model import LayerModel
from annotator.models import Changes, DocumentView, Span
from annotator.schema import Schema, load_schema
from ui.span_list import SpanList

ROOT = Path(__file__).resolve().parents[2]

SPANS = (
    Span(3, 40, 51, "DATE", "next week", {"value": "2014-W47"}),
    Span(1, 0, 11, "ACTOR", "North Korea", {"kind": "state"}),
    Span(2, 16, 22, "ACTOR", "Russia", {}),
    Span(4, 16, 60, "CLAIM", "Russia could be\nlooking to increase its influence in the Far East", {}),
)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(ROOT / "annotator" / "example" / "news.yaml")


def document(spans: tuple[Span, ...] | list[Span]) -> DocumentView:
    return DocumentView(1, "doc", "x" * 400, {}, "alice", "todo", tuple(spans), (), ())


@pytest.fixture
def layer() -> LayerModel:
    return LayerModel()


@pytest.fixture
def span_list(qtbot, schema: Schema, layer: LayerModel) -> SpanList:
    widget = SpanList(layer, schema)
    qtbot.addWidget(widget)
    layer.load(document(SPANS))
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def ids(widget: SpanList) -> list[int]:
    model = widget.model
    return [model.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount())]


def row_text(widget: SpanList, row: int) -> list[str]:
    return [widget.model.index(row, column).data() for column in range(3)]


def received(signal) -> list[int]:
    got: list[int] = []
    signal.connect(got.append)
    return got


def test_rows_are_sorted_by_start_then_end(span_list: SpanList) -> None:
    assert ids(span_list) == [1, 2, 4, 3]
    assert span_list.title.text() == "Spans (4)"


def test_rows_show_label_swatch_one_line_text_and_attributes(span_list: SpanList) -> None:
    assert row_text(span_list, 0) == ["ACTOR", "North Korea", "state"]
    assert row_text(span_list, 3) == ["DATE", "next week", "2014-W47"]
    claim = row_text(span_list, 2)[1]
    assert "\n" not in claim and claim.startswith("Russia could be looking")
    assert not span_list.model.index(0, 0).data(Qt.ItemDataRole.DecorationRole).isNull()


def test_long_texts_are_shortened(span_list: SpanList, layer: LayerModel) -> None:
    layer.load(document([Span(9, 0, 300, "CLAIM", "word " * 60, {})]))
    text = row_text(span_list, 0)[1]
    assert len(text) <= 80 and text.endswith("…")


def test_layer_changes_add_remove_and_update_rows(span_list: SpanList, layer: LayerModel) -> None:
    inserted: list[int] = []
    span_list.model.rowsInserted.connect(lambda _parent, first, _last: inserted.append(first))
    layer.apply(Changes("add", spans_added=(Span(5, 12, 15, "ACTOR", "and", {"kind": "other"}),)))
    assert ids(span_list) == [1, 5, 2, 4, 3]
    assert inserted == [1]  # one row inserted in place, not a reset

    layer.apply(Changes("remove", spans_removed=(SPANS[1],)))
    assert ids(span_list) == [5, 2, 4, 3]

    layer.apply(Changes("kind", spans_changed=(Span(2, 16, 22, "ACTOR", "Russia", {"kind": "state"}),)))
    assert row_text(span_list, 1) == ["ACTOR", "Russia", "state"]

    layer.apply(Changes("relabel", spans_changed=(Span(3, 40, 51, "ACTOR", "next week", {}),)))
    assert row_text(span_list, 3) == ["ACTOR", "next week", ""]
    assert span_list.title.text() == "Spans (4)"


def test_a_span_whose_offsets_change_moves_to_its_new_place(span_list: SpanList, layer: LayerModel) -> None:
    layer.apply(Changes("resize", spans_changed=(Span(3, 1, 5, "DATE", "orth", {}),)))
    assert ids(span_list) == [1, 3, 2, 4]


def test_select_span_does_not_emit_and_survives_changes(span_list: SpanList, layer: LayerModel) -> None:
    got = received(span_list.span_activated)
    span_list.select_span(4)
    assert got == []
    assert span_list.selected_span() == 4
    layer.apply(Changes("add", spans_added=(Span(6, 1, 2, "ACTOR", "o", {}),)))
    assert span_list.selected_span() == 4  # the row moved down; the selection went with it
    span_list.select_span(None)
    assert span_list.selected_span() is None
    assert got == []


def test_clicking_a_row_emits_span_activated(qtbot, span_list: SpanList) -> None:
    view = span_list.view
    rect = view.visualRect(span_list.model.index(3, 1))
    with qtbot.waitSignal(span_list.span_activated, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [3]


def test_arrow_keys_emit_span_activated(qtbot, span_list: SpanList) -> None:
    span_list.select_span(2)
    span_list.view.setFocus()
    got = received(span_list.span_activated)
    qtbot.keyClick(span_list.view, Qt.Key.Key_Down)
    qtbot.keyClick(span_list.view, Qt.Key.Key_Down)
    assert got == [4, 3]


def test_reference_layer_fills_the_list(span_list: SpanList, layer: LayerModel) -> None:
    record = json.loads((ROOT / "annotator/example/reference.jsonl").read_text(encoding="utf-8").splitlines()[0])
    spans = [
        Span(int(s["id"][1:]), s["start"], s["end"], s["label"], s["text"], s.get("attributes", {}))
        for s in record["spans"]
    ]
    layer.load(document(spans))
    starts = [span_list.model.span_at(row).start for row in range(span_list.model.rowCount())]
    assert len(starts) == 77 and starts == sorted(starts)
    assert span_list.title.text() == "Spans (77)"
