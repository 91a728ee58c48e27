"""Snapping with guideline punctuation trimmed: annotator.snapping.snap_selection / trim_edge_punctuation."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.snapping import snap_selection, trim_edge_punctuation
from annotator.text import snap_to_words
from tests.unit.test_text import PIECES, grapheme_starts

# The pieces of test_text plus every character the trimming treats specially.
PUNCTUATION = [*"“”„«»‹›‘’‚\"',;:!?….()[]", "U.S.", "’s", "'s", "'90s", "\u0301"]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES + PUNCTUATION), max_size=25).map("".join),
    st.text(max_size=20),
)


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        ("“Russia could be looking,” said", "“Russia could be looking,”", "Russia could be looking"),
        ("said Kim.", "Kim.", "Kim"),
        ("he said: talks", "said:", "said"),
        ("the U.S. said", "U.S.", "U.S."),  # an abbreviation keeps its full stop
        ("more...", "more...", "more"),
        ("Mr Kim’s close", "Kim", "Kim"),  # snapping widens to Kim’s; the possessive goes
        ("Mr Kim's close", "Kim's", "Kim"),
        ("the Workers’ Party", "Workers’ Party", "Workers’ Party"),  # an apostrophe inside stays
        ("the students’ books", "students’", "students’"),  # a lone trailing ’ is an apostrophe
        ("x ‘Kim’ y", "‘Kim’", "Kim"),  # ...but closes a single quote
        ("(DPRK) x", "(DPRK)", "DPRK"),
        ("Korea (DPRK) x", "Korea (DPRK)", "Korea (DPRK)"),  # brackets inside stay
        ("(Kim said", "(Kim", "Kim"),
        ("in the '90s", "'90s", "'90s"),
        ("Kim ,", "Kim ,", "Kim"),
        ("a , b", ",", ","),  # nothing but punctuation: kept rather than emptied
        ("more than “small gestures” before", "than “small gestures” before", "than “small gestures” before"),
    ],
)
def test_snap_selection_trims_what_the_guidelines_exclude(text: str, selected: str, expected: str) -> None:
    start = text.index(selected)
    s, e = snap_selection(text, start, start + len(selected))
    assert text[s:e] == expected


def test_trimming_never_cuts_a_mark_off_its_punctuation() -> None:
    text = "Kim,\u0301 said"  # the comma carries a combining accent: one cluster with it
    assert trim_edge_punctuation(text, 0, 5) == (0, 5)
    assert trim_edge_punctuation("“\u0301Kim", 0, 5) == (0, 5)


@settings(max_examples=400, deadline=None)
@given(texts, st.data())
def test_snap_selection_properties(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    check_snap_selection(text, start, data.draw(st.integers(start, len(text))))


@pytest.mark.parametrize(("text", "start", "end"), [(" \u0301Kim", 0, 5), ("Kim, \u0301", 0, 6), ("(\u0301", 0, 2)])
def test_snap_selection_properties_hold_where_spaces_and_punctuation_carry_marks(
    text: str, start: int, end: int
) -> None:
    check_snap_selection(text, start, end)
    starts = grapheme_starts(text)
    s, e = trim_edge_punctuation(text, start, end)
    assert s in starts and e in starts


def check_snap_selection(text: str, start: int, end: int) -> None:
    s, e = snap_selection(text, start, end)
    assert 0 <= s <= e <= len(text)
    starts = grapheme_starts(text)
    assert s in starts and e in starts, "never splits a grapheme cluster"
    assert snap_selection(text, s, e) == (s, e), "snapping its own result changes nothing"
    if not text[start:end].strip():
        assert s == e
        return
    assert s < e, "a selection with something in it never snaps to nothing"
    clusters = [m.group() for m in regex.finditer(r"\X", text[s:e])]
    assert not clusters[0].isspace() and not clusters[-1].isspace(), "no whitespace at an edge"
    ws, we = snap_to_words(text, start, end)
    assert ws <= s and e <= we, "trimming only ever narrows the word-snapped span"


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_trim_edge_punctuation_only_narrows_on_cluster_edges(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    starts = grapheme_starts(text)
    if start not in starts or end not in starts:
        return
    s, e = trim_edge_punctuation(text, start, end)
    assert start <= s <= e <= end
    assert s in starts and e in starts
    if text[start:end].strip():
        clusters = [m.group() for m in regex.finditer(r"\X", text[s:e])]
        assert s < e and not clusters[0].isspace() and not clusters[-1].isspace()
