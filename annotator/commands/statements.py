"""Every statement an edit sends, built once: an edit only binds values to them.

Building a statement and compiling it costs SQLAlchemy more than the database takes to run
it (a few milliseconds per statement on PostgreSQL, where each exchange is compiled for the
driver: db/exchange.py), so the statements are module constants with named parameters;
SQLAlchemy's cache (SQLite) and the exchange's (PostgreSQL) compile each once per process.

In an UPDATE the parameters are named ``where_<column>`` and ``new_<column>`` (SQLAlchemy
reserves the columns' own names there); an INSERT takes its values by column name.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update

from annotator.db.tables import (
    DocumentLabelRow,
    DocumentRow,
    DocumentStatusRow,
    EventRow,
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)

SPANS = SpanRow.__table__
ATTRIBUTES = SpanAttributeRow.__table__
RELATIONS = RelationRow.__table__
STATUS = DocumentStatusRow.__table__
LABELS = DocumentLabelRow.__table__
EVENTS = EventRow.__table__

_TARGET, _HEAD, _TAIL = SPANS.alias("target"), SPANS.alias("head"), SPANS.alias("tail")
_IN_LAYER = (SPANS.c.annotator_id == bindparam("annotator_id"),)


def _overlapping(document: Any, start: Any, end: Any) -> Any:
    return select(SPANS.c.start, SPANS.c.end, SPANS.c.label).where(
        SPANS.c.document_id == document, *_IN_LAYER, SPANS.c.start < end, SPANS.c.end > start
    )


# --- reads --------------------------------------------------------------------------

SPAN = select(*SPANS.c).where(SPANS.c.id == bindparam("span_id"))
ATTRIBUTES_OF = select(ATTRIBUTES.c.name, ATTRIBUTES.c.value).where(ATTRIBUTES.c.span_id == bindparam("span_id"))
# The layer's spans in a document overlapping [start, end).
OVERLAPPING = _overlapping(bindparam("document_id"), bindparam("start"), bindparam("end"))
# The layer's other spans overlapping span span_id where it is, or at [start, end) in its document.
OVERLAPPING_SPAN = (
    _overlapping(_TARGET.c.document_id, _TARGET.c.start, _TARGET.c.end)
    .join(_TARGET, _TARGET.c.id == bindparam("span_id"))
    .where(SPANS.c.id != bindparam("span_id"))
)
OVERLAPPING_SPAN_AT = (
    _overlapping(_TARGET.c.document_id, bindparam("start"), bindparam("end"))
    .join(_TARGET, _TARGET.c.id == bindparam("span_id"))
    .where(SPANS.c.id != bindparam("span_id"))
)
_AT_EITHER_END = or_(RELATIONS.c.head_span_id == bindparam("span_id"), RELATIONS.c.tail_span_id == bindparam("span_id"))
# The relations with span span_id at either end (an index for each end: the unique constraint
# that starts with head_span_id, and ix_relations_tail), with the labels of both ends.
RELATIONS_OF = (
    select(*RELATIONS.c, _HEAD.c.label, _TAIL.c.label)
    .join(_HEAD, _HEAD.c.id == RELATIONS.c.head_span_id)
    .join(_TAIL, _TAIL.c.id == RELATIONS.c.tail_span_id)
    .where(_AT_EITHER_END)
    .order_by(RELATIONS.c.id)
)
RELATIONS_COUNT = select(func.count()).select_from(RELATIONS).where(_AT_EITHER_END)
RELATION = select(*RELATIONS.c).where(RELATIONS.c.id == bindparam("relation_id"))
RELATION_BETWEEN = select(RELATIONS.c.id).where(
    RELATIONS.c.head_span_id == bindparam("head"),
    RELATIONS.c.tail_span_id == bindparam("tail"),
    RELATIONS.c.label == bindparam("label"),
)
_STATUS_ROW = (STATUS.c.document_id == bindparam("document_id"), STATUS.c.annotator_id == bindparam("annotator_id"))
STATUS_OF = select(STATUS.c.status).where(*_STATUS_ROW)
_LABEL_ROW = (
    LABELS.c.document_id == bindparam("document_id"),
    LABELS.c.annotator_id == bindparam("annotator_id"),
    LABELS.c.label == bindparam("document_label"),
)
LABEL_OF = select(LABELS.c.label).where(*_LABEL_ROW)
# One document's part of the layer (the index of spans starts with document and annotator;
# relations have ix_relations_layer): what undoing many new spans at once checks them against.
_DOCUMENT_LAYER = (SPANS.c.document_id == bindparam("document_id"), *_IN_LAYER)
LAYER_SPANS = select(*SPANS.c).where(*_DOCUMENT_LAYER)
LAYER_ATTRIBUTES = (
    select(ATTRIBUTES.c.span_id, ATTRIBUTES.c.name, ATTRIBUTES.c.value)
    .join(SPANS, SPANS.c.id == ATTRIBUTES.c.span_id)
    .where(*_DOCUMENT_LAYER)
)
LAYER_RELATION_ENDS = select(RELATIONS.c.head_span_id, RELATIONS.c.tail_span_id).where(
    RELATIONS.c.document_id == bindparam("document_id"), RELATIONS.c.annotator_id == bindparam("annotator_id")
)

# --- writes -------------------------------------------------------------------------

INSERT_SPAN = insert(SPANS)
INSERT_ATTRIBUTE = insert(ATTRIBUTES)
INSERT_RELATION = insert(RELATIONS)
INSERT_STATUS = insert(STATUS)
INSERT_LABEL = insert(LABELS)
INSERT_EVENT = insert(EVENTS).returning(EVENTS.c.id)  # its id: the service's own edits (shown_layer.py)
DELETE_SPAN = delete(SPANS).where(SPANS.c.id == bindparam("span_id"))
_ATTRIBUTE_ROW = (ATTRIBUTES.c.span_id == bindparam("span_id"), ATTRIBUTES.c.name == bindparam("attribute"))
DELETE_ATTRIBUTE = delete(ATTRIBUTES).where(*_ATTRIBUTE_ROW)
UPDATE_ATTRIBUTE = (
    update(ATTRIBUTES)
    .where(ATTRIBUTES.c.span_id == bindparam("where_span_id"), ATTRIBUTES.c.name == bindparam("where_name"))
    .values(value=bindparam("new_value", type_=ATTRIBUTES.c.value.type))
)
UPDATE_LABEL = update(SPANS).where(SPANS.c.id == bindparam("where_id")).values(label=bindparam("new_label"))
UPDATE_EDGES = (
    update(SPANS)
    .where(SPANS.c.id == bindparam("where_id"))
    .values(start=bindparam("new_start"), end=bindparam("new_end"))
)
DELETE_RELATION = delete(RELATIONS).where(RELATIONS.c.id == bindparam("relation_id"))
UPDATE_STATUS = (
    update(STATUS)
    .where(
        STATUS.c.document_id == bindparam("where_document_id"), STATUS.c.annotator_id == bindparam("where_annotator_id")
    )
    .values(status=bindparam("new_status"))
)
DELETE_STATUS = delete(STATUS).where(*_STATUS_ROW)
DELETE_LABEL = delete(LABELS).where(*_LABEL_ROW)


def _add_time(dialect_insert: Any) -> Any:
    """Reading time added to the layer's status row of a document, made (todo) if missing; the
    document must be the project's (no row is written, none returned, for any other)."""
    columns = (STATUS.c.document_id, STATUS.c.annotator_id, STATUS.c.status, STATUS.c.seconds_spent)
    values = [
        bindparam(name, type_=c.type)
        for name, c in zip(("document_id", "annotator_id", "status", "seconds"), columns, strict=True)
    ]
    document = select(*values).where(
        DocumentRow.id == bindparam("document_id"), DocumentRow.project_id == bindparam("project_id")
    )
    statement = dialect_insert(STATUS).from_select(columns, document)
    more = {"seconds_spent": STATUS.c.seconds_spent + statement.excluded.seconds_spent}
    return statement.on_conflict_do_update(index_elements=list(STATUS.primary_key), set_=more).returning(
        STATUS.c.document_id
    )


@cache
def add_time_statement(dialect_name: str) -> Any:
    """The upsert in the words of the dialect in use (INSERT ... ON CONFLICT DO UPDATE on both), built
    on first use: the PostgreSQL dialect's modules hold ~2 MiB that a window on SQLite never needs."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return _add_time(postgresql.insert)
    from sqlalchemy.dialects import sqlite

    return _add_time(sqlite.insert)
