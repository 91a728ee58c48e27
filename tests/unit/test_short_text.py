"""annotator/short_text.py: the one way text is shortened for messages, labels and rows."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from annotator.short_text import ELLIPSIS, one_line, printable


def test_examples() -> None:
    assert one_line("Kim Jong Un\r\n\tsaid", 40) == "Kim Jong Un said"
    assert one_line("Russia could be looking at a deal", 24) == "Russia could be looking…"
    assert one_line("Kim Jong Un said so", 10) == "Kim Jong…"  # no space before the ellipsis
    assert one_line("Kim Jong Un said so", 10, keep_end=True) == "Kim…id so"
    assert one_line("Kim Jong Un said so", 12, keep_end=True) == "Kim J…aid so"


texts = st.text(st.characters(blacklist_characters=ELLIPSIS), max_size=200)


@given(text=texts, limit=st.integers(2, 120), keep_end=st.booleans())
def test_one_line_fits_and_keeps_what_it_can(text: str, limit: int, keep_end: bool) -> None:
    flat = " ".join(text.split())
    short = one_line(text, limit, keep_end=keep_end)
    assert len(short) <= limit
    assert short.split() == short.split(" ") or short == ""  # single spaces only, none at the edges
    if len(flat) <= limit:
        assert short == flat
        return
    head, _, tail = short.partition(ELLIPSIS)
    assert flat.startswith(head) and len(short) >= limit - 1 - keep_end  # only a space at the cut is dropped
    if keep_end:
        assert flat.endswith(tail)
    else:
        assert tail == "" and short.endswith(ELLIPSIS)


def unsafe(character: str) -> bool:
    """What a terminal acts on rather than shows: control characters and bidirectional overrides."""
    return (
        unicodedata.category(character) == "Cc"
        or 0x202A <= ord(character) <= 0x202E
        or 0x2066 <= ord(character) <= 0x2069
    )


@given(st.text())
def test_printable_has_nothing_a_terminal_acts_on_and_keeps_the_rest(text: str) -> None:
    shown = printable(text)
    assert not any(unsafe(c) for c in shown)
    assert printable(shown) == shown  # already plain text: nothing more to escape
    assert all(c in shown for c in text if not unsafe(c))


def test_printable_shows_escapes() -> None:
    assert printable("d\n1\x1b[2J \u202eé") == "d\\n1\\x1b[2J \\u202eé"
