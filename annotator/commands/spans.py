"""Adding, removing, relabelling spans and setting their attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete

from annotator.commands.base import (
    Command,
    EditContext,
    SpanRecord,
    overlapping,
    own_span,
    relation_value,
    relations_of,
    row_dict,
    span_attributes,
    span_value,
)
from annotator.db.tables import (
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import ValidationError
from annotator.models import Changes, Span
from annotator.short_text import one_line
from annotator.validation import (
    check_attribute,
    check_attributes,
    check_label,
    check_offsets,
    check_overlaps,
    check_relation,
)


@dataclass
class AddSpan(Command):
    document_id: int
    start: int
    end: int
    label: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    span_id: int | None = None  # set on first apply, so redo brings back the same id
    _text: str = ""

    @property
    def description(self) -> str:
        return f"add {self.label} '{one_line(self._text)}'"

    def apply(self, ctx: EditContext) -> Changes:
        text = ctx.document_text(self.document_id)
        check_offsets(text, self.start, self.end)
        spec = check_label(ctx.schema, self.label)
        check_attributes(spec, self.attributes)
        new = (self.start, self.end, self.label)
        check_overlaps(ctx.schema, [*overlapping(ctx, self.document_id, self.start, self.end, None), new])
        row = SpanRow(
            id=self.span_id,
            document_id=self.document_id,
            annotator_id=ctx.annotator_id,
            start=self.start,
            end=self.end,
            label=self.label,
        )
        ctx.session.add(row)
        ctx.session.flush()
        self.span_id = row.id
        ctx.session.add_all(
            SpanAttributeRow(span_id=row.id, name=name, value=value) for name, value in self.attributes.items()
        )
        self._text = text[self.start : self.end]
        span = Span(row.id, self.start, self.end, self.label, self._text, dict(sorted(self.attributes.items())))
        return Changes(self.description, self.document_id, ctx.annotator, spans_added=(span,))

    def revert(self, ctx: EditContext) -> Changes:
        assert self.span_id is not None
        span = span_value(ctx, own_span(ctx, self.span_id))
        # Relations to this span came later (another window of the same annotator): deleting
        # the span would take them along unasked.
        used = relations_of(ctx, self.span_id)
        if used:
            raise ValidationError(
                f"{span.label} '{one_line(span.text)}' is used by {len(used)} relation(s) added since; "
                "remove them first"
            )
        ctx.session.execute(delete(SpanRow).where(SpanRow.id == self.span_id))
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, spans_removed=(span,))


@dataclass
class RemoveSpan(Command):
    span_id: int
    document_id: int = 0
    _record: SpanRecord | None = None
    _span: Span | None = None

    @property
    def description(self) -> str:
        span = self._span
        return f"remove {span.label} '{one_line(span.text)}'" if span else "remove span"

    def apply(self, ctx: EditContext) -> Changes:
        row = own_span(ctx, self.span_id)
        self.document_id = row.document_id
        self._span = span_value(ctx, row)
        relations = relations_of(ctx, row.id)
        self._record = SpanRecord(row_dict(row), dict(self._span.attributes), tuple(row_dict(r) for r in relations))
        removed_relations = tuple(relation_value(r) for r in relations)
        ctx.session.execute(delete(SpanRow).where(SpanRow.id == row.id))
        return Changes(
            self.description,
            self.document_id,
            ctx.annotator,
            spans_removed=(self._span,),
            relations_removed=removed_relations,
        )

    def revert(self, ctx: EditContext) -> Changes:
        assert self._record is not None and self._span is not None
        self._check_restorable(ctx)
        ctx.session.add(SpanRow(**self._record.row))
        ctx.session.flush()
        ctx.session.add_all(
            SpanAttributeRow(span_id=self.span_id, name=n, value=v) for n, v in self._record.attributes.items()
        )
        relations = [RelationRow(**r) for r in self._record.relations]
        ctx.session.add_all(relations)
        ctx.session.flush()
        return Changes(
            f"undo {self.description}",
            self.document_id,
            ctx.annotator,
            spans_added=(self._span,),
            relations_added=tuple(relation_value(r) for r in relations),
        )

    def _check_restorable(self, ctx: EditContext) -> None:
        """The span and its relations come back only if the layer, as it is now, still allows them."""
        assert self._record is not None
        row = self._record.row
        check_offsets(ctx.document_text(row["document_id"]), row["start"], row["end"])
        spec = check_label(ctx.schema, row["label"])
        check_attributes(spec, self._record.attributes)
        new = (row["start"], row["end"], row["label"])
        check_overlaps(ctx.schema, [*overlapping(ctx, row["document_id"], row["start"], row["end"], None), new])
        for relation in self._record.relations:
            ends = [
                new if end_id == self.span_id else _span_ends(own_span(ctx, end_id))
                for end_id in (relation["head_span_id"], relation["tail_span_id"])
            ]
            check_relation(ctx.schema, relation["label"], ends[0], ends[1], same_span=ends[0] is ends[1])


def _span_ends(row: SpanRow) -> tuple[int, int, str]:
    return (row.start, row.end, row.label)


@dataclass
class RelabelSpan(Command):
    span_id: int
    label: str
    document_id: int = 0
    _old_label: str = ""
    _dropped: dict[str, Any] = field(default_factory=dict)
    _text: str = ""

    @property
    def description(self) -> str:
        return f"relabel '{one_line(self._text)}' {self._old_label} → {self.label}"

    def apply(self, ctx: EditContext) -> Changes:
        row = own_span(ctx, self.span_id)
        spec = check_label(ctx.schema, self.label)
        if row.label == self.label:
            raise ValidationError(f"span {self.span_id} is already {self.label}")
        self.document_id, self._old_label = row.document_id, row.label
        self._text = ctx.document_text(row.document_id)[row.start : row.end]
        others = overlapping(ctx, row.document_id, row.start, row.end, exclude=row.id)
        check_overlaps(ctx.schema, [*others, (row.start, row.end, self.label)])
        self._check_relations_allow(ctx, row, self.label)
        attributes = span_attributes(ctx.session, row.id)
        # Attributes the new label does not define cannot stay; undo restores them.
        self._dropped = {n: v for n, v in attributes.items() if spec.attribute(n) is None}
        if self._dropped:
            ctx.session.execute(
                delete(SpanAttributeRow).where(
                    SpanAttributeRow.span_id == row.id, SpanAttributeRow.name.in_(self._dropped)
                )
            )
        row.label = self.label
        ctx.session.flush()
        return Changes(self.description, self.document_id, ctx.annotator, spans_changed=(span_value(ctx, row),))

    def revert(self, ctx: EditContext) -> Changes:
        row = own_span(ctx, self.span_id)
        if row.label != self.label:
            raise ValidationError(f"'{one_line(self._text)}' is {row.label} now (changed in another window)")
        spec = check_label(ctx.schema, self._old_label)
        check_attributes(spec, self._dropped)
        if set(self._dropped) & set(span_attributes(ctx.session, row.id)):
            raise ValidationError(f"'{one_line(self._text)}' has attributes set since (in another window)")
        others = overlapping(ctx, row.document_id, row.start, row.end, exclude=row.id)
        check_overlaps(ctx.schema, [*others, (row.start, row.end, self._old_label)])
        self._check_relations_allow(ctx, row, self._old_label)
        row.label = self._old_label
        ctx.session.add_all(SpanAttributeRow(span_id=row.id, name=n, value=v) for n, v in self._dropped.items())
        ctx.session.flush()
        return Changes(
            f"undo {self.description}", self.document_id, ctx.annotator, spans_changed=(span_value(ctx, row),)
        )

    def _check_relations_allow(self, ctx: EditContext, row: SpanRow, label: str) -> None:
        for relation in relations_of(ctx, row.id):
            head = ctx.session.get(SpanRow, relation.head_span_id)
            tail = ctx.session.get(SpanRow, relation.tail_span_id)
            assert head is not None and tail is not None
            head_label = label if head.id == row.id else head.label
            tail_label = label if tail.id == row.id else tail.label
            spec = ctx.schema.relation(relation.label)
            if spec is not None and not spec.allows(head_label, tail_label):
                raise ValidationError(
                    f"cannot relabel to {label}: relation {relation.label} "
                    f"does not allow {head_label} → {tail_label}; remove the relation first"
                )


@dataclass
class SetAttribute(Command):
    """Set (or, with value None, clear) one attribute of a span."""

    span_id: int
    name: str
    value: Any
    document_id: int = 0
    _old: Any = None
    _label: str = ""

    @property
    def description(self) -> str:
        if self.value is None:
            return f"clear {self._label}.{self.name}"
        return f"set {self._label}.{self.name} = {one_line(str(self.value), 24)}"

    def apply(self, ctx: EditContext) -> Changes:
        row = own_span(ctx, self.span_id)
        spec = check_label(ctx.schema, row.label)
        self.document_id, self._label = row.document_id, row.label
        if self.value is not None:
            check_attribute(spec, self.name, self.value)
        elif spec.attribute(self.name) is None:
            check_attribute(spec, self.name, None)
        self._old = span_attributes(ctx.session, row.id).get(self.name)
        if self._old == self.value:
            raise ValidationError(f"{row.label}.{self.name} is already {self.value!r}")
        self._write(ctx, self.value)
        return Changes(self.description, self.document_id, ctx.annotator, spans_changed=(span_value(ctx, row),))

    def revert(self, ctx: EditContext) -> Changes:
        row = own_span(ctx, self.span_id)
        if span_attributes(ctx.session, row.id).get(self.name) != self.value or row.label != self._label:
            raise ValidationError(f"{row.label}.{self.name} was changed since (in another window)")
        if self._old is not None:
            check_attribute(check_label(ctx.schema, row.label), self.name, self._old)
        self._write(ctx, self._old)
        return Changes(
            f"undo {self.description}", self.document_id, ctx.annotator, spans_changed=(span_value(ctx, row),)
        )

    def _write(self, ctx: EditContext, value: Any) -> None:
        existing = ctx.session.get(SpanAttributeRow, (self.span_id, self.name))
        if value is None:
            if existing is not None:
                ctx.session.delete(existing)
        elif existing is None:
            ctx.session.add(SpanAttributeRow(span_id=self.span_id, name=self.name, value=value))
        else:
            existing.value = value
        ctx.session.flush()


@dataclass
class ResizeSpan(Command):
    """Move a span's edges. Its id, label, attributes and relations stay; undo moves them back.

    Both directions run the checks an added span gets (offsets in the text, duplicates and
    the schema's overlap rule against the rest of the layer), so neither a resize nor its
    undo can leave crossing spans behind.
    """

    span_id: int
    start: int
    end: int
    document_id: int = 0
    _old: tuple[int, int] = (0, 0)
    _label: str = ""
    _old_text: str = ""
    _new_text: str = ""

    @property
    def description(self) -> str:
        return f"resize {self._label} '{one_line(self._old_text, 24)}' → '{one_line(self._new_text, 24)}'"

    def apply(self, ctx: EditContext) -> Changes:
        row = own_span(ctx, self.span_id)
        text = ctx.document_text(row.document_id)
        check_offsets(text, self.start, self.end)
        if (row.start, row.end) == (self.start, self.end):
            raise ValidationError(f"{row.label} '{one_line(text[row.start : row.end])}' already has these edges")
        self.document_id, self._label, self._old = row.document_id, row.label, (row.start, row.end)
        self._old_text, self._new_text = text[row.start : row.end], text[self.start : self.end]
        return self._move(ctx, row, self.start, self.end, self.description)

    def revert(self, ctx: EditContext) -> Changes:
        row = own_span(ctx, self.span_id)
        return self._move(ctx, row, *self._old, f"undo {self.description}")

    def _move(self, ctx: EditContext, row: SpanRow, start: int, end: int, description: str) -> Changes:
        others = overlapping(ctx, row.document_id, start, end, exclude=row.id)
        check_overlaps(ctx.schema, [*others, (start, end, row.label)])
        row.start, row.end = start, end
        ctx.session.flush()
        return Changes(description, self.document_id, ctx.annotator, spans_changed=(span_value(ctx, row),))
