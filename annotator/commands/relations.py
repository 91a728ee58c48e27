"""Adding and removing relations between two spans of one layer (one read exchange, writes with the COMMIT)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotator.commands import statements as sql
from annotator.commands.base import (
    RELATION_COLUMNS,
    Command,
    EditContext,
    first_value,
    own_span,
    relation_value,
    span_query,
)
from annotator.db.exchange import Statement
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
        reads: list[Statement] = [
            span_query(self.head),
            span_query(self.tail),
            _existing(self.head, self.tail, self.label),
        ]
        if self.relation_id is None:
            reads.append(ctx.tx.next_id(sql.RELATIONS))
        found = ctx.tx.read(*reads)
        head, tail = own_span(ctx, found[0], self.head), own_span(ctx, found[1], self.tail)
        if head["document_id"] != tail["document_id"]:
            raise ValidationError("a relation links two spans of the same document")
        check_relation(
            ctx.schema,
            self.label,
            (head["start"], head["end"], head["label"]),
            (tail["start"], tail["end"], tail["label"]),
            same_span=self.head == self.tail,
        )
        if found[2]:
            raise ValidationError(f"relation {self.label} between these spans exists already")
        self.document_id = head["document_id"]
        text = ctx.document_text(self.document_id)
        head_words, tail_words = text[head["start"] : head["end"]], text[tail["start"] : tail["end"]]
        self._words = f"'{one_line(head_words, 20)}' → '{one_line(tail_words, 20)}'"
        relation_id = self.relation_id if self.relation_id is not None else int(first_value(found[3]))
        row = {
            "id": relation_id,
            "document_id": self.document_id,
            "annotator_id": ctx.annotator_id,
            "label": self.label,
            "head_span_id": self.head,
            "tail_span_id": self.tail,
        }
        ctx.tx.write((sql.INSERT_RELATION, row))
        self.relation_id = relation_id
        return Changes(self.description, self.document_id, ctx.annotator, relations_added=(relation_value(row),))

    def revert(self, ctx: EditContext) -> Changes:
        relation = Relation(self.relation_id or 0, self.label, self.head, self.tail)
        (found,) = ctx.tx.read((sql.RELATION, {"relation_id": self.relation_id}))
        if not found:
            raise NotFoundError(f"relation {self.label} {self._words} was removed since (in another window)")
        ctx.tx.write((sql.DELETE_RELATION, {"relation_id": self.relation_id}))
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
        (found,) = ctx.tx.read((sql.RELATION, {"relation_id": self.relation_id}))
        if not found:
            raise NotFoundError(f"no relation with id {self.relation_id}")
        row = dict(zip((c.key for c in RELATION_COLUMNS), found[0], strict=True))
        if row["annotator_id"] != ctx.annotator_id:
            raise ValidationError(f"relation {self.relation_id} is in another annotator's layer")
        self.document_id, self._row = row["document_id"], row
        ctx.tx.write((sql.DELETE_RELATION, {"relation_id": self.relation_id}))
        return Changes(self.description, self.document_id, ctx.annotator, relations_removed=(relation_value(row),))

    def revert(self, ctx: EditContext) -> Changes:
        # Its ends may have been removed or relabelled since (in another window of the layer).
        head_id, tail_id, label = self._row["head_span_id"], self._row["tail_span_id"], self._row["label"]
        head_rows, tail_rows, existing = ctx.tx.read(
            span_query(head_id), span_query(tail_id), _existing(head_id, tail_id, label)
        )
        head, tail = own_span(ctx, head_rows, head_id), own_span(ctx, tail_rows, tail_id)
        check_relation(
            ctx.schema,
            label,
            (head["start"], head["end"], head["label"]),
            (tail["start"], tail["end"], tail["label"]),
            same_span=head_id == tail_id,
        )
        if existing:
            raise ValidationError(f"relation {label} between these spans exists already")
        ctx.tx.write((sql.INSERT_RELATION, self._row))
        return Changes(
            f"undo {self.description}", self.document_id, ctx.annotator, relations_added=(relation_value(self._row),)
        )


def _existing(head: int, tail: int, label: str) -> Statement:
    return sql.RELATION_BETWEEN, {"head": head, "tail": tail, "label": label}
