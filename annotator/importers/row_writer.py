"""How an import's documents and layers reach the database, in batches.

SQLite: the import's transaction took the write lock first thing (BEGIN IMMEDIATE, see
db/engine.writer) and holds it to its commit, so no other writer can take an id meanwhile:
ids are handed out here, counting on from the largest ever used (AUTOINCREMENT tables keep
theirs in sqlite_sequence), exactly the ids SQLite would have given. Every row then goes to
the driver's executemany as a plain tuple through SQLAlchemy's exec_driver_sql: no RETURNING
to read back and match, no per-row parameter processing, JSON values serialised once with
orjson (storable.py admits only values orjson writes exactly). That is the work of a bare
sqlite3 script; what SQLAlchemy's Core executemany adds per row was half of the import.

PostgreSQL: ids are reserved from the sequences and the rows sent by COPY (pg_copy.py), about
twice as fast as INSERT ... RETURNING; those two are the backends a project may use (config.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Table, insert, text

from annotator.db.tables import DocumentRow
from annotator.importers.layer_rows import (
    NewLayer,
    attributes_table,
    labels_table,
    relations_table,
    spans_table,
    status_table,
)
from annotator.importers.pg_copy import copy_documents, copy_layers

documents_table = DocumentRow.__table__
MAX_CACHED_STRINGS = 4096
MAX_CACHED_LENGTH = 64
DOCUMENT_COLUMNS = ("id", "project_id", "external_id", "text", "text_length", "sha256", "meta")


class RowWriter:
    """Writes the rows of one import, on the connection of its transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.own_ids = connection.dialect.name == "sqlite"
        self._next_id: dict[str, int] = {}  # table -> the next id to hand out (SQLite)
        self._sql: dict[str, str] = {}  # table -> its INSERT with positional parameters
        self._json_strings: dict[str, str] = {}  # short string attribute value -> its JSON

    def documents(self, rows: list[dict[str, Any]]) -> Iterable[tuple[str, int]]:
        """Insert documents (dicts of their columns); their (sha256, id) pairs."""
        if not self.own_ids:
            return copy_documents(self.connection, rows)
        first = self._take_ids(documents_table, len(rows))
        self._insert(
            documents_table,
            DOCUMENT_COLUMNS,
            [
                (
                    first + n,
                    row["project_id"],
                    row["external_id"],
                    row["text"],
                    row["text_length"],
                    row["sha256"],
                    _json(row["meta"]),
                )
                for n, row in enumerate(rows)
            ],
        )
        return [(row["sha256"], first + n) for n, row in enumerate(rows)]

    def layers(self, layers: list[tuple[int, NewLayer]]) -> None:
        """Insert the rows of new layers (document id, layer)."""
        if not self.own_ids:
            copy_layers(self.connection, layers)
            return
        span_id = self._take_ids(spans_table, sum(len(layer.spans) for _, layer in layers))
        spans: list[tuple[Any, ...]] = []
        attributes: list[tuple[Any, ...]] = []
        relations: list[tuple[Any, ...]] = []
        statuses: list[tuple[Any, ...]] = []
        labels: list[tuple[Any, ...]] = []
        known = self._json_strings
        for doc_id, layer in layers:
            annotator_id = layer.annotator_id
            first = span_id  # a relation's ends are indexes into the layer's spans
            for start, end, label, values in layer.spans:
                spans.append((span_id, doc_id, annotator_id, start, end, label))
                for name in sorted(values) if len(values) > 1 else values:  # rows by name, as ever
                    value = values[name]
                    stored = known.get(value) if type(value) is str else None
                    attributes.append((span_id, name, stored or self._json_value(value)))
                span_id += 1
            for label, head, tail in layer.relations:
                relations.append((doc_id, annotator_id, label, first + head, first + tail))
            if layer.status is not None:
                statuses.append((doc_id, annotator_id, layer.status, layer.seconds_spent))
            labels.extend((doc_id, annotator_id, label) for label in layer.document_labels)
        for table, columns, rows in (
            (spans_table, ("id", "document_id", "annotator_id", "start", "end", "label"), spans),
            (attributes_table, ("span_id", "name", "value"), attributes),
            (relations_table, ("document_id", "annotator_id", "label", "head_span_id", "tail_span_id"), relations),
            (status_table, ("document_id", "annotator_id", "status", "seconds_spent"), statuses),
            (labels_table, ("document_id", "annotator_id", "label"), labels),
        ):
            if rows:
                self._insert(table, columns, rows)

    def _json_value(self, value: Any) -> str:
        """An attribute value's JSON; values repeat ("person", a date), so a short string's is made once."""
        if type(value) is not str or len(value) > MAX_CACHED_LENGTH:
            return _json(value)
        stored = self._json_strings.get(value)
        if stored is None:
            stored = _json(value)
            if len(self._json_strings) < MAX_CACHED_STRINGS:  # memory stays flat whatever the corpus holds
                self._json_strings[value] = stored
        return stored

    def _insert(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        sql = self._sql.get(table.name)
        if sql is None:
            # The dialect writes the statement (quoting "end"); the tuples follow its parameter order.
            compiled = insert(table).compile(dialect=self.connection.dialect, column_keys=list(columns))
            if list(compiled.positiontup or ()) != list(columns):
                raise RuntimeError(f"INSERT INTO {table.name} takes {compiled.positiontup}, not {columns}")
            sql = self._sql[table.name] = str(compiled)
        self.connection.exec_driver_sql(sql, rows)

    def _take_ids(self, table: Table, count: int) -> int:
        """The first of `count` new ids of the table (SQLite, under the import's write lock)."""
        first = self._next_id.get(table.name)
        if first is None:
            largest = self.connection.scalar(text(f"SELECT max(id) FROM {table.name}")) or 0
            # AUTOINCREMENT tables never reuse an id, not even the largest one's after a delete.
            used = self.connection.scalar(
                text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
            )
            first = max(largest, used or 0) + 1
        self._next_id[table.name] = first + count
        return first


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
