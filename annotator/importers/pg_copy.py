"""The import's rows written to PostgreSQL with COPY: what row_writer.RowWriter does there instead of
INSERT ... RETURNING: an import of 10,000 documents took 70 s with those and
28 s with COPY (on a busy machine; bench/postgres.py compares it with a bare COPY script).

COPY gives no ids back, so the ids of new documents and spans (which other rows point at) are
taken from their sequences first, in one round trip each (`nextval` over `generate_series`:
safe beside writers that insert concurrently, where moving the sequence by hand is not), and
written explicitly; relations, statuses and labels get theirs from the column defaults as an
INSERT would. Every COPY runs on the import's own connection inside its transaction, so a
failure rolls back with the rest: the import stays all-or-nothing.

Values go through psycopg's own adapters, which also quote tabs, newlines and backslashes for
COPY. JSON columns get the text an INSERT stores: SQLAlchemy's JSON type hands psycopg a Json
wrapper, which psycopg writes with json.dumps (the engine sets no other serializer, engine.py);
here json.dumps is called directly, once per distinct short string value (attribute values
repeat: "person", dates), and the text goes in as the column's input. NUL and lone surrogates,
which PostgreSQL text cannot hold, never get here: storable.py refuses them when each record is
checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from annotator.db.tables import DocumentRow
from annotator.importers.layer_rows import (
    NewLayer,
    attributes_table,
    labels_table,
    relations_table,
    spans_table,
    status_table,
)

if TYPE_CHECKING:
    from psycopg import Cursor

documents_table = DocumentRow.__table__
JSON_CACHE_CHARS = 100
DOCUMENT_COLUMNS = ("id", "project_id", "external_id", "text", "text_length", "sha256", "meta")


def copy_documents(connection: Connection, documents: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """COPY new documents (loader rows: project_id, external_id, text, text_length, sha256, meta);
    gives (sha256, id) of each, as the INSERT ... RETURNING it replaces does."""
    if not documents:
        return []
    with _cursor(connection) as cursor:
        ids = _reserve_ids(cursor, documents_table, len(documents))
        _copy(
            cursor,
            documents_table,
            DOCUMENT_COLUMNS,
            (
                (
                    doc_id,
                    row["project_id"],
                    row["external_id"],
                    row["text"],
                    row["text_length"],
                    row["sha256"],
                    json.dumps(row["meta"]),
                )
                for doc_id, row in zip(ids, documents, strict=True)
            ),
        )
    return [(row["sha256"], doc_id) for doc_id, row in zip(ids, documents, strict=True)]


def copy_layers(connection: Connection, layers: Sequence[tuple[int, NewLayer]]) -> None:
    """COPY the rows of new layers (document id, layer): spans, attributes, relations, statuses, labels."""
    if not layers:
        return
    json_text = _JsonText()
    with _cursor(connection) as cursor:
        span_ids = iter(_reserve_ids(cursor, spans_table, sum(len(layer.spans) for _, layer in layers)))
        # Per layer, the id of each of its spans, by index (relations name their ends by index).
        layer_span_ids = [[next(span_ids) for _ in layer.spans] for _, layer in layers]
        _copy(
            cursor,
            spans_table,
            ("id", "document_id", "annotator_id", "start", "end", "label"),
            (
                (span_id, doc_id, layer.annotator_id, start, end, label)
                for (doc_id, layer), ids in zip(layers, layer_span_ids, strict=True)
                for span_id, (start, end, label, _) in zip(ids, layer.spans, strict=True)
            ),
        )
        _copy(
            cursor,
            attributes_table,
            ("span_id", "name", "value"),
            (
                (span_id, name, json_text(value))
                for (_, layer), ids in zip(layers, layer_span_ids, strict=True)
                for span_id, (_, _, _, attributes) in zip(ids, layer.spans, strict=True)
                for name, value in attributes.items()
            ),
        )
        _copy(
            cursor,
            relations_table,
            ("document_id", "annotator_id", "label", "head_span_id", "tail_span_id"),
            (
                (doc_id, layer.annotator_id, label, ids[head], ids[tail])
                for (doc_id, layer), ids in zip(layers, layer_span_ids, strict=True)
                for label, head, tail in layer.relations
            ),
        )
        _copy(
            cursor,
            status_table,
            ("document_id", "annotator_id", "status", "seconds_spent"),
            (
                (doc_id, layer.annotator_id, layer.status, layer.seconds_spent)
                for doc_id, layer in layers
                if layer.status is not None
            ),
        )
        _copy(
            cursor,
            labels_table,
            ("document_id", "annotator_id", "label"),
            ((doc_id, layer.annotator_id, label) for doc_id, layer in layers for label in layer.document_labels),
        )


class _JsonText(dict[str, str]):
    """json.dumps of a value, remembered for short strings (keyed by the string: 1, 1.0 and True
    would collide as keys, and are cheap to write anyway)."""

    def __call__(self, value: Any) -> str:
        if type(value) is not str or len(value) > JSON_CACHE_CHARS:
            return json.dumps(value)
        text = self.get(value)
        if text is None:
            text = self[value] = json.dumps(value)
        return text


@contextmanager
def _cursor(connection: Connection) -> Iterator[Cursor[Any]]:
    """A psycopg cursor on the connection's own driver connection, inside its transaction.

    A driver error becomes SQLAlchemy's exception for it (IntegrityError, DataError, ...), as a
    statement run through SQLAlchemy raises, so the loader reports it the same way."""
    import psycopg

    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection), "COPY is for PostgreSQL through psycopg"
    try:
        with driver.cursor() as cursor:
            yield cursor
    except psycopg.Error as error:
        wrapped = DBAPIError.instance("COPY (import)", None, error, psycopg.Error, dialect=connection.dialect)
        raise wrapped from error


def _reserve_ids(cursor: Cursor[Any], table: Table, count: int) -> list[int]:
    """`count` new ids from the table's id sequence, in one round trip."""
    if count == 0:
        return []
    cursor.execute(
        "SELECT nextval(sequence) FROM (SELECT pg_get_serial_sequence(%s, 'id') AS sequence) AS found, "
        "generate_series(1, %s)",
        (table.name, count),
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor: Cursor[Any], table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """One COPY of the rows into the table's columns; none at all without rows."""
    from psycopg import sql

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cursor.copy(statement) as copy:
        copy.write_row(first)
        for row in rows:
            copy.write_row(row)
