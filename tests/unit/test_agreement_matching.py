"""Span matching (annotator/agreement/matching.py) and the per-document counts (tally.py).

The counts are checked on hypothesis-generated layers of a whitespace-tokenized text
against tags and matches computed here independently, word by word.
"""

from __future__ import annotations

import re
from itertools import combinations, pairwise

import krippendorff
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement.coefficients import cohen_kappa, f1
from annotator.agreement.figures import evaluate
from annotator.agreement.layers import Document, Layer
from annotator.agreement.matching import Span, exact_matches, overlap_matches
from annotator.agreement.tally import DocumentTally, Layout
from annotator.exporters.base import ExportOptions
from annotator.exporters.tokens import make_tokenizer

LABELS = ("A", "B")


def test_exact_matches_need_the_same_start_end_and_label() -> None:
    first = [(0, 5, "A", 1), (6, 9, "A", 2), (10, 12, "B", 3)]
    second = [(0, 5, "A", 11), (6, 9, "B", 12), (10, 13, "B", 13)]
    assert exact_matches(first, second) == [((0, 5, "A", 1), (0, 5, "A", 11))]


def test_overlap_matching_is_one_to_one_greedy_by_largest_overlap() -> None:
    # b1 covers most of a1 and one character of a2; the stray fragment b0 touches a1 by one
    # character. Greedy pairs b1 with a1 (7 shared) and leaves b0 and a2 unmatched, where a
    # maximum matching would pair b0-a1 and b1-a2.
    a1, a2 = (2, 10, "A", 1), (10, 12, "A", 2)
    b0, b1 = (0, 3, "A", 10), (3, 11, "A", 11)
    assert overlap_matches([a1, a2], [b0, b1]) == [(a1, b1)]
    # Other labels never match; the same label matches across a moved boundary.
    assert overlap_matches([(0, 5, "A", 1)], [(0, 5, "B", 2)]) == []
    assert overlap_matches([(0, 5, "A", 1)], [(0, 9, "A", 2)]) == [((0, 5, "A", 1), (0, 9, "A", 2))]
    # A tie in shared length goes to the smaller boundary difference: the exact match.
    nested = [(0, 10, "A", 1), (0, 4, "A", 2)]
    assert sorted(overlap_matches([(0, 4, "A", 5)], nested)) == [((0, 4, "A", 5), (0, 4, "A", 2))]


spans_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from(LABELS)).map(lambda t: (t[0], t[0] + t[1], t[2])),
    max_size=25,
    unique=True,
)


def numbered(spans: list[tuple[int, int, str]], base: int) -> list[Span]:
    return [(start, end, label, base + index) for index, (start, end, label) in enumerate(spans)]


@settings(max_examples=300, deadline=None)
@given(spans_strategy, spans_strategy)
def test_overlap_matching_holds_every_exact_match_and_pairs_overlapping_spans_once(
    ours: list[tuple[int, int, str]], theirs: list[tuple[int, int, str]]
) -> None:
    first, second = numbered(ours, 0), numbered(theirs, 1000)
    pairs = overlap_matches(first, second)
    assert set(exact_matches(first, second)) <= set(pairs)
    assert len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs})
    for a, b in pairs:
        assert a[2] == b[2] and max(a[0], b[0]) < min(a[1], b[1])
    # Maximal: no two unmatched spans of one label still overlap.
    left = [a for a in first if a not in {p[0] for p in pairs}]
    right = [b for b in second if b not in {p[1] for p in pairs}]
    assert not any(a[2] == b[2] and max(a[0], b[0]) < min(a[1], b[1]) for a in left for b in right)
    # The same number of pairs whichever layer comes first.
    assert len(overlap_matches(second, first)) == len(pairs)


WORDS = 30
TEXT = " ".join(f"w{i}" for i in range(WORDS))
WORD_STARTS = [match.start() for match in re.finditer(r"\S+", TEXT)]
WORD_ENDS = [match.end() for match in re.finditer(r"\S+", TEXT)]


@st.composite
def word_layers(draw: st.DrawFn) -> list[list[tuple[int, int, str]]]:
    """2 or 3 layers of non-overlapping spans on whole words: (first word, last word + 1, label)."""
    layers = []
    for _ in range(draw(st.integers(2, 3))):
        cuts = sorted(draw(st.sets(st.integers(0, WORDS), max_size=12)))
        spans = []
        for start, end in pairwise(cuts):
            if draw(st.booleans()):
                spans.append((start, end, draw(st.sampled_from(LABELS))))
        layers.append(spans)
    return layers


def word_tags(spans: list[tuple[int, int, str]]) -> list[int]:
    """IOB2 codes per word, computed here: O 0, B-A 1, I-A 2, B-B 3, I-B 4."""
    tags = [0] * WORDS
    for first, last, label in spans:
        begin = 1 + 2 * LABELS.index(label)
        tags[first] = begin
        for word in range(first + 1, last):
            tags[word] = begin + 1
    return tags


@settings(max_examples=100, deadline=None)
@given(word_layers())
def test_document_counts_give_the_figures_computed_word_by_word(layers: list[list[tuple[int, int, str]]]) -> None:
    names = tuple(f"annotator{i}" for i in range(len(layers)))
    layout = Layout(names, LABELS, (), ())
    tally = DocumentTally(layout, make_tokenizer(ExportOptions(tokenizer="whitespace")), {})
    document = Document(
        TEXT,
        [
            Layer(spans=[(WORD_STARTS[a], WORD_ENDS[b - 1], label, i) for i, (a, b, label) in enumerate(spans)])
            for spans in layers
        ],
    )
    sums = numpy.array(tally.row(document))
    figures = evaluate(layout, sums)
    tags = [word_tags(spans) for spans in layers]
    for pair, (x, y) in enumerate(combinations(range(len(layers)), 2)):
        matched = len(set(layers[x]) & set(layers[y]))
        assert figures[("spans", pair, "exact", "all", "f1")] == pytest.approx(
            float(f1(matched, len(layers[x]), len(layers[y]))), nan_ok=True
        )
        agreed = sum(a == b for a, b in zip(tags[x], tags[y], strict=True))
        per_tag = [[row.count(c) for c in range(5)] for row in (tags[x], tags[y])]
        expected = float(cohen_kappa(agreed, per_tag[0], per_tag[1], WORDS))
        assert figures[("cohen_kappa", pair)] == pytest.approx(expected, nan_ok=True)
    if len({tag for row in tags for tag in row}) > 1:
        expected_alpha = krippendorff.alpha(reliability_data=numpy.array(tags), level_of_measurement="nominal")
        assert figures[("krippendorff_alpha",)] == pytest.approx(expected_alpha)
    if all(spans == layers[0] for spans in layers) and layers[0]:
        assert figures[("spans", 0, "overlap", "all", "f1")] == 1
        assert figures[("fleiss_kappa",)] == pytest.approx(1)


def test_relations_match_through_matched_spans_and_attributes_are_compared_on_them() -> None:
    layout = Layout(("a", "b"), ("A", "B"), ("R",), (("A", "kind"),))
    tally = DocumentTally(layout, make_tokenizer(ExportOptions(tokenizer="whitespace")), {"A": ("kind",)})
    first = Layer(
        spans=[(0, 2, "A", 1), (3, 5, "B", 2), (6, 8, "A", 3)],
        attributes={1: {"kind": "person"}, 3: {"kind": "state"}},
        relations=[("R", 2, 1), ("R", 2, 3)],
    )
    # b's first span is a's first moved by a word (overlap-matched), its third has another kind;
    # its relations: one to the moved span (matches), one to a span a does not have.
    second = Layer(
        spans=[(0, 5, "A", 11), (3, 5, "B", 12), (9, 11, "A", 13)],
        attributes={11: {"kind": "person"}, 13: {"kind": "other"}},
        relations=[("R", 12, 11), ("R", 12, 13)],
    )
    figures = evaluate(layout, numpy.array(tally.row(Document("w0 w1 w2 w3 w4 w5", [first, second]))))
    assert figures[("relations", 0, "R", "precision")] == 0.5
    assert figures[("relations", 0, "R", "recall")] == 0.5
    # Matched A spans: (0,2)-(0,5) only ((6,8) and (9,11) share nothing): kind compared once, agreed.
    assert figures[("attributes", 0, ("A", "kind"))] == 1.0


def test_a_span_off_token_boundaries_is_tagged_as_the_whole_tokens_and_counted() -> None:
    layout = Layout(("a", "b"), ("A",), (), ())
    tally = DocumentTally(layout, make_tokenizer(ExportOptions(tokenizer="whitespace")), {})
    # b's span is the first character of a's word: expanded to that word, as the exports do.
    row = tally.row(Document("w0 w1 w2", [Layer(spans=[(0, 2, "A", 1)]), Layer(spans=[(0, 1, "A", 2)])]))
    figures = evaluate(layout, numpy.array(row))
    assert figures[("spans", 0, "exact", "A", "f1")] == 0
    assert figures[("spans", 0, "overlap", "A", "f1")] == 1
    assert figures[("cohen_kappa", 0)] == pytest.approx(1)
    assert (tally.misaligned, tally.overlaps_left_out) == ([0, 1], [0, 0])
