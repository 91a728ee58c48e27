"""Per-document state of a layer: status and document labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete

from annotator.commands.base import Command, EditContext, row_dict
from annotator.db.tables import (
    DocumentLabelRow,
    DocumentStatusRow,
)
from annotator.errors import ValidationError
from annotator.models import STATUSES, Changes


@dataclass
class SetStatus(Command):
    document_id: int
    status: str
    _old: dict[str, Any] | None = None

    @property
    def description(self) -> str:
        return f"mark {self.status.replace('_', ' ')}"

    def apply(self, ctx: EditContext) -> Changes:
        if self.status not in STATUSES:
            raise ValidationError(f"unknown status {self.status!r} (use one of {', '.join(STATUSES)})")
        ctx.document_text(self.document_id)  # raises NotFoundError for an unknown document
        row = ctx.session.get(DocumentStatusRow, (self.document_id, ctx.annotator_id))
        self._old = None if row is None else row_dict(row)
        if row is None:
            ctx.session.add(
                DocumentStatusRow(document_id=self.document_id, annotator_id=ctx.annotator_id, status=self.status)
            )
        elif row.status == self.status:
            raise ValidationError(f"document is already {self.status}")
        else:
            row.status = self.status
        ctx.session.flush()
        return Changes(self.description, self.document_id, ctx.annotator, status=self.status)

    def revert(self, ctx: EditContext) -> Changes:
        row = ctx.session.get(DocumentStatusRow, (self.document_id, ctx.annotator_id))
        if row is None or row.status != self.status:
            now = "todo" if row is None else row.status
            raise ValidationError(f"the document is {now.replace('_', ' ')} now (changed in another window)")
        if self._old is None:
            if row is not None:
                ctx.session.delete(row)
            status = "todo"
        else:
            row.status = status = self._old["status"]
        ctx.session.flush()
        return Changes(f"undo {self.description}", self.document_id, ctx.annotator, status=status)  # type: ignore[arg-type]


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
        key = (self.document_id, ctx.annotator_id, self.label)
        if (ctx.session.get(DocumentLabelRow, key) is not None) == self.present:
            raise ValidationError(f"document label {self.label} is already {'set' if self.present else 'unset'}")
        self._write(ctx, self.present)
        return _label_changes(self.description, self.document_id, ctx.annotator, self.label, self.present)

    def revert(self, ctx: EditContext) -> Changes:
        key = (self.document_id, ctx.annotator_id, self.label)
        if (ctx.session.get(DocumentLabelRow, key) is not None) != self.present:
            state = "set" if not self.present else "unset"
            raise ValidationError(f"document label {self.label} is {state} now (changed in another window)")
        self._write(ctx, not self.present)
        return _label_changes(f"undo {self.description}", self.document_id, ctx.annotator, self.label, not self.present)

    def _write(self, ctx: EditContext, present: bool) -> None:
        key = (self.document_id, ctx.annotator_id, self.label)
        if present:
            ctx.session.add(DocumentLabelRow(document_id=key[0], annotator_id=key[1], label=key[2]))
        else:
            ctx.session.execute(
                delete(DocumentLabelRow).where(
                    DocumentLabelRow.document_id == key[0],
                    DocumentLabelRow.annotator_id == key[1],
                    DocumentLabelRow.label == key[2],
                )
            )
        ctx.session.flush()


def _label_changes(description: str, document_id: int, annotator: str, label: str, present: bool) -> Changes:
    """Changes saying that ``label`` was set (present) or unset on the layer."""
    if present:
        return Changes(description, document_id, annotator, document_labels_added=(label,))
    return Changes(description, document_id, annotator, document_labels_removed=(label,))
