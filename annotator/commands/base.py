"""What every command shares: its context, its interface, and reading one layer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.db.tables import (
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import NotFoundError, ValidationError
from annotator.models import Changes, Relation, Span
from annotator.schema import Schema


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


def run_step(command: Command, step: Callable[[EditContext], Changes], ctx: EditContext, how: str) -> Changes:
    """Run a command's apply (how: "do", "redo") or revert ("undo") inside the caller's transaction.

    Undo and redo write rows back: they are checked like any edit, under the same layer lock,
    against the layer as it is now (another window of the annotator may have changed it). A
    refusal names the step; the caller's rollback and untouched history do the rest.
    """
    try:
        return step(ctx)
    except (ValidationError, NotFoundError) as error:
        if how == "do":
            raise
        raise type(error)(f"cannot {how} '{command.description}': {error}") from error


# --- reading and writing one layer ------------------------------------------------


@dataclass(frozen=True)
class SpanRecord:
    """Everything needed to put a deleted span back exactly as it was."""

    row: dict[str, Any]
    attributes: dict[str, Any]
    relations: tuple[dict[str, Any], ...]


def own_span(ctx: EditContext, span_id: int) -> SpanRow:
    row = ctx.session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"no span with id {span_id}")
    if row.annotator_id != ctx.annotator_id:
        raise ValidationError(
            f"span {span_id} is in another annotator's layer; only {ctx.annotator}'s layer can be edited"
        )
    return row


def span_attributes(session: Session, span_id: int) -> dict[str, Any]:
    rows = session.execute(
        select(SpanAttributeRow.name, SpanAttributeRow.value).where(SpanAttributeRow.span_id == span_id)
    )
    return dict(sorted(rows.all()))


def span_value(ctx: EditContext, row: SpanRow) -> Span:
    text = ctx.document_text(row.document_id)
    return Span(row.id, row.start, row.end, row.label, text[row.start : row.end], span_attributes(ctx.session, row.id))


def relation_value(row: RelationRow) -> Relation:
    return Relation(row.id, row.label, row.head_span_id, row.tail_span_id)


def overlapping(
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


def relations_of(ctx: EditContext, span_id: int) -> list[RelationRow]:
    """The relations that have the span at either end."""
    query = select(RelationRow).where((RelationRow.head_span_id == span_id) | (RelationRow.tail_span_id == span_id))
    return list(ctx.session.scalars(query))


def row_dict(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


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
