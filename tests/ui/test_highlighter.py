"""Tests for ui/highlighter.py: which spans are drawn where, in which colours, repainted how little.

Spans are painted by the view from the highlighter's index, never set as character
formats, so what a test asks is ``drawn_at`` (what a paint uses) and the pixels of a grab.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QColor, QImage, QPaintEvent
from pytestqt.qtbot import QtBot

from annotator.layer_model import LayerModel
from annotator.models import Changes, DocumentView, Span
from annotator.schema import Schema, load_schema
from tests.conftest import NEWS_SCHEMA
from ui.colors import line_color
from ui.highlighter import DEFER_ABOVE, QtSegment
from ui.text_view import AnnotationTextView

# The claim sits after characters that weigh differently in Qt (emoji, flag, CRLF) and
# after an emoji in its own block, so a code-point/UTF-16 mix-up shifts every piece.
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


def shown(
    qtbot: QtBot, schema: Schema, text: str, spans: Sequence[Span], size: tuple[int, int] = (900, 300)
) -> AnnotationTextView:
    view = AnnotationTextView(LayerModel(), schema)
    qtbot.addWidget(view)
    view.resize(*size)
    view.layer.load(DocumentView(1, "d", text, {}, "alice", "todo", tuple(spans), (), ()))
    view.show()
    qtbot.waitExposed(view)
    return view


def drawn(view: AnnotationTextView, offset: int) -> tuple[tuple[int, ...], str | None]:
    ids, look = view.highlighter.drawn_at(offset)
    return ids, look.background.name() if look is not None else None


def color(schema: Schema, label: str) -> str:
    spec = schema.label(label)
    assert spec is not None
    return QColor(spec.color).name()


def background_on_screen(view: AnnotationTextView, image: QImage, start: int, end: int) -> str:
    """The colour most pixels of the top row of the first rectangle of [start, end) have
    (above the glyphs and below any bar along the top)."""
    rect = view.fragment_rects(start, end)[0]
    y = int(rect.top()) + 3
    row = Counter(image.pixelColor(x, y).name() for x in range(int(rect.left()) + 1, int(rect.right()) - 1))
    return row.most_common(1)[0][0]


class PaintedRegions(QObject):
    """Records the region of every paint of a widget."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(event, QPaintEvent):
            self.rects.append(event.rect())
        return False


def test_a_claim_holding_an_actor_and_a_date_shows_all_three(qtbot: QtBot, schema: Schema) -> None:
    view = shown(qtbot, schema, TEXT, [DATE, CLAIM, ACTOR])
    assert drawn(view, ACTOR_AT) == ((1, 2), color(schema, "ACTOR"))
    assert drawn(view, ACTOR.end - 1) == ((1, 2), color(schema, "ACTOR"))
    assert drawn(view, ACTOR.end) == ((1,), color(schema, "CLAIM"))  # the space after the actor
    assert drawn(view, DATE_AT - 1) == ((1,), color(schema, "CLAIM"))
    assert drawn(view, DATE_AT) == ((1, 3), color(schema, "DATE"))
    assert drawn(view, CLAIM.end - 1) == ((1, 3), color(schema, "DATE"))
    assert drawn(view, CLAIM.end) == ((), None)
    assert drawn(view, CLAIM_AT - 1) == ((), None)
    look = view.highlighter.drawn_at(ACTOR_AT).look
    assert look is not None and look.labels == ("CLAIM", "ACTOR")
    # And so it is on screen: each piece in its innermost span's colour.
    image = view.viewport().grab().toImage()
    assert background_on_screen(view, image, ACTOR.start, ACTOR.end) == color(schema, "ACTOR")
    assert background_on_screen(view, image, ACTOR.end, DATE.start) == color(schema, "CLAIM")
    assert background_on_screen(view, image, DATE.start, DATE.end) == color(schema, "DATE")
    assert background_on_screen(view, image, CLAIM.end + 1, CLAIM.end + 5) == "#ffffff"


def test_segments_become_exact_ranges_in_utf16(qtbot: QtBot, schema: Schema) -> None:
    view = shown(qtbot, schema, TEXT, [CLAIM, ACTOR, DATE])
    block = view.document().findBlock(qt_position(TEXT, CLAIM_AT))
    q = lambda offset: qt_position(TEXT, offset)  # noqa: E731
    got = view.highlighter.segments_between(block.position(), block.position() + block.length() - 1)
    assert got == [
        QtSegment(q(ACTOR.start), q(ACTOR.end), (1, 2)),
        QtSegment(q(ACTOR.end), q(DATE.start), (1,)),
        QtSegment(q(DATE.start), q(DATE.end), (1, 3)),
    ]
    # Clipped to the range asked for.
    assert view.highlighter.segments_between(q(ACTOR.start) + 2, q(ACTOR.start) + 4) == [
        QtSegment(q(ACTOR.start) + 2, q(ACTOR.start) + 4, (1, 2))
    ]


def test_enclosing_spans_are_painted_as_bars_in_their_dark_colour(qtbot: QtBot, schema: Schema) -> None:
    view = shown(qtbot, schema, TEXT, [CLAIM, ACTOR, DATE])
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


def test_text_on_a_dark_label_colour_is_white(qtbot: QtBot, tmp_path: Path) -> None:
    dark = tmp_path / "dark.yaml"
    dark.write_text(NEWS_SCHEMA.read_text(encoding="utf-8").replace('"#9AD2F2"', '"#0072B2"'), encoding="utf-8")
    schema = load_schema(dark)
    view = shown(qtbot, schema, TEXT, [ACTOR, DATE])
    image = view.viewport().grab().toImage()

    def inks(span: Span) -> Counter[str]:
        (rect,) = view.fragment_rects(span.start, span.end)
        return Counter(
            image.pixelColor(x, y).name()
            for x in range(int(rect.left()) + 1, int(rect.right()) - 1)
            for y in range(int(rect.top()) + 1, int(rect.bottom()) - 1)
        )

    actor = inks(ACTOR)
    assert actor.most_common(1)[0][0] == "#0072b2"
    assert actor["#ffffff"] > 20 and actor["#000000"] == 0  # white letters, none left black
    date = inks(DATE)  # a light label keeps black text
    assert date.most_common(1)[0][0] == color(schema, "DATE") and date["#000000"] > 20


def test_adding_a_span_in_a_long_paragraph_repaints_its_rectangle_and_lays_out_nothing(
    qtbot: QtBot, schema: Schema
) -> None:
    sentence = "Officials said Kim Jong Un would visit Moscow soon. "
    text = sentence * 3000  # one block of ~150,000 code points
    claims = [
        make_span(i + 1, i * len(sentence), (i + 1) * len(sentence) - 2, "CLAIM", text) for i in range(0, 3000, 2)
    ]
    view = shown(qtbot, schema, text, claims, size=(700, 300))
    view.highlighter.finish_now()
    block = view.document().firstBlock()
    assert view.document().blockCount() == 1 and block.layout().lineCount() > 1000
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    qtbot.wait(20)  # the scroll and its paint
    middle = view.offset_at_qt(view.cursorForPosition(view.viewport().rect().center()).position())
    at = text.index("Moscow", middle)
    layout_changes: list[object] = []
    view.document().contentsChange.connect(lambda *args: layout_changes.append(args))
    view.document().documentLayout().updateBlock.connect(lambda *args: layout_changes.append(args))
    lines = block.layout().lineCount()
    painted = PaintedRegions()
    view.viewport().installEventFilter(painted)
    added = make_span(10**6, at, at + 6, "ACTOR", text)

    view.layer.apply(Changes("label", spans_added=(added,)))
    qtbot.wait(20)
    claim = tuple(c.id for c in claims if c.start <= at < c.end)
    assert drawn(view, at) == ((*claim, added.id), color(schema, "ACTOR"))
    rects = [rect.toAlignedRect().adjusted(-2, -2, 2, 2) for rect in view.fragment_rects(at, at + 6)]
    assert rects and painted.rects
    assert all(any(rect.contains(r) for rect in rects) for r in painted.rects)  # the span's rectangle only
    image = view.viewport().grab().toImage()
    assert background_on_screen(view, image, at, at + 6) == color(schema, "ACTOR")

    painted.rects.clear()
    view.layer.apply(Changes("relabel", spans_changed=(make_span(added.id, at, at + 6, "DATE", text),)))
    qtbot.wait(20)
    assert drawn(view, at) == ((*claim, added.id), color(schema, "DATE"))
    assert painted.rects and all(any(rect.contains(r) for rect in rects) for r in painted.rects)

    view.layer.apply(Changes("undo", spans_removed=(make_span(added.id, at, at + 6, "DATE", text),)))
    qtbot.wait(20)
    assert drawn(view, at)[0] == claim
    # The block kept its layout (no character formats at all) and was never laid out again.
    assert layout_changes == []
    assert block.layout().formats() == [] and block.layout().lineCount() == lines


def test_a_paint_asks_for_the_spans_of_its_visible_lines_only(qtbot: QtBot, schema: Schema) -> None:
    sentence = "Officials said Kim Jong Un would visit Moscow soon. "
    text = sentence * 3000
    spans = [make_span(i + 1, i * len(sentence) + 15, i * len(sentence) + 26, "ACTOR", text) for i in range(3000)]
    view = shown(qtbot, schema, text, spans, size=(700, 300))
    view.highlighter.finish_now()
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    asked: list[tuple[int, int]] = []
    real = view.highlighter.segments_between

    def recording(qt_start: int, qt_end: int) -> list[QtSegment]:
        asked.append((qt_start, qt_end))
        return real(qt_start, qt_end)

    view.highlighter.segments_between = recording  # type: ignore[method-assign]
    view.viewport().grab()  # a paint
    first = view.cursorForPosition(view.viewport().rect().topLeft()).position()
    last = view.cursorForPosition(view.viewport().rect().bottomRight()).position()
    assert first > 50_000 and asked
    for qt_start, qt_end in asked:
        # The lines meeting the viewport: at most one line more on each side.
        assert first - 200 <= qt_start and qt_end <= last + 200


def test_another_document_in_the_layer_redraws_everything(qtbot: QtBot, schema: Schema) -> None:
    view = shown(qtbot, schema, TEXT, [CLAIM, ACTOR, DATE])
    view.layer.load(DocumentView(2, "e", TEXT, {}, "alice", "todo", (DATE,), (), ()))
    assert drawn(view, ACTOR_AT) == ((), None)
    assert drawn(view, DATE_AT) == ((3,), color(schema, "DATE"))
    image = view.viewport().grab().toImage()
    assert background_on_screen(view, image, ACTOR.start, ACTOR.end) == "#ffffff"
    assert background_on_screen(view, image, DATE.start, DATE.end) == color(schema, "DATE")


def test_a_label_missing_from_the_schema_is_drawn_grey_not_dropped(qtbot: QtBot, schema: Schema) -> None:
    view = shown(qtbot, schema, TEXT, [make_span(9, ACTOR_AT, ACTOR_AT + 4, "RETIRED")])
    assert drawn(view, ACTOR_AT) == ((9,), "#d9d9d9")


# -- long articles: first screen at once, the full index in idle time ---------------------


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


def test_a_long_article_draws_its_first_screen_at_once_and_indexes_the_rest_when_idle(
    qtbot: QtBot, schema: Schema
) -> None:
    text, spans = long_article()
    assert len(text) > DEFER_ABOVE
    view = long_view(qtbot, schema, text, spans)
    view.show()  # no events are processed here, so no idle work runs
    image = view.viewport().grab().toImage()
    assert not view.highlighter.is_complete  # the first screen came from its own small index
    first = spans[0]
    assert background_on_screen(view, image, first.start, first.end) == color(schema, "ACTOR")
    with qtbot.waitSignal(view.highlighter.completed, timeout=20_000):
        pass
    assert view.highlighter.is_complete
    assert drawn(view, spans[-2].start) == ((spans[-1].id, spans[-2].id), color(schema, "ACTOR"))


def test_lines_scrolled_into_view_are_drawn_with_their_spans(qtbot: QtBot, schema: Schema) -> None:
    text, spans = long_article()
    view = long_view(qtbot, schema, text, spans)
    view.show()  # no events are processed below, so no idle work runs
    far = spans[-2]
    view.select_range(far.start, far.start)
    image = view.viewport().grab().toImage()  # a paint, as when the user scrolls there
    assert background_on_screen(view, image, far.start, far.end) == color(schema, "ACTOR")


def test_changes_before_idle_indexing_ends_are_drawn_and_kept(qtbot: QtBot, schema: Schema) -> None:
    text, spans = long_article()
    view = long_view(qtbot, schema, text, spans)
    at = text.index("Moscow", len(text) // 2)
    added = make_span(10**6, at, at + 6, "ACTOR", text)
    view.layer.apply(Changes("label", document_id=1, spans_added=(added,)))
    assert view.highlighter.is_complete
    assert drawn(view, at) == ((added.id,), color(schema, "ACTOR"))
    for span in spans[::50]:
        assert drawn(view, span.start)[0] in {(span.id,), (span.id + 1, span.id)}
