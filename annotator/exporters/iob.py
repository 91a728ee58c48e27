"""A native record as tokens with IOB2 tags: what the hf and conll formats write.

Each span is aligned to tokens with the --misaligned policy, then the overlapping ones
are resolved with the --overlaps policy (IOB holds one label per token). Every span
that is moved or left out is reported with its document, id and text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.exporters.base import ExportOptions, FormatReport
from annotator.exporters.tokens import Tokenizer, align, choose, problem
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


def tag_record(record: dict[str, Any], tokenize: Tokenizer, options: ExportOptions, report: FormatReport) -> Tagged:
    text: str = record["text"]
    starts, ends = offsets = tokenize(text)
    aligned: list[tuple[int, int, dict[str, Any]]] = []
    for span in record["spans"]:
        found = align(text, offsets, span["start"], span["end"], options.misaligned)
        if found is None:
            report.problems.append(problem(record, span, "misaligned", "skipped"))
            continue
        first, last, action = found
        if action is not None:
            report.problems.append(problem(record, span, "misaligned", action))
        aligned.append((first, last, span))
    tags = ["O"] * len(starts)
    kept: list[tuple[int, int]] = []
    for (first, last, span), keep in zip(aligned, choose([a[:2] for a in aligned], options.overlaps), strict=True):
        if not keep:
            report.problems.append(problem(record, span, "overlap", "skipped"))
            continue
        label = span["label"]
        tags[first] = f"B-{label}"
        tags[first + 1 : last] = [f"I-{label}"] * (last - first - 1)
        kept.append((first, last))
    words = [text[start:end] for start, end in zip(starts, ends, strict=True)]
    return Tagged(words, tags, starts, ends, kept)
