"""Per-document state of a layer: status and document labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.commands import statements as sql
from annotator.commands.base import Command, EditContext, first_value
from annotator.db.exchange import Statement
from annotator.errors import ValidationError
from annotator.models import STATUSES, Changes, stored_status


@dataclass
class SetStatus(Command):
    document_id: int
    status: str
    _old: str | None = None  # None: the layer had no status row (todo)

    @property
    def description(self) -> str:
        return f"mark {self.status.replace('_', ' ')}"

    def apply(self, ctx: EditContext) -> Changes:
        if self.status not in STATUSES:
            raise ValidationError(f"unknown status {self.status!r} (use one of {', '.join(STATUSES)})")
        ctx.document_text(self.document_id)  # raises NotFoundError for an unknown document
        self._old = first_value(ctx.tx.read(self._status_query(ctx))[0])
        if self._old is None:
            row = {"document_id": self.document_id, "annotator_id": ctx.annotator_id, "seconds_spent": 0.0}
            ctx.tx.write((sql.INSERT_STATUS, {**row, "status": self.status}))
        elif self._old == self.status:
            raise ValidationError(f"document is already {self.status}")
        else:
            ctx.tx.write((sql.UPDATE_STATUS, self._update(ctx, self.status)))
        return Changes(self.description, self.document_id, ctx.annotator, status=stored_status(self.status))

    def revert(self, ctx: EditContext) -> Changes:
        now = first_value(ctx.tx.read(self._status_query(ctx))[0])
        if now != self.status:
            now = now or "todo"
            raise ValidationError(f"the document is {now.replace('_', ' ')} now (changed in another window)")
        if self._old is None:
            ctx.tx.write((sql.DELETE_STATUS, self._this(ctx)))
            status = "todo"
        else:
            ctx.tx.write((sql.UPDATE_STATUS, self._update(ctx, self._old)))
            status = self._old
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, status=stored_status(status))

    def _this(self, ctx: EditContext) -> dict[str, Any]:
        return {"document_id": self.document_id, "annotator_id": ctx.annotator_id}

    def _update(self, ctx: EditContext, status: str) -> dict[str, Any]:
        return {"where_document_id": self.document_id, "where_annotator_id": ctx.annotator_id, "new_status": status}

    def _status_query(self, ctx: EditContext) -> Statement:
        return sql.STATUS_OF, self._this(ctx)


@dataclass
class SetDocumentLabel(Command):
    document_id: int
    label: str
    present: bool

    @property
    def description(self) -> str:
        return f"{'add' if self.present else 'remove'} document label {self.label}"

    def apply(self, ctx: EditContext) -> Changes:
        if self.label not in {d.name for d in ctx.schema.document_labels}:
            raise ValidationError(f"unknown document label {self.label!r}")
        ctx.document_text(self.document_id)
        if self._is_set(ctx) == self.present:
            raise ValidationError(f"document label {self.label} is already {'set' if self.present else 'unset'}")
        self._write(ctx, self.present)
        return _label_changes(self.description, self.document_id, ctx.annotator, self.label, self.present)

    def revert(self, ctx: EditContext) -> Changes:
        if self._is_set(ctx) != self.present:
            state = "set" if not self.present else "unset"
            raise ValidationError(f"document label {self.label} is {state} now (changed in another window)")
        self._write(ctx, not self.present)
        return _label_changes(f"undo {self.description}", self.document_id, ctx.annotator, self.label, not self.present)

    def _is_set(self, ctx: EditContext) -> bool:
        return bool(ctx.tx.read((sql.LABEL_OF, self._this(ctx)))[0])

    def _write(self, ctx: EditContext, present: bool) -> None:
        if present:
            values = {"document_id": self.document_id, "annotator_id": ctx.annotator_id, "label": self.label}
            ctx.tx.write((sql.INSERT_LABEL, values))
        else:
            ctx.tx.write((sql.DELETE_LABEL, self._this(ctx)))

    def _this(self, ctx: EditContext) -> dict[str, Any]:
        return {"document_id": self.document_id, "annotator_id": ctx.annotator_id, "document_label": self.label}


def _label_changes(description: str, document_id: int, annotator: str, label: str, present: bool) -> Changes:
    """Changes saying that ``label`` was set (present) or unset on the layer."""
    if present:
        return Changes(description, document_id, annotator, document_labels_added=(label,))
    return Changes(description, document_id, annotator, document_labels_removed=(label,))
