"""Text shortened for one line of a message, a label or a list row."""

from __future__ import annotations

__all__ = ["NAME_LIMIT", "one_line", "short_name"]

ELLIPSIS = "…"
NAME_LIMIT = 24  # an annotator name may have 100 characters: as many would push a toolbar off the screen


def one_line(text: str, limit: int = 40, *, keep_end: bool = False) -> str:
    """``text`` with each run of whitespace (line breaks, tabs) as one space, at most ``limit``
    characters: a longer text loses its end to an ellipsis, or its middle with ``keep_end`` (a
    quoted span is told apart by its last words as often as by its first)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    if not keep_end:
        return flat[: limit - 1].rstrip() + ELLIPSIS
    head = (limit - 1) // 2
    tail = limit - 1 - head
    return flat[:head].rstrip() + ELLIPSIS + flat[len(flat) - tail :].lstrip()


def short_name(name: str) -> str:
    """An annotator's name for a list item or a column header: a long one loses its middle (names
    of one team often share a prefix), and the place that shows it gives the whole in a tooltip."""
    return one_line(name, NAME_LIMIT, keep_end=True)
