"""The native JSONL export: one line per document and annotator layer, in a stable order.

Streamed: documents are read in id-ordered chunks and each chunk's spans, attributes,
relations and statuses come from one ordered query per table, so memory stays flat
however large the corpus. Span and relation ids in the file ("s1", "r1") are numbered
from the sorted content, not from database ids, so exporting, re-importing and
exporting again gives the same bytes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import orjson
from sqlalchemy import Connection, Text, cast, select

from annotator.db.engine import read_snapshot
from annotator.db.tables import (
    AnnotatorRow,
    DocumentLabelRow,
    DocumentRow,
    DocumentStatusRow,
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import NotFoundError, ValidationError
from annotator.exporters.base import FormatWriter, LeftOut
from annotator.gcpause import collector_paused
from annotator.models import STATUSES
from annotator.project import Project
from annotator.storable import storable_problem

CHUNK_DOCUMENTS = 1000
ATTRIBUTE_CACHE_CHARS = 100
ATTRIBUTE_ROWS_PER_FETCH = 10_000  # short, immutable attribute values are decoded and checked once per chunk
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportFilter:
    statuses: Collection[str] | None = None  # keep layers whose status is one of these
    annotator: str | None = None  # keep only this annotator's layer
    labels: Collection[str] | None = None  # keep only spans with these labels (and relations between them)


EVERYTHING = ExportFilter()


@dataclass
class ExportReport:
    lines: int = 0
    documents: int = 0
    spans: int = 0
    relations: int = 0
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
    last_id = None
    for record in iter_records(project, selection, progress, report.left_out.append):
        # Serialised as soon as it is built: a record lives only while it is cache-hot.
        try:
            lines.append(orjson.dumps(record))
        except orjson.JSONEncodeError as error:  # values are checked when read; this is the last guard
            report.left_out.append(LeftOut(record["id"], record["annotator"], f"cannot be written as JSON: {error}"))
            continue
        report.lines += 1
        report.documents += record["id"] != last_id
        report.spans += len(record["spans"])
        report.relations += len(record["relations"])
        last_id = record["id"]
        if len(lines) >= CHUNK_DOCUMENTS:
            out.write(b"\n".join(lines) + b"\n")
            lines.clear()
    if lines:
        out.write(b"\n".join(lines) + b"\n")
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
    # One snapshot for the whole export: records never mix two moments of a database being edited.
    with collector_paused(), read_snapshot(project.engine) as connection:
        names = dict(connection.execute(select(AnnotatorRow.id, AnnotatorRow.name)).all())
        only = None
        if selection.annotator is not None:
            only = next((i for i, n in names.items() if n == selection.annotator), None)
            if only is None:
                raise NotFoundError(f"no annotator named {selection.annotator!r}")
        attributes = _AttributeStream(connection, project.id, only, selection.labels)
        for chunk in _document_chunks(connection, project.id):
            layers = _Layers(connection, chunk[0][0], chunk[-1][0], only, selection.labels, attributes)
            for doc_id, external_id, text, meta in chunk:
                try:
                    meta_value = _stored_value(meta, "meta")
                except _Unexportable as bad:
                    skip(LeftOut(external_id, None, str(bad)))
                    continue
                # By name, not id: ids differ between databases, names travel with the file.
                for annotator_id in sorted(layers.annotators(doc_id, only), key=lambda a: names.get(a or 0) or ""):
                    status = layers.status.get((doc_id, annotator_id or 0), "todo")
                    if selection.statuses is not None and status not in selection.statuses:
                        continue
                    if layers.unexportable and (problem := layers.problem(doc_id, annotator_id)):
                        skip(LeftOut(external_id, names.get(annotator_id or 0), problem))
                        continue
                    spans, relations = layers.content(doc_id, annotator_id, text)
                    record: dict[str, Any] = {
                        "id": external_id,
                        "text": text,
                        "meta": meta_value,
                        "spans": spans,
                        "relations": relations,
                    }
                    if project.schema.document_labels:
                        record["document_labels"] = sorted(layers.doc_labels.get((doc_id, annotator_id or 0), []))
                    record["annotator"] = names.get(annotator_id or 0)
                    record["status"] = status
                    record["schema"] = schema
                    yield record
            if progress is not None:
                progress(len(chunk))


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
    from sqlalchemy import func

    with project.engine.connect() as connection:
        return (
            connection.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.project_id == project.id))
            or 0
        )


def _check_filter(project: Project, selection: ExportFilter) -> None:
    for status in selection.statuses or ():
        if status not in STATUSES:
            raise ValidationError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
    for label in selection.labels or ():
        if project.schema.label(label) is None:
            raise ValidationError(f"unknown label {label!r} (schema has {', '.join(project.schema.label_names)})")


def _document_chunks(connection: Connection, project_id: int) -> Iterator[list[tuple[int, str, str, Any]]]:
    last = 0
    while True:
        chunk = connection.execute(
            select(DocumentRow.id, DocumentRow.external_id, DocumentRow.text, cast(DocumentRow.meta, Text))
            .where(DocumentRow.project_id == project_id, DocumentRow.id > last)
            .order_by(DocumentRow.id)
            .limit(CHUNK_DOCUMENTS)
        ).all()
        if not chunk:
            return
        yield chunk  # type: ignore[misc]
        last = chunk[-1][0]


class _AttributeStream:
    """The attributes of the spans an export writes, in document order, taken chunk by chunk.

    One query read through a cursor for the whole export, not one query per chunk: a chunk's
    attributes found through a join on its spans' documents let PostgreSQL's planner scan the
    whole attributes table for every chunk (an export quadratic in the project's size), and
    matching them by span ids did too (as a hashed filter). A cursor's plan takes each span's
    attributes by index, in order, with nothing to sort.
    """

    def __init__(self, connection: Connection, project_id: int, only: int | None, labels: Collection[str] | None):
        query = (
            select(DocumentRow.id, SpanAttributeRow.span_id, SpanAttributeRow.name, cast(SpanAttributeRow.value, Text))
            .join(SpanRow, SpanRow.id == SpanAttributeRow.span_id)
            .join(DocumentRow, DocumentRow.id == SpanRow.document_id)
            .where(DocumentRow.project_id == project_id)
            .order_by(DocumentRow.id)  # the documents' index order: SQLite too needs no sort
        )
        if only is not None:
            query = query.where(SpanRow.annotator_id == only)
        if labels is not None:
            query = query.where(SpanRow.label.in_(labels))
        self.rows = iter(connection.execute(query.execution_options(yield_per=ATTRIBUTE_ROWS_PER_FETCH)))
        self.next: Any = next(self.rows, None)

    def until(self, last_document: int) -> Iterator[tuple[int, str, str]]:
        """(span id, name, value as JSON text) of the documents up to last_document not yet taken."""
        while self.next is not None and self.next[0] <= last_document:
            yield self.next[1], self.next[2], self.next[3]
            self.next = next(self.rows, None)


class _Layers:
    """The annotations of the documents with ids lo..hi, grouped by (document, annotator)."""

    def __init__(
        self,
        connection: Connection,
        lo: int,
        hi: int,
        only: int | None,
        labels: Collection[str] | None,
        attributes: _AttributeStream,
    ) -> None:
        def in_range(column: Any, annotator_column: Any) -> list[Any]:
            conditions = [column.between(lo, hi)]
            if only is not None:
                conditions.append(annotator_column == only)
            return conditions

        span_query = (
            select(SpanRow.id, SpanRow.document_id, SpanRow.annotator_id, SpanRow.start, SpanRow.end, SpanRow.label)
            .where(*in_range(SpanRow.document_id, SpanRow.annotator_id))
            .order_by(SpanRow.document_id, SpanRow.annotator_id, SpanRow.start, SpanRow.end)
        )
        if labels is not None:
            span_query = span_query.where(SpanRow.label.in_(labels))
        self.spans: dict[tuple[int, int], list[tuple[int, int, str, int]]] = defaultdict(list)
        for span_id, doc_id, annotator_id, start, end, label in connection.execute(span_query).all():
            self.spans[(doc_id, annotator_id)].append((start, end, label, span_id))
        self.attributes: dict[int, dict[str, Any]] = defaultdict(dict)
        self.unexportable: dict[int, str] = {}  # span id -> why one of its attributes cannot be exported
        seen: dict[str, Any] = {}  # attribute values repeat ("person", dates): decode and check each once
        for span_id, name, value in attributes.until(hi):
            decoded = seen.get(value, seen)
            if decoded is seen:
                try:
                    decoded = _stored_value(value, name)
                except _Unexportable as bad:
                    self.unexportable[span_id] = f"attribute {bad}"
                    continue
                if len(value) <= ATTRIBUTE_CACHE_CHARS and not isinstance(decoded, dict | list):
                    seen[value] = decoded
            self.attributes[span_id][name] = decoded
        self.relations: dict[tuple[int, int], list[tuple[str, int, int]]] = defaultdict(list)
        relation_query = select(
            RelationRow.document_id,
            RelationRow.annotator_id,
            RelationRow.label,
            RelationRow.head_span_id,
            RelationRow.tail_span_id,
        ).where(*in_range(RelationRow.document_id, RelationRow.annotator_id))
        for doc_id, annotator_id, label, head, tail in connection.execute(relation_query).all():
            self.relations[(doc_id, annotator_id)].append((label, head, tail))
        self.status: dict[tuple[int, int], str] = {}
        status_query = select(
            DocumentStatusRow.document_id, DocumentStatusRow.annotator_id, DocumentStatusRow.status
        ).where(*in_range(DocumentStatusRow.document_id, DocumentStatusRow.annotator_id))
        for doc_id, annotator_id, status in connection.execute(status_query).all():
            self.status[(doc_id, annotator_id)] = status
        self.doc_labels: dict[tuple[int, int], list[str]] = defaultdict(list)
        label_query = select(DocumentLabelRow.document_id, DocumentLabelRow.annotator_id, DocumentLabelRow.label).where(
            *in_range(DocumentLabelRow.document_id, DocumentLabelRow.annotator_id)
        )
        for doc_id, annotator_id, label in connection.execute(label_query).all():
            self.doc_labels[(doc_id, annotator_id)].append(label)
        self.names_order: dict[int, list[int]] = defaultdict(list)
        for doc_id, annotator_id in {*self.spans, *self.relations, *self.status, *self.doc_labels}:
            self.names_order[doc_id].append(annotator_id)

    def problem(self, doc_id: int, annotator_id: int | None) -> str | None:
        """Why a layer cannot be exported, if one of its spans holds such an attribute."""
        for start, end, label, span_id in self.spans.get((doc_id, annotator_id or 0), ()):
            if span_id in self.unexportable:
                return f"{label} [{start}, {end}) {self.unexportable[span_id]}"
        return None

    def annotators(self, doc_id: int, only: int | None) -> list[int | None]:
        """The layers to write for a document; a document nobody touched gets one empty line."""
        if only is not None:
            return [only]
        found = sorted(self.names_order.get(doc_id, ()))
        return list(found) if found else [None]

    def content(
        self, doc_id: int, annotator_id: int | None, text: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        if annotator_id is None:
            return [], []
        key = (doc_id, annotator_id)
        rows = self.spans.get(key, [])
        # Strings are ordered here, not in SQL: SQL ordering follows the database's collation,
        # and the export must be the same bytes from SQLite and from any PostgreSQL. The
        # (start, end, label) key is unique in a layer, so the trailing id never decides.
        rows.sort()  # in place: the layer is written once
        span_ids = _numbered("s", len(rows))
        attributes = self.attributes
        spans: list[dict[str, Any]] = []
        for number, (start, end, label, span_id) in enumerate(rows, start=1):
            values = attributes.get(span_id)
            if values is None:
                values = {}
            elif len(values) > 1:
                values = dict(sorted(values.items()))
            spans.append(
                {
                    "id": span_ids[number],
                    "start": start,
                    "end": end,
                    "label": label,
                    "text": text[start:end],
                    "attributes": values,
                }
            )
        links = self.relations.get(key)
        if not links:
            return spans, []
        number_of = {row[3]: number for number, row in enumerate(rows, start=1)}
        kept = sorted(
            (number_of[head], number_of[tail], label)
            for label, head, tail in links
            if head in number_of and tail in number_of
        )
        relation_ids = _numbered("r", len(kept))
        relations = [
            {"id": relation_ids[number], "label": label, "head": span_ids[head], "tail": span_ids[tail]}
            for number, (head, tail, label) in enumerate(kept, start=1)
        ]
        return spans, relations


_NUMBERED: dict[str, list[str]] = {"s": ["s0"], "r": ["r0"]}


def _numbered(prefix: str, count: int) -> list[str]:
    """["s0", "s1", ..., "s<count>"]: the ids of a layer's spans (or relations), made once per process."""
    ids = _NUMBERED[prefix]
    if len(ids) <= count:
        ids.extend(f"{prefix}{n}" for n in range(len(ids), count + 1))
    return ids
