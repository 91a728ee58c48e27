"""Checks records against the schema and writes them in one transaction with Core inserts.

Every record is checked as an annotator's edit would be (annotation_checks.py). On the first bad
record nothing more is written, the rest is still checked so that every problem is
reported, and the transaction is rolled back: a bad import changes nothing. With
skip_invalid the bad records are reported and the rest is imported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, union
from sqlalchemy.exc import DataError, IntegrityError

from annotator.db.engine import inserted_id
from annotator.db.locks import lock_layer
from annotator.db.tables import (
    AnnotatorRow,
    DocumentLabelRow,
    DocumentStatusRow,
    SpanRow,
)
from annotator.errors import AnnotatorError, ValidationError
from annotator.gcpause import collector_paused
from annotator.importers.annotation_checks import AnnotationChecks
from annotator.importers.document_index import DocumentIndex, Found, WrittenLayers
from annotator.importers.import_log import write_import_event
from annotator.importers.layer_rows import NewLayer
from annotator.importers.layers import REPEAT, LayerContent, LayerRule, StoredLayer, content_of, load_layer
from annotator.importers.native_suggestions import check_suggested
from annotator.importers.records import (
    DocumentRecord,
    ImportFailed,
    ImportProblem,
    ImportReport,
    LabelMapping,
)
from annotator.importers.row_writer import RowWriter
from annotator.project import Project, check_annotator_name
from annotator.suggest.store import add_suggestions
from annotator.validation import (
    check_external_id,
    check_storable,
)

DEFAULT_LAYER = "imported"
BATCH_DOCUMENTS = 2000
MAX_REPORTED_PROBLEMS = 50


@dataclass
class _Pending:
    """Rows waiting for the next batch insert."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    layers: list[tuple[str, NewLayer]] = field(default_factory=list)  # (document sha, layer)
    suggestions: list[tuple[str, DocumentRecord]] = field(default_factory=list)  # (document sha, its record)


def import_records(
    project: Project,
    items: Iterable[DocumentRecord | ImportProblem],
    *,
    annotator: str | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    mapping: LabelMapping | None = None,
    replace: bool = False,
    sources: Sequence[str] = (),
) -> ImportReport:
    """Check and write the records in one transaction, with one event row that says who
    imported what (and holds what --replace took out, so that undo_import() can put it back)."""
    if annotator is not None:
        check_annotator_name(annotator)
    try:
        return _import(project, items, annotator, skip_invalid, progress, mapping or LabelMapping(), replace, sources)
    except (IntegrityError, DataError) as error:
        raise AnnotatorError(f"the database refused the import, nothing was imported: {error.orig}") from error


def _import(
    project: Project,
    items: Iterable[DocumentRecord | ImportProblem],
    annotator: str | None,
    skip_invalid: bool,
    progress: Callable[[int], None] | None,
    mapping: LabelMapping,
    replace: bool,
    sources: Sequence[str],
) -> ImportReport:
    with collector_paused(), project.write.begin() as session:
        loader = _Loader(project, session.connection(), annotator)
        loader.rule.replace = replace
        for item in items:
            if progress is not None:
                progress(item.size if isinstance(item, DocumentRecord) else 0)
            if isinstance(item, ImportProblem):
                loader.fail(item)
                continue
            if mapping.rename or mapping.drop:
                spans_dropped, relations_dropped = mapping.apply(item)
                loader.report.spans_dropped += spans_dropped
                loader.report.relations_dropped += relations_dropped
            try:
                loader.take(item, writing=skip_invalid or not loader.problems)
            except ValidationError as error:
                message = str(error) if item.where is None else f"{item.where}: {error}"
                loader.fail(ImportProblem(item.source, item.line, message))
        if loader.problems and not skip_invalid:
            raise ImportFailed(
                loader.problems[:MAX_REPORTED_PROBLEMS],
                max(0, len(loader.problems) - MAX_REPORTED_PROBLEMS),
                unknown_labels=loader.checks.unknown_labels,
            )
        loader.flush()
        loader.report.invalid = loader.problems
        loader.log_event(sources)
    return loader.report


def _storable_text_sha256(text: str) -> str:
    """The text's sha256 (text.text_sha256), after check_storable's test of a text: one UTF-8
    encoding serves both, since a lone surrogate cannot be encoded and NUL shows in the bytes."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = b"\x00"
    if b"\x00" in data:
        check_storable(text, "the text")  # refuses it, naming what is wrong
    return hashlib.sha256(data).hexdigest()


class _Loader:
    def __init__(self, project: Project, connection: Connection, annotator: str | None) -> None:
        self.project = project
        self.schema = project.schema
        self.connection = connection
        self.annotator = annotator
        self.report = ImportReport()
        self.problems: list[ImportProblem] = []
        self.checks = AnnotationChecks(project.schema)
        self.pending = _Pending()
        # Nothing per document is kept for the whole import beyond what document_index.py says.
        self.index = DocumentIndex(connection, project.id)
        self.written = WrittenLayers()
        self.doc_ids: dict[str, int] = {}  # sha -> id of the documents the pending rows need; emptied by flush
        self.annotator_ids: dict[str, int] = {}
        self.rule = LayerRule(connection)  # layers that are there already (layers.py)
        self.rows = RowWriter(connection)

    def fail(self, problem: ImportProblem) -> None:
        self.problems.append(problem)

    def take(self, record: DocumentRecord, *, writing: bool) -> None:
        sha = _storable_text_sha256(record.text)
        check_storable(record.meta, "meta")
        external_id = record.external_id or f"doc-{sha[:12]}"
        check_external_id(external_id)
        found = self.index.find(sha, external_id)
        if found.owner is not None and found.owner != sha:
            raise ValidationError(f"document id {external_id!r} is already used by a document with another text")
        if found.doc_id is not None:
            self.doc_ids[sha] = found.doc_id
        layer = self._layer(record) if record.has_layer else None
        stored = self._check_layer(record, sha, external_id, layer, found, writing) if layer is not None else None
        if record.suggestions or record.suggested_relations:
            check_suggested(record.text, self.schema, record.suggestions, record.suggested_relations)
        if not writing:
            return
        if record.suggestions or record.suggested_relations:
            self.pending.suggestions.append((sha, record))
        if record.set_aside:
            self.report.set_aside[record.set_aside] += 1
        if found.holds_text:
            # Another layer of a document this import has just added (a second annotation of a
            # Label Studio task, say) is not a document skipped.
            if found.existing or layer is None:
                self.report.documents_skipped += 1
        else:
            self.index.queue(sha, external_id)
            self.pending.documents.append(
                {
                    "project_id": self.project.id,
                    "external_id": external_id,
                    "text": record.text,
                    "text_length": len(record.text),
                    "sha256": sha,
                    "meta": record.meta,
                }
            )
            self.report.documents_added += 1
        if layer is not None and stored is REPEAT:
            self.report.layers_skipped += 1
        elif layer is not None:
            self._put_layer(sha, layer, stored)
        if (
            max(len(self.pending.documents), len(self.pending.layers), len(self.pending.suggestions), len(self.doc_ids))
            >= BATCH_DOCUMENTS
        ):
            self.flush()

    def _layer(self, record: DocumentRecord) -> NewLayer:
        """Check a record's annotations as if an annotator had made them one by one."""
        spans, relations = self.checks.annotations(record)
        name = self.annotator or record.annotator or DEFAULT_LAYER
        return NewLayer(self._annotator_id(name), spans, relations, record.status, sorted(set(record.document_labels)))

    def _annotator_id(self, name: str) -> int:
        if name not in self.annotator_ids:
            check_annotator_name(name)
            found = self.connection.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == name))
            if found is None:
                found = inserted_id(self.connection.execute(insert(AnnotatorRow.__table__).values(name=name)))
            # Held until the import commits, before the layer is first read (_layer_exists):
            # the window of this annotator waits instead of adding spans that this layer crosses.
            lock_layer(self.connection, found)
            self.annotator_ids[name] = found
        return self.annotator_ids[name]

    def _check_layer(
        self, record: DocumentRecord, sha: str, external_id: str, layer: NewLayer, found: Found, writing: bool
    ) -> StoredLayer | object | None:
        name = self.annotator or record.annotator or DEFAULT_LAYER  # as _layer named it

        def content() -> LayerContent:
            return content_of(layer.spans, layer.relations, layer.document_labels, layer.status)

        if not writing:  # a layer that is not written is remembered by its digest alone
            digest = content()
            content = lambda: digest  # noqa: E731
        return self.rule.check(
            (sha, layer.annotator_id),
            content,
            lambda: (
                load_layer(self.connection, found.doc_id, layer.annotator_id)
                if found.doc_id is not None and found.existing and self._layer_exists(found.doc_id, layer.annotator_id)
                else None
            ),
            f"{record.source}:{record.line}",
            external_id,
            name,
            lambda: self._written_layer(found, layer.annotator_id),
        )

    def _written_layer(self, found: Found, annotator_id: int) -> tuple[LayerContent, str] | None:
        """The layer this import wrote for a document it added in an earlier batch, and where it came from."""
        if found.doc_id is None or found.existing:
            return None  # a queued document's layers are still in the rule's memory
        stored = load_layer(self.connection, found.doc_id, annotator_id)
        return None if stored is None else (stored.content, self.written.where(found.doc_id, annotator_id))

    def _put_layer(self, sha: str, layer: NewLayer, stored: StoredLayer | object | None) -> None:
        """Queue a checked layer; the project's layer it replaces is taken out now."""
        if isinstance(stored, StoredLayer):
            self.rule.take_out(self.doc_ids[sha], layer.annotator_id, stored)
            if stored.seconds_spent is not None:
                layer.status = layer.status or stored.content.status  # a file without status keeps the layer's
                layer.seconds_spent = stored.seconds_spent
            self.report.layers_added += stored.content.empty
            self.report.layers_replaced += not stored.content.empty
        else:
            self.rule.layers.append((sha, layer.annotator_id))
            self.report.layers_added += 1
        self.pending.layers.append((sha, layer))
        self.report.spans_added += len(layer.spans)
        self.report.relations_added += len(layer.relations)

    def log_event(self, sources: Sequence[str]) -> None:
        """The import's event row, in its transaction (import_log.py)."""
        annotator_id = self._annotator_id(self.annotator) if self.annotator is not None else None
        write_import_event(
            self.connection,
            self.project.id,
            annotator_id,
            self.annotator,
            list(sources),
            self.report,
            self.index.added,
            self.written.added,
            self.rule.replaced,
        )

    def _layer_exists(self, doc_id: int, annotator_id: int) -> bool:
        used = union(
            select(SpanRow.document_id).where(SpanRow.document_id == doc_id, SpanRow.annotator_id == annotator_id),
            select(DocumentStatusRow.document_id).where(
                DocumentStatusRow.document_id == doc_id, DocumentStatusRow.annotator_id == annotator_id
            ),
            select(DocumentLabelRow.document_id).where(
                DocumentLabelRow.document_id == doc_id, DocumentLabelRow.annotator_id == annotator_id
            ),
        )
        return self.connection.execute(used.limit(1)).first() is not None

    def flush(self) -> None:
        pending, self.pending = self.pending, _Pending()
        if pending.documents:
            self.doc_ids.update(self.rows.documents(pending.documents))
        if pending.layers:
            self.rows.layers([(self.doc_ids[sha], layer) for sha, layer in pending.layers])
        if pending.suggestions:
            self.report.suggestions_added += add_suggestions(
                self.connection,
                [
                    (self.doc_ids[sha], record.suggestions, record.suggested_relations)
                    for sha, record in pending.suggestions
                ],
            )
        self._forget_written(pending)

    def _forget_written(self, pending: _Pending) -> None:
        """Keep of the rows just written only their ids (and each new layer's file:line)."""
        new = {row["sha256"] for row in pending.documents}
        self.index.written([self.doc_ids[sha] for sha in new])
        for sha, annotator_id in self.rule.layers:
            self.written.add(self.doc_ids[sha], annotator_id)
        self.rule.layers.clear()
        for sha, layer in pending.layers:
            if sha in new:  # the rule asks _written_layer about these from now on
                _, where = self.rule.given.pop((sha, layer.annotator_id))
                self.written.place(self.doc_ids[sha], layer.annotator_id, where)
            else:
                self.rule.settle((sha, layer.annotator_id))
        self.doc_ids.clear()
