"""Per document, the counts every agreement figure is made of (coefficients.py sums them).

A document's counts are one row of integers laid out by a Layout: tokens, tokens per tag per
annotator, tokens each pair tagged alike, spans per annotator and label, spans each pair
matched exactly and by overlap per label, relations per annotator and label, relations each
pair matched, attribute values each pair compared and agreed on. Rows add up: the figures
over all documents come from the sum of the rows, and each bootstrap replicate from a
weighted sum (bootstrap.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from typing import Any

import numpy

from annotator.agreement.layers import MISSING, Document, Layer
from annotator.agreement.matching import Pair, exact_matches, overlap_matches
from annotator.agreement.token_tags import layer_tags, tag_codes
from annotator.exporters.base import FormatReport
from annotator.exporters.tokens import Tokens


@dataclass(frozen=True)
class Layout:
    """Where each count sits in a document's row; `block` views a row (or rows) in its shape."""

    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    relations: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]  # (label, attribute name), in schema order

    @cached_property
    def pairs(self) -> list[tuple[int, int]]:
        """Pairs of annotator indexes, the first one the reference of precision and recall."""
        return list(combinations(range(len(self.annotators)), 2))

    @cached_property
    def tags(self) -> int:
        return 1 + 2 * len(self.labels)

    @cached_property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        n, pairs = len(self.annotators), len(self.pairs)
        return {
            "tokens": (),
            "tags": (n, self.tags),
            "agreed": (pairs,),
            "spans": (n, len(self.labels)),
            "exact": (pairs, len(self.labels)),
            "overlap": (pairs, len(self.labels)),
            "relations": (n, len(self.relations)),
            "relations_matched": (pairs, len(self.relations)),
            "attributes_compared": (pairs, len(self.attributes)),
            "attributes_agreed": (pairs, len(self.attributes)),
        }

    @cached_property
    def offsets(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        position = 0
        for name, shape in self.shapes.items():
            size = int(numpy.prod(shape, dtype=numpy.int64))
            found[name] = (position, position + size)
            position += size
        return found

    @property
    def width(self) -> int:
        return self.offsets["attributes_agreed"][1]

    def block(self, rows: Any, name: str) -> Any:
        """The counts called `name` of a row (..., width), shaped (..., *shape); a view."""
        start, end = self.offsets[name]
        return rows[..., start:end].reshape((*rows.shape[:-1], *self.shapes[name]))


Tokenize = Callable[[str], Tokens]


class DocumentTally:
    """Turns documents into rows of counts, and counts what the token placement did."""

    def __init__(self, layout: Layout, tokenize: Tokenize, attribute_names: dict[str, Sequence[str]]) -> None:
        self.layout = layout
        self.tokenize = tokenize
        self.codes = tag_codes(layout.labels)
        self.label_index = {label: i for i, label in enumerate(layout.labels)}
        self.relation_index = {label: i for i, label in enumerate(layout.relations)}
        self.attribute_index = {key: i for i, key in enumerate(layout.attributes)}
        self.attribute_names = attribute_names  # label -> its attributes' names
        # Per annotator, over every document so far: spans taken as the tokens they touch, and
        # spans left out of the tags (IOB holds one per token). Counted, not kept, per document.
        self.misaligned = [0] * len(layout.annotators)
        self.overlaps_left_out = [0] * len(layout.annotators)
        self.report = FormatReport()

    def row(self, document: Document) -> list[int]:
        """The document's counts, laid out by the Layout (a list: counted in Python ints, stored once)."""
        layout = self.layout
        row = [0] * layout.width
        self._tokens(document, row)
        labels, relations = len(layout.labels), len(layout.relations)
        spans_at, relations_at = layout.offsets["spans"][0], layout.offsets["relations"][0]
        for annotator, layer in enumerate(document.layers):
            for span in layer.spans:
                row[spans_at + annotator * labels + self.label_index[span[2]]] += 1
            for label, _, _ in layer.relations:
                row[relations_at + annotator * relations + self.relation_index[label]] += 1
        exact_at, overlap_at = layout.offsets["exact"][0], layout.offsets["overlap"][0]
        for pair, (first, second) in enumerate(layout.pairs):
            ours, theirs = document.layers[first], document.layers[second]
            exact = exact_matches(ours.spans, theirs.spans)
            for span, _ in exact:
                row[exact_at + pair * labels + self.label_index[span[2]]] += 1
            matched = overlap_matches(ours.spans, theirs.spans, exact)
            for span, _ in matched:
                row[overlap_at + pair * labels + self.label_index[span[2]]] += 1
            self._relations(row, pair, ours, theirs, matched)
            self._attributes(row, pair, ours, theirs, matched)
        return row

    def _tokens(self, document: Document, row: list[int]) -> None:
        layout = self.layout
        tokens = self.tokenize(document.text)
        tags = []
        for annotator, layer in enumerate(document.layers):
            tags.append(layer_tags(document.text, tokens, layer.spans, self.codes, self.report))
            if self.report.problems:
                overlaps = sum(1 for problem in self.report.problems if problem.problem == "overlap")
                self.overlaps_left_out[annotator] += overlaps
                self.misaligned[annotator] += len(self.report.problems) - overlaps
                self.report.problems.clear()
        row[layout.offsets["tokens"][0]] = len(tokens.starts)
        tags_at = layout.offsets["tags"][0]
        for annotator, codes in enumerate(tags):
            start = tags_at + annotator * layout.tags
            row[start : start + layout.tags] = numpy.bincount(codes, minlength=layout.tags).tolist()
        agreed_at = layout.offsets["agreed"][0]
        for pair, (first, second) in enumerate(layout.pairs):
            row[agreed_at + pair] = int(numpy.count_nonzero(tags[first] == tags[second]))

    def _relations(self, row: list[int], pair: int, ours: Layer, theirs: Layer, matched: list[Pair]) -> None:
        """Relations of the second layer whose label, head and tail match one of the first's."""
        if not ours.relations or not theirs.relations:
            return
        counterpart = {b[3]: a[3] for a, b in matched}
        wanted = set(ours.relations)
        at = self.layout.offsets["relations_matched"][0] + pair * len(self.layout.relations)
        for label, head, tail in theirs.relations:
            if (label, counterpart.get(head), counterpart.get(tail)) in wanted:
                row[at + self.relation_index[label]] += 1

    def _attributes(self, row: list[int], pair: int, ours: Layer, theirs: Layer, matched: list[Pair]) -> None:
        """Each attribute of matched spans that either span has: compared; the same value: agreed."""
        if not self.layout.attributes or not (ours.attributes or theirs.attributes):
            return
        width = len(self.layout.attributes)
        compared_at = self.layout.offsets["attributes_compared"][0] + pair * width
        agreed_at = self.layout.offsets["attributes_agreed"][0] + pair * width
        for a, b in matched:
            ours_values = ours.attributes.get(a[3])
            theirs_values = theirs.attributes.get(b[3])
            if not ours_values and not theirs_values:
                continue
            for name in self.attribute_names.get(a[2], ()):
                value = ours_values.get(name, MISSING) if ours_values else MISSING
                other = theirs_values.get(name, MISSING) if theirs_values else MISSING
                if value is MISSING and other is MISSING:
                    continue
                index = self.attribute_index[(a[2], name)]
                row[compared_at + index] += 1
                row[agreed_at + index] += value == other
