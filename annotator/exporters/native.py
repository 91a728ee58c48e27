"""The native JSONL export: one line per document and annotator layer, in a stable order.

Streamed: each table is read by one query in document order (native_rows.py) and merged a
chunk of documents at a time, so memory stays flat however large the corpus. Span and
relation ids in the file ("s1", "r1") are numbered from the sorted content, not from
database ids, so exporting, re-importing and exporting again gives the same bytes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any, BinaryIO

import orjson
from sqlalchemy import func, select

from annotator.db import core_tables
from annotator.db.engine import read_snapshot
from annotator.errors import NotFoundError, ValidationError
from annotator.exporters.base import FormatWriter, LeftOut
from annotator.exporters.native_rows import ProjectTables, grouped_by_layer
from annotator.exporters.native_suggestions import ChunkSuggestions
from annotator.gcpause import collector_paused
from annotator.models import STATUSES
from annotator.project import Project
from annotator.storable import storable_problem

CHUNK_DOCUMENTS = 1000
ATTRIBUTE_CACHE_CHARS = 100  # short, immutable attribute values are decoded and checked once per chunk
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportFilter:
    statuses: Collection[str] | None = None  # keep layers whose status is one of these
    annotator: str | None = None  # keep only this annotator's layer
    labels: Collection[str] | None = None  # keep only spans with these labels (and relations between them)
    suggestions: bool = False  # add each document's suggestions, less those the record's layer rejected


EVERYTHING = ExportFilter()


@dataclass
class ExportReport:
    lines: int = 0
    documents: int = 0
    spans: int = 0
    relations: int = 0
    suggestions: int = 0
    left_out: list[LeftOut] = field(default_factory=list)


def write_native(
    project: Project,
    out: BinaryIO,
    selection: ExportFilter = EVERYTHING,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the export to an open binary stream; progress gets the documents done per chunk."""
    report = ExportReport()
    lines: list[bytes] = []
    written = documents = spans = relations = 0  # counted in locals: this loop runs once per record
    last_id = None
    for record in iter_records(project, selection, progress, report.left_out.append):
        # Serialised as soon as it is built: a record lives only while it is cache-hot.
        try:
            lines.append(orjson.dumps(record))
        except orjson.JSONEncodeError as error:  # values are checked when read; this is the last guard
            report.left_out.append(LeftOut(record["id"], record["annotator"], f"cannot be written as JSON: {error}"))
            continue
        written += 1
        if record["id"] != last_id:
            documents += 1
            last_id = record["id"]
        spans += len(record["spans"])
        relations += len(record["relations"])
        if selection.suggestions:
            report.suggestions += len(record["suggestions"])
        if len(lines) >= CHUNK_DOCUMENTS:
            out.write(b"\n".join(lines) + b"\n")
            lines.clear()
    if lines:
        out.write(b"\n".join(lines) + b"\n")
    report.lines, report.documents, report.spans, report.relations = written, documents, spans, relations
    return report


class NativeWriter(FormatWriter):
    """The native JSONL as a format, so that it can be split like the others."""

    suffix = ".jsonl"

    def add(self, record: dict[str, Any]) -> None:
        self.stream.write(orjson.dumps(record) + b"\n")


def iter_records(
    project: Project,
    selection: ExportFilter = EVERYTHING,
    progress: Callable[[int], None] | None = None,
    left_out: Callable[[LeftOut], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The native records (one per document and layer), in export order.

    Documents are read a chunk at a time; progress gets the size of each chunk once its
    records are out.

    Every other export format is made from these records, so filters, order and span
    numbering are the same in all of them.

    A record holding a value no export can write exactly (stored by an older version, before
    storable.py checked every value) is left out and handed to left_out (default: logged as a
    warning): one bad row never stops the export of the rest.
    """
    skip = left_out or _log_left_out
    _check_filter(project, selection)
    schema = {"name": project.schema.name, "version": project.schema.version, "sha256": project.schema.sha256}
    with_document_labels = bool(project.schema.document_labels)
    statuses = selection.statuses
    # One snapshot for the whole export: records never mix two moments of a database being edited.
    with collector_paused(), read_snapshot(project.engine) as connection:
        known = core_tables.annotators.c
        names = dict(connection.execute(select(known.id, known.name)).all())
        only = None
        if selection.annotator is not None:
            only = next((i for i, n in names.items() if n == selection.annotator), None)
            if only is None:
                raise NotFoundError(f"no annotator named {selection.annotator!r}")

        def by_name(annotator_id: int) -> str:  # by name, not id: ids differ between databases
            return names.get(annotator_id) or ""

        tables = ProjectTables(connection, project.id, only, selection.labels, selection.suggestions)
        for chunk in tables.document_chunks(CHUNK_DOCUMENTS):
            layers = _Layers(tables, chunk[-1][0])
            suggested = ChunkSuggestions(tables, chunk[-1][0], skip) if selection.suggestions else None
            for doc_id, external_id, text, meta in chunk:
                try:
                    meta_value = _stored_value(meta, "meta")
                except _Unexportable as bad:
                    skip(LeftOut(external_id, None, str(bad)))
                    continue
                annotators: list[int] | None = [only] if only is not None else layers.annotators.get(doc_id)
                if annotators is None:  # a document nobody touched gets one empty line
                    if statuses is None or "todo" in statuses:
                        labels: list[str] | None = [] if with_document_labels else None
                        record = _record(external_id, text, meta_value, [], [], labels, None, "todo", schema)
                        if suggested is not None:
                            suggested.add_to(record, doc_id, None)
                        yield record
                    continue
                if len(annotators) > 1:
                    annotators.sort(key=by_name)
                for annotator_id in annotators:
                    layer = (doc_id, annotator_id)
                    status = layers.status.get(layer, "todo")
                    if statuses is not None and status not in statuses:
                        continue
                    if layers.unexportable and (problem := layers.problem(layer)):
                        skip(LeftOut(external_id, names.get(annotator_id), problem))
                        continue
                    spans, relations = layers.content(layer, text)
                    labels = sorted(layers.doc_labels.get(layer, ())) if with_document_labels else None
                    record = _record(
                        external_id, text, meta_value, spans, relations, labels, names.get(annotator_id), status, schema
                    )
                    if suggested is not None:
                        suggested.add_to(record, doc_id, annotator_id)
                    yield record
            if progress is not None:
                progress(len(chunk))


def _record(
    external_id: str,
    text: str,
    meta: Any,
    spans: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    document_labels: list[str] | None,
    annotator: str | None,
    status: str,
    schema: dict[str, Any],
) -> dict[str, Any]:
    """A record in the native key order (document_labels only where the schema has them)."""
    record: dict[str, Any] = {"id": external_id, "text": text, "meta": meta, "spans": spans, "relations": relations}
    if document_labels is not None:
        record["document_labels"] = document_labels
    record["annotator"] = annotator
    record["status"] = status
    record["schema"] = schema
    return record


class _Unexportable(Exception):
    """A stored JSON value that an export could not write, or not read back exactly."""


def _stored_value(raw: str, where: str) -> Any:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise _Unexportable(f"{where} is not JSON that can be exported ({error})") from None
    problem = storable_problem(value, where)
    if problem is not None:
        raise _Unexportable(problem)
    return value


def _log_left_out(item: LeftOut) -> None:
    log.warning("%s", item)


def count_documents(project: Project) -> int:
    documents = core_tables.documents
    with project.engine.connect() as connection:
        return (
            connection.scalar(select(func.count()).select_from(documents).where(documents.c.project_id == project.id))
            or 0
        )


def _check_filter(project: Project, selection: ExportFilter) -> None:
    for status in selection.statuses or ():
        if status not in STATUSES:
            raise ValidationError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
    for label in selection.labels or ():
        if project.schema.label(label) is None:
            raise ValidationError(f"unknown label {label!r} (schema has {', '.join(project.schema.label_names)})")


class _Layers:
    """The annotations of one chunk of documents (up to last_document), by (document, annotator)."""

    def __init__(self, tables: ProjectTables, last_document: int) -> None:
        self.spans = grouped_by_layer(tables.spans.until(last_document))
        self.relations = grouped_by_layer(tables.relations.until(last_document))
        self.status: dict[tuple[int, int], str] = {
            (doc_id, annotator_id): status for doc_id, annotator_id, status in tables.statuses.until(last_document)
        }
        self.doc_labels: dict[tuple[int, int], list[str]] = {
            layer: [row[2] for row in rows]
            for layer, rows in grouped_by_layer(tables.document_labels.until(last_document)).items()
        }
        self.attributes: defaultdict[int, dict[str, Any]] = defaultdict(dict)
        self.unexportable: dict[int, str] = {}  # span id -> why one of its attributes cannot be exported
        rows = tables.attributes.until(last_document)
        rows.sort(key=_SPAN_AND_NAME)  # each span's names by code point, not by the database's collation
        attributes = self.attributes
        seen: dict[str, Any] = {}  # attribute values repeat ("person", dates): decode and check each once
        for _, span_id, name, value in rows:
            decoded = seen.get(value, seen)
            if decoded is seen:
                try:
                    decoded = _stored_value(value, name)
                except _Unexportable as bad:
                    self.unexportable[span_id] = f"attribute {bad}"
                    continue
                if len(value) <= ATTRIBUTE_CACHE_CHARS and not isinstance(decoded, dict | list):
                    seen[value] = decoded
            attributes[span_id][name] = decoded
        self.annotators: dict[int, list[int]] = {}  # document id -> its layers' annotators
        for doc_id, annotator_id in {*self.spans, *self.relations, *self.status, *self.doc_labels}:
            self.annotators.setdefault(doc_id, []).append(annotator_id)

    def problem(self, layer: tuple[int, int]) -> str | None:
        """Why a layer cannot be exported, if one of its spans holds such an attribute."""
        for _, _, start, end, label, span_id in self.spans.get(layer, ()):
            if span_id in self.unexportable:
                return f"{label} [{start}, {end}) {self.unexportable[span_id]}"
        return None

    def content(self, layer: tuple[int, int], text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows = self.spans.get(layer)
        if rows is None:
            rows = []
        else:
            # Strings are ordered here, not in SQL: SQL ordering follows the database's collation,
            # and the export must be the same bytes from SQLite and from any PostgreSQL. The
            # (start, end, label) key is unique in a layer. Rows come ordered by (start, end), so
            # this is one pass unless two spans share their offsets.
            rows.sort(key=_POSITION)
        span_ids = _numbered("s", len(rows))
        attributes = self.attributes
        spans = [
            {
                "id": span_id,
                "start": start,
                "end": end,
                "label": label,
                "text": text[start:end],
                "attributes": attributes.get(row_id, _NO_ATTRIBUTES),
            }
            for span_id, (_, _, start, end, label, row_id) in zip(islice(span_ids, 1, None), rows, strict=False)
        ]
        links = self.relations.get(layer)
        if not links:
            return spans, []
        number_of = dict(zip(map(_ROW_ID, rows), range(1, len(rows) + 1), strict=True))
        kept = sorted(
            (number_of[head], number_of[tail], label)
            for _, _, label, head, tail in links
            if head in number_of and tail in number_of
        )
        relation_ids = _numbered("r", len(kept))
        relations = [
            {"id": relation_ids[number], "label": label, "head": span_ids[head], "tail": span_ids[tail]}
            for number, (head, tail, label) in enumerate(kept, start=1)
        ]
        return spans, relations


_POSITION = itemgetter(2, 3, 4)  # a span row's (start, end, label)
_ROW_ID = itemgetter(5)  # a span row's id
_SPAN_AND_NAME = itemgetter(1, 2)  # an attribute row's (span id, name)
_NO_ATTRIBUTES: dict[str, Any] = {}  # shared by every span without attributes: serialised, never changed


_NUMBERED: dict[str, list[str]] = {"s": ["s0"], "r": ["r0"]}


def _numbered(prefix: str, count: int) -> list[str]:
    """["s0", "s1", ..., "s<count>"]: the ids of a layer's spans (or relations), made once per process."""
    ids = _NUMBERED[prefix]
    if len(ids) <= count:
        ids.extend(f"{prefix}{n}" for n in range(len(ids), count + 1))
    return ids
