"""Tests for ui/highlighter.py: which spans are drawn where, in which colours, redrawn how little."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PySide6.QtGui import QColor, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from annotator.layer_model import LayerModel
from annotator.models import Changes, DocumentView, Span
from annotator.schema import Schema, load_schema
from annotator.segments import SegmentIndex
from tests.conftest import NEWS_SCHEMA
from ui.colors import line_color
from ui.highlighter import DEFER_ABOVE, SpanHighlighter, span_ids_of, span_labels_of
from ui.text_view import AnnotationTextView

# The claim sits after characters that weigh differently in Qt (emoji, flag, CRLF) and
# after an emoji in its own block, so a code-point/UTF-16 mix-up shifts every format.
PREFIX = "Kim 😀 met 🇷🇺.\r\nIn 平壤 👩\u200d👩\u200d👧 "
CLAIM_TEXT = "Choe Ryong Hae will visit Moscow next week"
TEXT = PREFIX + "officials said " + CLAIM_TEXT + ", said KCNA.\r\nMore text 😀 here."
CLAIM_AT = TEXT.index(CLAIM_TEXT)
ACTOR_AT = CLAIM_AT
DATE_AT = TEXT.index("next week")


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(NEWS_SCHEMA)


def make_span(span_id: int, start: int, end: int, label: str, text: str = TEXT) -> Span:
    return Span(span_id, start, end, label, text[start:end], {})


CLAIM = make_span(1, CLAIM_AT, CLAIM_AT + len(CLAIM_TEXT), "CLAIM")
ACTOR = make_span(2, ACTOR_AT, ACTOR_AT + len("Choe Ryong Hae"), "ACTOR")
DATE = make_span(3, DATE_AT, DATE_AT + len("next week"), "DATE")


def qt_position(text: str, offset: int) -> int:
    """Code point -> Qt position, derived independently of OffsetMap."""
    return len(text[:offset].replace("\r\n", "\n").encode("utf-16-le")) // 2


def format_at(document: QTextDocument, text: str, offset: int) -> QTextCharFormat | None:
    """The highlighter's format drawn at code point ``offset`` (None if plain)."""
    position = qt_position(text, offset)
    block = document.findBlock(position)
    inside = position - block.position()
    for fmt_range in block.layout().formats():
        if fmt_range.start <= inside < fmt_range.start + fmt_range.length:
            return QTextCharFormat(fmt_range.format)  # a copy: the range dies with its list
    return None


def drawn(document: QTextDocument, text: str, offset: int) -> tuple[tuple[int, ...], str | None]:
    fmt = format_at(document, text, offset)
    if fmt is None:
        return (), None
    return span_ids_of(fmt), fmt.background().color().name()


def all_formats(document: QTextDocument) -> list[list[tuple[int, int, tuple[int, ...], str]]]:
    blocks = []
    block = document.firstBlock()
    while block.isValid():
        blocks.append(
            [
                (r.start, r.length, span_ids_of(r.format), r.format.background().color().name())
                for r in block.layout().formats()
            ]
        )
        block = block.next()
    return blocks


def color(schema: Schema, label: str) -> str:
    spec = schema.label(label)
    assert spec is not None
    return QColor(spec.color).name()


class CountingHighlighter(SpanHighlighter):
    def __init__(self, layer: LayerModel, schema: Schema, document: QTextDocument) -> None:
        super().__init__(layer, schema, document)
        self.layer = layer
        self.calls = 0

    def highlightBlock(self, text: str) -> None:
        self.calls += 1
        super().highlightBlock(text)


def editor_with(
    qtbot: QtBot, schema: Schema, text: str, spans: Sequence[Span]
) -> tuple[QPlainTextEdit, CountingHighlighter]:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    layer = LayerModel()
    layer.load(DocumentView(1, "d", text, {}, "alice", "todo", tuple(spans), (), ()))
    highlighter = CountingHighlighter(layer, schema, editor.document())
    highlighter.load()
    editor.setPlainText(text)
    return editor, highlighter


def test_a_claim_holding_an_actor_and_a_date_shows_all_three(qtbot: QtBot, schema: Schema) -> None:
    editor, _ = editor_with(qtbot, schema, TEXT, [DATE, CLAIM, ACTOR])
    doc = editor.document()
    assert drawn(doc, TEXT, ACTOR_AT) == ((1, 2), color(schema, "ACTOR"))
    assert drawn(doc, TEXT, ACTOR.end - 1) == ((1, 2), color(schema, "ACTOR"))
    assert drawn(doc, TEXT, ACTOR.end) == ((1,), color(schema, "CLAIM"))  # the space after the actor
    assert drawn(doc, TEXT, DATE_AT - 1) == ((1,), color(schema, "CLAIM"))
    assert drawn(doc, TEXT, DATE_AT) == ((1, 3), color(schema, "DATE"))
    assert drawn(doc, TEXT, CLAIM.end - 1) == ((1, 3), color(schema, "DATE"))
    assert drawn(doc, TEXT, CLAIM.end) == ((), None)
    assert drawn(doc, TEXT, CLAIM_AT - 1) == ((), None)
    fmt = format_at(doc, TEXT, ACTOR_AT)
    assert fmt is not None and span_labels_of(fmt) == ("CLAIM", "ACTOR")


def test_segments_become_exact_ranges_in_utf16_within_the_block(qtbot: QtBot, schema: Schema) -> None:
    editor, _ = editor_with(qtbot, schema, TEXT, [CLAIM, ACTOR, DATE])
    block = editor.document().findBlock(qt_position(TEXT, CLAIM_AT))
    start = block.position()
    got = [(r.start, r.length, span_ids_of(r.format)) for r in block.layout().formats()]
    q = lambda offset: qt_position(TEXT, offset) - start  # noqa: E731
    assert got == [
        (q(ACTOR.start), q(ACTOR.end) - q(ACTOR.start), (1, 2)),
        (q(ACTOR.end), q(DATE.start) - q(ACTOR.end), (1,)),
        (q(DATE.start), q(DATE.end) - q(DATE.start), (1, 3)),
    ]


def test_enclosing_spans_are_painted_as_bars_in_their_dark_colour(qtbot: QtBot, schema: Schema) -> None:
    view = AnnotationTextView(LayerModel(), schema)
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.layer.load(DocumentView(1, "d", TEXT, {}, "alice", "todo", (CLAIM, ACTOR, DATE), (), ()))
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()

    def pixel_near_bottom(start: int, end: int, rise: float) -> QColor:
        (rect,) = view.fragment_rects(start, end)
        return image.pixelColor(int(rect.center().x()), int(rect.bottom() - rise))

    claim_bar = line_color(QColor(color(schema, "CLAIM"))).name()
    assert pixel_near_bottom(ACTOR.start, ACTOR.end, 1).name() == claim_bar  # bar under the actor
    assert pixel_near_bottom(DATE.start, DATE.end, 1).name() == claim_bar
    gap = TEXT.index("visit")
    assert pixel_near_bottom(gap, gap + 5, 1).name() == color(schema, "CLAIM")  # claim alone: no bar
    # Above the bar the inner span's own tint shows (between the letters).
    assert pixel_near_bottom(ACTOR.start, ACTOR.end, 5).name() in {color(schema, "ACTOR"), "#000000"}


def test_adding_and_removing_a_span_redraws_one_block_and_nothing_else(qtbot: QtBot, schema: Schema) -> None:
    text = "\n".join(f"Paragraph {i}: Kim Jong Un met officials 😀 in Moscow." for i in range(30))
    starts = [text.index(f"Paragraph {i}:") for i in range(30)]
    spans = [make_span(100 + i, starts[i], starts[i] + 9, "ACTOR", text) for i in range(0, 30, 3)]
    editor, highlighter = editor_with(qtbot, schema, text, spans)
    # Setting the text formats each block once (plus the one empty block Qt clears to first).
    assert highlighter.calls == 30 + 1
    before = all_formats(editor.document())

    moscow = text.index("Moscow", starts[10])
    added = make_span(7, moscow, moscow + 6, "ACTOR", text)
    highlighter.calls = 0
    highlighter.layer.apply(Changes("label", spans_added=(added,)))
    after = all_formats(editor.document())
    assert highlighter.calls == 1
    assert [i for i in range(30) if before[i] != after[i]] == [10]
    assert drawn(editor.document(), text, moscow) == ((7,), color(schema, "ACTOR"))

    highlighter.calls = 0
    highlighter.layer.apply(Changes("relabel", spans_changed=(make_span(7, moscow, moscow + 6, "DATE", text),)))
    assert highlighter.calls == 1
    assert drawn(editor.document(), text, moscow) == ((7,), color(schema, "DATE"))

    highlighter.calls = 0
    highlighter.layer.apply(Changes("undo", spans_removed=(added,)))
    assert highlighter.calls == 1
    assert all_formats(editor.document()) == before


def test_a_span_over_three_paragraphs_redraws_those_three(qtbot: QtBot, schema: Schema) -> None:
    text = "\r\n".join(f"Line {i} 🇷🇺 text." for i in range(20))
    editor, highlighter = editor_with(qtbot, schema, text, [])
    start, end = text.index("Line 4"), text.index("Line 6") + 6
    claim = make_span(1, start, end, "CLAIM", text)
    highlighter.calls = 0
    highlighter.layer.apply(Changes("label", spans_added=(claim,)))
    assert highlighter.calls == 3
    assert [i for i, block in enumerate(all_formats(editor.document())) if block] == [4, 5, 6]
    # The CRLF between the lines is not drawn, and "Line 6" ends exactly at its code points.
    assert drawn(editor.document(), text, end - 1)[0] == (1,)
    assert drawn(editor.document(), text, end)[0] == ()


def test_another_document_in_the_layer_redraws_everything(qtbot: QtBot, schema: Schema) -> None:
    view = AnnotationTextView(LayerModel(), schema)
    qtbot.addWidget(view)
    view.layer.load(DocumentView(1, "d", TEXT, {}, "alice", "todo", (CLAIM, ACTOR, DATE), (), ()))
    view.layer.load(DocumentView(2, "e", TEXT, {}, "alice", "todo", (DATE,), (), ()))
    reference, _ = editor_with(qtbot, schema, TEXT, [DATE])
    assert all_formats(view.document()) == all_formats(reference.document())
    assert drawn(view.document(), TEXT, ACTOR_AT) == ((), None)
    assert drawn(view.document(), TEXT, DATE_AT) == ((3,), color(schema, "DATE"))


def test_a_label_missing_from_the_schema_is_drawn_grey_not_dropped(qtbot: QtBot, schema: Schema) -> None:
    editor, _ = editor_with(qtbot, schema, TEXT, [make_span(9, ACTOR_AT, ACTOR_AT + 4, "RETIRED")])
    ids, background = drawn(editor.document(), TEXT, ACTOR_AT)
    assert ids == (9,) and background == "#d9d9d9"


def test_each_block_looks_only_at_its_own_segments(
    qtbot: QtBot, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 200 blocks with 5 spans each: a full redraw handles each segment about once,
    # never every span for every block.
    text = "\n".join("Kim met Choe and Xi in Moscow." for _ in range(200))
    spans = [
        make_span(i * 5 + k, i * 31 + at, i * 31 + at + 3, "ACTOR", text)
        for i in range(200)
        for k, at in enumerate((0, 8, 13, 17, 23))
    ]
    handled = 0
    real = SegmentIndex.segments_in

    def counting(self: SegmentIndex, lo: int, hi: int) -> list:
        nonlocal handled
        found = real(self, lo, hi)
        handled += len(found)
        return found

    monkeypatch.setattr(SegmentIndex, "segments_in", counting)
    _, highlighter = editor_with(qtbot, schema, text, spans)
    assert highlighter.calls == 200 + 1
    assert handled == 1000


# -- long articles: first screen at once, the rest in idle time ---------------------------


def long_article() -> tuple[str, list[Span]]:
    line = "Kim 😀 met 🇷🇺 officials in Moscow next week, said KCNA."
    text = "\r\n".join(f"{i:05d} {line}" for i in range(DEFER_ABOVE // len(line) + 200))
    spans = []
    for i, at in enumerate(range(0, len(text) - 80, 997)):
        start = text.index("Kim", at)
        spans.append(make_span(2 * i, start, start + 3, "ACTOR", text))
        claim_end = text.index(",", start)
        spans.append(make_span(2 * i + 1, start, claim_end, "CLAIM", text))
    return text, spans


def long_view(qtbot: QtBot, schema: Schema, text: str, spans: Sequence[Span]) -> AnnotationTextView:
    view = AnnotationTextView(LayerModel(), schema)
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.layer.load(DocumentView(1, "long", text, {}, "alice", "todo", tuple(spans), (), ()))
    return view


def test_a_long_article_formats_its_first_screen_at_once_and_the_rest_when_idle(qtbot: QtBot, schema: Schema) -> None:
    text, spans = long_article()
    assert len(text) > DEFER_ABOVE
    reference, _ = editor_with(qtbot, schema, text, spans)  # formatted all at once
    view = long_view(qtbot, schema, text, spans)
    first, last = all_formats(view.document()), all_formats(reference.document())
    assert not view.highlighter.is_complete
    assert first[0] == last[0] and first[0]  # the first screen is drawn, exactly as it will stay
    far = spans[-2]
    assert drawn(view.document(), text, far.start) == ((), None)  # far away: not yet
    assert drawn(reference.document(), text, far.start) != ((), None)
    with qtbot.waitSignal(view.highlighter.completed, timeout=20_000):
        view.show()
    assert view.highlighter.is_complete
    assert all_formats(view.document()) == last


def test_blocks_scrolled_into_view_are_formatted_before_they_are_painted(qtbot: QtBot, schema: Schema) -> None:
    text, spans = long_article()
    view = long_view(qtbot, schema, text, spans)
    view.show()  # no events are processed below, so no idle work runs
    far = spans[-2]
    view.select_range(far.start, far.end)
    assert drawn(view.document(), text, far.start) == ((), None)
    view.viewport().grab()  # a paint, as when the user scrolls there
    assert drawn(view.document(), text, far.start) == ((far.id + 1, far.id), color(schema, "ACTOR"))
    middle = spans[len(spans) // 2]
    assert drawn(view.document(), text, middle.start) == ((), None)  # not painted, not formatted
    assert not view.highlighter.is_complete


def test_changes_before_idle_formatting_ends_are_drawn_and_kept(qtbot: QtBot, schema: Schema) -> None:
    text, spans = long_article()
    view = long_view(qtbot, schema, text, spans)
    at = text.index("Moscow", len(text) // 2)
    added = make_span(10**6, at, at + 6, "ACTOR", text)
    view.layer.apply(Changes("label", document_id=1, spans_added=(added,)))
    assert drawn(view.document(), text, at) == ((added.id,), color(schema, "ACTOR"))
    view.highlighter.finish_now()
    assert view.highlighter.is_complete
    reference, _ = editor_with(qtbot, schema, text, [*spans, added])
    assert all_formats(view.document()) == all_formats(reference.document())
