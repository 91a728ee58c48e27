"""The agreement coefficients, from sums of counts over documents.

Every figure here is a function of counts that add up over documents (matched spans, tokens
two annotators tagged alike, tokens per tag per annotator). So one function serves the
figure over all documents (a 1-d array of sums) and its bootstrap replicates (a 2-d array,
one row of sums per resample of the documents): numpy evaluates the formula on every row at
once. A figure that is undefined (0/0: no spans to match, or a kappa whose chance agreement
is 1 because every token has one tag) is NaN.

The token coefficients need, per document, only: the number of tokens N, the tokens per
tag of each annotator, and per pair the tokens both tagged alike. With n annotators each
tagging every token, a token's count of tag c, n_c, gives sum_c n_c^2 = n + 2 * (pairs that
agree on it), so Fleiss' kappa and Krippendorff's alpha (nominal) follow from the pairs'
agreements and the tag totals alone:

  Cohen (pair a, b):  p_o = agreed / N,  p_e = sum_c (a_c / N)(b_c / N),  kappa = (p_o - p_e) / (1 - p_e)
  Fleiss:             P = sum_pairs agreed / (N n(n-1)/2),  p_c = t_c / (N n),  P_e = sum_c p_c^2,
                      kappa = (P - P_e) / (1 - P_e)
  Krippendorff:       coincidences o_cc summed: sum_c o_cc = 2 sum_pairs agreed / (n-1);  v = N n values,
                      alpha = 1 - (v - 1)(v - sum_c o_cc) / (v^2 - sum_c t_c^2)

(t_c: tokens tagged c by anyone, summed over annotators.) tests/unit/test_agreement_coefficients.py
checks each against the textbook computation token by token, against statsmodels' cohens_kappa
and fleiss_kappa and against the krippendorff package.
"""

from __future__ import annotations

from typing import Any

import numpy

Array = Any  # a numpy array: float64, shape (...) for one figure, (..., K) for tag counts


def ratio(numerator: Array, denominator: Array) -> Array:
    """numerator / denominator, NaN where the denominator is 0."""
    numerator = numpy.asarray(numerator, dtype=numpy.float64)
    denominator = numpy.asarray(denominator, dtype=numpy.float64)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        return numpy.where(denominator == 0, numpy.nan, numerator / numpy.where(denominator == 0, 1, denominator))


def precision(matched: Array, second: Array) -> Array:
    """Of the second annotator's spans, the share the first also has (the first as reference)."""
    return ratio(matched, second)


def recall(matched: Array, first: Array) -> Array:
    """Of the first annotator's spans, the share the second also has."""
    return ratio(matched, first)


def f1(matched: Array, first: Array, second: Array) -> Array:
    """2 matched / (first + second): the harmonic mean of precision and recall, symmetric."""
    return ratio(2 * numpy.asarray(matched, dtype=numpy.float64), numpy.add(first, second))


def _chance_corrected(observed: Array, chance: Array) -> Array:
    return ratio(numpy.subtract(observed, chance), numpy.subtract(1.0, chance))


def cohen_kappa(agreed: Array, first_tags: Array, second_tags: Array, tokens: Array) -> Array:
    """Cohen's kappa of two annotators' tags: agreed tokens, each one's tokens per tag (..., K), tokens."""
    observed = ratio(agreed, tokens)
    chance = ratio(
        numpy.sum(numpy.multiply(first_tags, second_tags, dtype=numpy.float64), axis=-1),
        numpy.square(tokens, dtype=numpy.float64),
    )
    return _chance_corrected(observed, chance)


def fleiss_kappa(agreed_pairs: Array, tag_totals: Array, tokens: Array, annotators: int) -> Array:
    """Fleiss' kappa: agreed tokens summed over every pair, tokens per tag summed over annotators (..., K)."""
    pairs = annotators * (annotators - 1) / 2
    observed = ratio(agreed_pairs, numpy.multiply(tokens, pairs, dtype=numpy.float64))
    shares = ratio(tag_totals, numpy.multiply(tokens, annotators, dtype=numpy.float64)[..., None])
    return _chance_corrected(observed, numpy.sum(numpy.square(shares), axis=-1))


def krippendorff_alpha(agreed_pairs: Array, tag_totals: Array, tokens: Array, annotators: int) -> Array:
    """Krippendorff's alpha, nominal, every token coded by every annotator (same inputs as fleiss_kappa)."""
    values = numpy.multiply(tokens, annotators, dtype=numpy.float64)
    same = 2 * numpy.asarray(agreed_pairs, dtype=numpy.float64) / (annotators - 1)  # sum of o_cc
    expected = numpy.square(values) - numpy.sum(numpy.square(numpy.asarray(tag_totals, dtype=numpy.float64)), axis=-1)
    return 1 - ratio((values - 1) * (values - same), expected)
