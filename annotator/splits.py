"""Deterministic train/dev/test splits by document.

A document's split depends only on its id and the seed (a hash mapped to [0, 1)), never
on the other documents: adding documents later does not move the ones already placed.
"""

from __future__ import annotations

import hashlib

from annotator.errors import ValidationError

SPLIT_NAMES = ("train", "dev", "test")


def parse_ratios(text: str) -> tuple[float, ...]:
    """'0.8,0.1,0.1' -> (0.8, 0.1, 0.1); two or three non-negative parts summing to 1."""
    try:
        ratios = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValidationError(f"--split {text!r}: give two or three numbers like 0.8,0.1,0.1") from None
    if not 2 <= len(ratios) <= 3 or any(r < 0 for r in ratios) or abs(sum(ratios) - 1) > 1e-6:
        raise ValidationError(f"--split {text!r}: two or three non-negative parts that sum to 1")
    return ratios


def split_of(document_id: str, ratios: tuple[float, ...], seed: int = 0) -> str:
    digest = hashlib.sha256(f"{seed}\x00{document_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for name, ratio in zip(SPLIT_NAMES, ratios, strict=False):
        edge += ratio
        if point < edge:
            return name
    return SPLIT_NAMES[len(ratios) - 1]  # rounding at the very top
