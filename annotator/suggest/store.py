"""Suggestions in the database (core_tables.suggestions, suggested_relations), through Core only:
writing a source's proposals in bulk, and reading what one layer still has to decide.

A layer "still has to decide" a proposed span unless it has that span already (start, end,
label: accepted, or made by hand) or rejected it (review_rejections of that layer: the spans
decided not to belong in it, whether a reviewer rejected a candidate or an annotator a
suggestion). Two sources proposing one span show as one suggestion, with the higher score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import ColumnElement, Connection, Table, and_, delete, exists, insert, select

from annotator.db import core_tables
from annotator.models import NO_ATTRIBUTES
from annotator.suggest.base import Proposals, SuggestedRelation

SUGGESTIONS = core_tables.suggestions
SUGGESTED_RELATIONS = core_tables.suggested_relations


class StoredSuggestion(NamedTuple):
    """One span a layer may accept or reject; sources lists every source that proposed it."""

    start: int
    end: int
    label: str
    score: float
    sources: tuple[str, ...]
    attributes: Mapping[str, Any] = NO_ATTRIBUTES


class DocumentSuggestions(NamedTuple):
    spans: tuple[StoredSuggestion, ...]
    relations: tuple[SuggestedRelation, ...]


def replace_suggestions(connection: Connection, source: str, proposals: Sequence[Proposals]) -> int:
    """Store one source's proposals for the documents in proposals, in place of what that source
    proposed for them before (in the caller's transaction). Returns the spans written."""
    document_ids = [p.document_id for p in proposals]
    if not document_ids:
        return 0
    for table in (SUGGESTIONS, SUGGESTED_RELATIONS):
        connection.execute(delete(table).where(table.c.source == source, table.c.document_id.in_(document_ids)))
    sqlite = connection.dialect.name == "sqlite"
    span_rows = [
        (
            p.document_id,
            source,
            s.start,
            s.end,
            s.label,
            s.score,
            _attributes_json(s.attributes) if sqlite else dict(s.attributes),
        )
        for p in proposals
        for s in {(s.start, s.end, s.label): s for s in p.spans}.values()  # one per span: the unique key
    ]
    relation_rows = [
        (p.document_id, source, r.label, *r.head, *r.tail, r.score)
        for p in proposals
        for r in {(r.label, r.head, r.tail): r for r in p.relations}.values()
    ]
    if span_rows:
        _insert_many(connection, SUGGESTIONS, SPAN_COLUMNS, span_rows)
    if relation_rows:
        _insert_many(connection, SUGGESTED_RELATIONS, RELATION_COLUMNS, relation_rows)
    return len(span_rows)


# The columns a proposal fills, in the tables' order (id and created_at are the database's).
SPAN_COLUMNS = tuple(c.name for c in SUGGESTIONS.c if c.name not in ("id", "created_at"))
RELATION_COLUMNS = tuple(c.name for c in SUGGESTED_RELATIONS.c if c.name not in ("id", "created_at"))
_EMPTY_JSON = "{}"


def _attributes_json(attributes: Mapping[str, Any]) -> str:
    return orjson.dumps(dict(attributes)).decode() if attributes else _EMPTY_JSON


def _insert_many(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows as tuples in `columns` order. SQLite: straight to the driver's executemany (JSON already
    serialised), as the importer's RowWriter does: SQLAlchemy's per-row parameter processing was
    most of a page's write. Elsewhere: Core's executemany (insertmanyvalues batches on psycopg)."""
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(columns))
    if list(compiled.positiontup or ()) != list(columns):
        raise RuntimeError(f"INSERT INTO {table.name} takes {compiled.positiontup}, not {columns}")
    connection.exec_driver_sql(str(compiled), rows)


def open_suggestions(connection: Connection, document_id: int, annotator_id: int | None) -> DocumentSuggestions:
    """What annotator_id's layer of the document has still to decide (every suggestion if the
    annotator has no layer yet: None), in text order."""
    s = SUGGESTIONS.c
    query = select(s.start, s.end, s.label, s.score, s.source, s.attributes).where(s.document_id == document_id)
    if annotator_id is not None:
        spans, rejected = core_tables.spans.c, core_tables.review_rejections.c
        same = and_(spans.start == s.start, spans.end == s.end, spans.label == s.label)
        same_rejected = and_(rejected.start == s.start, rejected.end == s.end, rejected.label == s.label)
        query = query.where(
            ~exists().where(spans.document_id == document_id, spans.annotator_id == annotator_id, same),
            ~exists().where(rejected.document_id == document_id, rejected.annotator_id == annotator_id, same_rejected),
        )
    rows = connection.execute(query.order_by(s.start, s.end, s.label))
    merged = merge_sources((*row[:5], row[5] or NO_ATTRIBUTES) for row in rows)
    return DocumentSuggestions(merged, suggested_relations(connection, document_id, annotator_id))


def merge_sources(
    rows: Iterable[tuple[int, int, str, float, str, Mapping[str, Any]]],
) -> tuple[StoredSuggestion, ...]:
    """Rows (start, end, label, score, source, attributes) in (start, end, label) order, one
    suggestion per span: the highest score, every source, the attributes of the best-scored row
    (of the one with more attributes at equal scores)."""
    merged: dict[tuple[int, int, str], StoredSuggestion] = {}
    for start, end, label, score, source, attributes in rows:
        key = (start, end, label)
        found = merged.get(key)
        if found is None:
            merged[key] = StoredSuggestion(start, end, label, score, (source,), attributes)
            continue
        better = (score, len(attributes)) > (found.score, len(found.attributes))
        merged[key] = StoredSuggestion(
            start,
            end,
            label,
            max(score, found.score),
            (*found.sources, source),
            attributes if better else found.attributes,
        )
    return tuple(merged.values())


def suggested_relations(
    connection: Connection, document_id: int, annotator_id: int | None
) -> tuple[SuggestedRelation, ...]:
    """The document's suggested relations, but those annotator_id's layer rejected (None: all)."""
    r = SUGGESTED_RELATIONS.c
    query = select(r.label, r.head_start, r.head_end, r.head_label, r.tail_start, r.tail_end, r.tail_label)
    if annotator_id is not None:  # those the layer rejected (relation_rejections) are decided
        query = query.where(not_rejected_relation(document_id, annotator_id))
    return tuple(
        SuggestedRelation(label, (hs, he, hl), (ts, te, tl), score, source)
        for label, hs, he, hl, ts, te, tl, score, source in connection.execute(
            query.add_columns(r.score, r.source)
            .where(r.document_id == document_id)
            .order_by(r.head_start, r.tail_start, r.label)
        )
    )


# What names a suggested relation (and its rejection): its label and its ends' offsets and labels.
RELATION_PLACE = ("label", "head_start", "head_end", "head_label", "tail_start", "tail_end", "tail_label")


def not_rejected_relation(document_id: int, annotator_id: int) -> ColumnElement[bool]:
    """A condition on suggested_relations rows: not rejected by the layer (relation_rejections)."""
    refused, r = core_tables.relation_rejections.c, SUGGESTED_RELATIONS.c
    same_place = [refused[name] == r[name] for name in RELATION_PLACE]
    return ~exists().where(refused.document_id == document_id, refused.annotator_id == annotator_id, *same_place)


def add_suggestions(
    connection: Connection,
    documents: Sequence[tuple[int, Sequence[Any], Sequence[Any]]],
) -> int:
    """Add suggestions read from a file (an import: document id, its SuggestionRecords, its
    SuggestedRelationRecords), keeping any the project has already (same document, source and
    span, or relation): an import never changes what a source proposed. Returns the spans added."""
    span_rows = {
        (document_id, s.source, s.start, s.end, s.label): {
            "document_id": document_id,
            "source": s.source,
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "score": s.score,
            "attributes": s.attributes,
        }
        for document_id, spans, _ in documents
        for s in spans
    }
    relation_rows = {
        (document_id, r.source, r.label, r.head, r.tail): {
            "document_id": document_id,
            "source": r.source,
            "label": r.label,
            "head_start": r.head[0],
            "head_end": r.head[1],
            "head_label": r.head[2],
            "tail_start": r.tail[0],
            "tail_end": r.tail[1],
            "tail_label": r.tail[2],
            "score": r.score,
        }
        for document_id, _, relations in documents
        for r in relations
    }
    added = 0
    if span_rows:
        added = _insert_new(connection, SUGGESTIONS, list(span_rows.values()))
    if relation_rows:
        _insert_new(connection, SUGGESTED_RELATIONS, list(relation_rows.values()))
    return added


def _insert_new(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING, in the dialect's words (SQLite and PostgreSQL say it alike);
    returns the rows added."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # RETURNING counts the rows added (executemany's rowcount is the driver's guess on psycopg).
    statement = dialect.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return len(connection.execute(statement, rows).all())
