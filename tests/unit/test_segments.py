"""Tests for annotator/segments.py: the index always equals a per-code-point brute force."""

from __future__ import annotations

import tracemalloc
from itertools import groupby, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.models import Span
from annotator.segments import Segment, SegmentIndex

LABELS = ("ACTOR", "CLAIM", "DATE")
TEXT_LENGTH = 40
FAST = settings(max_examples=300, deadline=None)


def make_span(span_id: int, start: int, end: int, label: str = "ACTOR") -> Span:
    return Span(id=span_id, start=start, end=end, label=label, text="x" * (end - start))


def outermost_first(spans: list[Span]) -> tuple[int, ...]:
    return tuple(s.id for s in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.id)))


def brute_segments(spans: dict[int, Span]) -> list[Segment]:
    """Group code points by the exact set of spans covering each one."""
    covering = [
        (x, outermost_first([s for s in spans.values() if s.start <= x < s.end])) for x in range(TEXT_LENGTH + 1)
    ]
    segments = []
    # Runs of equal sets; adjacent code points only (groupby over consecutive x).
    for ids, run in groupby(covering, key=lambda pair: pair[1]):
        points = [x for x, _ in run]
        if ids:
            segments.append(Segment(points[0], points[-1] + 1, ids))
    return segments


def brute_look(spans: dict[int, Span]) -> list[tuple[tuple[int, str], ...]]:
    """What each code point shows: its spans with their labels, outermost first."""
    return [
        tuple((i, spans[i].label) for i in outermost_first([s for s in spans.values() if s.start <= x < s.end]))
        for x in range(TEXT_LENGTH + 1)
    ]


def check_against_brute_force(index: SegmentIndex, spans: dict[int, Span]) -> None:
    segments = index.segments_in(0, TEXT_LENGTH + 1)
    assert segments == brute_segments(spans)
    # Sorted, non-overlapping, and covering exactly the spanned code points.
    for before, after in pairwise(segments):
        assert before.end <= after.start
    covered = {x for seg in segments for x in range(seg.start, seg.end)}
    assert covered == {x for s in spans.values() for x in range(s.start, s.end)}
    for x in range(TEXT_LENGTH + 1):
        expected = outermost_first([s for s in spans.values() if s.start <= x < s.end])
        assert index.span_ids_at(x) == expected
    assert len(index) == len(spans)
    assert all(span_id in index for span_id in spans)


spans_strategy = st.builds(
    lambda start, length, label: (start, min(start + length, TEXT_LENGTH), label),
    st.integers(0, TEXT_LENGTH - 1),
    st.integers(0, 12),
    st.sampled_from(LABELS),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), spans_strategy),
        st.tuples(st.just("remove"), st.integers(0, 1000)),
        st.tuples(st.just("relabel"), st.integers(0, 1000), st.sampled_from(LABELS)),
        st.tuples(st.just("move"), st.integers(0, 1000), spans_strategy),
    ),
    max_size=40,
)


@FAST
@given(initial=st.lists(spans_strategy, max_size=12), ops=operations)
def test_any_sequence_of_edits_matches_brute_force(initial: list[tuple[int, int, str]], ops: list[tuple]) -> None:
    spans = {i: make_span(i, s, e, label) for i, (s, e, label) in enumerate(initial)}
    index = SegmentIndex(spans.values())
    check_against_brute_force(index, spans)
    next_id = len(spans)
    for op in ops:
        look_before = brute_look(spans)
        if op[0] == "add":
            s, e, label = op[1]
            spans[next_id] = make_span(next_id, s, e, label)
            changed = index.add(spans[next_id])
            next_id += 1
        elif not spans:
            continue
        else:
            victim = sorted(spans)[op[1] % len(spans)]
            old = spans[victim]
            if op[0] == "remove":
                del spans[victim]
                changed = index.remove(old)
            elif op[0] == "relabel":
                spans[victim] = make_span(victim, old.start, old.end, op[2])
                changed = index.replace(old, spans[victim])
            else:
                s, e, label = op[2]
                spans[victim] = make_span(victim, s, e, label)
                changed = index.replace(old, spans[victim])
        check_against_brute_force(index, spans)
        # Nothing outside the returned range looks different, so redrawing it is enough.
        look_after = brute_look(spans)
        lo, hi = changed
        outside = [x for x in range(TEXT_LENGTH + 1) if not lo <= x < hi]
        assert [look_before[x] for x in outside] == [look_after[x] for x in outside]


@FAST
@given(initial=st.lists(spans_strategy, max_size=20))
def test_built_at_once_equals_built_one_by_one(initial: list[tuple[int, int, str]]) -> None:
    spans = [make_span(i, s, e, label) for i, (s, e, label) in enumerate(initial)]
    one_by_one = SegmentIndex()
    for span in reversed(spans):
        one_by_one.add(span)
    assert one_by_one.segments_in(0, TEXT_LENGTH) == SegmentIndex(spans).segments_in(0, TEXT_LENGTH)


def test_claim_with_actor_and_date_inside() -> None:
    claim, actor, date = make_span(1, 0, 30, "CLAIM"), make_span(2, 5, 10, "ACTOR"), make_span(3, 20, 25, "DATE")
    index = SegmentIndex([date, actor, claim])
    assert index.segments_in(0, 100) == [
        Segment(0, 5, (1,)),
        Segment(5, 10, (1, 2)),
        Segment(10, 20, (1,)),
        Segment(20, 25, (1, 3)),
        Segment(25, 30, (1,)),
    ]
    assert index.span_ids_at(7) == (claim.id, actor.id)
    assert index.span_ids_at(30) == ()


def test_segments_in_returns_only_the_overlapping_ones() -> None:
    index = SegmentIndex([make_span(1, 0, 5), make_span(2, 10, 15), make_span(3, 20, 25)])
    assert [seg.span_ids for seg in index.segments_in(5, 10)] == []
    assert [seg.span_ids for seg in index.segments_in(4, 11)] == [(1,), (2,)]
    assert [seg.span_ids for seg in index.segments_in(14, 100)] == [(2,), (3,)]


def test_empty_spans_are_kept_but_cover_nothing() -> None:
    index = SegmentIndex([make_span(1, 3, 3)])
    assert len(index) == 1 and 1 in index
    assert index.segments_in(0, 10) == []
    assert index.remove(make_span(1, 3, 3)) == (3, 3)
    assert len(index) == 0 and 1 not in index


def test_duplicate_id_and_unknown_id_are_refused() -> None:
    index = SegmentIndex([make_span(1, 0, 4)])
    with pytest.raises(ValueError, match="already"):
        index.add(make_span(1, 5, 6))
    with pytest.raises(KeyError):
        index.remove(make_span(2, 0, 4))
    with pytest.raises(KeyError):
        index.remove(make_span(1, 0, 5))  # not where it was added
    with pytest.raises(ValueError, match="bad offsets"):
        index.add(make_span(3, 6, 5))


def test_an_edit_re_cuts_only_the_spans_near_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # 5,000 disjoint words plus one long span over the first few: adding a span
    # in the middle must look at a handful of spans, not all of them.
    spans = [make_span(i, 10 * i, 10 * i + 5) for i in range(5000)] + [make_span(9999, 0, 40, "CLAIM")]
    index = SegmentIndex(spans)
    seen: list[int] = []
    real_cut = SegmentIndex._cut

    def counting_cut(
        self: SegmentIndex, cut_spans: list[tuple[int, int, int]], window: tuple[int, int] | None
    ) -> tuple:
        seen.append(len(cut_spans))
        return real_cut(self, cut_spans, window)

    monkeypatch.setattr(SegmentIndex, "_cut", counting_cut)
    added = make_span(10_000, 25_002, 25_004, "DATE")
    assert index.add(added) == (25_002, 25_004)
    assert index.remove(added) == (25_002, 25_004)
    assert seen and max(seen) <= 3
    assert [seg.span_ids for seg in index.segments_in(25_000, 25_010)] == [(2500,)]


def test_the_index_keeps_no_set_and_no_tuple_per_lone_span() -> None:
    # An open document keeps its index for as long as it is shown: 8,000 words, a quarter of them
    # in 2,000 CLAIMs (the two-span segments need a tuple each). With a set of ids and a 1-tuple
    # per lone span's segment this took ~250 bytes per span; ~160 with a sorted array and bare ids.
    words = [make_span(i, 10 * i, 10 * i + 5) for i in range(8000)]
    claims = [make_span(10_000 + i, 40 * i, 40 * i + 35, "CLAIM") for i in range(2000)]
    tracemalloc.start()
    try:
        index = SegmentIndex(words + claims)
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept < 200 * len(words + claims)
    assert index.span_ids_at(2) == (10_000, 0) and index.span_ids_at(40 * 1999 + 36) == ()
