"""A native record as tokens with IOB2 tags: what the hf and conll formats write.

Each span is aligned to tokens with the --misaligned policy, then the overlapping ones
are resolved with the --overlaps policy (IOB holds one label per token). Every span
that is moved or left out is reported with its document, id and text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.exporters.base import ExportOptions, FormatReport
from annotator.exporters.tokens import Tokens, choose, place_spans, problem
from annotator.schema import Schema


@dataclass
class Tagged:
    words: list[str]
    tags: list[str]
    starts: list[int]  # code point offsets of the words in the text
    ends: list[int]
    kept: list[tuple[int, int]]  # token ranges [first, last) of the spans that were tagged


def tag_names(schema: Schema) -> list[str]:
    """Every tag in a fixed order: O, then B- and I- of each label in schema order."""
    return ["O", *(f"{prefix}-{label}" for label in schema.label_names for prefix in ("B", "I"))]


def tag_record(record: dict[str, Any], tokens: Tokens, options: ExportOptions, report: FormatReport) -> Tagged:
    """The record's spans as IOB2 tags over its tokens (the document's one tokenization)."""
    placed = [
        (found, span)
        for found, span in zip(place_spans(record, tokens, options.misaligned, report), record["spans"], strict=True)
        if found is not None
    ]
    tags = ["O"] * len(tokens.starts)
    kept: list[tuple[int, int]] = []
    for (found, span), keep in zip(placed, choose([found for found, _ in placed], options.overlaps), strict=True):
        if not keep:
            report.problems.append(problem(record, span, "overlap", "skipped"))
            continue
        first, last = found
        label = span["label"]
        tags[first] = f"B-{label}"
        tags[first + 1 : last] = [f"I-{label}"] * (last - first - 1)
        kept.append(found)
    return Tagged(tokens.words(record["text"]), tags, tokens.starts, tokens.ends, kept)
