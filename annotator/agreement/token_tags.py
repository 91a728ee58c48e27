"""Each layer of a document as one IOB2 tag per token, on the token formats' one tokenization.

The tokens are make_tokenizer's (the hf, conll and spacy exports' tokens for the same
--tokenizer and project language), spans are placed on them by place_spans with the
exports' default policies (a span off token boundaries is expanded to whole tokens;
overlapping spans, which IOB cannot hold, keep the longest: exporters/tokens.py:choose),
and the tags are those tag_record gives the hf export, as codes: 0 is O, then B- and I- of
each label in order (exporters/iob.py:tag_names). A layer's kappa is the kappa of the
training data it would export.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy

from annotator.agreement.matching import Span
from annotator.exporters.base import ExportProblem, FormatReport, Misaligned, Overlaps
from annotator.exporters.tokens import Tokens, choose, place_spans

MISALIGNED: Misaligned = "expand"  # the exports' defaults (cli.py: --misaligned, --overlaps)
OVERLAPS: Overlaps = "longest"


def tag_codes(labels: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Each label's (B, I) codes: O is 0, then B- and I- of each label in order."""
    return {label: (1 + 2 * index, 2 + 2 * index) for index, label in enumerate(labels)}


def layer_tags(
    text: str, tokens: Tokens, spans: Sequence[Span], codes: dict[str, tuple[int, int]], report: FormatReport
) -> Any:
    """The layer's tag code per token (a numpy int16 array); what a policy did goes into report."""
    tags = numpy.zeros(len(tokens.starts), dtype=numpy.int16)
    if not spans:
        return tags
    record = {
        "id": "",
        "text": text,
        "spans": [{"id": span[3], "start": span[0], "end": span[1], "text": text[span[0] : span[1]]} for span in spans],
    }
    placed = [
        (found, span)
        for found, span in zip(place_spans(record, tokens, MISALIGNED, report), spans, strict=True)
        if found is not None
    ]
    for (found, span), keep in zip(placed, choose([found for found, _ in placed], OVERLAPS), strict=True):
        if not keep:
            report.problems.append(ExportProblem("", str(span[3]), "", "overlap", "skipped"))
            continue
        first, last = found
        begin, inside = codes[span[2]]
        tags[first] = begin
        tags[first + 1 : last] = inside
    return tags
