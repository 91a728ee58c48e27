"""Adding and removing relations between two spans of one layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from annotator.commands.base import Command, EditContext, own_span, relation_value, row_dict
from annotator.db.tables import (
    RelationRow,
)
from annotator.errors import NotFoundError, ValidationError
from annotator.models import Changes, Relation
from annotator.short_text import one_line
from annotator.validation import (
    check_relation,
)


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
        head, tail = own_span(ctx, self.head), own_span(ctx, self.tail)
        if head.document_id != tail.document_id:
            raise ValidationError("a relation links two spans of the same document")
        check_relation(
            ctx.schema,
            self.label,
            (head.start, head.end, head.label),
            (tail.start, tail.end, tail.label),
            same_span=head.id == tail.id,
        )
        if _existing(ctx, head.id, tail.id, self.label) is not None:
            raise ValidationError(f"relation {self.label} between these spans exists already")
        self.document_id = head.document_id
        text = ctx.document_text(head.document_id)
        self._words = f"'{one_line(text[head.start : head.end], 20)}' → '{one_line(text[tail.start : tail.end], 20)}'"
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
        return Changes(self.description, self.document_id, ctx.annotator, relations_added=(relation_value(row),))

    def revert(self, ctx: EditContext) -> Changes:
        relation = Relation(self.relation_id or 0, self.label, self.head, self.tail)
        if ctx.session.get(RelationRow, self.relation_id) is None:
            raise NotFoundError(f"relation {self.label} {self._words} was removed since (in another window)")
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
        self.document_id, self._row = row.document_id, row_dict(row)
        value = relation_value(row)
        ctx.session.delete(row)
        ctx.session.flush()
        return Changes(self.description, self.document_id, ctx.annotator, relations_removed=(value,))

    def revert(self, ctx: EditContext) -> Changes:
        # Its ends may have been removed or relabelled since (in another window of the layer).
        head, tail = own_span(ctx, self._row["head_span_id"]), own_span(ctx, self._row["tail_span_id"])
        check_relation(
            ctx.schema,
            self._row["label"],
            (head.start, head.end, head.label),
            (tail.start, tail.end, tail.label),
            same_span=head.id == tail.id,
        )
        if _existing(ctx, head.id, tail.id, self._row["label"]) is not None:
            raise ValidationError(f"relation {self._row['label']} between these spans exists already")
        row = RelationRow(**self._row)
        ctx.session.add(row)
        ctx.session.flush()
        return Changes(
            f"undo {self.description}", self.document_id, ctx.annotator, relations_added=(relation_value(row),)
        )


def _existing(ctx: EditContext, head: int, tail: int, label: str) -> int | None:
    return ctx.session.scalar(
        select(RelationRow.id).where(
            RelationRow.head_span_id == head, RelationRow.tail_span_id == tail, RelationRow.label == label
        )
    )
