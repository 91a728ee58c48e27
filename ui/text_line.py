"""Positions on a laid-out line of text (QTextLine), typed for the callers."""

from __future__ import annotations

from PySide6.QtGui import QTextLine


def x_at(line: QTextLine, position: int) -> float:
    """The x of the gap before ``position`` (an index into the line's block), from the line's left."""
    # PySide6 returns (x, position) here; its stub declares the result as object.
    return line.cursorToX(position)[0]  # type: ignore[index]
