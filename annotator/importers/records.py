"""What every format's reader produces: documents with an optional annotation layer."""

from __future__ import annotations

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
    size: int = 0  # bytes of input this record took, for progress bars

    @property
    def has_layer(self) -> bool:
        # A bare "todo" with nobody named is what the export writes for untouched documents.
        touched = self.status is not None and (self.annotator is not None or self.status != "todo")
        return bool(self.spans or self.relations or self.document_labels or touched)


@dataclass
class ImportReport:
    documents_added: int = 0
    documents_skipped: int = 0  # their text was already in the project
    layers_added: int = 0
    layers_skipped: int = 0  # that annotator had already annotated that document
    spans_added: int = 0
    relations_added: int = 0
    invalid: list[ImportProblem] = field(default_factory=list)  # skipped with --skip-invalid


class ImportFailed(AnnotatorError):
    """Bad records; nothing was imported."""

    def __init__(self, problems: list[ImportProblem], more: int = 0) -> None:
        self.problems = problems
        lines = [str(p) for p in problems]
        if more:
            lines.append(f"... and {more} more")
        lines.append("nothing was imported (use --skip-invalid to import the valid records)")
        super().__init__("\n".join(lines))
