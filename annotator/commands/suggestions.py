"""Deciding suggestions (annotator/suggest/): accepting some into the edited layer, rejecting one.

Accepting writes each suggestion as a span of the layer with its attributes, one edit and one
undo step however many ("accept 12 DATE suggestions"): the batch path of CopySpans (one read
exchange, one batch insert). A suggestion the layer already has, or that the schema refuses (a
label it lacks, an attribute value it does not allow, an overlap its rule forbids), is skipped
and counted under its reason. Suggested relations given with it are written when both their ends
are then spans of the layer (already, or accepted in the same step) and the schema allows them.

Rejecting records the decision as a row of review_rejections for the layer, the table of spans
decided not to belong in it (gold's reviewer uses it the same way): store.open_suggestions hides
a rejected suggestion from then on, whatever the sources propose again. Undo deletes the row.

Both return a SuggestionChanges, which says which suggestions were rejected or taken back, so
that a window showing them follows an undo without reading them again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, select

from annotator.commands import statements as sql
from annotator.commands.base import Command, EditContext, overlapping_query, overlaps_of
from annotator.commands.layer_copy import ALREADY_THERE, OVERLAP_RULE, skipped_text
from annotator.commands.review import DELETE_REJECTION, INSERT_REJECTION, LAYER_RELATIONS, REJECTION_AT
from annotator.commands.span_batch import Interval, check_new_span, fit_spans, take_back_spans, write_spans
from annotator.db import core_tables
from annotator.db.exchange import Statement
from annotator.errors import ValidationError
from annotator.models import NO_ATTRIBUTES, Changes, Relation, Span
from annotator.short_text import one_line
from annotator.suggest.base import SuggestedRelation
from annotator.validation import check_relation

__all__ = ["AcceptSuggestions", "Proposed", "RejectSuggestedRelation", "RejectSuggestion", "SuggestionChanges"]


class Proposed(NamedTuple):
    """A suggestion as the commands need it: where, what label, which attributes it brings."""

    start: int
    end: int
    label: str
    attributes: Mapping[str, Any] = NO_ATTRIBUTES

    @property
    def key(self) -> Interval:
        return self.start, self.end, self.label


@dataclass(frozen=True)
class SuggestionChanges(Changes):
    """Changes that also name the suggestions whose rejection was recorded or taken back."""

    rejected: tuple[Interval, ...] = ()
    unrejected: tuple[Interval, ...] = ()
    relations_rejected: tuple[SuggestedRelation, ...] = ()
    relations_unrejected: tuple[SuggestedRelation, ...] = ()


@dataclass
class AcceptSuggestions(Command):
    """Suggestions into the edited layer as spans with their attributes, and the suggested
    relations whose both ends are then in the layer. On first apply what the layer takes is
    settled and kept with its new ids: undo removes exactly that, redo writes it back, checked again."""

    document_id: int
    suggestions: Sequence[Proposed]
    relations: Sequence[SuggestedRelation] = ()
    qualifier: str = ""  # ends the step's name: "accept 12 suggestions" + " scored 0.80 or more"
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> suggestions (or relations) left out
    taken: list[Proposed] = field(default_factory=list)  # set on first apply
    span_ids: list[int] = field(default_factory=list)
    relation_rows: list[dict[str, Any]] = field(default_factory=list)
    _text: str = ""

    @property
    def description(self) -> str:
        taken = self.taken or list(self.suggestions)
        if len(taken) == 1 and not self.qualifier:
            first = taken[0]
            return f"accept {first.label} '{one_line(self._text[first.start : first.end], 30)}'"
        labels = {s.label for s in taken}
        kind = f"{labels.pop()} " if len(labels) == 1 else ""
        noun = "suggestion" if len(taken) == 1 else "suggestions"
        return f"accept {len(taken)} {kind}{noun}{self.qualifier}"

    def apply(self, ctx: EditContext) -> Changes:
        first = not self.span_ids and not self.relation_rows
        text = ctx.document_text(self.document_id)
        self._text = text
        wanted = self._acceptable(ctx, text) if first else self.taken
        layer = {"document_id": self.document_id, "annotator_id": ctx.annotator_id}
        reads: list[Statement]
        if self.relations:  # their ends may be any span of the layer: every one is read, with their ids
            reads = [(sql.LAYER_SPANS, layer), (LAYER_RELATIONS, layer)]
        elif wanted:
            reads = [overlapping_query(ctx, self.document_id, min(s.start for s in wanted), max(s.end for s in wanted))]
        else:
            raise ValidationError(self._nothing_accepted())
        if first and wanted:
            reads.append(ctx.tx.next_ids(sql.SPANS, len(wanted)))
        if first and self.relations:
            reads.append(ctx.tx.next_ids(sql.RELATIONS, len(self.relations)))
        found = ctx.tx.read(*reads)
        if self.relations:
            layer_ids = {(row[3], row[4], row[5]): row[0] for row in found[0]}
            own = list(layer_ids)
        else:
            layer_ids, own = {}, overlaps_of(found[0])
        if first:
            self._settle(ctx, wanted, own, layer_ids, found)
        else:
            fit_spans(ctx.schema, own, [s.key for s in self.taken], keep_what_fits=False)
        return self._write(ctx, text)

    def revert(self, ctx: EditContext) -> Changes:
        written = [(span_id, proposed.attributes) for span_id, proposed in zip(self.span_ids, self.taken, strict=True)]
        ends = [(row["id"], row["head_span_id"], row["tail_span_id"]) for row in self.relation_rows]
        removed = take_back_spans(ctx, self.document_id, written, ends)
        return SuggestionChanges(
            f"undo {self.description}",
            self.document_id,
            ctx.annotator,
            spans_removed=tuple(removed),
            relations_removed=tuple(_relation(row) for row in self.relation_rows),
        )

    # --- internals --------------------------------------------------------------------

    def _acceptable(self, ctx: EditContext, text: str) -> list[Proposed]:
        """The suggestions the schema takes (label, attributes, offsets), once each, in text order."""
        accepted = []
        for proposed in sorted({s.key: s for s in self.suggestions}.values(), key=lambda s: s.key):
            try:
                check_new_span(ctx, text, proposed.key, proposed.attributes)
            except ValidationError:
                known = ctx.schema.label(proposed.label) is not None
                reason = "refused by the schema" if known else f"with label {proposed.label} not in the schema"
                self.skipped[reason] += 1
                continue
            accepted.append(proposed)
        return accepted

    def _settle(
        self,
        ctx: EditContext,
        wanted: list[Proposed],
        own: list[Interval],
        layer_ids: dict[Interval, int],
        found: list[Any],
    ) -> None:
        there = set(own)
        new = [s for s in wanted if s.key not in there]
        self.skipped[ALREADY_THERE] += len(wanted) - len(new)
        fits = set(fit_spans(ctx.schema, own, [s.key for s in new], keep_what_fits=True))
        self.skipped[OVERLAP_RULE] += len(new) - len(fits)
        self.taken = [s for s in new if s.key in fits]
        ids_at = 1 if not self.relations else 2
        if wanted:
            self.span_ids = ctx.tx.new_ids(found[ids_at], len(wanted))[: len(self.taken)]
        if self.relations:
            in_layer = {**layer_ids, **{s.key: i for s, i in zip(self.taken, self.span_ids, strict=True)}}
            existing = {(label, head, tail) for _id, label, head, tail in found[1]}
            relation_ids = iter(ctx.tx.new_ids(found[-1], len(self.relations)))
            for relation in self.relations:
                self._settle_relation(ctx, relation, in_layer, existing, relation_ids)
        if not self.taken and not self.relation_rows:
            raise ValidationError(self._nothing_accepted())

    def _settle_relation(
        self,
        ctx: EditContext,
        relation: SuggestedRelation,
        in_layer: dict[Interval, int],
        existing: set[tuple[str, int, int]],
        relation_ids: Any,
    ) -> None:
        head, tail = in_layer.get(relation.head), in_layer.get(relation.tail)
        if head is None or tail is None:
            self.skipped[f"relation {relation.label} with an end not in your layer"] += 1
            return
        try:
            check_relation(ctx.schema, relation.label, relation.head, relation.tail, head == tail)
        except ValidationError:
            self.skipped[f"relation {relation.label} not allowed by the schema"] += 1
            return
        if (relation.label, head, tail) in existing:
            self.skipped[f"relation {relation.label} already in your layer"] += 1
            return
        existing.add((relation.label, head, tail))
        self.relation_rows.append(
            {
                "id": next(relation_ids),
                "document_id": self.document_id,
                "annotator_id": ctx.annotator_id,
                "label": relation.label,
                "head_span_id": head,
                "tail_span_id": tail,
            }
        )

    def _write(self, ctx: EditContext, text: str) -> Changes:
        if self.taken:
            attributes = [s.attributes for s in self.taken]
            write_spans(ctx, self.document_id, self.span_ids, [s.key for s in self.taken], attributes)
        if self.relation_rows:
            ctx.tx.write((sql.INSERT_RELATION, self.relation_rows))
        added = tuple(
            Span(i, s.start, s.end, s.label, text[s.start : s.end], dict(sorted(s.attributes.items())))
            for i, s in zip(self.span_ids, self.taken, strict=True)
        )
        return SuggestionChanges(
            self.description,
            self.document_id,
            ctx.annotator,
            spans_added=added,
            relations_added=tuple(_relation(row) for row in self.relation_rows),
        )

    def _nothing_accepted(self) -> str:
        return f"no suggestion accepted: {skipped_text(self.skipped) or 'none given'}"


@dataclass
class RejectSuggestion(Command):
    """A suggestion decided not to belong in the layer: kept as a review_rejections row."""

    document_id: int
    suggestion: Proposed
    _text: str = ""

    @property
    def description(self) -> str:
        return f"reject {self.suggestion.label} suggestion '{one_line(self._text, 30)}'"

    def apply(self, ctx: EditContext) -> Changes:
        text = ctx.document_text(self.document_id)  # raises NotFoundError for an unknown document
        start, end, _label = self.suggestion.key
        if not 0 <= start < end <= len(text):
            raise ValidationError(f"a suggestion at {start}-{end} lies outside the document's text")
        self._text = text[start:end]
        place = self._place(ctx)
        if ctx.tx.read((REJECTION_AT, place))[0]:
            raise ValidationError(f"{self.suggestion.label} '{one_line(self._text, 30)}' is rejected already")
        ctx.tx.write((INSERT_REJECTION, place))
        return SuggestionChanges(self.description, self.document_id, ctx.annotator, rejected=(self.suggestion.key,))

    def revert(self, ctx: EditContext) -> Changes:
        place = self._place(ctx)
        if not ctx.tx.read((REJECTION_AT, place))[0]:
            raise ValidationError("the suggestion is no longer rejected (changed in another window)")
        ctx.tx.write((DELETE_REJECTION, place))
        return SuggestionChanges(
            f"undo {self.description}", self.document_id, ctx.annotator, unrejected=(self.suggestion.key,)
        )

    def _place(self, ctx: EditContext) -> dict[str, Any]:
        start, end, label = self.suggestion.key
        return {"document_id": self.document_id, "annotator_id": ctx.annotator_id, "start": start, "end": end,
                "label": label}  # fmt: skip


RELATION_REJECTIONS = core_tables.relation_rejections
_RELATION_PLACE = [column == bindparam(column.name) for column in RELATION_REJECTIONS.primary_key.columns]
RELATION_REJECTION_AT = select(RELATION_REJECTIONS.c.label).where(*_RELATION_PLACE)
INSERT_RELATION_REJECTION = insert(RELATION_REJECTIONS)
DELETE_RELATION_REJECTION = delete(RELATION_REJECTIONS).where(*_RELATION_PLACE)


@dataclass
class RejectSuggestedRelation(Command):
    """A suggested relation decided not to belong in the layer: kept as a relation_rejections row."""

    document_id: int
    relation: SuggestedRelation

    @property
    def description(self) -> str:
        return f"reject suggested {self.relation.label}"

    def apply(self, ctx: EditContext) -> Changes:
        ctx.document_text(self.document_id)  # raises NotFoundError for an unknown document
        place = self._place(ctx)
        if ctx.tx.read((RELATION_REJECTION_AT, place))[0]:
            raise ValidationError(f"the suggested {self.relation.label} is rejected already")
        ctx.tx.write((INSERT_RELATION_REJECTION, place))
        return SuggestionChanges(self.description, self.document_id, ctx.annotator, relations_rejected=(self.relation,))

    def revert(self, ctx: EditContext) -> Changes:
        place = self._place(ctx)
        if not ctx.tx.read((RELATION_REJECTION_AT, place))[0]:
            raise ValidationError("the suggested relation is no longer rejected (changed in another window)")
        ctx.tx.write((DELETE_RELATION_REJECTION, place))
        return SuggestionChanges(
            f"undo {self.description}", self.document_id, ctx.annotator, relations_unrejected=(self.relation,)
        )

    def _place(self, ctx: EditContext) -> dict[str, Any]:
        (head_start, head_end, head_label), (tail_start, tail_end, tail_label) = self.relation.head, self.relation.tail
        return {"document_id": self.document_id, "annotator_id": ctx.annotator_id, "label": self.relation.label,
                "head_start": head_start, "head_end": head_end, "head_label": head_label,
                "tail_start": tail_start, "tail_end": tail_end, "tail_label": tail_label}  # fmt: skip


def _relation(row: Mapping[str, Any]) -> Relation:
    return Relation(row["id"], row["label"], row["head_span_id"], row["tail_span_id"])
