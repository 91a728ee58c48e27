"""Offsets into document text: code points <-> UTF-16, Qt, UTF-8; word snapping.

Every offset the project stores is a Unicode code point, end-exclusive, into the
exact stored text (``text[start:end]``). Qt, JavaScript-based tools and byte-based
formats count differently; this module is the one tested place that converts.
"""

from __future__ import annotations

import hashlib
import operator
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import chain
from math import gcd

import regex

__all__ = [
    "OffsetMap",
    "grapheme_boundaries_ok",
    "snap_to_words",
    "text_sha256",
    "trim_whitespace",
]


def text_sha256(text: str) -> str:
    """Hex SHA-256 of the text encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# A run is (start, end, code points per step, units per step) over characters
# that weigh other than one unit per code point. Scans use one character class
# or a literal prefix, which CPython's re runs in C at ~5 ms per MB; an
# alternation of classes is four times slower, so widths are sorted out only
# inside the (usually few) non-ASCII runs.
_Run = tuple[int, int, int, int]
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_ASTRAL_RUN = re.compile("[\U00010000-\U0010ffff]+")
_PAIR = "a surrogate pair"
_BY_UTF8_WIDTH = re.compile("(?P<two>[\x80-\u07ff]+)|(?P<three>[\u0800-\uffff]+)|(?P<four>[\U00010000-\U0010ffff]+)")
_UTF8_WIDTH = {"two": 2, "three": 3, "four": 4}
# Qt's setPlainText turns "\r\n" into ONE block separator; a lone "\r", "\n" and
# U+2029 each become one separator and U+2028 stays a character, so only CRLF
# changes the count (checked against a real QPlainTextEdit, PySide6 6.11).
_CRLF_RUN = re.compile("\r\n(?:\r\n)*")
_CLUSTER_CANDIDATES = re.compile("[^\x00-\x7f]+|\r\n")


class _UnitScale:
    """One text measured in one other unit: sorted runs, bisected per call.

    A run is made of equal steps of ``cp_step`` code points and ``unit_step`` units, one of the
    two being 1 (an emoji is 1 and 2 UTF-16 units, a CRLF 2 and 1 Qt position). So a run's
    steps are its two lengths divided by their greatest common divisor, and only four numbers
    per run are kept, in arrays of machine integers: ~12,000 runs of a 1 MB news article with
    emoji take ~0.4 MiB, against ~2.5 MiB as lists of Python ints and tuples.
    """

    def __init__(self, length: int, runs: Iterable[_Run], name: str, inside: str) -> None:
        self._name, self._inside = name, inside
        cp: list[int] = []
        cp_end: list[int] = []
        unit: list[int] = []
        unit_end: list[int] = []
        extra = 0  # units minus code points before the current run
        for start, end, cp_step, unit_step in runs:
            unit_len = (end - start) // cp_step * unit_step
            cp.append(start)
            cp_end.append(end)
            unit.append(start + extra)
            unit_end.append(start + extra + unit_len)
            extra += unit_len - (end - start)
        # Lists while building (appending to a list is the cheapest), arrays to keep.
        self._cp, self._cp_end = array("q", cp), array("q", cp_end)
        self._unit, self._unit_end = array("q", unit), array("q", unit_end)
        self._length = length
        self._units = length + extra

    def _steps(self, i: int) -> tuple[int, int]:
        """Code points and units per step of run ``i``."""
        cp_len, unit_len = self._cp_end[i] - self._cp[i], self._unit_end[i] - self._unit[i]
        common = gcd(cp_len, unit_len)
        return cp_len // common, unit_len // common

    def to_units(self, offset: int) -> int:
        offset = operator.index(offset)
        if not 0 <= offset <= self._length:
            raise ValueError(f"offset {offset} is outside the text (0..{self._length} code points)")
        i = bisect_right(self._cp, offset) - 1
        if i < 0:
            return offset
        if offset >= self._cp_end[i]:
            return offset + self._unit_end[i] - self._cp_end[i]
        cp_step, unit_step = self._steps(i)
        steps, rest = divmod(offset - self._cp[i], cp_step)
        # rest is only non-zero between "\r" and "\n": that lands after the separator
        return self._unit[i] + steps * unit_step + rest

    def from_units(self, unit: int) -> int:
        unit = operator.index(unit)
        if not 0 <= unit <= self._units:
            raise ValueError(f"{self._name} {unit} is outside the text (0..{self._units})")
        i = bisect_right(self._unit, unit) - 1
        if i < 0:
            return unit
        if unit >= self._unit_end[i]:
            return unit - (self._unit_end[i] - self._cp_end[i])
        cp_step, unit_step = self._steps(i)
        steps, rest = divmod(unit - self._unit[i], unit_step)
        if rest:
            raise ValueError(f"{self._name} {unit} falls inside {self._inside}")
        return self._cp[i] + steps * cp_step


class OffsetMap:
    """Converts code-point offsets of one text to and from other units.

    Each unit's table is built on first use by one or two regex scans (in C,
    a few ms per MB of mostly-ASCII text); after that each call is a bisect over
    the runs of non-ASCII characters or CRLFs. Build once per document text.
    Out-of-range offsets and units that fall inside a character raise ValueError.
    """

    def __init__(self, text: str) -> None:
        self._text = text

    # The scales read their runs from generators over the scans: only the scales' arrays stay.

    def _astral_runs(self) -> Iterator[_Run]:
        return ((m.start(), m.end(), 1, 2) for m in _ASTRAL_RUN.finditer(self._text))

    @cached_property
    def _utf16(self) -> _UnitScale:
        return _UnitScale(len(self._text), self._astral_runs(), "UTF-16 unit", _PAIR)

    @cached_property
    def _qt(self) -> _UnitScale:
        crlf = ((m.start(), m.end(), 2, 1) for m in _CRLF_RUN.finditer(self._text))
        # One sort in C beats heapq.merge's Python steps; the list lives only while the scale is built.
        return _UnitScale(len(self._text), sorted(chain(self._astral_runs(), crlf)), "Qt position", _PAIR)

    @cached_property
    def _utf8(self) -> _UnitScale:
        text = self._text
        runs = (
            (m.start(), m.end(), 1, _UTF8_WIDTH[m.lastgroup or ""])
            for run in _NON_ASCII_RUN.finditer(text)
            for m in _BY_UTF8_WIDTH.finditer(text, run.start(), run.end())
        )
        return _UnitScale(len(text), runs, "UTF-8 byte", "a multi-byte character")

    def to_utf16(self, offset: int) -> int:
        """Code points -> UTF-16 code units (astral characters count 2)."""
        return self._utf16.to_units(offset)

    def from_utf16(self, unit: int) -> int:
        """UTF-16 code units -> code points."""
        return self._utf16.from_units(unit)

    def to_qt(self, offset: int) -> int:
        """Code points -> position in a QTextDocument filled with setPlainText(text).

        UTF-16 units, except that each "\\r\\n" is one position (one block separator).
        An offset between "\\r" and "\\n" maps to the position after the separator.
        """
        return self._qt.to_units(offset)

    def from_qt(self, position: int) -> int:
        """Qt document position -> code points; a CRLF separator maps to its "\\r"."""
        return self._qt.from_units(position)

    @cached_property
    def _graphemes(self) -> _UnitScale:
        # Clusters of several code points only form around non-ASCII characters and CRLF; the
        # ASCII character before such a run may be a cluster's base ("e" + U+0301), and one
        # after it may follow a prepended mark, so each scanned region reaches one further.
        text = self._text
        regions: list[list[int]] = []
        for m in _CLUSTER_CANDIDATES.finditer(text):
            start, end = max(0, m.start() - 1), min(len(text), m.end() + 1)
            if regions and start <= regions[-1][1]:
                regions[-1][1] = end
            else:
                regions.append([start, end])
        runs = (
            (c.start(), c.end(), c.end() - c.start(), 1)
            for start, end in regions
            for c in GRAPHEME.finditer(text, start, end)
            if c.end() - c.start() > 1
        )
        return _UnitScale(len(text), runs, "grapheme cluster", "a grapheme cluster")

    def to_graphemes(self, offset: int) -> int:
        """Code points -> grapheme clusters (what doccano's grapheme mode counts).

        An offset inside a cluster (between a letter and its combining mark, in a ZWJ
        sequence, between "\\r" and "\\n") has no grapheme offset: ValueError.
        """
        scale = self._graphemes
        units = scale.to_units(offset)  # inside a cluster this is no cluster's index: checked back
        try:
            back: int | None = scale.from_units(units)
        except ValueError:
            back = None
        if back != offset:
            raise ValueError(f"offset {offset} falls inside a grapheme cluster")
        return units

    def from_graphemes(self, unit: int) -> int:
        """Grapheme clusters -> code points."""
        return self._graphemes.from_units(unit)

    def to_utf8(self, offset: int) -> int:
        """Code points -> UTF-8 byte offset."""
        return self._utf8.to_units(offset)

    def from_utf8(self, byte: int) -> int:
        """UTF-8 byte offset -> code points."""
        return self._utf8.from_units(byte)


def _check_span(text: str, start: int, end: int, *, ordered: bool = True) -> None:
    if not (0 <= start <= len(text) and 0 <= end <= len(text)):
        raise ValueError(f"span {start}..{end} is outside the text (0..{len(text)} code points)")
    if ordered and start > end:
        raise ValueError(f"span {start}..{end} ends before it starts")


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """Move start right and end left over whitespace (``str.isspace``).

    A span of nothing but whitespace collapses to (start, start).
    """
    _check_span(text, start, end)
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    if s == e:
        return start, start
    while text[e - 1].isspace():
        e -= 1
    return s, e


GRAPHEME = regex.compile(r"\X", regex.DOTALL)
# Letters, marks, digits, connector punctuation and ZWJ/ZWNJ (UTS #18 \w), except
# scripts written without spaces: there a run of letters is a phrase, not a word,
# and widening would swallow it, so their characters are left as selected.
WORD_CHAR = regex.compile(
    r"(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}"
    r"\p{scx=Khmer}\p{scx=Myanmar}])\w"
)
# Apostrophes and hyphens join two word characters into one word.
_JOINERS = frozenset("'\u2019-\u2010\u2011")


def cluster_around(text: str, pos: int) -> tuple[int, int]:
    """The grapheme cluster with pos strictly inside it, or (pos, pos) at a boundary."""
    if pos <= 0 or pos >= len(text):
        return pos, pos
    # Segment from a point that is surely a boundary: after "\n", or between two
    # ASCII characters other than CR LF (no extending rule applies to ASCII).
    safe = pos
    while safe > 0:
        before = text[safe - 1]
        if before == "\n":
            break
        after = text[safe]
        if before < "\x80" and after < "\x80" and (before, after) != ("\r", "\n"):
            break
        safe -= 1
    for m in GRAPHEME.finditer(text, safe):
        if m.end() > pos:
            return (pos, pos) if m.start() == pos else m.span()
    return pos, pos  # not reached: pos < len(text) lies in some cluster


def grapheme_boundaries_ok(text: str, start: int, end: int) -> bool:
    """True if neither start nor end falls inside a grapheme cluster."""
    _check_span(text, start, end, ordered=False)
    return all(cluster_around(text, p) == (p, p) for p in (start, end))


def is_word_char(text: str, i: int) -> bool:
    """Whether text[i] belongs to a word: a word char, or a joiner between two."""
    if not 0 <= i < len(text):
        return False
    c = text[i]
    if WORD_CHAR.match(c):
        return True
    return (
        c in _JOINERS
        and 0 < i < len(text) - 1
        and bool(WORD_CHAR.match(text[i - 1]))
        and bool(WORD_CHAR.match(text[i + 1]))
    )


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a selection to whole words and whole grapheme clusters, trim whitespace.

    Punctuation the user selected at an edge stays; the span never grows over it.
    A selection of only whitespace (or an empty one) gives an empty span at start.
    A reversed selection (start > end) is treated as (end, start).
    """
    _check_span(text, start, end, ordered=False)
    if start > end:
        start, end = end, start
    s, e = trim_whitespace(text, start, end)
    if s == e:
        empty = cluster_around(text, start)[0]
        return empty, empty
    while True:
        ns, ne = s, e
        if is_word_char(text, ns - 1) and is_word_char(text, ns):
            while is_word_char(text, ns - 1):
                ns -= 1
        if is_word_char(text, ne - 1) and is_word_char(text, ne):
            while is_word_char(text, ne):
                ne += 1
        ns = cluster_around(text, ns)[0]
        ne = cluster_around(text, ne)[1]
        # Widening to a cluster can land inside a word again, so repeat until stable.
        if (ns, ne) == (s, e):
            return s, e
        s, e = ns, ne
