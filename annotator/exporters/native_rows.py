"""What the native export reads: one query per table for the whole export, in document order.

Each table (documents, spans, span attributes, relations, statuses, document labels) is read
by one query through a cursor, ordered by document id along an index, so no database sorts
and none rescans: the export runs the same few queries for 10 or 100,000 documents, and on
PostgreSQL a per-chunk join had let the planner scan a whole table for every chunk (an export
quadratic in the project). The cursors are read in blocks and merged a chunk of documents at a
time (ChunkLayers), so memory holds one chunk whatever the size of the project.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, Text, cast, func, select

from annotator.db import core_tables

# Core tables, not the ORM classes: an export never loads sqlalchemy.orm (db/core_tables.py).
DOCUMENTS = core_tables.documents
SPANS = core_tables.spans
ATTRIBUTES = core_tables.span_attributes
RELATIONS = core_tables.relations
STATUSES = core_tables.document_status
DOCUMENT_LABELS = core_tables.document_labels
SUGGESTIONS = core_tables.suggestions
SUGGESTED_RELATIONS = core_tables.suggested_relations
REJECTIONS = core_tables.review_rejections

ROWS_PER_FETCH = 2_000  # rows of a table fetched at a time (one round trip on PostgreSQL): ~a chunk's spans

_DOCUMENT = itemgetter(0)  # every query's first column: the document id, ascending
_LAYER = itemgetter(0, 1)  # (document id, annotator id)


class TableStream:
    """The rows of one query whose first column is the document id, ascending, read through a
    cursor a block at a time and handed out up to a given document."""

    def __init__(self, connection: Connection, query: Select[*tuple[Any, ...]]) -> None:
        self.fetch = row_reader(connection, query, ROWS_PER_FETCH)
        self.block: Sequence[Any] = []
        self.at = 0  # rows of block before this were handed out
        self.exhausted = False

    def until(self, last_document: int) -> list[Any]:
        """The rows not yet taken whose document id is at most last_document."""
        taken: list[Any] = []
        while not self.exhausted:
            if self.at == len(self.block):
                self.block = self.fetch()
                self.at = 0
                if not self.block:
                    self.exhausted = True
                    break
            end = bisect_right(self.block, last_document, self.at, key=_DOCUMENT)  # in C: no per-row Python
            taken += self.block[self.at : end]
            self.at = end
            if end < len(self.block):
                break
        return taken


class ProjectTables:
    """The cursors of one export: a project's documents and their layers' rows, filtered."""

    def __init__(
        self,
        connection: Connection,
        project_id: int,
        only: int | None,
        labels: Collection[str] | None,
        suggestions: bool = False,
    ) -> None:
        self.connection = connection
        self.project_id = project_id
        first, last = connection.execute(
            select(func.min(DOCUMENTS.c.id), func.max(DOCUMENTS.c.id)).where(DOCUMENTS.c.project_id == project_id)
        ).one()
        self.empty = first is None

        # Rows of the project's id range; a document of another project sharing the range
        # (one PostgreSQL database, several projects) is never asked for, so its rows are skipped.
        def layer_rows(query: Select[*tuple[Any, ...]], document: Any, annotator: Any) -> TableStream:
            query = query.where(document.between(first, last))
            if only is not None:
                query = query.where(annotator == only)
            return TableStream(connection, query)

        if self.empty:
            return
        spans = select(SPANS.c.document_id, SPANS.c.annotator_id, SPANS.c.start, SPANS.c.end, SPANS.c.label, SPANS.c.id)
        if labels is not None:
            spans = spans.where(SPANS.c.label.in_(labels))
        # The unique (document, annotator, start, end, label) index gives this order: no sort.
        self.spans = layer_rows(
            spans.order_by(SPANS.c.document_id, SPANS.c.annotator_id, SPANS.c.start, SPANS.c.end),
            SPANS.c.document_id,
            SPANS.c.annotator_id,
        )
        self.attributes = TableStream(connection, _attribute_query(project_id, only, labels))
        relations = select(
            RELATIONS.c.document_id,
            RELATIONS.c.annotator_id,
            RELATIONS.c.label,
            RELATIONS.c.head_span_id,
            RELATIONS.c.tail_span_id,
        ).order_by(RELATIONS.c.document_id, RELATIONS.c.annotator_id)  # ix_relations_layer
        self.relations = layer_rows(relations, RELATIONS.c.document_id, RELATIONS.c.annotator_id)
        statuses = select(STATUSES.c.document_id, STATUSES.c.annotator_id, STATUSES.c.status)
        statuses = statuses.order_by(STATUSES.c.document_id, STATUSES.c.annotator_id)  # its primary key
        self.statuses = layer_rows(statuses, STATUSES.c.document_id, STATUSES.c.annotator_id)
        document_labels = select(
            DOCUMENT_LABELS.c.document_id, DOCUMENT_LABELS.c.annotator_id, DOCUMENT_LABELS.c.label
        ).order_by(DOCUMENT_LABELS.c.document_id, DOCUMENT_LABELS.c.annotator_id)  # its primary key
        self.document_labels = layer_rows(
            document_labels, DOCUMENT_LABELS.c.document_id, DOCUMENT_LABELS.c.annotator_id
        )
        self.suggestions: TableStream | None = None
        if suggestions:  # --include-suggestions: the documents' suggestions and the layers' rejections
            self._suggestion_streams(first, last, only, labels)

    def _suggestion_streams(self, first: int, last: int, only: int | None, labels: Collection[str] | None) -> None:
        s, r, x = SUGGESTIONS.c, SUGGESTED_RELATIONS.c, REJECTIONS.c
        # Each in the order of its unique index (document first): no sort.
        spans = select(s.document_id, s.source, s.start, s.end, s.label, s.score, cast(s.attributes, Text))
        relations = select(
            r.document_id, r.source, r.label, r.head_start, r.head_end, r.head_label, r.tail_start, r.tail_end
        ).add_columns(r.tail_label, r.score)
        rejections = select(x.document_id, x.annotator_id, x.start, x.end, x.label)
        if labels is not None:
            spans = spans.where(s.label.in_(labels))
            relations = relations.where(r.head_label.in_(labels), r.tail_label.in_(labels))
        if only is not None:
            rejections = rejections.where(x.annotator_id == only)
        self.suggestions = TableStream(
            self.connection, spans.where(s.document_id.between(first, last)).order_by(s.document_id, s.source)
        )
        self.suggested_relations = TableStream(
            self.connection, relations.where(r.document_id.between(first, last)).order_by(r.document_id, r.source)
        )
        self.rejections = TableStream(
            self.connection,
            rejections.where(x.document_id.between(first, last)).order_by(x.document_id, x.annotator_id),
        )

    def document_chunks(self, size: int) -> Iterator[Sequence[Any]]:
        """(id, external id, text, meta as JSON text) of the project's documents, size at a time."""
        if self.empty:
            return
        query = (
            select(DOCUMENTS.c.id, DOCUMENTS.c.external_id, DOCUMENTS.c.text, cast(DOCUMENTS.c.meta, Text))
            .where(DOCUMENTS.c.project_id == self.project_id)
            .order_by(DOCUMENTS.c.id)
        )
        fetch = row_reader(self.connection, query, size)
        while chunk := fetch():
            yield chunk


def row_reader(connection: Connection, query: Select[*tuple[Any, ...]], rows: int) -> Callable[[], Sequence[Any]]:
    """A function giving the query's next rows, up to `rows` at a time ([] at the end).

    On a server (psycopg) the rows come through a server-side cursor, where the driver would
    otherwise hold the whole result. SQLite's cursor already steps through the rows as they are
    fetched, and its rows are what SQLAlchemy would give (integers and text: nothing to convert),
    so they are taken from it as they are: buffering and wrapping them into SQLAlchemy's rows was
    more than half of what the export did beyond the plain sqlite3 script (bench/raw_sqlite.py),
    counted in instructions.
    """
    if connection.dialect.supports_server_side_cursors:
        result = connection.execute(query.execution_options(yield_per=rows))
        return lambda: result.fetchmany(rows)
    cursor = connection.execute(query).cursor
    return lambda: cursor.fetchmany(rows)


def _attribute_query(project_id: int, only: int | None, labels: Collection[str] | None) -> Select[*tuple[Any, ...]]:
    """Attributes through their spans' documents: PostgreSQL's plan takes each span's attributes by
    index, in document order, with nothing to sort (matching them by span ids was a hashed filter
    over the whole table)."""
    query = (
        select(DOCUMENTS.c.id, ATTRIBUTES.c.span_id, ATTRIBUTES.c.name, cast(ATTRIBUTES.c.value, Text))
        .join(SPANS, SPANS.c.id == ATTRIBUTES.c.span_id)
        .join(DOCUMENTS, DOCUMENTS.c.id == SPANS.c.document_id)
        .where(DOCUMENTS.c.project_id == project_id)
        .order_by(DOCUMENTS.c.id)  # the documents' index order: SQLite too needs no sort
    )
    if only is not None:
        query = query.where(SPANS.c.annotator_id == only)
    if labels is not None:
        query = query.where(SPANS.c.label.in_(labels))
    return query


def grouped_by_layer(rows: list[Any]) -> dict[tuple[int, int], list[Any]]:
    """Rows ordered by (document, annotator), as lists per layer."""
    return {layer: list(group) for layer, group in groupby(rows, _LAYER)}
