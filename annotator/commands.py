"""Undoable edits. Each command applies or reverts inside the caller's transaction.

Commands hold plain ids and values, never ORM objects, so they outlive the session
they ran in. Revert restores rows under their old ids: apply-then-revert leaves the
export byte-identical.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from annotator.db.tables import (
    DocumentLabelRow,
    DocumentStatusRow,
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import NotFoundError, ValidationError
from annotator.models import STATUSES, Changes, Relation, Span
from annotator.schema import Schema
from annotator.validation import (
    check_attribute,
    check_attributes,
    check_label,
    check_offsets,
    check_overlaps,
    check_relation,
)


@dataclass
class EditContext:
    """What a command may touch: one transaction, one annotator's layer."""

    session: Session
    schema: Schema
    annotator_id: int
    annotator: str
    document_text: Callable[[int], str]


class Command(ABC):
    document_id: int

    @property
    @abstractmethod
    def description(self) -> str: ...

    @abstractmethod
    def apply(self, ctx: EditContext) -> Changes: ...

    @abstractmethod
    def revert(self, ctx: EditContext) -> Changes: ...


# --- reading and writing one layer ------------------------------------------------


@dataclass(frozen=True)
class _SpanRecord:
    """Everything needed to put a deleted span back exactly as it was."""

    row: dict[str, Any]
    attributes: dict[str, Any]
    relations: tuple[dict[str, Any], ...]


def _own_span(ctx: EditContext, span_id: int) -> SpanRow:
    row = ctx.session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"no span with id {span_id}")
    if row.annotator_id != ctx.annotator_id:
        raise ValidationError(
            f"span {span_id} is in another annotator's layer; only {ctx.annotator}'s layer can be edited"
        )
    return row


def _attributes(session: Session, span_id: int) -> dict[str, Any]:
    rows = session.execute(
        select(SpanAttributeRow.name, SpanAttributeRow.value).where(SpanAttributeRow.span_id == span_id)
    )
    return dict(sorted(rows.all()))


def span_value(ctx: EditContext, row: SpanRow) -> Span:
    text = ctx.document_text(row.document_id)
    return Span(row.id, row.start, row.end, row.label, text[row.start : row.end], _attributes(ctx.session, row.id))


def _relation_value(row: RelationRow) -> Relation:
    return Relation(row.id, row.label, row.head_span_id, row.tail_span_id)


def _overlapping(
    ctx: EditContext, document_id: int, start: int, end: int, exclude: int | None
) -> list[tuple[int, int, str]]:
    query = select(SpanRow.start, SpanRow.end, SpanRow.label).where(
        SpanRow.document_id == document_id,
        SpanRow.annotator_id == ctx.annotator_id,
        SpanRow.start < end,
        SpanRow.end > start,
    )
    if exclude is not None:
        query = query.where(SpanRow.id != exclude)
    return [tuple(r) for r in ctx.session.execute(query)]  # type: ignore[misc]


def _row_dict(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --- spans --------------------------------------------------------------------------


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
        return f"add {self.label} '{_short(self._text)}'"

    def apply(self, ctx: EditContext) -> Changes:
        text = ctx.document_text(self.document_id)
        check_offsets(text, self.start, self.end)
        spec = check_label(ctx.schema, self.label)
        check_attributes(spec, self.attributes)
        new = (self.start, self.end, self.label)
        check_overlaps(ctx.schema, [*_overlapping(ctx, self.document_id, self.start, self.end, None), new])
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
        span = span_value(ctx, _own_span(ctx, self.span_id))
        ctx.session.execute(delete(SpanRow).where(SpanRow.id == self.span_id))
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, spans_removed=(span,))


@dataclass
class RemoveSpan(Command):
    span_id: int
    document_id: int = 0
    _record: _SpanRecord | None = None
    _span: Span | None = None

    @property
    def description(self) -> str:
        span = self._span
        return f"remove {span.label} '{_short(span.text)}'" if span else "remove span"

    def apply(self, ctx: EditContext) -> Changes:
        row = _own_span(ctx, self.span_id)
        self.document_id = row.document_id
        self._span = span_value(ctx, row)
        relations = ctx.session.scalars(
            select(RelationRow).where((RelationRow.head_span_id == row.id) | (RelationRow.tail_span_id == row.id))
        ).all()
        self._record = _SpanRecord(_row_dict(row), dict(self._span.attributes), tuple(_row_dict(r) for r in relations))
        removed_relations = tuple(_relation_value(r) for r in relations)
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
            relations_added=tuple(_relation_value(r) for r in relations),
        )


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
        return f"relabel '{_short(self._text)}' {self._old_label} → {self.label}"

    def apply(self, ctx: EditContext) -> Changes:
        row = _own_span(ctx, self.span_id)
        spec = check_label(ctx.schema, self.label)
        if row.label == self.label:
            raise ValidationError(f"span {self.span_id} is already {self.label}")
        self.document_id, self._old_label = row.document_id, row.label
        self._text = ctx.document_text(row.document_id)[row.start : row.end]
        others = _overlapping(ctx, row.document_id, row.start, row.end, exclude=row.id)
        check_overlaps(ctx.schema, [*others, (row.start, row.end, self.label)])
        self._check_relations_still_allowed(ctx, row)
        attributes = _attributes(ctx.session, row.id)
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
        row = _own_span(ctx, self.span_id)
        row.label = self._old_label
        ctx.session.add_all(SpanAttributeRow(span_id=row.id, name=n, value=v) for n, v in self._dropped.items())
        ctx.session.flush()
        return Changes(
            f"undo {self.description}", self.document_id, ctx.annotator, spans_changed=(span_value(ctx, row),)
        )

    def _check_relations_still_allowed(self, ctx: EditContext, row: SpanRow) -> None:
        relations = ctx.session.scalars(
            select(RelationRow).where((RelationRow.head_span_id == row.id) | (RelationRow.tail_span_id == row.id))
        )
        for relation in relations:
            head = ctx.session.get(SpanRow, relation.head_span_id)
            tail = ctx.session.get(SpanRow, relation.tail_span_id)
            assert head is not None and tail is not None
            head_label = self.label if head.id == row.id else head.label
            tail_label = self.label if tail.id == row.id else tail.label
            spec = ctx.schema.relation(relation.label)
            if spec is not None and not spec.allows(head_label, tail_label):
                raise ValidationError(
                    f"cannot relabel to {self.label}: relation {relation.label} "
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
        return f"set {self._label}.{self.name} = {_short(str(self.value), 24)}"

    def apply(self, ctx: EditContext) -> Changes:
        row = _own_span(ctx, self.span_id)
        spec = check_label(ctx.schema, row.label)
        self.document_id, self._label = row.document_id, row.label
        if self.value is not None:
            check_attribute(spec, self.name, self.value)
        elif spec.attribute(self.name) is None:
            check_attribute(spec, self.name, None)
        self._old = _attributes(ctx.session, row.id).get(self.name)
        if self._old == self.value:
            raise ValidationError(f"{row.label}.{self.name} is already {self.value!r}")
        self._write(ctx, self.value)
        return Changes(self.description, self.document_id, ctx.annotator, spans_changed=(span_value(ctx, row),))

    def revert(self, ctx: EditContext) -> Changes:
        row = _own_span(ctx, self.span_id)
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


# --- relations ----------------------------------------------------------------------


@dataclass
class AddRelation(Command):
    label: str
    head: int
    tail: int
    document_id: int = 0
    relation_id: int | None = None
    _words: str = ""

    @property
    def description(self) -> str:
        return f"add {self.label} {self._words}".rstrip()

    def apply(self, ctx: EditContext) -> Changes:
        head, tail = _own_span(ctx, self.head), _own_span(ctx, self.tail)
        if head.document_id != tail.document_id:
            raise ValidationError("a relation links two spans of the same document")
        check_relation(
            ctx.schema,
            self.label,
            (head.start, head.end, head.label),
            (tail.start, tail.end, tail.label),
            same_span=head.id == tail.id,
        )
        duplicate = ctx.session.scalar(
            select(RelationRow.id).where(
                RelationRow.head_span_id == head.id,
                RelationRow.tail_span_id == tail.id,
                RelationRow.label == self.label,
            )
        )
        if duplicate is not None:
            raise ValidationError(f"relation {self.label} between these spans exists already")
        self.document_id = head.document_id
        text = ctx.document_text(head.document_id)
        self._words = f"'{_short(text[head.start : head.end], 20)}' → '{_short(text[tail.start : tail.end], 20)}'"
        row = RelationRow(
            id=self.relation_id,
            document_id=head.document_id,
            annotator_id=ctx.annotator_id,
            label=self.label,
            head_span_id=head.id,
            tail_span_id=tail.id,
        )
        ctx.session.add(row)
        ctx.session.flush()
        self.relation_id = row.id
        return Changes(self.description, self.document_id, ctx.annotator, relations_added=(_relation_value(row),))

    def revert(self, ctx: EditContext) -> Changes:
        relation = Relation(self.relation_id or 0, self.label, self.head, self.tail)
        ctx.session.execute(delete(RelationRow).where(RelationRow.id == self.relation_id))
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, relations_removed=(relation,))


@dataclass
class RemoveRelation(Command):
    relation_id: int
    document_id: int = 0
    _row: dict[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return f"remove {self._row.get('label', 'relation')}"

    def apply(self, ctx: EditContext) -> Changes:
        row = ctx.session.get(RelationRow, self.relation_id)
        if row is None:
            raise NotFoundError(f"no relation with id {self.relation_id}")
        if row.annotator_id != ctx.annotator_id:
            raise ValidationError(f"relation {self.relation_id} is in another annotator's layer")
        self.document_id, self._row = row.document_id, _row_dict(row)
        value = _relation_value(row)
        ctx.session.delete(row)
        ctx.session.flush()
        return Changes(self.description, self.document_id, ctx.annotator, relations_removed=(value,))

    def revert(self, ctx: EditContext) -> Changes:
        row = RelationRow(**self._row)
        ctx.session.add(row)
        ctx.session.flush()
        return Changes(
            f"undo {self.description}", self.document_id, ctx.annotator, relations_added=(_relation_value(row),)
        )


# --- document-level state -----------------------------------------------------------


@dataclass
class SetStatus(Command):
    document_id: int
    status: str
    _old: dict[str, Any] | None = None

    @property
    def description(self) -> str:
        return f"mark {self.status.replace('_', ' ')}"

    def apply(self, ctx: EditContext) -> Changes:
        if self.status not in STATUSES:
            raise ValidationError(f"unknown status {self.status!r} (use one of {', '.join(STATUSES)})")
        ctx.document_text(self.document_id)  # raises NotFoundError for an unknown document
        row = ctx.session.get(DocumentStatusRow, (self.document_id, ctx.annotator_id))
        self._old = None if row is None else _row_dict(row)
        if row is None:
            ctx.session.add(
                DocumentStatusRow(document_id=self.document_id, annotator_id=ctx.annotator_id, status=self.status)
            )
        elif row.status == self.status:
            raise ValidationError(f"document is already {self.status}")
        else:
            row.status = self.status
        ctx.session.flush()
        return Changes(self.description, self.document_id, ctx.annotator, status=self.status)  # type: ignore[arg-type]

    def revert(self, ctx: EditContext) -> Changes:
        row = ctx.session.get(DocumentStatusRow, (self.document_id, ctx.annotator_id))
        if self._old is None:
            if row is not None:
                ctx.session.delete(row)
            status = "todo"
        else:
            assert row is not None
            row.status = status = self._old["status"]
        ctx.session.flush()
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, status=status)  # type: ignore[arg-type]


@dataclass
class SetDocumentLabel(Command):
    document_id: int
    label: str
    present: bool

    @property
    def description(self) -> str:
        return f"{'add' if self.present else 'remove'} document label {self.label}"

    def apply(self, ctx: EditContext) -> Changes:
        if self.label not in {d.name for d in ctx.schema.document_labels}:
            raise ValidationError(f"unknown document label {self.label!r}")
        ctx.document_text(self.document_id)
        key = (self.document_id, ctx.annotator_id, self.label)
        if (ctx.session.get(DocumentLabelRow, key) is not None) == self.present:
            raise ValidationError(f"document label {self.label} is already {'set' if self.present else 'unset'}")
        self._write(ctx, self.present)
        return Changes(self.description, self.document_id, ctx.annotator, document_labels_changed=True)

    def revert(self, ctx: EditContext) -> Changes:
        self._write(ctx, not self.present)
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, document_labels_changed=True)

    def _write(self, ctx: EditContext, present: bool) -> None:
        key = (self.document_id, ctx.annotator_id, self.label)
        if present:
            ctx.session.add(DocumentLabelRow(document_id=key[0], annotator_id=key[1], label=key[2]))
        else:
            ctx.session.execute(
                delete(DocumentLabelRow).where(
                    DocumentLabelRow.document_id == key[0],
                    DocumentLabelRow.annotator_id == key[1],
                    DocumentLabelRow.label == key[2],
                )
            )
        ctx.session.flush()


@dataclass
class CommandGroup(Command):
    """Several commands as one undo step (e.g. 'label all occurrences')."""

    name: str
    commands: Sequence[Command]
    document_id: int = 0

    @property
    def description(self) -> str:
        return self.name

    def apply(self, ctx: EditContext) -> Changes:
        if not self.commands:
            raise ValidationError(f"{self.name}: nothing to do")
        changes = Changes(self.name)
        for command in self.commands:
            changes = changes.merged(command.apply(ctx), self.name)
        self.document_id = changes.document_id or 0
        return changes

    def revert(self, ctx: EditContext) -> Changes:
        changes = Changes(f"undo {self.name}")
        for command in reversed(self.commands):
            changes = changes.merged(command.revert(ctx), f"undo {self.name}")
        return changes
