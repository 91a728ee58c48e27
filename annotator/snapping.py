"""Snapping a selection to what a label should cover: whole words, without the punctuation
the schema's guidelines keep out of a span's edges. Qt-free, so the window and tests share it."""

from __future__ import annotations

import regex

from annotator.text import WORD_CHAR, cluster_around, snap_to_words

# Punctuation that schema guidelines keep out of a span's edges (news.yaml: "No span
# starts or ends with a space or with punctuation that is not part of the expression
# (full stops, commas, quotation marks, a possessive ’s)"). Snapping trims it; with
# snapping off the selection is taken as it is.
_OPENING = frozenset('“„«‹‘‚"')
_CLOSING = frozenset(',;:!?”»›"…')
_BRACKETS = {"(": ")", "[": "]"}
_APOSTROPHES = frozenset("’'")
_ABBREVIATION = regex.compile(r"(?<![\w.])(?:\w\.)+\w$")  # "U.S" before the final "." of "U.S."


def _one_cluster(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is whole grapheme clusters (so cutting it off splits none)."""
    return cluster_around(text, start) == (start, start) and cluster_around(text, end) == (end, end)


def _trim_space(text: str, s: int, e: int) -> tuple[int, int]:
    """Cut whole clusters of whitespace off both edges: "\r\n" is one cluster of two
    spaces, " \u0301" (a space with a combining accent) is no whitespace and stays."""
    while s < e and text[s].isspace():
        after = cluster_around(text, s + 1)
        cluster_end = s + 1 if after == (s + 1, s + 1) else after[1]
        if cluster_end > e or not text[s:cluster_end].isspace():
            break
        s = cluster_end
    while s < e and text[e - 1].isspace():
        around = cluster_around(text, e - 1)
        cluster_start = e - 1 if around == (e - 1, e - 1) else around[0]
        if cluster_start < s or not text[cluster_start:e].isspace():
            break
        e = cluster_start
    return s, e


def _edge_cut(text: str, s: int, e: int) -> tuple[int, int]:
    """One trimming step: (characters to cut at the start, at the end); (0, 0) when done."""
    first, last = text[s], text[e - 1]
    if (
        first in _BRACKETS
        and last == _BRACKETS[first]
        and text.count(first, s + 1, e - 1) == text.count(last, s + 1, e - 1)
    ):
        return 1, 1  # "(DPRK)": the brackets wrap the whole span
    if first in "‘'" and last in _APOSTROPHES:
        return 1, 1  # a single-quoted span; a lone trailing ’ is an apostrophe ("Workers’")
    if first in _OPENING and not (first == "'" and text[s + 1 : s + 2].isdigit()):  # '90s keeps its '
        return 1, 0
    if first in _BRACKETS and text.count(first, s, e) > text.count(_BRACKETS[first], s, e):
        return 1, 0
    if last in _CLOSING:
        return 0, 1
    if last == "." and not _ABBREVIATION.search(text, s, e - 1):
        return 0, 1
    if last in ")]":
        opening = "(" if last == ")" else "["
        return (0, 1) if text.count(last, s, e) > text.count(opening, s, e) else (0, 0)
    if e - s > 2 and text[e - 1] in "sS" and text[e - 2] in _APOSTROPHES and WORD_CHAR.match(text[e - 3]):
        return 0, 2  # a possessive ’s ("Mr Kim’s" -> Kim)
    return 0, 0


def trim_edge_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut whitespace and guideline-excluded punctuation off both edges of a span.

    Trims commas, full stops (not the one ending "U.S."), colons, semicolons, ! and ?,
    quotation marks, brackets that wrap the span or are unmatched in it, and a
    possessive ’s. Never cuts into a grapheme cluster. If nothing but such
    characters is selected, only the whitespace around them is cut.
    """
    s, e = _trim_space(text, start, end)
    if s == e:
        return s, e
    first_s, first_e = s, e
    while s < e:
        cut_start, cut_end = _edge_cut(text, s, e)
        if (cut_start, cut_end) == (0, 0) or e - s <= cut_start + cut_end:
            break
        ns, ne = s + cut_start, e - cut_end
        if not _one_cluster(text, ns, ne):
            break
        ns, ne = _trim_space(text, ns, ne)
        if ns == ne:
            break
        s, e = ns, ne
    return (s, e) if s < e else (first_s, first_e)


def snap_selection(text: str, start: int, end: int) -> tuple[int, int]:
    """What a selection labels with snapping on: whole words, without excluded edge punctuation.

    Never empty when the selection holds a non-space character, never whitespace at an
    edge, never inside a grapheme cluster; snapping its own result changes nothing.
    """
    s, e = snap_to_words(text, start, end)
    if s == e:
        return s, e
    return trim_edge_punctuation(text, s, e)
