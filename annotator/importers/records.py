"""What every format's reader produces: documents with an optional annotation layer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from annotator.errors import AnnotatorError


@dataclass(frozen=True)
class ImportProblem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass
class SpanRecord:
    key: str | None  # the record's own id for the span, used by its relations
    start: Any
    end: Any
    label: Any
    attributes: dict[str, Any] = field(default_factory=dict)
    text: str | None = None  # the span's text as the source file states it, checked if given


@dataclass
class RelationRecord:
    label: Any
    head: Any  # SpanRecord.key
    tail: Any


@dataclass
class DocumentRecord:
    source: str
    line: int
    text: str
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[SpanRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    document_labels: list[str] = field(default_factory=list)
    annotator: str | None = None
    status: str | None = None
    set_aside: str | None = None  # why the source's annotations were not taken (e.g. "answer 'ignore'")
    size: int = 0  # bytes of input this record took, for progress bars
    # Where in its line the record is, for files that hold many records on one line (Label
    # Studio's one-line export: "task 3 (id 42), annotation 1"); put before every refusal.
    where: str | None = None
    # Proposals, not anyone's layer (the native JSONL's, importers/native_suggestions.py).
    suggestions: list[Any] = field(default_factory=list)
    suggested_relations: list[Any] = field(default_factory=list)

    @property
    def has_layer(self) -> bool:
        # A bare "todo" with nobody named is what the export writes for untouched documents.
        touched = self.status is not None and (self.annotator is not None or self.status != "todo")
        return bool(self.spans or self.relations or self.document_labels or touched)


@dataclass(frozen=True)
class LabelMapping:
    """--map OLD=NEW and --drop LABEL, for labels (span or relation) the schema does not know."""

    rename: dict[str, str] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()

    def apply(self, record: DocumentRecord) -> tuple[int, int]:
        """Rename and drop in place; returns (spans dropped, relations dropped)."""
        if not self.rename and not self.drop:
            return 0, 0
        kept_spans = [s for s in record.spans if s.label not in self.drop]
        gone = {id(s) for s in record.spans} - {id(s) for s in kept_spans}
        gone_keys = {s.key for s in record.spans if id(s) in gone and s.key is not None}
        kept_relations = [
            r
            for r in record.relations
            if r.label not in self.drop and r.head not in gone_keys and r.tail not in gone_keys
        ]
        dropped = (len(record.spans) - len(kept_spans), len(record.relations) - len(kept_relations))
        for span in kept_spans:
            span.label = self.rename.get(span.label, span.label)
        for relation in kept_relations:
            relation.label = self.rename.get(relation.label, relation.label)
        record.spans, record.relations = kept_spans, kept_relations
        return dropped


@dataclass
class ImportReport:
    documents_added: int = 0
    documents_skipped: int = 0  # their text was already in the project
    layers_added: int = 0
    layers_skipped: int = 0  # the same layer was there already (in the project or earlier in the import)
    layers_replaced: int = 0  # --replace: that annotator's different layer was replaced
    spans_added: int = 0
    relations_added: int = 0
    suggestions_added: int = 0  # suggestions new to the project (not in any layer)
    set_aside: Counter[str] = field(default_factory=Counter)  # reason -> records imported without annotations
    spans_dropped: int = 0  # by --drop, or with a relation's dropped end
    relations_dropped: int = 0
    invalid: list[ImportProblem] = field(default_factory=list)  # skipped with --skip-invalid
    event_id: int | None = None  # the import's event row (annotator undo-import takes it)


class ImportFailed(AnnotatorError):
    """Bad records; nothing was imported."""

    def __init__(
        self, problems: list[ImportProblem], more: int = 0, unknown_labels: dict[str, int] | None = None
    ) -> None:
        self.problems = problems
        self.unknown_labels = dict(unknown_labels or {})
        lines = []
        if self.unknown_labels:
            listed = ", ".join(f"{label} ({count})" for label, count in sorted(self.unknown_labels.items()))
            first = next(iter(sorted(self.unknown_labels)))
            lines.append(
                f"labels the schema does not know: {listed}; "
                f"map them (--map {first}=LABEL) or drop them (--drop {first})"
            )
        lines += [str(p) for p in problems]
        if more:
            lines.append(f"... and {more} more")
        lines.append("nothing was imported (use --skip-invalid to import the valid records)")
        super().__init__("\n".join(lines))
