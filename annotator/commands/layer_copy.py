"""Spans of another annotator's layer copied into the own one, with their attributes and the
relations between them, as one edit and one undo step: how pre-annotations are corrected.

The batch path of AddSpans (commands/span_batch.py): one read exchange (the own layer's spans
where the copies go, the new ids) and one write (every row as a batch insert, with the event row
and COMMIT), whatever the number of spans. A span the own layer already has (same start, end and
label) is skipped, and so is one the schema refuses (a label it lacks, an attribute value it does
not allow, an overlap its rule forbids) or, for relations, a pair of labels it does not link:
each skip counted under its reason, so that the window can say what was left out and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.commands import statements as sql
from annotator.commands.base import Command, EditContext, overlapping_query, overlaps_of
from annotator.commands.span_batch import Interval, check_new_span, fit_spans, take_back_spans, write_spans
from annotator.errors import ValidationError
from annotator.models import Changes, Relation, Span
from annotator.short_text import one_line
from annotator.validation import check_relation

__all__ = ["ALREADY_THERE", "Copied", "CopySpans", "skipped_text"]

ALREADY_THERE = "already in your layer"
OVERLAP_RULE = "refused by the schema's overlap rule"


@dataclass(frozen=True)
class Copied:
    """What a copy wrote into the own layer, and what it left out (reason -> spans or relations)."""

    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    skipped: Mapping[str, int]


@dataclass
class CopySpans(Command):
    """Copies of ``spans`` (another layer's, with their attributes) and of ``relations`` between them.

    On first apply what the own layer takes is settled and kept with its new ids, so that undo
    removes exactly that and redo writes it back under the same ids, checked again.
    """

    document_id: int
    source: str  # the layer copied from: its annotator's name
    spans: Sequence[Span]
    relations: Sequence[Relation] = ()  # between spans of ``spans``, by their ids in the source layer
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> spans (or relations) left out
    taken: list[Span] = field(default_factory=list)  # set on first apply: the source spans copied...
    span_ids: list[int] = field(default_factory=list)  # ...and their copies' ids
    taken_relations: list[Relation] = field(default_factory=list)  # the copied relations, with the copies' ids

    @property
    def description(self) -> str:
        spans = self.taken or list(self.spans)
        if len(spans) == 1:
            return f"copy {spans[0].label} '{one_line(spans[0].text, 30)}' from {self.source}"
        return f"copy {len(spans)} spans from {self.source}"

    def apply(self, ctx: EditContext) -> Changes:
        first = not self.span_ids
        text = ctx.document_text(self.document_id)
        wanted = self._acceptable(ctx, text) if first else self.taken
        if not wanted:
            raise ValidationError(self._nothing_copied())
        reads = [overlapping_query(ctx, self.document_id, min(s.start for s in wanted), max(s.end for s in wanted))]
        ends = {span.id for span in wanted}
        relations = [r for r in self.relations if r.head in ends and r.tail in ends] if first else []
        if first:
            reads.append(ctx.tx.next_ids(sql.SPANS, len(wanted)))
            if relations:  # ids for those whose both ends may be copied (PostgreSQL's nextval spends them)
                reads.append(ctx.tx.next_ids(sql.RELATIONS, len(relations)))
        found = ctx.tx.read(*reads)
        own = overlaps_of(found[0])
        if first:
            self._settle(ctx, wanted, relations, own, found)
        else:
            fit_spans(ctx.schema, own, [_interval(s) for s in self.taken], keep_what_fits=False)
        return self._write(ctx, text)

    def revert(self, ctx: EditContext) -> Changes:
        written = [(span_id, source.attributes) for span_id, source in zip(self.span_ids, self.taken, strict=True)]
        removed = take_back_spans(
            ctx, self.document_id, written, [(r.id, r.head, r.tail) for r in self.taken_relations]
        )
        return Changes(
            f"undo {self.description}",
            self.document_id,
            ctx.annotator,
            spans_removed=tuple(removed),
            relations_removed=tuple(self.taken_relations),
        )

    # --- internals --------------------------------------------------------------------

    def _acceptable(self, ctx: EditContext, text: str) -> list[Span]:
        """The spans the schema takes (label, attributes, offsets), in (start, end, label) order."""
        accepted = []
        for span in sorted(self.spans, key=_interval):
            try:
                check_new_span(ctx, text, _interval(span), span.attributes)
            except ValidationError:
                self.skipped[_why_refused(ctx, span)] += 1
                continue
            accepted.append(span)
        return accepted

    def _settle(
        self, ctx: EditContext, wanted: list[Span], relations: list[Relation], own: list[Interval], found: list[Any]
    ) -> None:
        """Which spans and relations the copy takes, and their new ids."""
        there = set(own)
        new = [span for span in wanted if _interval(span) not in there]
        self.skipped[ALREADY_THERE] += len(wanted) - len(new)
        fits = set(fit_spans(ctx.schema, own, [_interval(s) for s in new], keep_what_fits=True))
        self.skipped[OVERLAP_RULE] += len(new) - len(fits)
        self.taken = [span for span in new if _interval(span) in fits]
        if not self.taken:
            raise ValidationError(self._nothing_copied())
        self.span_ids = ctx.tx.new_ids(found[1], len(wanted))[: len(self.taken)]
        copy_of = {span.id: (new_id, span) for new_id, span in zip(self.span_ids, self.taken, strict=True)}
        relation_ids = iter(ctx.tx.new_ids(found[2], len(relations)) if relations else [])
        for relation in relations:
            head, tail = copy_of.get(relation.head), copy_of.get(relation.tail)
            if head is None or tail is None:
                continue  # an end was not copied: the relation is not either
            try:
                check_relation(ctx.schema, relation.label, _interval(head[1]), _interval(tail[1]), head[0] == tail[0])
            except ValidationError:
                self.skipped[f"relation {relation.label} not allowed by the schema"] += 1
                continue
            self.taken_relations.append(Relation(next(relation_ids), relation.label, head[0], tail[0]))

    def _write(self, ctx: EditContext, text: str) -> Changes:
        intervals = [_interval(span) for span in self.taken]
        write_spans(ctx, self.document_id, self.span_ids, intervals, [span.attributes for span in self.taken])
        if self.taken_relations:
            relation_rows = [
                {
                    "id": r.id,
                    "document_id": self.document_id,
                    "annotator_id": ctx.annotator_id,
                    "label": r.label,
                    "head_span_id": r.head,
                    "tail_span_id": r.tail,
                }
                for r in self.taken_relations
            ]
            ctx.tx.write((sql.INSERT_RELATION, relation_rows))
        added = tuple(
            Span(i, s.start, s.end, s.label, text[s.start : s.end], dict(s.attributes))
            for i, s in zip(self.span_ids, self.taken, strict=True)
        )
        return Changes(
            self.description,
            self.document_id,
            ctx.annotator,
            spans_added=added,
            relations_added=tuple(self.taken_relations),
        )

    def _nothing_copied(self) -> str:
        return f"nothing copied from {self.source}: {skipped_text(self.skipped) or 'no span given'}"


def skipped_text(skipped: Mapping[str, int]) -> str:
    """'3 already in your layer, 1 with label PERSON not in the schema' ("" if none)."""
    return ", ".join(f"{count} {reason}" for reason, count in skipped.items() if count)


def _interval(span: Span) -> Interval:
    return span.start, span.end, span.label


def _why_refused(ctx: EditContext, span: Span) -> str:
    if ctx.schema.label(span.label) is None:
        return f"with label {span.label} not in the schema"
    return "refused by the schema (offsets or attributes)"
