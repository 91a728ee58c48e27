"""Moving one edge of a span by a word or by a character, as the keyboard does.

A step never leaves whitespace at an edge, never lands inside a grapheme cluster and
never empties the span. By a word, whitespace and punctuation are passed over and a
word is a run of word characters (as in snapping) or one other character (an emoji, a
CJK character), so "Kim Jong" grows to "Kim Jong Un", not to "Kim Jong Un.".
"""

from __future__ import annotations

import unicodedata
from typing import Literal

# One module owns the grapheme and word rules; these helpers are shared with it.
from annotator.text import GRAPHEME, cluster_around, is_word_char

__all__ = ["Edge", "move_edge"]

Edge = Literal["start", "end"]


def _cluster_after(text: str, pos: int) -> int:
    match = GRAPHEME.match(text, pos)
    return match.end() if match else pos


def _cluster_before(text: str, pos: int) -> int:
    inside = cluster_around(text, pos - 1)
    return inside[0] if inside[0] < pos - 1 else pos - 1


def _is_gap(text: str, cluster_start: int, cluster_end: int, by_word: bool) -> bool:
    if text[cluster_start:cluster_end].isspace():
        return True
    first = text[cluster_start]
    return by_word and (first.isspace() or unicodedata.category(first).startswith("P"))


def _skip_gaps(text: str, pos: int, direction: int, by_word: bool) -> int:
    while (pos > 0) if direction < 0 else (pos < len(text)):
        if direction > 0:
            after = _cluster_after(text, pos)
            if not _is_gap(text, pos, after, by_word):
                break
            pos = after
        else:
            before = _cluster_before(text, pos)
            if not _is_gap(text, before, pos, by_word):
                break
            pos = before
    return pos


def _take_token(text: str, pos: int, direction: int, by_word: bool) -> int:
    """Past one character, or (by word) one run of word characters."""
    if direction > 0:
        after = _cluster_after(text, pos)
        if by_word and is_word_char(text, pos):
            while after < len(text) and is_word_char(text, after):
                after = _cluster_after(text, after)
        return after
    before = _cluster_before(text, pos)
    if by_word and is_word_char(text, before):
        while before > 0 and is_word_char(text, before - 1):
            before = _cluster_before(text, before)
    return before


def move_edge(text: str, start: int, end: int, edge: Edge, direction: int, by_word: bool) -> tuple[int, int] | None:
    """The span [start, end) with one edge moved one step right (direction > 0) or left.

    None when the edge cannot move that way: at the text's edge, or the span would be empty.
    """
    if not 0 <= start < end <= len(text) or direction == 0:
        raise ValueError(f"cannot move an edge of span {start}..{end} in a text of {len(text)} code points")
    grows = (edge == "end") == (direction > 0)
    if edge == "end":
        if grows:
            after_gap = _skip_gaps(text, end, 1, by_word)
            new_end = _take_token(text, after_gap, 1, by_word) if after_gap < len(text) else end
        else:
            new_end = _skip_gaps(text, _take_token(text, end, -1, by_word), -1, by_word)
        return (start, new_end) if start < new_end != end else None
    if grows:
        before_gap = _skip_gaps(text, start, -1, by_word)
        new_start = _take_token(text, before_gap, -1, by_word) if before_gap > 0 else start
    else:
        new_start = _skip_gaps(text, _take_token(text, start, 1, by_word), 1, by_word)
    return (new_start, end) if start != new_start < end else None
