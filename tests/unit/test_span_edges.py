"""annotator.span_edges.move_edge: keyboard steps of a span's edges."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.span_edges import move_edge
from tests.unit.test_snap_selection import texts
from tests.unit.test_text import grapheme_starts

TEXT = "North Korean leader Kim Jong Un. Picture: Getty 😀 平壤 👩\u200d👩\u200d👧 Cafe\u0301"
KIM_JONG = (TEXT.index("Kim"), TEXT.index("Kim") + 8)


@pytest.mark.parametrize(
    ("edge", "direction", "by_word", "expected"),
    [
        ("end", 1, True, "Kim Jong Un"),  # not "Un." : punctuation is passed over
        ("end", -1, True, "Kim"),
        ("start", -1, True, "leader Kim Jong"),
        ("start", 1, True, "Jong"),
        ("end", 1, False, "Kim Jong U"),
        ("end", -1, False, "Kim Jon"),
        ("start", 1, False, "im Jong"),
        ("start", -1, False, "r Kim Jong"),
    ],
)
def test_steps_by_word_and_by_character(edge: str, direction: int, by_word: bool, expected: str) -> None:
    moved = move_edge(TEXT, *KIM_JONG, edge, direction, by_word)
    assert moved is not None and TEXT[moved[0] : moved[1]] == expected


def test_steps_take_whole_clusters_and_skip_whitespace() -> None:
    start = TEXT.index("😀")
    assert move_edge(TEXT, start, start + 1, "end", 1, False) == (start, TEXT.index("平") + 1)
    family = TEXT.index("👩")
    assert move_edge(TEXT, family - 2, family - 1, "end", 1, False) == (family - 2, family + 5)
    cafe = TEXT.index("Cafe")
    assert move_edge(TEXT, cafe, cafe + 3, "end", 1, False) == (cafe, len(TEXT))  # "e" with its accent


def test_no_step_empties_a_span_or_leaves_the_text() -> None:
    assert move_edge("Kim", 0, 3, "end", -1, True) is None
    assert move_edge("Kim", 0, 3, "start", 1, False) is not None
    assert move_edge("K", 0, 1, "start", 1, False) is None
    assert move_edge("Kim.", 0, 3, "end", 1, True) is None  # nothing but punctuation to the right
    assert move_edge("Kim", 0, 3, "start", -1, False) is None
    with pytest.raises(ValueError):
        move_edge("Kim", 2, 2, "end", 1, True)


@settings(max_examples=400, deadline=None)
@given(texts, st.data())
def test_every_step_keeps_the_span_clean(text: str, data: st.DataObject) -> None:
    starts = sorted(grapheme_starts(text))
    clean = [
        (s, e)
        for s in starts
        for e in starts
        if s < e and not text[s:e][:1].isspace() and not text[s:e][-1:].isspace() and text[s:e].strip()
    ]
    if not clean:
        return
    start, end = data.draw(st.sampled_from(clean))
    edge = data.draw(st.sampled_from(["start", "end"]))
    direction = data.draw(st.sampled_from([-1, 1]))
    moved = move_edge(text, start, end, edge, direction, data.draw(st.booleans()))
    if moved is None:
        return
    s, e = moved
    assert 0 <= s < e <= len(text)
    assert s in starts and e in starts, "never inside a grapheme cluster"
    clusters = [m.group() for m in regex.finditer(r"\X", text[s:e])]
    assert not clusters[0].isspace() and not clusters[-1].isspace(), "no whitespace at an edge"
    moved_edge, kept_edge = (s, e) if edge == "start" else (e, s)
    assert kept_edge == (end if edge == "start" else start), "the other edge stays"
    was = start if edge == "start" else end
    assert (moved_edge - was) * direction > 0, "the edge moved, the way asked"
