"""Matcher hits of the memory and dates sources, turned into proposals without spaCy Span objects:
a source makes tens of thousands of hits over a corpus, and building a Span (and resolving its label
through the StringStore) for each cost as much as the matching itself."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any, TypeVar

Key = TypeVar("Key")


def longest_hits(hits: Iterable[tuple[Key, int, int]]) -> list[tuple[Key, int, int]]:
    """Of overlapping hits (key, first token, token after the last), the longest, then the first:
    spaCy's filter_spans rule, on tuples. In text order."""
    hits = list(hits)
    if all(earlier[2] <= later[1] for earlier, later in pairwise(hits)):
        return hits  # in order and disjoint already: the common case, one pass
    kept: list[tuple[Key, int, int]] = []
    taken: set[int] = set()
    for hit in sorted(hits, key=lambda hit: (hit[1] - hit[2], hit[1])):
        tokens = range(hit[1], hit[2])
        if taken.isdisjoint(tokens):
            kept.append(hit)
            taken.update(tokens)
    kept.sort(key=lambda hit: hit[1])
    return kept


def char_span(doc: Any, start: int, end: int) -> tuple[int, int]:
    """Code point offsets of tokens start..end-1 (a Python str index is a code point)."""
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last)
