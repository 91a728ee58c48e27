"""Text shortened for one line of a message, a label or a list row."""

from __future__ import annotations

import re

__all__ = ["NAME_LIMIT", "one_line", "printable", "short_name"]

# Control characters (C0, DEL, C1) and the bidirectional overrides and isolates: on a terminal
# they move the cursor, clear the screen or reorder what follows (a document id or a span's
# text is data from an imported file, not a command to the terminal).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

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


def printable(text: str) -> str:
    """``text`` with every control or bidirectional-override character as its visible escape
    (``\\n``, ``\\x1b``, ``\\u202e``), so that one line printed to a terminal stays one line
    and shows what the data holds."""
    return _UNPRINTABLE.sub(lambda found: found[0].encode("unicode_escape").decode("ascii"), text)
