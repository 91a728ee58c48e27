"""Many new spans of one document as one edit ('label all occurrences', add_spans), and the
rules every new span is held to (AddSpan uses them too).

Whatever the number of spans, the edit is one read exchange and one write: the layer's spans
where the new ones go and the new ids are read together; each new span is checked, one after
another, against what it overlaps (the layer's spans and the new ones placed before it) by the
rule a single added span is checked by (``fit_spans``); the rows go out as one batch insert
with the event row and COMMIT (db/exchange.py). Undo reads the document's part of the layer
once and deletes the rows as one batch; redo puts them back under the same ids, checked again.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.commands import statements as sql
from annotator.commands.base import SPAN_COLUMNS, Command, EditContext, overlapping_query, overlaps_of, span_value
from annotator.errors import NotFoundError, ValidationError
from annotator.models import Changes, Span
from annotator.schema import Schema
from annotator.search import find_all, on_word_edges
from annotator.short_text import one_line
from annotator.validation import check_attributes, check_label, check_offsets, check_overlaps

Interval = tuple[int, int, str]  # (start, end, label)


def check_new_span(ctx: EditContext, text: str, new: Interval, attributes: Mapping[str, Any]) -> None:
    """Offsets inside the text and not only whitespace, a label of the schema, its attributes."""
    start, end, label = new
    check_offsets(text, start, end)
    check_attributes(check_label(ctx.schema, label), attributes)


def fit_spans(
    schema: Schema, layer: Iterable[Interval], new: Iterable[Interval], *, keep_what_fits: bool
) -> list[Interval]:
    """The new spans the layer takes: each checked (no duplicate, the schema's overlap rule)
    against the spans it overlaps, the layer's and the new ones taken before it. A refused one
    is left out if ``keep_what_fits``, else its refusal is the edit's."""
    near = _Overlaps(layer)
    taken: list[Interval] = []
    for span in new:
        try:
            check_overlaps(schema, [*near.of(span), span])
        except ValidationError:
            if keep_what_fits:
                continue
            raise
        near.add(span)
        taken.append(span)
    return taken


def span_row(ctx: EditContext, span_id: int, document_id: int, span: Interval) -> dict[str, Any]:
    start, end, label = span
    return {
        "id": span_id,
        "document_id": document_id,
        "annotator_id": ctx.annotator_id,
        "start": start,
        "end": end,
        "label": label,
    }


def write_spans(
    ctx: EditContext,
    document_id: int,
    span_ids: Sequence[int],
    spans: Sequence[Interval],
    attributes: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Insert spans under the given ids with their attributes (one map per span): one statement
    for the spans and, if any span has attributes, one for them. Returns the span rows written."""
    span_rows = [span_row(ctx, i, document_id, s) for i, s in zip(span_ids, spans, strict=True)]
    ctx.tx.write((sql.INSERT_SPAN, span_rows))
    rows = [
        {"span_id": span_id, "name": name, "value": value}
        for span_id, values in zip(span_ids, attributes, strict=True)
        for name, value in values.items()
    ]
    if rows:
        ctx.tx.write((sql.INSERT_ATTRIBUTE, rows))
    return span_rows


def take_back_spans(
    ctx: EditContext,
    document_id: int,
    written: Sequence[tuple[int, Mapping[str, Any]]],
    relations: Sequence[tuple[int, int, int]],
) -> list[Span]:
    """Undo a batch that wrote spans (``written``: id and attributes) and relations between them
    (id, head, tail), in one read: the spans as they were, or a refusal if any other relation
    now holds one of them (ids are never reused: a span gone meanwhile is NotFoundError)."""
    layer = {"document_id": document_id, "annotator_id": ctx.annotator_id}
    rows, relation_ends = ctx.tx.read((sql.LAYER_SPANS, layer), (sql.LAYER_RELATION_ENDS, layer))
    keys = [c.key for c in SPAN_COLUMNS]
    spans = {row[0]: dict(zip(keys, row, strict=True)) for row in rows}
    holding = Counter[int]()
    for head, tail in relation_ends:
        holding.update({head, tail})
    for _relation_id, head, tail in relations:  # these go with the batch; any other relation stops it
        holding.subtract({head, tail})
    removed = []
    for span_id, attributes in written:
        row = spans.get(span_id)
        if row is None:
            raise NotFoundError(f"no span with id {span_id}")
        span = span_value(ctx, row, attributes)
        refuse_if_related(span, holding[span_id])
        removed.append(span)
    if relations:
        ctx.tx.write((sql.DELETE_RELATION, [{"relation_id": relation_id} for relation_id, _h, _t in relations]))
    if written:  # their attributes go with them (ON DELETE CASCADE)
        ctx.tx.write((sql.DELETE_SPAN, [{"span_id": span_id} for span_id, _a in written]))
    return removed


def refuse_if_related(span: Span, relations: int) -> None:
    """Undoing an added span: relations to it came later (another window of the same annotator),
    and deleting the span would take them along unasked."""
    if relations:
        raise ValidationError(
            f"{span.label} '{one_line(span.text)}' is used by {relations} relation(s) added since; remove them first"
        )


class _Overlaps:
    """Spans by start, to find those overlapping a range without looking at every one."""

    def __init__(self, spans: Iterable[Interval]) -> None:
        self._spans = sorted(spans)
        self._longest = max((end - start for start, end, _label in self._spans), default=0)

    def of(self, span: Interval) -> list[Interval]:
        start, end, _label = span
        first = bisect_left(self._spans, (start - self._longest,))
        last = bisect_left(self._spans, (end,))
        return [s for s in self._spans[first:last] if s[1] > start]

    def add(self, span: Interval) -> None:
        insort(self._spans, span)
        self._longest = max(self._longest, span[1] - span[0])


@dataclass
class AddSpans(Command):
    """New spans of one document, without attributes, as one edit and one undo step.

    With ``occurrences_of`` (a selection and a label) the spans are every occurrence of the
    selected text, found on first apply: case-sensitive, whole words when the selection sits
    on word edges, leaving out any that would duplicate a span or break the overlap rule.
    """

    document_id: int
    spans: list[Interval] = field(default_factory=list)
    name: str = ""
    occurrences_of: Interval | None = None
    span_ids: list[int] = field(default_factory=list)  # set on first apply: redo brings back the same ids

    @property
    def description(self) -> str:
        return self.name

    def apply(self, ctx: EditContext) -> Changes:
        text = ctx.document_text(self.document_id)
        first = not self.span_ids
        wanted = self._occurrences(ctx, text) if first and self.occurrences_of is not None else self.spans
        for span in wanted:
            check_new_span(ctx, text, span, {})
        if not wanted:
            raise ValidationError(self._nothing_to_add(text))
        reads = [overlapping_query(ctx, self.document_id, min(s[0] for s in wanted), max(s[1] for s in wanted))]
        if first:
            reads.append(ctx.tx.next_ids(sql.SPANS, len(wanted)))
        found = ctx.tx.read(*reads)
        keep = first and self.occurrences_of is not None
        taken = fit_spans(ctx.schema, overlaps_of(found[0]), wanted, keep_what_fits=keep)
        if not taken:
            raise ValidationError(self._nothing_to_add(text))
        if first:
            self.spans, self.span_ids = taken, ctx.tx.new_ids(found[1], len(wanted))[: len(taken)]
            if self.occurrences_of is not None:
                self.name = f"label {len(taken)} × '{self._words(text)}' as {self.occurrences_of[2]}"
        rows = [span_row(ctx, i, self.document_id, span) for i, span in zip(self.span_ids, self.spans, strict=True)]
        ctx.tx.write((sql.INSERT_SPAN, rows))
        added = tuple(
            Span(row["id"], row["start"], row["end"], row["label"], text[row["start"] : row["end"]], {}) for row in rows
        )
        return Changes(self.description, self.document_id, ctx.annotator, spans_added=added)

    def revert(self, ctx: EditContext) -> Changes:
        layer = {"document_id": self.document_id, "annotator_id": ctx.annotator_id}
        rows, attribute_rows, relation_ends = ctx.tx.read(
            (sql.LAYER_SPANS, layer), (sql.LAYER_ATTRIBUTES, layer), (sql.LAYER_RELATION_ENDS, layer)
        )
        keys = [c.key for c in SPAN_COLUMNS]
        spans = {row[0]: dict(zip(keys, row, strict=True)) for row in rows}
        attributes: defaultdict[int, dict[str, Any]] = defaultdict(dict)
        for span_id, name, value in attribute_rows:
            attributes[span_id][name] = value
        relations = Counter[int]()
        for head, tail in relation_ends:
            relations.update({head, tail})  # a relation counts once for each span it touches
        removed = []
        for span_id in self.span_ids:
            row = spans.get(span_id)
            if row is None:
                raise NotFoundError(f"no span with id {span_id}")
            span = span_value(ctx, row, dict(sorted(attributes[span_id].items())))
            refuse_if_related(span, relations[span_id])
            removed.append(span)
        ctx.tx.write((sql.DELETE_SPAN, [{"span_id": span_id} for span_id in self.span_ids]))
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, spans_removed=tuple(removed))

    def _occurrences(self, ctx: EditContext, text: str) -> list[Interval]:
        assert self.occurrences_of is not None
        start, end, label = self.occurrences_of
        check_new_span(ctx, text, self.occurrences_of, {})
        whole_words = on_word_edges(text, start, end)
        hits = find_all(text, text[start:end], case_sensitive=True, whole_words=whole_words)
        return [(hit_start, hit_end, label) for hit_start, hit_end in hits]

    def _words(self, text: str) -> str:
        assert self.occurrences_of is not None
        start, end, _label = self.occurrences_of
        return one_line(text[start:end], 30)

    def _nothing_to_add(self, text: str) -> str:
        if self.occurrences_of is None:
            return f"{self.name}: nothing to do"
        label = self.occurrences_of[2]
        return f"every occurrence of '{self._words(text)}' is labelled {label} already (or cannot be)"
