"""Tests for ui/layout_cache.py: the blocks on screen keep their shaping between paints, and only they."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from annotator.layer_model import LayerModel
from annotator.models import DocumentView
from annotator.schema import load_schema
from tests.conftest import NEWS_SCHEMA
from ui.text_view import AnnotationTextView


def cached_blocks(view: AnnotationTextView) -> list[int]:
    numbers = []
    block = view.document().firstBlock()
    while block.isValid():
        if block.layout().cacheEnabled():
            numbers.append(block.blockNumber())
        block = block.next()
    return numbers


def on_screen(view: AnnotationTextView) -> list[int]:
    top = view.cursorForPosition(view.viewport().rect().topLeft()).blockNumber()
    bottom = view.cursorForPosition(view.viewport().rect().bottomLeft()).blockNumber()
    return list(range(top, bottom + 1))


def test_only_the_blocks_on_screen_keep_their_shaping(qtbot: QtBot) -> None:
    text = "\n".join(f"Paragraph {i}: Kim Jong Un met officials 😀 in Moscow." for i in range(300))
    view = AnnotationTextView(LayerModel(), load_schema(NEWS_SCHEMA))
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.layer.load(DocumentView(1, "d", text, {}, "alice", "todo", (), (), ()))
    view.show()
    qtbot.waitExposed(view)
    view.viewport().grab()  # a paint
    first = cached_blocks(view)
    assert first == on_screen(view) and 0 in first
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    qtbot.wait(20)
    view.viewport().grab()  # a paint
    last = cached_blocks(view)
    assert last == on_screen(view) and 299 in last and not set(first) & set(last)
