"""Undoable edits. Each command applies or reverts inside the caller's transaction.

Commands hold plain ids and values, never ORM objects, so they outlive the session
they ran in. Revert restores rows under their old ids: apply-then-revert leaves the
export byte-identical.
"""

from __future__ import annotations

from annotator.commands.base import Command, EditContext, run_step
from annotator.commands.document import SetDocumentLabel, SetStatus
from annotator.commands.relations import AddRelation, RemoveRelation
from annotator.commands.span_batch import AddSpans
from annotator.commands.spans import AddSpan, RelabelSpan, RemoveSpan, ResizeSpan, SetAttribute

__all__ = [
    "AddRelation",
    "AddSpan",
    "AddSpans",
    "Command",
    "EditContext",
    "RelabelSpan",
    "RemoveRelation",
    "RemoveSpan",
    "ResizeSpan",
    "SetAttribute",
    "SetDocumentLabel",
    "SetStatus",
    "run_step",
]
