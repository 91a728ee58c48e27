"""The agreement coefficients (annotator/agreement/coefficients.py) against independent computations.

Each coefficient is computed here token by token from its textbook formula, and by a
well-kept library (statsmodels' cohens_kappa and fleiss_kappa, the krippendorff package),
on hypothesis-generated tags; the module computes it from summed counts. Plus the known
cases: identical tags give 1, tags that never agree give 0 or below, and worked examples
from the literature.
"""

from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

from annotator.agreement import coefficients

TOLERANCE = 1e-9


@st.composite
def tag_sequences(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    """(number of tags, each annotator's tag per token): 2 to 4 annotators, 1 to 80 tokens."""
    categories = draw(st.integers(2, 6))
    annotators = draw(st.integers(2, 4))
    tokens = draw(st.integers(1, 80))
    tag = st.integers(0, categories - 1)
    return categories, [draw(st.lists(tag, min_size=tokens, max_size=tokens)) for _ in range(annotators)]


def counts_of(categories: int, tags: list[list[int]]) -> tuple[int, list[list[int]], list[int]]:
    """What the agreement module keeps of tags: tokens, tokens per tag per annotator, agreed tokens per pair."""
    per_tag = [[row.count(c) for c in range(categories)] for row in tags]
    agreed = [sum(x == y for x, y in zip(a, b, strict=True)) for a, b in combinations(tags, 2)]
    return len(tags[0]), per_tag, agreed


def textbook_cohen(a: list[int], b: list[int], categories: int) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    chance = sum((a.count(c) / n) * (b.count(c) / n) for c in range(categories))
    return (observed - chance) / (1 - chance) if chance != 1 else float("nan")


def textbook_fleiss(tags: list[list[int]], categories: int) -> float:
    raters, subjects = len(tags), len(tags[0])
    table = [[sum(row[i] == c for row in tags) for c in range(categories)] for i in range(subjects)]
    agreement = [(sum(n * n for n in counts) - raters) / (raters * (raters - 1)) for counts in table]
    shares = [sum(counts[c] for counts in table) / (subjects * raters) for c in range(categories)]
    chance = sum(p * p for p in shares)
    return (sum(agreement) / subjects - chance) / (1 - chance) if chance != 1 else float("nan")


def textbook_alpha(tags: list[list[int]], categories: int) -> float:
    """Krippendorff's alpha, nominal, from the coincidence matrix (Krippendorff 2011, section C)."""
    coincidences = [[0.0] * categories for _ in range(categories)]
    for unit in zip(*tags, strict=True):
        m = len(unit)
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            coincidences[unit[i]][unit[j]] += 1 / (m - 1)
    totals = [sum(row) for row in coincidences]
    n = sum(totals)
    disagreement = sum(coincidences[c][k] for c in range(categories) for k in range(categories) if c != k)
    expected = sum(totals[c] * totals[k] for c in range(categories) for k in range(categories) if c != k)
    return 1 - (n - 1) * disagreement / expected if expected else float("nan")


def same(value: float, expected: float) -> bool:
    if numpy.isnan(expected):
        return bool(numpy.isnan(value))
    return abs(value - expected) <= TOLERANCE


@settings(max_examples=150, deadline=None)
@given(tag_sequences())
def test_cohen_kappa_is_the_textbook_and_statsmodels_figure(generated: tuple[int, list[list[int]]]) -> None:
    categories, tags = generated
    tokens, per_tag, agreed = counts_of(categories, tags)
    for pair, (first, second) in enumerate(combinations(range(len(tags)), 2)):
        figure = float(coefficients.cohen_kappa(agreed[pair], per_tag[first], per_tag[second], tokens))
        expected = textbook_cohen(tags[first], tags[second], categories)
        assert same(figure, expected)
        if not numpy.isnan(expected):
            table = numpy.zeros((categories, categories))
            for x, y in zip(tags[first], tags[second], strict=True):
                table[x, y] += 1
            assert same(figure, cohens_kappa(table, return_results=False))


@settings(max_examples=150, deadline=None)
@given(tag_sequences())
def test_fleiss_kappa_and_krippendorff_alpha_are_the_textbook_and_library_figures(
    generated: tuple[int, list[list[int]]],
) -> None:
    categories, tags = generated
    tokens, per_tag, agreed = counts_of(categories, tags)
    totals = numpy.sum(per_tag, axis=0)
    fleiss = float(coefficients.fleiss_kappa(sum(agreed), totals, tokens, len(tags)))
    alpha = float(coefficients.krippendorff_alpha(sum(agreed), totals, tokens, len(tags)))
    expected_fleiss = textbook_fleiss(tags, categories)
    expected_alpha = textbook_alpha(tags, categories)
    assert same(fleiss, expected_fleiss)
    assert same(alpha, expected_alpha)
    if not numpy.isnan(expected_fleiss):
        table = numpy.array([[sum(row[i] == c for row in tags) for c in range(categories)] for i in range(tokens)])
        assert same(fleiss, fleiss_kappa(table))
    if not numpy.isnan(expected_alpha):
        library = krippendorff.alpha(reliability_data=numpy.array(tags), level_of_measurement="nominal")
        assert same(alpha, library)


@settings(max_examples=100, deadline=None)
@given(tag_sequences())
def test_identical_tags_give_one_and_tags_that_never_agree_zero_or_below(
    generated: tuple[int, list[list[int]]],
) -> None:
    categories, tags = generated
    copies = [tags[0]] * len(tags)
    tokens, per_tag, agreed = counts_of(categories, copies)
    totals = numpy.sum(per_tag, axis=0)
    if len(set(tags[0])) > 1:  # one tag everywhere leaves chance agreement at 1: undefined
        assert float(coefficients.cohen_kappa(agreed[0], per_tag[0], per_tag[1], tokens)) == pytest.approx(1)
        assert float(coefficients.fleiss_kappa(sum(agreed), totals, tokens, len(tags))) == pytest.approx(1)
        assert float(coefficients.krippendorff_alpha(sum(agreed), totals, tokens, len(tags))) == pytest.approx(1)
    # Two annotators who never give a token the same tag: kappa and alpha at or below 0.
    shifted = [(tag + 1) % categories for tag in tags[0]]
    tokens, per_tag, agreed = counts_of(categories, [tags[0], shifted])
    totals = numpy.sum(per_tag, axis=0)
    assert agreed == [0]
    assert float(coefficients.cohen_kappa(0, per_tag[0], per_tag[1], tokens)) <= TOLERANCE
    assert float(coefficients.fleiss_kappa(0, totals, tokens, 2)) <= TOLERANCE
    assert float(coefficients.krippendorff_alpha(0, totals, tokens, 2)) <= TOLERANCE


def test_worked_examples_from_the_literature() -> None:
    # Cohen: 50 proposals, both yes 20, A yes B no 5, A no B yes 10, both no 15: p_o 0.7, p_e 0.5, kappa 0.4
    # (the worked example of Wikipedia's "Cohen's kappa").
    assert float(coefficients.cohen_kappa(35, [25, 25], [30, 20], 50)) == pytest.approx(0.4)
    # Fleiss (1971) as worked in Wikipedia's "Fleiss' kappa": 14 raters, 10 subjects, 5 categories:
    # P-bar 0.378, P_e 0.213, kappa 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    agreed_pairs = sum(n * (n - 1) // 2 for row in table for n in row)
    totals = numpy.sum(table, axis=0)
    assert float(coefficients.fleiss_kappa(agreed_pairs, totals, 10, 14)) == pytest.approx(0.20993, abs=1e-5)
    # Krippendorff, nominal, two coders, 10 units (Krippendorff 2011, "Computing Krippendorff's
    # Alpha-Reliability", section A): coders agree on 7 units; alpha 0.095.
    coder_a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    coder_b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    agreed = sum(a == b for a, b in zip(coder_a, coder_b, strict=True))
    totals = [coder_a.count(0) + coder_b.count(0), coder_a.count(1) + coder_b.count(1)]
    assert float(coefficients.krippendorff_alpha(agreed, totals, 10, 2)) == pytest.approx(0.095, abs=5e-4)


def test_rows_of_sums_give_one_figure_per_row() -> None:
    """Bootstrap replicates are rows of sums: each row's figure is the figure of that row alone."""
    sums = numpy.array([[35, 50], [40, 50]])
    first = numpy.array([[25, 25], [25, 25]])
    second = numpy.array([[30, 20], [25, 25]])
    figures = coefficients.cohen_kappa(sums[:, 0], first, second, sums[:, 1])
    assert figures.shape == (2,)
    assert figures[0] == pytest.approx(0.4)
    assert figures[1] == pytest.approx(0.6)  # p_o 0.8, p_e 0.5


def test_undefined_figures_are_nan() -> None:
    assert numpy.isnan(coefficients.f1(0, 0, 0))
    assert numpy.isnan(coefficients.precision(0, 0))
    assert float(coefficients.f1(0, 3, 0)) == 0
    # Every token O for both: chance agreement 1, kappa undefined.
    assert numpy.isnan(coefficients.cohen_kappa(10, [10, 0], [10, 0], 10))
