"""Which spans of two layers are the same mention: exact matching and overlap matching.

A span is (start, end, label, id): code point offsets, end-exclusive, and its row id (to
find its attributes and relations). Spans only ever match spans of the same label.

Exact: same start, end and label (a layer holds each such triple at most once).

Overlap: one-to-one, greedy by largest overlap. Every pair of same-label spans that share at
least one character is a candidate; candidates are taken largest shared length first (ties:
the smaller boundary difference |start - start'| + |end - end'|, then position), each taken
only if neither span is matched yet. Why greedy and not a maximum matching: the pairs it
makes are the ones a reader would make (a span goes with the one it covers most), and the
pairs matter beyond the count: attributes and relations are compared across them, and a
maximum-cardinality matching would sometimes pair a span with a neighbour it touches by one
character so that a stray fragment can take its real counterpart. It is deterministic, and
it contains every exact match (an identical span shares its whole length and differs by 0,
so no other candidate of either span comes first), so overlap counts are never below exact
ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

Span = tuple[int, int, str, int]  # start, end, label, id
Pair = tuple[Span, Span]  # (first annotator's span, second's)


def exact_matches(first: Iterable[Span], second: Iterable[Span]) -> list[Pair]:
    """Pairs of spans with the same start, end and label."""
    by_place = {span[:3]: span for span in first}
    return [(by_place[span[:3]], span) for span in second if span[:3] in by_place]


def overlap_matches(first: Sequence[Span], second: Sequence[Span], exact: list[Pair] | None = None) -> list[Pair]:
    """One-to-one pairs of same-label spans sharing characters, greedy by largest overlap (module doc).

    The exact matches (given, or found) are all among them, and the greedy choice never looks
    at their spans again (each exact pair is the first candidate of both its spans), so only
    the spans left over are paired here: in layers that mostly agree, few or none.
    """
    pairs = exact_matches(first, second) if exact is None else list(exact)
    if len(pairs) == len(first) or len(pairs) == len(second):
        return pairs
    exactly = {a for a, _ in pairs}
    first_by_label = _by_label(span for span in first if span not in exactly)
    exactly = {b for _, b in pairs}
    second_by_label = _by_label(span for span in second if span not in exactly)
    candidates: list[tuple[tuple[int, ...], Span, Span]] = []
    for label, ours in first_by_label.items():
        theirs = second_by_label.get(label)
        if theirs:
            for a, b in _overlapping(ours, theirs):
                shared = min(a[1], b[1]) - max(a[0], b[0])
                difference = abs(a[0] - b[0]) + abs(a[1] - b[1])
                candidates.append(((-shared, difference, a[0], a[1], b[0], b[1]), a, b))
    candidates.sort(key=lambda candidate: candidate[0])
    taken_first: set[int] = set()
    taken_second: set[int] = set()
    for _, a, b in candidates:
        if a[3] not in taken_first and b[3] not in taken_second:
            taken_first.add(a[3])
            taken_second.add(b[3])
            pairs.append((a, b))
    return pairs


def _by_label(spans: Iterable[Span]) -> dict[str, list[Span]]:
    grouped: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        grouped[span[2]].append(span)
    for group in grouped.values():
        group.sort()
    return grouped


def _overlapping(first: list[Span], second: list[Span]) -> Iterable[Pair]:
    """Every (a, b) that share a character; both lists sorted by start.

    A sweep by start: the spans of `second` that began before a ends and have not ended
    before a starts. Starts only grow, so a span of `second` ended before one start is
    ended for every later one; a long document's thousands of spans cost their overlaps,
    not the product of the counts.
    """
    active: list[Span] = []
    following = 0
    for a in first:
        start, end = a[0], a[1]
        while following < len(second) and second[following][0] < end:
            active.append(second[following])
            following += 1
        active = [b for b in active if b[1] > start]
        for b in active:
            if b[0] < end:
                yield a, b
