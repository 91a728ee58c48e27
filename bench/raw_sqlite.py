"""The baseline: the same import and export done by a minimal script on plain sqlite3 + orjson.

Same tables, columns, types, constraints and indexes as annotator's migration (the DDL
below is what Alembic creates in SQLite, copied from sqlite_master), the same PRAGMAs as
annotator/db/engine.py (WAL, synchronous=FULL, foreign keys on, busy timeout).

Import: one BEGIN IMMEDIATE transaction; every line parsed with orjson; SHA-256 of each
text computed (the column is NOT NULL and UNIQUE); ids assigned by the script (max + 1,
safe under the write lock) so no RETURNING is needed; rows written with executemany in
batches of 2,000 documents. NO validation at all: no schema check of labels, attributes,
relations or offsets, no span-text check, no duplicate detection beyond the constraints.

Export: documents in id order, in chunks of 1,000, each chunk's spans (ordered by
document, annotator, start, end, label), attributes, relations and statuses read with
one plain query per table, lines built as dicts and serialised by orjson exactly as
annotator's native export writes them, written to a file that is fsynced at the end.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import orjson

DESCRIPTION = (
    "raw baseline = plain sqlite3 + orjson, same DDL/indexes/constraints and PRAGMAs "
    "(WAL, synchronous=FULL, foreign_keys=ON); import: one transaction, executemany, ids "
    "assigned by the script, sha256 computed, NO validation; export: 1,000-document chunks, "
    "one query per table per chunk, same JSON lines, fsync at the end; Python's cyclic GC "
    "paused (as a bulk script does; annotator pauses it too)"
)
BATCH_DOCUMENTS = 2000
CHUNK_DOCUMENTS = 1000
BUSY_TIMEOUT_MS = 10_000

DDL = """
CREATE TABLE annotators (
    id INTEGER NOT NULL,
    name VARCHAR(100) NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT pk_annotators PRIMARY KEY (id),
    CONSTRAINT uq_annotators_name UNIQUE (name)
);
CREATE TABLE projects (
    id INTEGER NOT NULL,
    name VARCHAR(200) NOT NULL,
    schema_sha256 VARCHAR(64),
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT uq_projects_name UNIQUE (name)
);
CREATE TABLE documents (
    id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    external_id VARCHAR(255) NOT NULL,
    text TEXT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    meta JSON NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    text_length INTEGER DEFAULT '0' NOT NULL,
    CONSTRAINT pk_documents PRIMARY KEY (id),
    CONSTRAINT fk_documents_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT uq_documents_project_id_external_id UNIQUE (project_id, external_id),
    CONSTRAINT uq_documents_project_id_sha256 UNIQUE (project_id, sha256)
);
CREATE INDEX ix_documents_project ON documents (project_id, id);
CREATE TABLE document_labels (
    document_id INTEGER NOT NULL,
    annotator_id INTEGER NOT NULL,
    label VARCHAR(100) NOT NULL,
    CONSTRAINT pk_document_labels PRIMARY KEY (document_id, annotator_id, label),
    CONSTRAINT fk_document_labels_annotator_id_annotators FOREIGN KEY(annotator_id)
        REFERENCES annotators (id) ON DELETE CASCADE,
    CONSTRAINT fk_document_labels_document_id_documents FOREIGN KEY(document_id)
        REFERENCES documents (id) ON DELETE CASCADE
);
CREATE TABLE document_status (
    document_id INTEGER NOT NULL,
    annotator_id INTEGER NOT NULL,
    status VARCHAR(16) NOT NULL,
    seconds_spent FLOAT NOT NULL,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT pk_document_status PRIMARY KEY (document_id, annotator_id),
    CONSTRAINT ck_document_status_status_known CHECK (status IN ('todo', 'in_progress', 'done', 'skipped')),
    CONSTRAINT fk_document_status_annotator_id_annotators FOREIGN KEY(annotator_id)
        REFERENCES annotators (id) ON DELETE CASCADE,
    CONSTRAINT fk_document_status_document_id_documents FOREIGN KEY(document_id)
        REFERENCES documents (id) ON DELETE CASCADE
);
CREATE TABLE spans (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL,
    annotator_id INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    label VARCHAR(100) NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT ck_spans_offsets_ordered CHECK (start >= 0 AND "end" > start),
    CONSTRAINT fk_spans_annotator_id_annotators FOREIGN KEY(annotator_id) REFERENCES annotators (id) ON DELETE CASCADE,
    CONSTRAINT fk_spans_document_id_documents FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE,
    CONSTRAINT uq_spans_document_id_annotator_id_start_end_label UNIQUE (document_id, annotator_id, start, "end", label)
);
CREATE TABLE relations (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL,
    annotator_id INTEGER NOT NULL,
    label VARCHAR(100) NOT NULL,
    head_span_id INTEGER NOT NULL,
    tail_span_id INTEGER NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT fk_relations_annotator_id_annotators FOREIGN KEY(annotator_id)
        REFERENCES annotators (id) ON DELETE CASCADE,
    CONSTRAINT fk_relations_document_id_documents FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE,
    CONSTRAINT fk_relations_head_span_id_spans FOREIGN KEY(head_span_id) REFERENCES spans (id) ON DELETE CASCADE,
    CONSTRAINT fk_relations_tail_span_id_spans FOREIGN KEY(tail_span_id) REFERENCES spans (id) ON DELETE CASCADE,
    CONSTRAINT uq_relations_head_span_id_tail_span_id_label UNIQUE (head_span_id, tail_span_id, label)
);
CREATE INDEX ix_relations_layer ON relations (document_id, annotator_id);
CREATE INDEX ix_relations_tail ON relations (tail_span_id);
CREATE TABLE span_attributes (
    span_id INTEGER NOT NULL,
    name VARCHAR(100) NOT NULL,
    value JSON NOT NULL,
    CONSTRAINT pk_span_attributes PRIMARY KEY (span_id, name),
    CONSTRAINT fk_span_attributes_span_id_spans FOREIGN KEY(span_id) REFERENCES spans (id) ON DELETE CASCADE
);
"""

INSERT_DOCUMENT = (
    "INSERT INTO documents (id, project_id, external_id, text, text_length, sha256, meta) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INSERT_SPAN = 'INSERT INTO spans (id, document_id, annotator_id, start, "end", label) VALUES (?, ?, ?, ?, ?, ?)'
INSERT_ATTRIBUTE = "INSERT INTO span_attributes (span_id, name, value) VALUES (?, ?, ?)"
INSERT_RELATION = (
    "INSERT INTO relations (document_id, annotator_id, label, head_span_id, tail_span_id) VALUES (?, ?, ?, ?, ?)"
)
INSERT_STATUS = "INSERT INTO document_status (document_id, annotator_id, status, seconds_spent) VALUES (?, ?, ?, 0.0)"

SELECT_DOCUMENTS = (
    "SELECT id, external_id, text, meta FROM documents WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?"
)
SELECT_SPANS = (
    'SELECT id, document_id, annotator_id, start, "end", label FROM spans WHERE document_id BETWEEN ? AND ? '
    'ORDER BY document_id, annotator_id, start, "end", label'
)
SELECT_ATTRIBUTES = (
    "SELECT a.span_id, a.name, a.value FROM span_attributes a JOIN spans s ON s.id = a.span_id "
    "WHERE s.document_id BETWEEN ? AND ? ORDER BY a.span_id, a.name"
)
SELECT_RELATIONS = (
    "SELECT document_id, annotator_id, label, head_span_id, tail_span_id FROM relations "
    "WHERE document_id BETWEEN ? AND ?"
)
SELECT_STATUS = "SELECT document_id, annotator_id, status FROM document_status WHERE document_id BETWEEN ? AND ?"


def connect(path: Path) -> sqlite3.Connection:
    """A connection configured as annotator/db/engine.py configures SQLite."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    return connection


def create_database(path: Path, project: str = "bench") -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = connect(path)
    connection.execute("BEGIN IMMEDIATE")
    for statement in DDL.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute("INSERT INTO projects (name) VALUES (?)", (project,))
    connection.execute("COMMIT")
    connection.close()


# -- import ------------------------------------------------------------------------------


class _Ids:
    """Next free ids, read once under the write lock."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.document = _max_id(connection, "documents") + 1
        self.span = _max_id(connection, "spans") + 1
        self.annotators: dict[str, int] = dict(connection.execute("SELECT name, id FROM annotators").fetchall())
        self.connection = connection

    def annotator(self, name: str) -> int:
        found = self.annotators.get(name)
        if found is None:
            found = self.connection.execute("INSERT INTO annotators (name) VALUES (?)", (name,)).lastrowid or 0
            self.annotators[name] = found
        return found


def _max_id(connection: sqlite3.Connection, table: str) -> int:
    row = connection.execute(f"SELECT max(id) FROM {table}").fetchone()
    sequence = connection.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return max(row[0] or 0, sequence[0] if sequence else 0)


def raw_import(db: Path, corpus: Path, project: str = "bench") -> int:
    """Import the corpus; returns the number of documents written."""
    connection = connect(db)
    try:
        connection.execute("BEGIN IMMEDIATE")
        project_id = connection.execute("SELECT id FROM projects WHERE name = ?", (project,)).fetchone()[0]
        ids = _Ids(connection)
        written = 0
        with corpus.open("rb") as handle:
            for lines in _batches(handle, BATCH_DOCUMENTS):
                written += _write_batch(connection, ids, project_id, [orjson.loads(line) for line in lines])
        connection.execute("COMMIT")
    finally:
        connection.close()
    return written


def _batches(handle: BinaryIO, size: int) -> Iterator[list[bytes]]:
    lines = (line for line in handle if line.strip())
    while batch := list(islice(lines, size)):
        yield batch


def _write_batch(connection: sqlite3.Connection, ids: _Ids, project_id: int, records: list[dict[str, Any]]) -> int:
    documents: list[tuple[Any, ...]] = []
    spans: list[tuple[Any, ...]] = []
    attributes: list[tuple[Any, ...]] = []
    relations: list[tuple[Any, ...]] = []
    statuses: list[tuple[Any, ...]] = []
    for record in records:
        doc_id = ids.document
        ids.document += 1
        text = record["text"]
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        meta = orjson.dumps(record.get("meta") or {}).decode()
        documents.append((doc_id, project_id, record["id"], text, len(text), sha, meta))
        annotator_id = ids.annotator(record["annotator"])
        span_id: dict[str, int] = {}
        for span in record["spans"]:
            span_id[span["id"]] = ids.span
            spans.append((ids.span, doc_id, annotator_id, span["start"], span["end"], span["label"]))
            for name, value in span["attributes"].items():
                attributes.append((ids.span, name, orjson.dumps(value).decode()))
            ids.span += 1
        for relation in record["relations"]:
            relations.append(
                (doc_id, annotator_id, relation["label"], span_id[relation["head"]], span_id[relation["tail"]])
            )
        if record.get("status") is not None:
            statuses.append((doc_id, annotator_id, record["status"]))
    connection.executemany(INSERT_DOCUMENT, documents)
    connection.executemany(INSERT_SPAN, spans)
    connection.executemany(INSERT_ATTRIBUTE, attributes)
    connection.executemany(INSERT_RELATION, relations)
    connection.executemany(INSERT_STATUS, statuses)
    return len(documents)


# -- export ------------------------------------------------------------------------------


def raw_export(db: Path, target: Path, schema: dict[str, Any], project: str = "bench") -> tuple[int, int]:
    """Write the native JSONL of every layer; returns (lines, spans)."""
    connection = connect(db)
    lines = spans = 0
    try:
        project_id = connection.execute("SELECT id FROM projects WHERE name = ?", (project,)).fetchone()[0]
        names: dict[int, str] = dict(connection.execute("SELECT id, name FROM annotators").fetchall())
        with target.open("wb") as out:
            for chunk in _document_chunks(connection, project_id):
                written, span_count = _write_chunk(connection, chunk, names, schema, out)
                lines += written
                spans += span_count
            out.flush()
            os.fsync(out.fileno())
    finally:
        connection.close()
    return lines, spans


def _document_chunks(connection: sqlite3.Connection, project_id: int) -> Iterator[list[tuple[Any, ...]]]:
    last = 0
    while chunk := connection.execute(SELECT_DOCUMENTS, (project_id, last, CHUNK_DOCUMENTS)).fetchall():
        yield chunk
        last = chunk[-1][0]


def _write_chunk(
    connection: sqlite3.Connection,
    chunk: list[tuple[Any, ...]],
    names: dict[int, str],
    schema: dict[str, Any],
    out: BinaryIO,
) -> tuple[int, int]:
    bounds = (chunk[0][0], chunk[-1][0])
    spans: dict[int, dict[int, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
    for row in connection.execute(SELECT_SPANS, bounds):
        spans[row[1]][row[2]].append(row)
    attributes: dict[int, dict[str, Any]] = defaultdict(dict)
    for span_id, name, value in connection.execute(SELECT_ATTRIBUTES, bounds):
        attributes[span_id][name] = orjson.loads(value)
    relations: dict[tuple[int, int], list[tuple[str, int, int]]] = defaultdict(list)
    for doc_id, annotator_id, label, head, tail in connection.execute(SELECT_RELATIONS, bounds):
        relations[(doc_id, annotator_id)].append((label, head, tail))
    status = {(d, a): s for d, a, s in connection.execute(SELECT_STATUS, bounds)}
    layers: dict[int, set[int]] = defaultdict(set)
    for doc_id, annotator_id in [*relations, *status]:
        layers[doc_id].add(annotator_id)
    for doc_id, by_annotator in spans.items():
        layers[doc_id].update(by_annotator)
    lines: list[bytes] = []
    span_count = 0
    for doc_id, external_id, text, meta in chunk:
        base = {"id": external_id, "text": text, "meta": orjson.loads(meta)}
        if doc_id not in layers:  # nobody touched it: one empty line, as annotator writes
            empty = {"spans": [], "relations": [], "annotator": None, "status": "todo", "schema": schema}
            lines.append(orjson.dumps({**base, **empty}))
            continue
        for annotator_id in sorted(layers[doc_id], key=names.__getitem__):
            layer_spans, layer_relations = _layer(
                text, spans[doc_id][annotator_id], attributes, relations.get((doc_id, annotator_id), [])
            )
            span_count += len(layer_spans)
            rest = {
                "spans": layer_spans,
                "relations": layer_relations,
                "annotator": names[annotator_id],
                "status": status.get((doc_id, annotator_id), "todo"),
                "schema": schema,
            }
            lines.append(orjson.dumps({**base, **rest}))
    out.write(b"\n".join(lines) + b"\n")
    return len(lines), span_count


def _layer(
    text: str,
    rows: list[tuple[Any, ...]],
    attributes: dict[int, dict[str, Any]],
    relations: list[tuple[str, int, int]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    number: dict[int, int] = {}
    spans: list[dict[str, Any]] = []
    for n, (span_id, _, _, start, end, label) in enumerate(rows, start=1):
        number[span_id] = n
        span = {"id": f"s{n}", "start": start, "end": end, "label": label, "text": text[start:end]}
        span["attributes"] = attributes.get(span_id, {})
        spans.append(span)
    linked = sorted((number[head], number[tail], label) for label, head, tail in relations)
    return spans, [
        {"id": f"r{n}", "label": label, "head": f"s{head}", "tail": f"s{tail}"}
        for n, (head, tail, label) in enumerate(linked, start=1)
    ]


def main(argv: list[str]) -> int:
    """As a process: `raw_sqlite.py import DB CORPUS` or `raw_sqlite.py export DB OUT SCHEMA_JSON`,
    with the collector paused as a bulk script would (the database made beforehand by create_database)."""
    gc.disable()
    if argv[0] == "import":
        raw_import(Path(argv[1]), Path(argv[2]))
    else:
        raw_export(Path(argv[1]), Path(argv[2]), orjson.loads(argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
