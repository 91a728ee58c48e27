"""The exceptions the core raises. Each carries a message a user can act on."""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base of every error the core raises on purpose (the CLI prints these in one line)."""


class ValidationError(AnnotatorError):
    """An edit or a record breaks the schema or the document; nothing was changed."""


class NotFoundError(AnnotatorError):
    """A document, span, relation or annotator that the call names does not exist."""


class ProjectError(AnnotatorError):
    """A project folder, its project.yaml or its database cannot be used."""


class NothingToUndoError(AnnotatorError):
    """Undo or redo was asked for with an empty history."""


class RefusedError(ProjectError):
    """The database refused what the connected role may not do (a team's grants and row-level security)."""
