"""Deterministic train/dev/test splits by document.

A document's split depends only on its id and the seed (a hash mapped to [0, 1)), never
on the other documents: adding documents later does not move the ones already placed.
"""

from __future__ import annotations

import hashlib
import math

from annotator.errors import ValidationError

SPLIT_NAMES = ("train", "dev", "test")


def parse_ratios(text: str) -> tuple[float, ...]:
    """'0.8,0.1,0.1' -> (0.8, 0.1, 0.1); two or three finite, non-negative parts summing to 1.

    Every comparison with NaN is false, so "nan,0.5,0.5" passed a plain range check (and
    put every document in test): each part is checked to be a finite number first.
    """
    try:
        ratios = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValidationError(f"--split {text!r}: give two or three numbers like 0.8,0.1,0.1") from None
    if not 2 <= len(ratios) <= 3:
        raise ValidationError(f"--split {text!r}: give two or three parts (train,dev or train,dev,test)")
    bad = next((part for part, ratio in zip(text.split(","), ratios, strict=True) if not 0 <= ratio <= 1), None)
    if bad is not None:  # NaN fails 0 <= ratio too
        raise ValidationError(f"--split {text!r}: {bad.strip()!r} is not a share from 0 to 1")
    if abs(math.fsum(ratios) - 1) > 1e-6:
        raise ValidationError(f"--split {text!r}: the parts must sum to 1 (they sum to {math.fsum(ratios):g})")
    return ratios


def split_of(document_id: str, ratios: tuple[float, ...], seed: int = 0) -> str:
    digest = hashlib.sha256(f"{seed}\x00{document_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for name, ratio in zip(SPLIT_NAMES, ratios, strict=False):
        edge += ratio
        if point < edge:
            return name
    # The parts may sum to a hair under 1 (rounding): the top goes to the last part that has a share.
    last = max(index for index, ratio in enumerate(ratios) if ratio > 0)
    return SPLIT_NAMES[last]
