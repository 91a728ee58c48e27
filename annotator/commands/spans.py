"""Adding (one span; many: span_batch.py), removing, relabelling and resizing spans and setting their attributes.

Every command reads what its checks need in one exchange and queues its writes, which go
out with the COMMIT (annotator/db/exchange.py): two round trips per edit on a server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.commands import statements as sql
from annotator.commands.base import (
    Command,
    EditContext,
    SpanRecord,
    attributes_of,
    attributes_query,
    first_value,
    overlapping_query,
    overlapping_span_query,
    overlaps_of,
    own_span,
    relation_value,
    relations_of,
    relations_query,
    span_query,
    span_value,
)
from annotator.commands.span_batch import check_new_span, fit_spans, refuse_if_related, span_row
from annotator.db.exchange import Statement
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
        new = (self.start, self.end, self.label)
        check_new_span(ctx, text, new, self.attributes)
        reads: list[Statement] = [overlapping_query(ctx, self.document_id, self.start, self.end)]
        if self.span_id is None:
            reads.append(ctx.tx.next_id(sql.SPANS))
        found = ctx.tx.read(*reads)
        fit_spans(ctx.schema, overlaps_of(found[0]), [new], keep_what_fits=False)
        span_id = self.span_id if self.span_id is not None else int(first_value(found[1]))
        ctx.tx.write((sql.INSERT_SPAN, span_row(ctx, span_id, self.document_id, new)))
        write_attributes(ctx, span_id, self.attributes)
        self.span_id = span_id
        self._text = text[self.start : self.end]
        span = Span(span_id, self.start, self.end, self.label, self._text, dict(sorted(self.attributes.items())))
        return Changes(self.description, self.document_id, ctx.annotator, spans_added=(span,))

    def revert(self, ctx: EditContext) -> Changes:
        assert self.span_id is not None
        row, attributes, used = ctx.tx.read(
            span_query(self.span_id),
            attributes_query(self.span_id),
            (sql.RELATIONS_COUNT, {"span_id": self.span_id}),
        )
        span = span_value(ctx, own_span(ctx, row, self.span_id), attributes_of(attributes))
        refuse_if_related(span, first_value(used))
        ctx.tx.write((sql.DELETE_SPAN, {"span_id": self.span_id}))
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
        row, attributes, relations = ctx.tx.read(
            span_query(self.span_id), attributes_query(self.span_id), relations_query(self.span_id)
        )
        span_row = own_span(ctx, row, self.span_id)
        self.document_id = span_row["document_id"]
        self._span = span_value(ctx, span_row, attributes_of(attributes))
        relation_rows = tuple(relation for relation, _head, _tail in relations_of(relations))
        self._record = SpanRecord(span_row, dict(self._span.attributes), relation_rows)
        # Its attributes and relations go with it (ON DELETE CASCADE); undo puts them back.
        ctx.tx.write((sql.DELETE_SPAN, {"span_id": self.span_id}))
        return Changes(
            self.description,
            self.document_id,
            ctx.annotator,
            spans_removed=(self._span,),
            relations_removed=tuple(relation_value(r) for r in relation_rows),
        )

    def revert(self, ctx: EditContext) -> Changes:
        assert self._record is not None and self._span is not None
        self._check_restorable(ctx)
        ctx.tx.write((sql.INSERT_SPAN, self._record.row))
        write_attributes(ctx, self.span_id, self._record.attributes)
        if self._record.relations:
            ctx.tx.write(*((sql.INSERT_RELATION, relation) for relation in self._record.relations))
        return Changes(
            f"undo {self.description}",
            self.document_id,
            ctx.annotator,
            spans_added=(self._span,),
            relations_added=tuple(relation_value(r) for r in self._record.relations),
        )

    def _check_restorable(self, ctx: EditContext) -> None:
        """The span and its relations come back only if the layer, as it is now, still allows them."""
        assert self._record is not None
        row = self._record.row
        check_offsets(ctx.document_text(row["document_id"]), row["start"], row["end"])
        spec = check_label(ctx.schema, row["label"])
        check_attributes(spec, self._record.attributes)
        others = sorted(
            {r[end] for r in self._record.relations for end in ("head_span_id", "tail_span_id")} - {self.span_id}
        )
        found = ctx.tx.read(
            overlapping_query(ctx, row["document_id"], row["start"], row["end"]), *map(span_query, others)
        )
        new = (row["start"], row["end"], row["label"])
        check_overlaps(ctx.schema, [*overlaps_of(found[0]), new])
        ends = dict(zip(others, found[1:], strict=True))
        for relation in self._record.relations:
            head, tail = (
                new if end_id == self.span_id else _span_ends(own_span(ctx, ends.get(end_id, []), end_id))
                for end_id in (relation["head_span_id"], relation["tail_span_id"])
            )
            check_relation(ctx.schema, relation["label"], head, tail, same_span=head is tail)


def _span_ends(row: Mapping[str, Any]) -> tuple[int, int, str]:
    return (row["start"], row["end"], row["label"])


def write_attributes(ctx: EditContext, span_id: int, attributes: Mapping[str, Any]) -> None:
    if attributes:
        rows = [{"span_id": span_id, "name": name, "value": value} for name, value in attributes.items()]
        ctx.tx.write(*((sql.INSERT_ATTRIBUTE, row) for row in rows))


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
        row, others, relations, attributes = self._read(ctx)
        spec = check_label(ctx.schema, self.label)
        if row["label"] == self.label:
            raise ValidationError(f"span {self.span_id} is already {self.label}")
        self.document_id, self._old_label = row["document_id"], row["label"]
        self._text = ctx.document_text(row["document_id"])[row["start"] : row["end"]]
        check_overlaps(ctx.schema, [*others, (row["start"], row["end"], self.label)])
        self._check_relations_allow(ctx, relations, self.label)
        # Attributes the new label does not define cannot stay; undo restores them.
        self._dropped = {n: v for n, v in attributes.items() if spec.attribute(n) is None}
        if self._dropped:
            ctx.tx.write(
                *((sql.DELETE_ATTRIBUTE, {"span_id": self.span_id, "attribute": name}) for name in self._dropped)
            )
        ctx.tx.write((sql.UPDATE_LABEL, {"where_id": self.span_id, "new_label": self.label}))
        kept = {n: v for n, v in attributes.items() if n not in self._dropped}
        span = span_value(ctx, {**row, "label": self.label}, kept)
        return Changes(self.description, self.document_id, ctx.annotator, spans_changed=(span,))

    def revert(self, ctx: EditContext) -> Changes:
        row, others, relations, attributes = self._read(ctx)
        if row["label"] != self.label:
            raise ValidationError(f"'{one_line(self._text)}' is {row['label']} now (changed in another window)")
        spec = check_label(ctx.schema, self._old_label)
        check_attributes(spec, self._dropped)
        if set(self._dropped) & set(attributes):
            raise ValidationError(f"'{one_line(self._text)}' has attributes set since (in another window)")
        check_overlaps(ctx.schema, [*others, (row["start"], row["end"], self._old_label)])
        self._check_relations_allow(ctx, relations, self._old_label)
        ctx.tx.write((sql.UPDATE_LABEL, {"where_id": self.span_id, "new_label": self._old_label}))
        write_attributes(ctx, self.span_id, self._dropped)
        span = span_value(ctx, {**row, "label": self._old_label}, dict(sorted({**attributes, **self._dropped}.items())))
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, spans_changed=(span,))

    def _read(
        self, ctx: EditContext
    ) -> tuple[dict[str, Any], list[tuple[int, int, str]], list[tuple[dict[str, Any], str, str]], dict[str, Any]]:
        row, others, relations, attributes = ctx.tx.read(
            span_query(self.span_id),
            overlapping_span_query(ctx, self.span_id),
            relations_query(self.span_id),
            attributes_query(self.span_id),
        )
        return own_span(ctx, row, self.span_id), overlaps_of(others), relations_of(relations), attributes_of(attributes)

    def _check_relations_allow(
        self, ctx: EditContext, relations: list[tuple[dict[str, Any], str, str]], label: str
    ) -> None:
        for relation, head_label, tail_label in relations:
            head_label = label if relation["head_span_id"] == self.span_id else head_label
            tail_label = label if relation["tail_span_id"] == self.span_id else tail_label
            spec = ctx.schema.relation(relation["label"])
            if spec is not None and not spec.allows(head_label, tail_label):
                raise ValidationError(
                    f"cannot relabel to {label}: relation {relation['label']} "
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
        row, attributes = self._read(ctx)
        spec = check_label(ctx.schema, row["label"])
        self.document_id, self._label = row["document_id"], row["label"]
        if self.value is not None:
            check_attribute(spec, self.name, self.value)
        elif spec.attribute(self.name) is None:
            check_attribute(spec, self.name, None)
        self._old = attributes.get(self.name)
        if self._old == self.value:
            raise ValidationError(f"{row['label']}.{self.name} is already {self.value!r}")
        return self._write(ctx, row, attributes, self.value, self.description)

    def revert(self, ctx: EditContext) -> Changes:
        row, attributes = self._read(ctx)
        if attributes.get(self.name) != self.value or row["label"] != self._label:
            raise ValidationError(f"{row['label']}.{self.name} was changed since (in another window)")
        if self._old is not None:
            check_attribute(check_label(ctx.schema, row["label"]), self.name, self._old)
        return self._write(ctx, row, attributes, self._old, f"undo {self.description}")

    def _read(self, ctx: EditContext) -> tuple[dict[str, Any], dict[str, Any]]:
        row, attributes = ctx.tx.read(span_query(self.span_id), attributes_query(self.span_id))
        return own_span(ctx, row, self.span_id), attributes_of(attributes)

    def _write(
        self, ctx: EditContext, row: dict[str, Any], attributes: dict[str, Any], value: Any, description: str
    ) -> Changes:
        this = {"span_id": self.span_id, "attribute": self.name}
        if value is None:
            if self.name in attributes:
                ctx.tx.write((sql.DELETE_ATTRIBUTE, this))
        elif self.name not in attributes:
            write_attributes(ctx, self.span_id, {self.name: value})
        else:
            where = {"where_span_id": self.span_id, "where_name": self.name}
            ctx.tx.write((sql.UPDATE_ATTRIBUTE, {**where, "new_value": value}))
        after = {n: v for n, v in attributes.items() if n != self.name}
        if value is not None:
            after[self.name] = value
        span = span_value(ctx, row, dict(sorted(after.items())))
        return Changes(description, self.document_id, ctx.annotator, spans_changed=(span,))


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
        row, others, attributes = self._read(ctx, self.start, self.end)
        text = ctx.document_text(row["document_id"])
        check_offsets(text, self.start, self.end)
        if (row["start"], row["end"]) == (self.start, self.end):
            raise ValidationError(
                f"{row['label']} '{one_line(text[row['start'] : row['end']])}' already has these edges"
            )
        self.document_id, self._label, self._old = row["document_id"], row["label"], (row["start"], row["end"])
        self._old_text, self._new_text = text[row["start"] : row["end"]], text[self.start : self.end]
        return self._move(ctx, row, others, attributes, self.start, self.end, self.description)

    def revert(self, ctx: EditContext) -> Changes:
        row, others, attributes = self._read(ctx, *self._old)
        return self._move(ctx, row, others, attributes, *self._old, f"undo {self.description}")

    def _read(
        self, ctx: EditContext, start: int, end: int
    ) -> tuple[dict[str, Any], list[tuple[int, int, str]], dict[str, Any]]:
        row, others, attributes = ctx.tx.read(
            span_query(self.span_id),
            overlapping_span_query(ctx, self.span_id, start, end),
            attributes_query(self.span_id),
        )
        return own_span(ctx, row, self.span_id), overlaps_of(others), attributes_of(attributes)

    def _move(
        self,
        ctx: EditContext,
        row: dict[str, Any],
        others: list[tuple[int, int, str]],
        attributes: dict[str, Any],
        start: int,
        end: int,
        description: str,
    ) -> Changes:
        check_overlaps(ctx.schema, [*others, (start, end, row["label"])])
        ctx.tx.write((sql.UPDATE_EDGES, {"where_id": self.span_id, "new_start": start, "new_end": end}))
        span = span_value(ctx, {**row, "start": start, "end": end}, attributes)
        return Changes(description, self.document_id, ctx.annotator, spans_changed=(span,))
