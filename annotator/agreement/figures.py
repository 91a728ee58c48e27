"""Every figure of the agreement report, from summed counts (one sum, or a row per replicate).

Keys name the figures; the report (measure.py) pairs each key's figure over all documents
with its bootstrap interval.
"""

from __future__ import annotations

from typing import Any

import numpy

from annotator.agreement import coefficients
from annotator.agreement.tally import Layout

Key = tuple[Any, ...]
ALL = "all"  # the row of every label together (micro average: counts summed over labels)
SPAN_KINDS = ("exact", "overlap")
MATCH_FIGURES = ("precision", "recall", "f1")


def evaluate(layout: Layout, sums: Any) -> dict[Key, Any]:
    """Figures keyed as:

    ("spans", pair, "exact"|"overlap", label|"all", "precision"|"recall"|"f1")
    ("relations", pair, relation|"all", "precision"|"recall"|"f1")
    ("attributes", pair, (label, attribute)): the share of compared values that agree
    ("cohen_kappa", pair), ("fleiss_kappa",), ("krippendorff_alpha",)
    """
    figures: dict[Key, Any] = {}
    spans = layout.block(sums, "spans")
    relations = layout.block(sums, "relations")
    for pair, (first, second) in enumerate(layout.pairs):
        for kind in SPAN_KINDS:
            matched = layout.block(sums, kind)[..., pair, :]
            _matching(
                figures, ("spans", pair, kind), layout.labels, matched, spans[..., first, :], spans[..., second, :]
            )
        matched = layout.block(sums, "relations_matched")[..., pair, :]
        _matching(
            figures, ("relations", pair), layout.relations, matched, relations[..., first, :], relations[..., second, :]
        )
        compared = layout.block(sums, "attributes_compared")[..., pair, :]
        agreed = layout.block(sums, "attributes_agreed")[..., pair, :]
        for index, key in enumerate(layout.attributes):
            figures[("attributes", pair, key)] = coefficients.ratio(agreed[..., index], compared[..., index])
    tokens = layout.block(sums, "tokens")
    tags = layout.block(sums, "tags")
    agreed_tokens = layout.block(sums, "agreed")
    for pair, (first, second) in enumerate(layout.pairs):
        figures[("cohen_kappa", pair)] = coefficients.cohen_kappa(
            agreed_tokens[..., pair], tags[..., first, :], tags[..., second, :], tokens
        )
    n = len(layout.annotators)
    all_agreed = agreed_tokens.sum(axis=-1)
    totals = tags.sum(axis=-2)
    figures[("fleiss_kappa",)] = coefficients.fleiss_kappa(all_agreed, totals, tokens, n)
    figures[("krippendorff_alpha",)] = coefficients.krippendorff_alpha(all_agreed, totals, tokens, n)
    return figures


def _matching(
    figures: dict[Key, Any], prefix: Key, labels: tuple[str, ...], matched: Any, first: Any, second: Any
) -> None:
    """Precision, recall and F1 per label and for all labels together."""
    columns: list[tuple[str, Any, Any, Any]] = [
        (label, matched[..., index], first[..., index], second[..., index]) for index, label in enumerate(labels)
    ]
    columns.append((ALL, matched.sum(axis=-1), first.sum(axis=-1), second.sum(axis=-1)))
    for label, ours_and_theirs, ours, theirs in columns:
        figures[(*prefix, label, "precision")] = coefficients.precision(ours_and_theirs, theirs)
        figures[(*prefix, label, "recall")] = coefficients.recall(ours_and_theirs, ours)
        figures[(*prefix, label, "f1")] = coefficients.f1(ours_and_theirs, ours, theirs)


def as_number(value: Any) -> float | None:
    """A figure as JSON: a float, or None where it is undefined (NaN)."""
    number = float(value)
    return None if numpy.isnan(number) else number
