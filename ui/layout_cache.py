"""The shaping of the blocks on screen, kept between paints.

Qt throws a block's shaping (its items, glyphs and character attributes) away after
each draw unless the layout's cache is on (QTextLayout.setCacheEnabled), and builds it
again, for the whole block, at the next draw or the next position asked of it
(QTextLine.cursorToX). For one 1 MB paragraph that is ~0.1 s per paint and ~0.2 s for
the first position the view asks after it (the spans it paints, their frames), so a
paint cost several times a bare editor's. The blocks on screen keep theirs; a block that
leaves the screen gets it thrown away, so memory holds the shaping of the blocks on one
screen only: a few KiB for an article's paragraphs, ~34 MiB while one 1 MB paragraph is shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter, QTextBlock

__all__ = ["OnScreenLayouts"]


class OnScreenLayouts:
    """Keeps the layouts of the blocks on screen cached, and only those."""

    def __init__(self) -> None:
        self._cached: dict[int, QTextBlock] = {}  # block number -> block
        self._scratch = QImage(1, 1, QImage.Format.Format_ARGB32)

    @property
    def cached_numbers(self) -> set[int]:
        return set(self._cached)

    def keep(self, blocks: Iterable[QTextBlock]) -> None:
        """``blocks`` are on screen now: cache theirs, release those of blocks that left."""
        shown = {block.blockNumber(): block for block in blocks}
        for number, block in self._cached.items():
            if number not in shown and block.isValid() and block.layout() is not None:
                self._release(block)
        for block in shown.values():  # every time: a block laid out again may have a new layout
            block.layout().setCacheEnabled(True)
        self._cached = shown

    def forget(self) -> None:
        """Another text: its blocks are new (the old ones went with their layouts)."""
        self._cached = {}

    def _release(self, block: QTextBlock) -> None:
        layout = block.layout()
        layout.setCacheEnabled(False)
        # Without the cache, QTextLayout.draw throws the shaping away once it has drawn;
        # a clip that meets none of the block's lines draws nothing.
        painter = QPainter(self._scratch)
        layout.draw(painter, QPointF(0.0, 0.0), [], QRectF(0.0, -1e9, 1.0, 1.0))
        painter.end()
