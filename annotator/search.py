"""Finding text in a document, with offsets in code points of the exact stored text."""

from __future__ import annotations

import re
import unicodedata


def find_all(
    text: str, needle: str, *, case_sensitive: bool = False, whole_words: bool = False
) -> list[tuple[int, int]]:
    """Every non-overlapping occurrence of needle, as (start, end) code-point offsets.

    Case folding goes through the regex engine rather than str.lower(), so offsets keep
    pointing into the original text even where a lower-case form has another length.
    """
    if not needle:
        return []
    flags = 0 if case_sensitive else re.IGNORECASE
    hits = [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text, flags)]
    if whole_words:
        hits = [(s, e) for s, e in hits if on_word_edges(text, s, e)]
    return hits


def on_word_edges(text: str, start: int, end: int) -> bool:
    """True unless the range starts or ends in the middle of a run of letters and digits.

    Apostrophes and hyphens count as edges here (unlike word snapping), so that "Russia"
    also finds the "Russia" of "Russia’s".
    """
    inside_left = 0 < start < len(text) and _alnum(text[start - 1]) and _alnum(text[start])
    inside_right = 0 < end < len(text) and _alnum(text[end - 1]) and _alnum(text[end])
    return not inside_left and not inside_right


def _alnum(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")
