"""Tests for ui/text_view.py: selections in exact code points, clicks, tooltips, overlays, keys."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QHelpEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QToolTip, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from annotator.layer_model import LayerModel
from annotator.models import Changes, DocumentView, Span
from annotator.schema import Schema, load_schema
from tests.conftest import NEWS_SCHEMA
from ui.text_view import AnnotationTextView, span_tooltip_html

# Everything that shifts a naive offset sits before "North Korea": an emoji (2 UTF-16
# units), a flag (2 code points, 4 units), a ZWJ family (5 code points, 8 units), a
# combining mark, CJK, a tab and a CRLF (2 code points, 1 Qt position).
TEXT = "Kim 😀 met 🇷🇺 and 👩\u200d👩\u200d👧 at Cafe\u0301 in 平壤\tnow.\r\nNorth Korea said <hello> & more."
NORTH = TEXT.index("North")


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(NEWS_SCHEMA)


def qt_position(text: str, offset: int) -> int:
    """Where code point ``offset`` lands in Qt, derived independently of OffsetMap."""
    prefix = text[:offset].replace("\r\n", "\n")
    return len(prefix.encode("utf-16-le")) // 2


def span(span_id: int, start: int, end: int, label: str, attributes: dict | None = None) -> Span:
    return Span(span_id, start, end, label, TEXT[start:end], attributes or {})


def document(spans: Sequence[Span] = (), text: str = TEXT, doc_id: int = 1) -> DocumentView:
    return DocumentView(doc_id, f"doc-{doc_id}", text, {}, "alice", "todo", tuple(spans), (), ())


def make_view(qtbot: QtBot, schema: Schema, spans: Sequence[Span] = (), text: str = TEXT) -> AnnotationTextView:
    view = AnnotationTextView(LayerModel(), schema)
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.layer.load(document(spans, text))
    view.show()
    qtbot.waitExposed(view)
    return view


def select_qt(view: AnnotationTextView, start: int, end: int) -> None:
    cursor = QTextCursor(view.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)


# -- selection -----------------------------------------------------------------------


def test_programmatic_selection_gives_exact_code_points(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema)
    select_qt(view, qt_position(TEXT, NORTH), qt_position(TEXT, NORTH + 11))
    assert view.selected_range() == (NORTH, NORTH + 11)
    assert TEXT[NORTH : NORTH + 11] == "North Korea"


def test_partial_words_snap_to_whole_words_only_when_snapping_is_on(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema)
    received: list[tuple[int, int]] = []
    view.selection_changed_range.connect(lambda s, e: received.append((s, e)))
    select_qt(view, qt_position(TEXT, NORTH + 1), qt_position(TEXT, NORTH + 8))  # "orth Ko"
    assert view.selected_range() == (NORTH, NORTH + 11)
    assert received[-1] == (NORTH, NORTH + 11)
    view.snap_to_words = False
    assert view.selected_range() == (NORTH + 1, NORTH + 8)
    assert received[-1] == (NORTH + 1, NORTH + 8)  # switching re-announces the selection


def test_whitespace_is_trimmed_and_an_all_space_selection_is_none(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema)
    view.snap_to_words = False
    tab = TEXT.index("\t")
    select_qt(view, qt_position(TEXT, tab - 2), qt_position(TEXT, tab + 3))  # "壤\tno" without snapping
    assert view.selected_range() == (tab - 2, tab + 3)
    select_qt(view, qt_position(TEXT, tab), qt_position(TEXT, tab + 1))
    assert view.selected_range() is None
    cursor = view.textCursor()
    cursor.clearSelection()
    view.setTextCursor(cursor)
    assert view.selected_range() is None


@pytest.mark.parametrize(
    ("piece", "code_points"),
    [("😀", 1), ("🇷🇺", 2), ("👩\u200d👩\u200d👧", 5), ("e\u0301", 2), ("平", 1)],
)
def test_one_shift_right_selects_one_whole_character(
    qtbot: QtBot, schema: Schema, piece: str, code_points: int
) -> None:
    view = make_view(qtbot, schema)
    view.snap_to_words = False
    start = TEXT.index(piece)
    select_qt(view, qt_position(TEXT, start), qt_position(TEXT, start))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_range() == (start, start + code_points)


def test_keyboard_selection_after_the_crlf_is_exact(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema)
    view.snap_to_words = False
    select_qt(view, qt_position(TEXT, NORTH), qt_position(TEXT, NORTH))
    view.setFocus()
    for _ in range(8):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_range() == (NORTH, NORTH + 8)  # "North Ko"
    view.snap_to_words = True
    assert view.selected_range() == (NORTH, NORTH + 11)


def test_select_range_selects_code_points_and_scrolls_there(qtbot: QtBot, schema: Schema) -> None:
    long_text = "\r\n".join(f"Line {i} 😀 with words" for i in range(400)) + " Kim Jong Un"
    view = make_view(qtbot, schema, text=long_text)
    view.snap_to_words = False
    start = long_text.index("Kim Jong Un")
    view.select_range(start, start + 3)
    assert view.selected_range() == (start, start + 3)
    assert view.verticalScrollBar().value() > 0
    assert view.viewport().rect().contains(view.cursorRect())


def test_offsets_round_trip_through_qt_positions(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema)
    for offset in (0, TEXT.index("😀"), TEXT.index("🇷🇺") + 1, NORTH, len(TEXT)):
        if TEXT[offset - 1 : offset + 1] == "\r\n":
            continue
        assert view.qt_at_offset(offset) == qt_position(TEXT, offset)
        assert view.offset_at_qt(view.qt_at_offset(offset)) == offset
    inside_emoji = qt_position(TEXT, TEXT.index("😀")) + 1
    assert view.offset_at_qt(inside_emoji) == TEXT.index("😀")  # rounds down, never raises


# -- clicks and tooltips -----------------------------------------------------------


def click_at_offset(qtbot: QtBot, view: AnnotationTextView, offset: int) -> None:
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.qt_at_offset(offset))
    rect = view.cursorRect(cursor)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x() + 2, rect.center().y()))


def test_click_emits_the_innermost_span_or_minus_one(qtbot: QtBot, schema: Schema) -> None:
    claim, actor = span(1, NORTH, NORTH + 27, "CLAIM"), span(2, NORTH, NORTH + 11, "ACTOR")
    view = make_view(qtbot, schema, [claim, actor])
    clicked: list[int] = []
    view.span_clicked.connect(clicked.append)
    click_at_offset(qtbot, view, NORTH + 6)  # "Korea": inside both
    click_at_offset(qtbot, view, NORTH + 13)  # "said": inside the CLAIM only
    click_at_offset(qtbot, view, 1)  # "im" of Kim: no span
    last_line = view.cursorRect(QTextCursor(view.document().lastBlock()))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(650, last_line.center().y()))
    assert clicked == [2, 1, -1, -1]


def test_a_drag_is_a_selection_not_a_click(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema, [span(2, NORTH, NORTH + 11, "ACTOR")])
    clicked: list[int] = []
    view.span_clicked.connect(clicked.append)
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.qt_at_offset(NORTH))
    first = view.cursorRect(cursor)
    cursor.setPosition(view.qt_at_offset(NORTH + 3))
    last = view.cursorRect(cursor)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=first.center())
    qtbot.mouseMove(view.viewport(), pos=last.center())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=last.center())
    assert clicked == []
    assert view.selected_range() == (NORTH, NORTH + 5)  # "Nor" dragged, snapped to "North"


def test_tooltip_lists_spans_outer_to_inner_with_attributes_and_guideline(schema: Schema) -> None:
    claim = Span(1, 0, 40, "CLAIM", "Kim Jong Un will visit <Moscow> " + "x" * 200, {})
    actor = Span(2, 0, 11, "ACTOR", "Kim Jong Un", {"kind": "person"})
    html = span_tooltip_html([claim, actor], schema)
    assert html.index("CLAIM") < html.index("ACTOR")
    assert "&lt;Moscow&gt;" in html and "<Moscow>" not in html  # span text is escaped
    assert "…" in html and "x" * 150 not in html  # long span text is shortened
    assert "kind: <b>person</b>" in html
    assert "Content that a source in the text presents as true" in html  # CLAIM guideline
    assert "A person, organisation or state" in html  # ACTOR guideline
    assert len(html) < 2500  # guidelines are cut to a readable length


def test_hovering_a_span_shows_its_tooltip(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema, [span(2, NORTH, NORTH + 11, "ACTOR", {"kind": "state"})])
    assert "kind: <b>state</b>" in view.tooltip_at(NORTH + 2)
    assert view.tooltip_at(1) == ""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.qt_at_offset(NORTH + 2))
    point = view.cursorRect(cursor).center() + QPoint(2, 0)
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QToolTip.hideText()
    view.viewportEvent(event)
    assert "North Korea" in QToolTip.text()
    QToolTip.hideText()


# -- overlays and changes --------------------------------------------------------------


def test_overlays_use_extra_selections_and_saved_spans_never_do(qtbot: QtBot, schema: Schema) -> None:
    actor, claim = span(2, NORTH, NORTH + 11, "ACTOR"), span(1, NORTH, NORTH + 27, "CLAIM")
    view = make_view(qtbot, schema, [actor, claim])
    assert view.extraSelections() == []
    view.set_current_span(actor)
    view.set_relation_overlay(claim, actor)
    view.set_search_hits([(0, 3), (NORTH, NORTH + 5)], current=1)
    ranges = [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in view.extraSelections()]
    q = view.qt_at_offset
    # Search hits (current last), relation ends, then the current span on top.
    assert ranges == [
        (0, 3),
        (q(NORTH), q(NORTH + 5)),
        (q(NORTH), q(NORTH + 27)),
        (q(NORTH), q(NORTH + 11)),
        (q(NORTH), q(NORTH + 11)),
    ]
    colors = [s.format.background().color() for s in view.extraSelections()]
    assert colors[1] != colors[0]  # the current hit stands out from the others
    assert colors[-1] != QColor(schema.label("ACTOR").color)  # stronger than the plain label tint
    view.set_search_hits([])
    view.set_relation_overlay(None, None)
    view.set_current_span(None)
    assert view.extraSelections() == []


def test_another_document_clears_overlays(qtbot: QtBot, schema: Schema) -> None:
    actor = span(2, NORTH, NORTH + 11, "ACTOR")
    view = make_view(qtbot, schema, [actor])
    view.set_current_span(actor)
    view.layer.load(document(doc_id=2))
    assert view.extraSelections() == []
    assert view.spans_at(NORTH) == []


def test_changes_to_another_document_are_ignored(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema)
    actor = span(5, NORTH, NORTH + 11, "ACTOR")
    view.layer.apply(Changes("other", document_id=99, spans_added=(actor,)))
    assert view.spans_at(NORTH) == []
    view.layer.apply(Changes("label", document_id=1, annotator="alice", spans_added=(actor,)))
    assert view.spans_at(NORTH) == [actor]


def test_zoom_changes_the_font_and_reports_the_total(qtbot: QtBot, schema: Schema) -> None:
    view = make_view(qtbot, schema)
    size = view.font().pointSizeF()
    totals: list[int] = []
    view.zoom_changed.connect(totals.append)
    view.zoom(3)
    view.zoom(-1)
    assert view.font().pointSizeF() == size + 2
    assert totals == [3, 2]


# -- keys reach the window ---------------------------------------------------------------


@pytest.mark.parametrize("editable_control", [False, True])
def test_single_key_shortcuts_reach_the_window(qtbot: QtBot, schema: Schema, editable_control: bool) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    view: QPlainTextEdit = QPlainTextEdit() if editable_control else AnnotationTextView(LayerModel(), schema)
    if isinstance(view, AnnotationTextView):
        view.layer.load(document())
    QVBoxLayout(window).addWidget(view)
    fired: list[str] = []
    keys = {"a": Qt.Key.Key_A, "c": Qt.Key.Key_C, "Delete": Qt.Key.Key_Delete, "Esc": Qt.Key.Key_Escape}
    for name in keys:
        action = QAction(name, window)
        action.setShortcut(QKeySequence(name))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False, name=name: fired.append(name))
        window.addAction(action)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    view.setFocus()
    assert QApplication.focusWidget() is view
    for key in keys.values():
        qtbot.keyClick(view, key)
    if editable_control:
        # The control shows the test can fail: an editable text box types "a" and "c".
        assert "a" not in fired and "c" not in fired
    else:
        assert fired == ["a", "c", "Delete", "Esc"]
        # ...and keyboard selection still works in the same view.
        select_qt(view, qt_position(TEXT, NORTH), qt_position(TEXT, NORTH))
        view.snap_to_words = False
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        assert view.selected_range() == (NORTH, NORTH + 1)


def test_many_void_calls_do_not_abort(qtbot: QtBot, schema: Schema) -> None:
    # PySide6 6.12.0 on CPython 3.11 aborted the process after a few thousand calls of
    # methods returning None; this makes 20,000+ of them, as a long session would.
    view = make_view(qtbot, schema, [span(2, NORTH, NORTH + 11, "ACTOR")])
    cursor = QTextCursor(view.document())
    end = view.document().characterCount() - 1
    calls = 0
    for i in range(5000):
        cursor.setPosition(i % end)
        cursor.setPosition((i * 7) % end, QTextCursor.MoveMode.KeepAnchor)
        cursor.clearSelection()
        view.setTextCursor(cursor)
        calls += 4
    for _ in range(1000):
        view.set_search_hits([(0, 3)], 0)  # several void calls each
        calls += 1
    assert calls >= 21_000
    assert view.textCursor().position() == cursor.position()
    view.select_range(NORTH, NORTH + 11)  # and the view still works afterwards
    assert view.selected_range() == (NORTH, NORTH + 11)
