"""The PostgreSQL baseline: the same import and export done by a minimal psycopg script.

Import: one transaction; every line parsed with orjson; SHA-256 and length of each text
computed (NOT NULL columns); ids assigned by the script from max(id) + 1 (the sequences are
moved past them at the end), so nothing is read back; per 2,000 documents one COPY ... FROM
STDIN per table (documents, spans, span_attributes, relations, document_status) with
psycopg's write_row, JSON columns as orjson text. NO validation at all.

Export: one REPEATABLE READ READ ONLY transaction; one server-side cursor per table (documents
by id; spans by document, annotator, start, end, label; attributes joined to their span's
document; relations; statuses), all ordered by document and read side by side in lockstep,
2,000 rows a fetch; each record built as a dict and serialised by orjson exactly as
annotator's native export writes it; the file fsynced at the end.

Both run against tables made by annotator's own migrations, so the DDL is the same.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import psycopg

DESCRIPTION = (
    "baseline = a minimal psycopg script on the same tables: import = one transaction, COPY FROM STDIN "
    "per table per 2,000 documents, ids assigned by the script, sha256 computed, NO validation; export = "
    "one server-side cursor per table, ordered by document, read in lockstep into the same JSON lines, fsync"
)
BATCH_DOCUMENTS = 2000
FETCH_ROWS = 2000

COPIES = {
    "documents": "COPY documents (id, project_id, external_id, text, text_length, sha256, meta) FROM STDIN",
    "spans": 'COPY spans (id, document_id, annotator_id, start, "end", label) FROM STDIN',
    "span_attributes": "COPY span_attributes (span_id, name, value) FROM STDIN",
    "relations": "COPY relations (document_id, annotator_id, label, head_span_id, tail_span_id) FROM STDIN",
    "document_status": "COPY document_status (document_id, annotator_id, status, seconds_spent) FROM STDIN",
}

STREAMS = {
    "documents": "SELECT id, external_id, text, meta::text FROM documents WHERE project_id = %s ORDER BY id",
    "spans": 'SELECT document_id, id, annotator_id, start, "end", label FROM spans '
    'ORDER BY document_id, annotator_id, start, "end", label COLLATE "C"',
    "attributes": "SELECT s.document_id, a.span_id, a.name, a.value::text FROM span_attributes a "
    'JOIN spans s ON s.id = a.span_id ORDER BY s.document_id, a.span_id, a.name COLLATE "C"',
    "relations": "SELECT document_id, annotator_id, label, head_span_id, tail_span_id FROM relations "
    "ORDER BY document_id",
    "status": "SELECT document_id, annotator_id, status FROM document_status ORDER BY document_id",
}


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# -- import ------------------------------------------------------------------------------


def raw_import(url: str, corpus: Path, project: str = "bench") -> int:
    """Import the corpus; returns the number of documents written."""
    with psycopg.connect(libpq_url(url)) as connection, connection.transaction(), connection.cursor() as cursor:
        project_id = _one(cursor, "SELECT id FROM projects WHERE name = %s", (project,))
        next_document = _one(cursor, "SELECT coalesce(max(id), 0) + 1 FROM documents", ())
        next_span = _one(cursor, "SELECT coalesce(max(id), 0) + 1 FROM spans", ())
        annotators: dict[str, int] = dict(cursor.execute("SELECT name, id FROM annotators").fetchall())
        written = 0
        with corpus.open("rb") as handle:
            lines = (line for line in handle if line.strip())
            while batch := list(islice(lines, BATCH_DOCUMENTS)):
                rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COPIES}
                for record in map(orjson.loads, batch):
                    name = record["annotator"]
                    if name not in annotators:
                        added = "INSERT INTO annotators (name) VALUES (%s) RETURNING id"
                        annotators[name] = _one(cursor, added, (name,))
                    next_span = _add(rows, record, next_document, next_span, project_id, annotators[name])
                    next_document += 1
                for table, statement in COPIES.items():
                    with cursor.copy(statement) as copy:
                        for row in rows[table]:
                            copy.write_row(row)
                written += len(batch)
        for table, next_id in (("documents", next_document), ("spans", next_span)):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", (table, next_id))
    return written


def _one(cursor: psycopg.Cursor[Any], query: str, params: tuple[Any, ...]) -> Any:
    row = cursor.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def _add(
    rows: dict[str, list[tuple[Any, ...]]],
    record: dict[str, Any],
    doc_id: int,
    next_span: int,
    project_id: int,
    annotator_id: int,
) -> int:
    text = record["text"]
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    meta = orjson.dumps(record.get("meta") or {}).decode()
    rows["documents"].append((doc_id, project_id, record["id"], text, len(text), sha, meta))
    span_id: dict[str, int] = {}
    for span in record["spans"]:
        span_id[span["id"]] = next_span
        rows["spans"].append((next_span, doc_id, annotator_id, span["start"], span["end"], span["label"]))
        for name, value in span["attributes"].items():
            rows["span_attributes"].append((next_span, name, orjson.dumps(value).decode()))
        next_span += 1
    for relation in record["relations"]:
        head, tail = span_id[relation["head"]], span_id[relation["tail"]]
        rows["relations"].append((doc_id, annotator_id, relation["label"], head, tail))
    if record.get("status") is not None:
        rows["document_status"].append((doc_id, annotator_id, record["status"], 0.0))
    return next_span


# -- export ------------------------------------------------------------------------------


class _Stream:
    """Rows of one server-side cursor ordered by document id (the first column), taken a
    document at a time."""

    def __init__(self, connection: psycopg.Connection[Any], name: str) -> None:
        self.cursor = connection.cursor(name=name)
        self.cursor.itersize = FETCH_ROWS
        self.rows = iter(self.cursor.execute(STREAMS[name]))
        self.next: tuple[Any, ...] | None = next(self.rows, None)

    def take(self, doc_id: int) -> list[tuple[Any, ...]]:
        taken = []
        while self.next is not None and self.next[0] == doc_id:
            taken.append(self.next)
            self.next = next(self.rows, None)
        return taken


def raw_export(url: str, target: Path, schema: dict[str, Any], project: str = "bench") -> tuple[int, int]:
    """Write the native JSONL of every layer; returns (lines, spans)."""
    lines = span_count = 0
    with psycopg.connect(libpq_url(url)) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.transaction(), target.open("wb") as out:
            project_id = _one(connection.cursor(), "SELECT id FROM projects WHERE name = %s", (project,))
            names: dict[int, str] = dict(connection.execute("SELECT id, name FROM annotators").fetchall())
            streams = {name: _Stream(connection, name) for name in STREAMS if name != "documents"}
            documents = connection.cursor(name="documents")
            documents.itersize = FETCH_ROWS
            for chunk in _chunks(iter(documents.execute(STREAMS["documents"], (project_id,)))):
                written: list[bytes] = []
                for doc_id, external_id, text, meta in chunk:
                    records = _records(doc_id, external_id, text, meta, streams, names, schema)
                    span_count += sum(len(record["spans"]) for record in records)
                    written += map(orjson.dumps, records)
                out.write(b"\n".join(written) + b"\n")
                lines += len(written)
            out.flush()
            os.fsync(out.fileno())
    return lines, span_count


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(islice(rows, FETCH_ROWS)):
        yield chunk


def _records(
    doc_id: int,
    external_id: str,
    text: str,
    meta: str,
    streams: dict[str, _Stream],
    names: dict[int, str],
    schema: dict[str, Any],
) -> list[dict[str, Any]]:
    spans, attribute_rows = streams["spans"].take(doc_id), streams["attributes"].take(doc_id)
    relations, statuses = streams["relations"].take(doc_id), streams["status"].take(doc_id)
    attributes: dict[int, dict[str, Any]] = {}
    for _, span_id, name, value in attribute_rows:
        attributes.setdefault(span_id, {})[name] = orjson.loads(value)
    status = {annotator_id: value for _, annotator_id, value in statuses}
    layers = sorted({row[2] for row in spans} | {row[1] for row in relations} | set(status), key=names.__getitem__)
    base = {"id": external_id, "text": text, "meta": orjson.loads(meta)}
    if not layers:  # nobody touched it: one empty line, as annotator writes
        return [{**base, "spans": [], "relations": [], "annotator": None, "status": "todo", "schema": schema}]
    records = []
    for annotator_id in layers:
        number: dict[int, int] = {}
        layer_spans = []
        for n, (_, span_id, _, start, end, label) in enumerate((s for s in spans if s[2] == annotator_id), start=1):
            number[span_id] = n
            layer_spans.append(
                {
                    "id": f"s{n}",
                    "start": start,
                    "end": end,
                    "label": label,
                    "text": text[start:end],
                    "attributes": attributes.get(span_id, {}),
                }
            )
        linked = sorted((number[h], number[t], label) for _, a, label, h, t in relations if a == annotator_id)
        rest = {
            "spans": layer_spans,
            "relations": [
                {"id": f"r{n}", "label": label, "head": f"s{head}", "tail": f"s{tail}"}
                for n, (head, tail, label) in enumerate(linked, start=1)
            ],
            "annotator": names[annotator_id],
            "status": status.get(annotator_id, "todo"),
            "schema": schema,
        }
        records.append({**base, **rest})
    return records
