"""Tests for ui/nesting_bars.py and ui/span_paint.py: a paint finds the bars of the painted band only,
and the same bars a walk over every line of the block finds (one paragraph can hold a whole article)."""

from __future__ import annotations

import math
import random

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QTextBlock
from pytestqt.qtbot import QtBot

from annotator.layer_model import LayerModel
from annotator.models import DocumentView, Span
from annotator.schema import Schema, load_schema
from tests.conftest import NEWS_SCHEMA
from ui.colors import line_color
from ui.highlighter import SpanHighlighter
from ui.nesting_bars import _bar_top, nesting_bars
from ui.span_paint import span_pieces
from ui.text_line import x_at
from ui.text_view import AnnotationTextView

Bar = tuple[tuple[float, float, float, float], str]


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(NEWS_SCHEMA)


def one_paragraph(seed: int, sentences: int) -> tuple[str, list[Span]]:
    """One block of sentences; each a CLAIM, some holding an ACTOR (nested), some emoji (UTF-16)."""
    rng = random.Random(seed)
    parts: list[str] = []
    spans: list[Span] = []
    at = 0
    for number in range(sentences):
        name = rng.choice(["Kim Jong Un", "Choe 😀 Ryong Hae", "Xi Jinping"])
        sentence = f"Officials said {name} would visit {rng.choice(['Moscow', 'Beijing'])} soon. "
        claim_end = at + len(sentence) - 2
        spans.append(Span(len(spans) + 1, at, claim_end, "CLAIM", sentence[:-2], {}))
        if number % 3 != 2:
            name_at = at + sentence.index(name)
            spans.append(Span(len(spans) + 1, name_at, name_at + len(name), "ACTOR", name, {}))
        parts.append(sentence)
        at += len(sentence)
    return "".join(parts), spans


def every_line_bars(
    highlighter: SpanHighlighter, block: QTextBlock, origin: QPointF, bar: float
) -> list[tuple[float, float, Bar]]:
    """The bars as a walk over every line for every nested segment (the old way) finds them,
    each with the top and bottom of its line."""
    layout = block.layout()
    lines = [layout.lineAt(i) for i in range(layout.lineCount())]
    found: list[tuple[float, float, Bar]] = []
    begin = block.position()
    for segment in highlighter.segments_between(begin, begin + block.length() - 1):
        labels = highlighter.look_of(segment.span_ids).labels
        if len(labels) < 2:
            continue
        start, end = segment.start - begin, segment.end - begin
        for line in lines:
            line_start, line_end = line.textStart(), line.textStart() + line.textLength()
            if line_end <= start or line_start >= end:
                continue
            left, right = sorted((x_at(line, max(start, line_start)), x_at(line, min(end, line_end))))
            top, bottom = origin.y() + line.y(), origin.y() + line.y() + line.height()
            for level, label in enumerate(labels[:-1]):
                rect = (origin.x() + left, _bar_top(level, top, bottom, bar), right - left, bar)
                found.append((top, bottom, (rect, label)))
    return found


def as_tuples(bars: list[tuple[QRectF, str]]) -> list[Bar]:
    return [((r.x(), r.y(), r.width(), r.height()), label) for r, label in bars]


def shown_view(qtbot: QtBot, schema: Schema, text: str, spans: list[Span]) -> AnnotationTextView:
    view = AnnotationTextView(LayerModel(), schema)
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.layer.load(DocumentView(1, "d", text, {}, "alice", "todo", tuple(spans), (), ()))
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_band_of_a_long_paragraph_gets_exactly_the_bars_of_its_lines(qtbot: QtBot, schema: Schema) -> None:
    view = shown_view(qtbot, schema, *one_paragraph(seed=7, sentences=400))
    block = view.document().firstBlock()
    assert view.document().blockCount() == 1 and block.layout().lineCount() > 200
    origin, thickness = QPointF(3.0, -1234.5), 2.0

    def bars(top: float, bottom: float) -> list[tuple[QRectF, str]]:
        return nesting_bars(span_pieces(view.highlighter, [(block, origin)], top, bottom), thickness)

    everything = every_line_bars(view.highlighter, block, origin, thickness)
    assert len(everything) >= 250  # a bar per line piece of each ACTOR inside its CLAIM
    assert as_tuples(bars(-math.inf, math.inf)) == [bar for _, _, bar in everything]
    height = block.layout().boundingRect().height()
    rng = random.Random(3)
    for _ in range(40):  # bands anywhere: above the block, across its start, inside, past its end
        top = rng.uniform(origin.y() - 100.0, origin.y() + height + 100.0)
        bottom = top + rng.uniform(0.0, 400.0)
        in_band = [bar for line_top, line_bottom, bar in everything if line_top <= bottom and line_bottom >= top]
        assert as_tuples(bars(top, bottom)) == in_band


def test_bars_are_painted_under_nested_spans_far_down_one_paragraph(qtbot: QtBot, schema: Schema) -> None:
    text, spans = one_paragraph(seed=11, sentences=300)
    view = shown_view(qtbot, schema, text, spans)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() * 4 // 5)
    image = view.viewport().grab().toImage()
    claim_bar = line_color(view.highlighter.color_of("CLAIM")).name()
    shown = [
        rect
        for span in spans
        if span.label == "ACTOR"
        for rect in view.fragment_rects(span.start, span.end)
        if 0 <= rect.bottom() - 1 < image.height() and rect.width() > 4
    ]
    assert shown, "no nested span on screen"
    for rect in shown:  # the CLAIM's bar along the bottom of each ACTOR's line piece
        assert image.pixelColor(int(rect.center().x()), int(rect.bottom() - 1)).name() == claim_bar
