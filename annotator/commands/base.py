"""What every command shares: its context, its interface, and reading one layer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.commands import statements
from annotator.db.exchange import EditTransaction, Rows, Statement
from annotator.errors import NotFoundError, ValidationError
from annotator.models import Changes, Relation, Span
from annotator.schema import Schema


@dataclass
class EditContext:
    """What a command may touch: one transaction, one annotator's layer."""

    tx: EditTransaction
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


# --- reading one layer ------------------------------------------------------------
# Each helper is a statement for the command's one read exchange (EditTransaction.read),
# keyed by what the command holds (a span id, a document and offsets): the reads of one
# command never wait for each other's answers.

SPAN_COLUMNS = tuple(statements.SPANS.c)
RELATION_COLUMNS = tuple(statements.RELATIONS.c)


@dataclass(frozen=True)
class SpanRecord:
    """Everything needed to put a deleted span back exactly as it was."""

    row: dict[str, Any]
    attributes: dict[str, Any]
    relations: tuple[dict[str, Any], ...]


def span_query(span_id: int) -> Statement:
    return statements.SPAN, {"span_id": span_id}


def own_span(ctx: EditContext, rows: Rows, span_id: int) -> dict[str, Any]:
    """The span row read by span_query, as a dict; refused if missing or in another layer."""
    if not rows:
        raise NotFoundError(f"no span with id {span_id}")
    row = dict(zip((c.key for c in SPAN_COLUMNS), rows[0], strict=True))
    if row["annotator_id"] != ctx.annotator_id:
        raise ValidationError(
            f"span {span_id} is in another annotator's layer; only {ctx.annotator}'s layer can be edited"
        )
    return row


def attributes_query(span_id: int) -> Statement:
    return statements.ATTRIBUTES_OF, {"span_id": span_id}


def attributes_of(rows: Rows) -> dict[str, Any]:
    return dict(sorted((name, value) for name, value in rows))


def span_value(ctx: EditContext, row: Mapping[str, Any], attributes: Mapping[str, Any]) -> Span:
    text = ctx.document_text(row["document_id"])
    return Span(row["id"], row["start"], row["end"], row["label"], text[row["start"] : row["end"]], dict(attributes))


def relation_value(row: Mapping[str, Any]) -> Relation:
    return Relation(row["id"], row["label"], row["head_span_id"], row["tail_span_id"])


def overlapping_query(ctx: EditContext, document_id: int, start: int, end: int) -> Statement:
    """The spans of the layer in a document that overlap [start, end)."""
    values = {"document_id": document_id, "annotator_id": ctx.annotator_id, "start": start, "end": end}
    return statements.OVERLAPPING, values


def overlapping_span_query(
    ctx: EditContext, span_id: int, start: int | None = None, end: int | None = None
) -> Statement:
    """The other spans of the layer overlapping span ``span_id`` (or [start, end) in its document)."""
    if start is None or end is None:
        return statements.OVERLAPPING_SPAN, {"span_id": span_id, "annotator_id": ctx.annotator_id}
    values = {"span_id": span_id, "annotator_id": ctx.annotator_id, "start": start, "end": end}
    return statements.OVERLAPPING_SPAN_AT, values


def overlaps_of(rows: Rows) -> list[tuple[int, int, str]]:
    return [(start, end, label) for start, end, label in rows]


def relations_query(span_id: int) -> Statement:
    """The relations with the span at either end, with the labels of both ends."""
    return statements.RELATIONS_OF, {"span_id": span_id}


def relations_of(rows: Rows) -> list[tuple[dict[str, Any], str, str]]:
    """(relation row, head label, tail label) for each row read by relations_query."""
    keys = [c.key for c in RELATION_COLUMNS]
    return [(dict(zip(keys, row[:-2], strict=True)), row[-2], row[-1]) for row in rows]


def first_value(rows: Rows) -> Any:
    return rows[0][0] if rows else None
