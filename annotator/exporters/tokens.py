"""Tokens for the token formats: tokenisers, span-to-token alignment, overlap resolution.

align is the one span-to-token alignment: hf and conll (through iob.py), spaCy (over a Doc's
tokens, doc_tokens) and Prodigy (over its own tokens) all place spans with it.

Offsets are code points into the document text. A token is a (start, end) pair that
never contains whitespace: the spaCy tokenizer first splits on runs of str.isspace()
characters and gives whitespace its own tokens (dropped here); the whitespace tokenizer
splits on the same runs. Whatever a policy does to a span is reported as an
ExportProblem (document, span, text, problem, action), never done silently.

spaCy is imported only when a spaCy pipeline is first needed, so the native export
never loads it.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from annotator.errors import ValidationError
from annotator.exporters.base import ExportOptions, ExportProblem, Misaligned, Overlaps

if TYPE_CHECKING:
    from spacy.language import Language

WHITESPACE = re.compile(r"\s+")
NOT_WHITESPACE = re.compile(r"\S+")

Offsets = tuple[list[int], list[int]]  # token starts, token ends (both ascending)
Tokenizer = Callable[[str], Offsets]


@lru_cache(maxsize=8)
def blank_pipeline(language: str, sentencizer: bool = False) -> Language:
    """spacy.blank(language), built once per process (it takes ~0.3 s); no model, no download."""
    try:
        import spacy
    except ImportError:
        raise ValidationError("this format needs spaCy: pip install -e '.[spacy]'") from None
    try:
        nlp = spacy.blank(language)
    except ImportError:  # spaCy's E048: no such language code
        raise ValidationError(f"spaCy has no language {language!r} (project.yaml: language)") from None
    # spaCy refuses texts over 1,000,000 characters (E088) because its parser and NER need ~1 GB
    # per 100,000; a blank pipeline (tokenizer, rule-based sentencizer) needs no such memory, and
    # the project promises articles of 1 MB and more: any length that fits in memory is taken.
    nlp.max_length = sys.maxsize
    if sentencizer:
        nlp.add_pipe("sentencizer")
    return nlp


def make_tokenizer(options: ExportOptions) -> Tokenizer:
    if options.tokenizer == "whitespace":
        return whitespace_tokens
    nlp = blank_pipeline(options.language)

    def spacy_tokens(text: str) -> Offsets:
        (starts, ends), _ = doc_tokens(nlp.make_doc(text))
        if WHITESPACE.search("".join(text[s:e] for s, e in zip(starts, ends, strict=True))):
            return _split_whitespace(text, starts, ends)  # cannot happen with spaCy's rules; kept as a guard
        return starts, ends

    return spacy_tokens


def doc_tokens(doc: Any) -> tuple[Offsets, list[int]]:
    """The offsets of a spaCy Doc's tokens that are not whitespace, and each one's index in the Doc."""
    import numpy
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    # Columns of the Doc's array (numpy, which spaCy brings) instead of Token objects: ~10x faster.
    rows = doc.to_array([IDX, LENGTH, IS_SPACE])
    kept = numpy.flatnonzero(rows[:, 2] == 0)
    starts = rows[kept, 0]
    return (starts.tolist(), (starts + rows[kept, 1]).tolist()), kept.tolist()


def whitespace_tokens(text: str) -> Offsets:
    """Split on runs of whitespace, keeping the offsets of what is left."""
    starts: list[int] = []
    ends: list[int] = []
    for match in NOT_WHITESPACE.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


def _split_whitespace(text: str, starts: list[int], ends: list[int]) -> Offsets:
    new_starts: list[int] = []
    new_ends: list[int] = []
    for start, end in zip(starts, ends, strict=True):
        for match in NOT_WHITESPACE.finditer(text, start, end):
            new_starts.append(match.start())
            new_ends.append(match.end())
    return new_starts, new_ends


def align(text: str, offsets: Offsets, start: int, end: int, policy: Misaligned) -> tuple[int, int, str | None] | None:
    """The tokens [first, last) for a character span, and what the policy did (None: nothing).

    None when the span is dropped: `skip`, or nothing left after `contract` (or a span of
    whitespace only). A span that is off the token boundaries only by whitespace at its
    edges comes back "trimmed" under expand and contract alike: the tokens it covers are
    exactly the ones meant.
    """
    starts, ends = offsets
    first = bisect_left(starts, start)
    last = bisect_left(ends, end)
    if first < len(starts) and last < len(ends) and starts[first] == start and ends[last] == end:
        return first, last + 1, None
    if policy == "skip":
        return None
    if policy == "expand":
        first, last = bisect_right(ends, start), bisect_left(starts, end)  # every token touching the span
    else:
        first, last = bisect_left(starts, start), bisect_right(ends, end)  # every token inside it
    if first >= last:
        return None
    return first, last, moved(text, start, end, starts[first], ends[last - 1], policy)


def moved(text: str, start: int, end: int, new_start: int, new_end: int, policy: Misaligned) -> str:
    """The action to report for a span moved to [new_start, new_end) by a policy."""
    if start <= new_start and new_end <= end and not text[start:new_start].strip() and not text[new_end:end].strip():
        return "trimmed"  # only whitespace at the edges went
    return "expanded" if policy == "expand" else "contracted"


def choose(ranges: Sequence[tuple[int, int]], policy: Overlaps) -> list[bool]:
    """Which token ranges a flat tagging keeps: no two kept ranges share a token.

    longest: longest first (then earliest, then input order), each kept if it fits beside
    those kept before (spaCy's filter_spans rule: in a chain A-B-C where only B overlaps
    both, dropping B keeps A and C). first: the same, earliest start first (longer first
    on a tie). skip: every range that shares a token with another is dropped.
    """
    keep = [True] * len(ranges)
    if len(ranges) < 2:
        return keep
    if policy == "skip":
        cover: dict[int, int] = {}
        for first, last in ranges:
            for token in range(first, last):
                cover[token] = cover.get(token, 0) + 1
        return [all(cover[token] == 1 for token in range(first, last)) for first, last in ranges]
    if policy == "longest":
        order = sorted(range(len(ranges)), key=lambda i: (ranges[i][0] - ranges[i][1], ranges[i][0], i))
    else:
        order = sorted(range(len(ranges)), key=lambda i: (ranges[i][0], ranges[i][0] - ranges[i][1], i))
    taken: set[int] = set()
    for index in order:
        first, last = ranges[index]
        tokens = range(first, last)
        if any(token in taken for token in tokens):
            keep[index] = False
        else:
            taken.update(tokens)
    return keep


def problem(record: dict[str, Any], span: dict[str, Any], what: str, action: str) -> ExportProblem:
    return ExportProblem(str(record["id"]), span["id"], span["text"], what, action)
