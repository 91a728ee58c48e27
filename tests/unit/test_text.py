"""Tests for annotator/text.py: offset conversion, trimming, grapheme and word snapping.

Every expected value is derived here from first principles (encoding the prefix,
segmenting the whole text with regex \\X), never from the module's own tables.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from itertools import pairwise

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotator.text import (
    OffsetMap,
    grapheme_boundaries_ok,
    snap_to_words,
    text_sha256,
    trim_whitespace,
)

# Pieces that each break a naive count somewhere: line breaks Qt folds or keeps,
# astral characters, multi-code-point graphemes, word joiners, Hangul jamo, a
# Prepend character, spaces a text widget might normalise.
PIECES = [
    "a", "b", "Z", "7", "_", " ", "  ", "\t", "\r\n", "\r", "\n", "\u2028", "\u2029",
    "\xa0", "北朝鮮", "の", "😀", "🇰🇵", "\U0001f1f0", "👩\u200d👩\u200d👧", "👍🏽",
    "e\u0301", "\u0301", "\u200d", "\U0001d11e", "\U00020000", "é", "ß", "’", "'",
    "-", ".", ",", "(", "ᄀ", "ᅡ", "ᆨ", "क्ष", "\u0600", "Kim", "north-east",
]  # fmt: skip
pieces_text = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
# Any text without lone surrogates (hypothesis excludes category Cs by default).
texts = st.one_of(pieces_text, st.text(max_size=20))
FAST = settings(max_examples=150, deadline=None)


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def qt_text(s: str) -> str:
    # What QTextDocument.setPlainText stores, position for position: every line
    # break is one separator, and a CRLF pair is one break.
    return s.replace("\r\n", "\n")


def between_cr_lf(text: str, o: int) -> bool:
    return 0 < o < len(text) and text[o - 1] == "\r" and text[o] == "\n"


def grapheme_starts(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


# Words per the brief, as one independent pattern over the whole text.
_LETTER = (
    r"(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}"
    r"\p{scx=Khmer}\p{scx=Myanmar}])\w"
)
_WORD = regex.compile(rf"(?:{_LETTER})+(?:['’\-‐‑](?:{_LETTER})+)*")


def strictly_inside_a_word(text: str, o: int) -> bool:
    return any(m.start() < o < m.end() for m in _WORD.finditer(text))


# --- text_sha256 -------------------------------------------------------------


def test_sha256_is_of_the_exact_utf8_bytes() -> None:
    assert text_sha256("") == hashlib.sha256(b"").hexdigest()
    assert text_sha256("Kim\r\n😀") == hashlib.sha256("Kim\r\n😀".encode()).hexdigest()
    # Never normalised: composed vs decomposed, CRLF vs LF hash differently.
    assert text_sha256("é") != text_sha256("e\u0301")
    assert text_sha256("a\r\nb") != text_sha256("a\nb")


# --- OffsetMap ---------------------------------------------------------------


def test_offset_map_on_a_known_text() -> None:
    text = "a😀\r\nb🇰🇵é"  # code points: a 😀 \r \n b 🇰 🇵 é
    m = OffsetMap(text)
    assert [m.to_utf16(o) for o in range(len(text) + 1)] == [0, 1, 3, 4, 5, 6, 8, 10, 11]
    assert [m.to_qt(o) for o in range(len(text) + 1)] == [0, 1, 3, 4, 4, 5, 7, 9, 10]
    assert [m.to_utf8(o) for o in range(len(text) + 1)] == [0, 1, 5, 6, 7, 8, 12, 16, 18]
    assert m.from_qt(3) == 2  # the CRLF separator is the "\r"
    assert m.from_qt(4) == 4  # the position after it is after the "\n"
    with pytest.raises(ValueError, match="surrogate pair"):
        m.from_utf16(2)
    with pytest.raises(ValueError, match="multi-byte"):
        m.from_utf8(3)


@FAST
@given(texts)
@example("\r\r\n\n\r")
@example("")
def test_utf16_matches_encoding_and_round_trips(text: str) -> None:
    m = OffsetMap(text)
    units = [m.to_utf16(o) for o in range(len(text) + 1)]
    assert units == [utf16_len(text[:o]) for o in range(len(text) + 1)]
    assert all(a < b for a, b in pairwise(units))
    assert [m.from_utf16(u) for u in units] == list(range(len(text) + 1))
    # Every other unit in range is the low half of a surrogate pair.
    for u in set(range(units[-1] + 1)) - set(units):
        with pytest.raises(ValueError):
            m.from_utf16(u)


@FAST
@given(texts)
def test_utf8_matches_encoding_and_round_trips(text: str) -> None:
    m = OffsetMap(text)
    data = text.encode()
    assert [m.to_utf8(o) for o in range(len(text) + 1)] == [len(text[:o].encode()) for o in range(len(text) + 1)]
    for b in range(len(data) + 1):
        if b < len(data) and data[b] & 0xC0 == 0x80:  # a continuation byte
            with pytest.raises(ValueError):
                m.from_utf8(b)
        else:
            assert m.to_utf8(m.from_utf8(b)) == b


@FAST
@given(texts)
@example("\r\n\r\n\r\r\n😀\r\n")
@example("\r")
def test_qt_positions_match_a_setplaintext_document(text: str) -> None:
    m = OffsetMap(text)
    n = len(text)
    qt = [m.to_qt(o) for o in range(n + 1)]
    assert qt == [utf16_len(qt_text(text[:o])) for o in range(n + 1)]
    assert qt[-1] == utf16_len(qt_text(text))  # == characterCount() - 1 in Qt
    for o in range(n):
        # Monotonic; only the "\n" of a CRLF adds no position.
        assert qt[o + 1] - qt[o] == (0 if between_cr_lf(text, o) else utf16_len(text[o]))
    for o in range(n + 1):
        if between_cr_lf(text, o):
            assert m.from_qt(qt[o]) == o + 1  # after the separator is after "\n"
        else:
            assert m.from_qt(qt[o]) == o
    # A Qt position that no code point maps to sits inside a surrogate pair.
    units = qt_text(text).encode("utf-16-le")
    for p in set(range(qt[-1] + 1)) - set(qt):
        assert 0xD8 <= units[2 * p - 1] <= 0xDB  # high byte of the unit before
        with pytest.raises(ValueError, match="surrogate pair"):
            m.from_qt(p)


@given(texts)
@settings(max_examples=50, deadline=None)
def test_out_of_range_raises_value_error(text: str) -> None:
    m = OffsetMap(text)
    n = len(text)
    limits = {
        (m.to_utf16, m.from_utf16): utf16_len(text),
        (m.to_qt, m.from_qt): utf16_len(qt_text(text)),
        (m.to_utf8, m.from_utf8): len(text.encode()),
    }
    for (to, back), top in limits.items():
        for bad in (-1, n + 1, n + 100):
            with pytest.raises(ValueError, match="outside"):
                to(bad)
        for bad in (-1, top + 1):
            with pytest.raises(ValueError, match="outside"):
                back(bad)


def test_large_mostly_ascii_text_converts_exactly() -> None:
    line = "Kim Jong Un met Putin in Vladivostok 😀 on 25 April 2019 — “talks”.\r\n"
    text = line * 15_000  # ~1 MB
    m = OffsetMap(text)
    for o in (0, 1, 37, 38, 39, len(line) - 1, len(line), 500_001, len(text)):
        assert m.to_utf16(o) == utf16_len(text[:o])
        assert m.to_utf8(o) == len(text[:o].encode())
        assert m.to_qt(o) == utf16_len(qt_text(text[:o]))
        if not between_cr_lf(text, o):
            assert m.from_qt(m.to_qt(o)) == o


def test_the_tables_of_a_long_text_hold_a_few_machine_integers_per_run() -> None:
    # A 1 MB article with an emoji and a CRLF on every line has ~30,000 runs in its Qt table; held
    # as Python ints and tuples they took ~200 bytes each, which the open document keeps for good.
    line = "Kim Jong Un met Putin 😀 on 25 April 2019.\r\n"
    text = line * 15_000
    qt_runs, utf16_runs = 2 * 15_000, 15_000  # every emoji and every CRLF; every emoji
    tracemalloc.start()
    try:
        m = OffsetMap(text)
        before = tracemalloc.get_traced_memory()[0]
        m.to_qt(len(text))
        m.to_utf16(len(text))
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < (qt_runs + utf16_runs) * 4 * 8 * 1.25  # 4 arrays of 8-byte integers, grown by up to 1/4
    assert m.to_qt(len(line)) == utf16_len(qt_text(line))


# --- trim_whitespace ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("  Kim \r\n", (0, 8), (2, 5)),
        ("\xa0Kim\u2028", (0, 5), (1, 4)),
        ("a \t b", (1, 4), (1, 1)),  # only whitespace: empty at start
        ("a b", (1, 1), (1, 1)),
        ("abc", (0, 3), (0, 3)),
    ],
)
def test_trim_whitespace_cases(text: str, span: tuple[int, int], expected: tuple[int, int]) -> None:
    assert trim_whitespace(text, *span) == expected


@FAST
@given(texts, st.data())
def test_trim_whitespace_is_strip(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    s, e = trim_whitespace(text, start, end)
    selected = text[start:end]
    assert text[s:e] == selected.strip()
    if selected.strip():
        assert s - start == len(selected) - len(selected.lstrip())
    else:
        assert (s, e) == (start, start)


def test_trim_whitespace_rejects_bad_spans() -> None:
    with pytest.raises(ValueError):
        trim_whitespace("abc", 0, 4)
    with pytest.raises(ValueError):
        trim_whitespace("abc", -1, 2)
    with pytest.raises(ValueError, match="before it starts"):
        trim_whitespace("abc", 2, 1)


# --- grapheme_boundaries_ok --------------------------------------------------


@FAST
@given(texts)
@example("🇰🇵🇰🇵🇰")
@example("ab\u0600 x")
def test_grapheme_boundaries_match_full_segmentation(text: str) -> None:
    starts = grapheme_starts(text)
    for o in range(len(text) + 1):
        assert grapheme_boundaries_ok(text, o, o) == (o in starts)
        assert grapheme_boundaries_ok(text, 0, o) == (o in starts)


def test_grapheme_boundaries_known_cases() -> None:
    family = "x👩\u200d👩\u200d👧y"
    assert grapheme_boundaries_ok(family, 1, 6)
    assert not grapheme_boundaries_ok(family, 1, 3)
    assert not grapheme_boundaries_ok("🇰🇵🇰🇵", 1, 4)
    assert grapheme_boundaries_ok("🇰🇵🇰🇵", 2, 4)
    assert not grapheme_boundaries_ok("a\r\nb", 2, 4)
    assert not grapheme_boundaries_ok("cafe\u0301", 0, 4)
    with pytest.raises(ValueError):
        grapheme_boundaries_ok("ab", 0, 3)


# --- snap_to_words -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        ("Kim Jong Un said", (1, 3), "Kim"),
        ("Kim Jong Un said", (1, 6), "Kim Jong"),
        ("Kim Jong Un said", (10, 13), "Un said"),
        ("Russia’s army", (0, 6), "Russia’s"),
        ("Russia’s army", (3, 7), "Russia’s"),
        ("Russia's army", (7, 8), "Russia's"),
        ("the north-east wind", (4, 9), "north-east"),
        ("the north-east wind", (9, 11), "north-east"),
        ("the students’ books", (4, 13), "students’"),  # selected trailing ’ kept
        ("the students’ books", (5, 11), "students"),  # not widened over it
        ("a -- b", (0, 3), "a -"),
        ("(Kim) said.", (0, 3), "(Kim"),
        ("(Kim) said.", (7, 11), "said."),
        ("  Kim  ", (0, 7), "Kim"),
        ("Kim \r\n", (1, 6), "Kim"),
        ("cafe\u0301 au lait", (3, 4), "cafe\u0301"),
        ("cafe\u0301 au lait", (0, 3), "cafe\u0301"),
        ("hi 👩\u200d👩\u200d👧 there", (3, 4), "👩\u200d👩\u200d👧"),
        ("hi 👩\u200d👩\u200d👧 there", (5, 7), "👩\u200d👩\u200d👧"),
        ("🇰🇵🇰🇵", (1, 3), "🇰🇵🇰🇵"),
        ("ok 👍🏽!", (3, 4), "👍🏽"),
        ("北朝鮮の金正恩", (0, 3), "北朝鮮"),  # no spaces: left as selected
        ("Kim\u00a0Jong", (1, 2), "Kim"),
    ],
)
def test_snap_to_words_cases(text: str, selected: tuple[int, int], expected: str) -> None:
    s, e = snap_to_words(text, *selected)
    assert text[s:e] == expected


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        ("a  \t b", (1, 5), (1, 1)),  # only whitespace -> empty at start
        ("a\r\nb", (2, 3), (1, 1)),  # ... moved off the middle of the CRLF cluster
        ("Kim Jong", (2, 2), (2, 2)),  # a caret stays a caret
        ("Kim Jong", (6, 1), (0, 8)),  # a reversed selection is ordered
    ],
)
def test_snap_to_words_offsets(text: str, selected: tuple[int, int], expected: tuple[int, int]) -> None:
    assert snap_to_words(text, *selected) == expected


def test_snap_to_words_rejects_out_of_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        snap_to_words("Kim", 0, 4)
    with pytest.raises(ValueError, match="outside"):
        snap_to_words("Kim", -1, 2)


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_snap_to_words_properties(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    s, e = snap_to_words(text, start, end)
    assert 0 <= s <= e <= len(text)
    starts = grapheme_starts(text)
    assert s in starts and e in starts
    assert snap_to_words(text, s, e) == (s, e)
    if not text[start:end].strip():
        assert s == e
        return
    ts, te = trim_whitespace(text, start, end)
    assert s <= ts and te <= e  # keeps every non-space character selected
    assert not strictly_inside_a_word(text, s)
    assert not strictly_inside_a_word(text, e)
    # No surrounding whitespace, unless it is glued into a cluster (" \u0301").
    clusters = [m.group() for m in regex.finditer(r"\X", text[s:e])]
    assert not clusters[0].isspace() and not clusters[-1].isspace()
