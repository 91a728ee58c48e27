"""Bootstrap replicates of summed counts: documents drawn with replacement, seeded.

Each replicate draws as many documents as there are, uniformly with replacement, and sums
their rows of counts (tally.py); a figure's replicates are the figure of each replicate's
sums (coefficients.py works on all of them at once). The interval is the percentile one:
the 2.5th and 97.5th percentiles of the replicates, leaving out replicates where the figure
is undefined (no span of that label was drawn, say). Resampling documents, not tokens or
spans, keeps what one document's spans and tokens share (one article, one annotator's day).
"""

from __future__ import annotations

from typing import Any

import numpy

BATCH = 100  # replicates drawn at once: a (BATCH x documents) matrix of draw counts


def replicate_sums(rows: Any, samples: int, seed: int) -> Any:
    """(samples, width) sums of counts, one row per replicate; rows is (documents, width)."""
    documents = rows.shape[0]
    generator = numpy.random.default_rng(seed)
    values = rows.astype(numpy.float64)  # a matrix product in BLAS; counts stay exact below 2^53
    sums = numpy.empty((samples, rows.shape[1]), dtype=numpy.float64)
    for first in range(0, samples, BATCH):
        count = min(BATCH, samples - first)
        drawn = generator.integers(0, documents, size=(count, documents))
        weights = numpy.zeros((count, documents), dtype=numpy.float64)
        for replicate in range(count):
            weights[replicate] = numpy.bincount(drawn[replicate], minlength=documents)
        sums[first : first + count] = weights @ values
    return sums


def interval(replicates: Any, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """The percentile interval of a figure's replicates (NaN ones left out); None when all are NaN."""
    defined = replicates[~numpy.isnan(replicates)]
    if defined.size == 0:
        return None, None
    tail = (1 - confidence) / 2 * 100
    low, high = numpy.percentile(defined, [tail, 100 - tail])
    return float(low), float(high)
