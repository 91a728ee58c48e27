"""Adjudication edits of the gold layer: accepting candidates (one or many, one undo step) and
rejecting one. The service runs them on the gold layer (the context's annotator).

Accepting writes each candidate as a gold span with its attributes, and the relations its
layers have at it whose other end is in gold (already, or accepted in the same step); it takes
back a rejection of the same span. Rejecting records the decision (review_rejections) and, if
gold holds that span, removes it (with its relations). Both undo exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, select

from annotator.commands import statements as sql
from annotator.commands.base import SPAN_COLUMNS, Command, EditContext, relation_value, span_value
from annotator.commands.span_batch import check_new_span, fit_spans, refuse_if_related, write_spans
from annotator.commands.spans import RemoveSpan
from annotator.db.exchange import Statement
from annotator.db.tables import ReviewRejectionRow
from annotator.errors import NotFoundError, ValidationError
from annotator.models import Changes
from annotator.review import Candidate, Interval
from annotator.short_text import one_line
from annotator.validation import check_relation

REJECTIONS = ReviewRejectionRow.__table__
_LAYER = (REJECTIONS.c.document_id == bindparam("document_id"), REJECTIONS.c.annotator_id == bindparam("annotator_id"))
_PLACE = (
    REJECTIONS.c.start == bindparam("start"),
    REJECTIONS.c.end == bindparam("end"),
    REJECTIONS.c.label == bindparam("label"),
)
REJECTIONS_OF = select(REJECTIONS.c.start, REJECTIONS.c.end, REJECTIONS.c.label).where(*_LAYER)
REJECTION_AT = select(REJECTIONS.c.label).where(*_LAYER, *_PLACE)
INSERT_REJECTION = insert(REJECTIONS)
DELETE_REJECTION = delete(REJECTIONS).where(*_LAYER, *_PLACE)
SPAN_AT = select(sql.SPANS.c.id).where(
    sql.SPANS.c.document_id == bindparam("document_id"),
    sql.SPANS.c.annotator_id == bindparam("annotator_id"),
    sql.SPANS.c.start == bindparam("start"),
    sql.SPANS.c.end == bindparam("end"),
    sql.SPANS.c.label == bindparam("label"),
)
_RELATIONS = sql.RELATIONS.c
LAYER_RELATIONS = select(_RELATIONS.id, _RELATIONS.label, _RELATIONS.head_span_id, _RELATIONS.tail_span_id).where(
    _RELATIONS.document_id == bindparam("document_id"), _RELATIONS.annotator_id == bindparam("annotator_id")
)


def _place(ctx: EditContext, document_id: int, key: Interval) -> dict[str, Any]:
    start, end, label = key
    return {"document_id": document_id, "annotator_id": ctx.annotator_id, "start": start, "end": end, "label": label}


@dataclass
class AcceptCandidates(Command):
    """Candidates into the gold layer, with their attributes and the relations that follow."""

    document_id: int
    candidates: Sequence[Candidate]
    name: str = ""
    # Many agreed candidates: those the layer cannot take (a crossing the schema forbids, say) are
    # left out, undecided, rather than refusing the rest.
    keep_what_fits: bool = False
    span_ids: list[int] = field(default_factory=list)  # set on first apply: redo brings back the same ids
    relation_rows: list[dict[str, Any]] = field(default_factory=list)
    _unrejected: list[Interval] = field(default_factory=list)

    @property
    def description(self) -> str:
        if self.name:
            return self.name
        first = self.candidates[0]
        return f"accept {first.label} '{one_line(first.text)}'"

    def apply(self, ctx: EditContext) -> Changes:
        if not self.candidates:
            raise ValidationError("no candidate to accept")
        text = ctx.document_text(self.document_id)
        keys = [c.key for c in self.candidates]
        for candidate in self.candidates:
            check_new_span(ctx, text, candidate.key, candidate.attributes)
        layer = {"document_id": self.document_id, "annotator_id": ctx.annotator_id}
        first = not self.span_ids
        reads: list[Statement] = [(sql.LAYER_SPANS, layer), (LAYER_RELATIONS, layer), (REJECTIONS_OF, layer)]
        most_relations = sum(len(c.relations) for c in self.candidates)
        if first:
            reads.append(ctx.tx.next_ids(sql.SPANS, len(keys)))
            if most_relations:
                reads.append(ctx.tx.next_ids(sql.RELATIONS, most_relations))
        found = ctx.tx.read(*reads)
        gold = {(row[3], row[4], row[5]): row[0] for row in found[0]}
        # A duplicate or an overlap the schema forbids refuses a candidate (or, keeping what fits, leaves it out).
        taken = fit_spans(ctx.schema, gold, keys, keep_what_fits=first and self.keep_what_fits)
        if not taken:
            raise ValidationError("none of these candidates fits gold as it is (each is there or crosses a gold span)")
        if first:
            fitting = set(taken)
            self.candidates = [c for c in self.candidates if c.key in fitting]
            keys = [c.key for c in self.candidates]
            self.span_ids = ctx.tx.new_ids(found[3], len(taken))[: len(keys)]
            if self.keep_what_fits:
                self.name = f"accept {len(keys)} agreed span(s)"
        in_gold = {**gold, **dict(zip(keys, self.span_ids, strict=True))}
        if first:
            existing = {(label, head, tail) for _id, label, head, tail in found[1]}
            ids = ctx.tx.new_ids(found[4], most_relations) if most_relations else []
            self.relation_rows = self._relations(ctx, in_gold, existing, ids)
        else:
            present = set(in_gold.values())
            for row in self.relation_rows:
                if row["head_span_id"] not in present or row["tail_span_id"] not in present:
                    raise NotFoundError("a span a relation of it led to is no longer in gold")
        rejected = {tuple(row) for row in found[2]}
        self._unrejected = [key for key in keys if key in rejected]
        rows = write_spans(ctx, self.document_id, self.span_ids, keys, [c.attributes for c in self.candidates])
        if self.relation_rows:
            ctx.tx.write((sql.INSERT_RELATION, self.relation_rows))
        if self._unrejected:
            ctx.tx.write((DELETE_REJECTION, [_place(ctx, self.document_id, key) for key in self._unrejected]))
        added = tuple(
            span_value(ctx, row, dict(sorted(candidate.attributes.items())))
            for row, candidate in zip(rows, self.candidates, strict=True)
        )
        relations = tuple(relation_value(row) for row in self.relation_rows)
        return Changes(self.description, self.document_id, ctx.annotator, spans_added=added, relations_added=relations)

    def revert(self, ctx: EditContext) -> Changes:
        layer = {"document_id": self.document_id, "annotator_id": ctx.annotator_id}
        rows, attribute_rows, relation_rows = ctx.tx.read(
            (sql.LAYER_SPANS, layer), (sql.LAYER_ATTRIBUTES, layer), (LAYER_RELATIONS, layer)
        )
        columns = [c.key for c in SPAN_COLUMNS]
        spans = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
        attributes: dict[int, dict[str, Any]] = {}
        for span_id, name, value in attribute_rows:
            attributes.setdefault(span_id, {})[name] = value
        ours = {row["id"] for row in self.relation_rows}
        others = Counter[int]()
        for relation_id, _label, head, tail in relation_rows:
            if relation_id not in ours:
                others.update({head, tail})
        removed = []
        for span_id in self.span_ids:
            row = spans.get(span_id)
            if row is None:
                raise NotFoundError(f"no span with id {span_id} in gold")
            span = span_value(ctx, row, dict(sorted(attributes.get(span_id, {}).items())))
            refuse_if_related(span, others[span_id])
            removed.append(span)
        # Their attributes and relations go with them (ON DELETE CASCADE).
        ctx.tx.write((sql.DELETE_SPAN, [{"span_id": span_id} for span_id in self.span_ids]))
        if self._unrejected:
            rejections = [_place(ctx, self.document_id, key) for key in self._unrejected]
            ctx.tx.write((INSERT_REJECTION, rejections))
        return Changes(
            f"undo {self.description}",
            self.document_id,
            ctx.annotator,
            spans_removed=tuple(removed),
            relations_removed=tuple(relation_value(row) for row in self.relation_rows),
        )

    def _relations(
        self, ctx: EditContext, in_gold: dict[Interval, int], existing: set[tuple[str, int, int]], ids: list[int]
    ) -> list[dict[str, Any]]:
        """The rows of the relations that follow the accepted spans: both ends in gold, not there yet,
        allowed by the schema."""
        rows: list[dict[str, Any]] = []
        for candidate in self.candidates:
            for label, is_head, other in candidate.relations:
                if other not in in_gold:
                    continue
                head, tail = (candidate.key, other) if is_head else (other, candidate.key)
                ends = (label, in_gold[head], in_gold[tail])
                if ends in existing:
                    continue
                try:
                    check_relation(ctx.schema, label, head, tail, same_span=head == tail)
                except ValidationError:
                    continue  # the schema no longer allows it: the span is accepted without it
                existing.add(ends)
                rows.append(
                    {
                        "id": ids[len(rows)],
                        "document_id": self.document_id,
                        "annotator_id": ctx.annotator_id,
                        "label": label,
                        "head_span_id": ends[1],
                        "tail_span_id": ends[2],
                    }
                )
        return rows


@dataclass
class RejectCandidate(Command):
    """A candidate rejected for gold: the decision is kept; gold's copy of it, if any, removed."""

    document_id: int
    candidate: Candidate
    _removal: RemoveSpan | None = None

    @property
    def description(self) -> str:
        return f"reject {self.candidate.label} '{one_line(self.candidate.text)}'"

    def apply(self, ctx: EditContext) -> Changes:
        ctx.document_text(self.document_id)  # raises NotFoundError for an unknown document
        place = _place(ctx, self.document_id, self.candidate.key)
        rejected, in_gold = ctx.tx.read((REJECTION_AT, place), (SPAN_AT, place))
        if rejected:
            raise ValidationError(f"{self.candidate.label} '{one_line(self.candidate.text)}' is rejected already")
        self._removal = RemoveSpan(in_gold[0][0]) if in_gold else None
        removed = self._removal.apply(ctx) if self._removal is not None else None
        ctx.tx.write((INSERT_REJECTION, place))
        return Changes(
            self.description,
            self.document_id,
            ctx.annotator,
            spans_removed=removed.spans_removed if removed else (),
            relations_removed=removed.relations_removed if removed else (),
        )

    def revert(self, ctx: EditContext) -> Changes:
        place = _place(ctx, self.document_id, self.candidate.key)
        if not ctx.tx.read((REJECTION_AT, place))[0]:
            raise ValidationError("the candidate is no longer rejected (changed in another window)")
        ctx.tx.write((DELETE_REJECTION, place))
        restored = self._removal.revert(ctx) if self._removal is not None else None
        return Changes(
            f"undo {self.description}",
            self.document_id,
            ctx.annotator,
            spans_added=restored.spans_added if restored else (),
            relations_added=restored.relations_added if restored else (),
        )
