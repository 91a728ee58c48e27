"""The one small interface of a suggestion source, and the values that cross it.

A source is built once per project (its patterns compiled, its model loaded) by its module's
``make_source(context)``, then asked for proposals a batch of documents at a time (a spaCy
source runs ``nlp.pipe`` over the batch). It knows nothing of the database: the text, the
document's meta and the schema go in; proposed spans, each with a score and the source's name,
come out. Storing them, hiding the ones already accepted or rejected, and accepting them are
the caller's (store.py, the commands, the window).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from annotator.errors import AnnotatorError
from annotator.models import NO_ATTRIBUTES

if TYPE_CHECKING:
    from annotator.schema import Schema
    from annotator.suggest.settings import SuggestionSettings


class SuggestionError(AnnotatorError):
    """A source cannot be built or has failed: the message names the source and what to do."""


class DocumentInput(NamedTuple):
    """What a source sees of one document."""

    id: int
    external_id: str
    text: str
    meta: Mapping[str, Any]


class Suggestion(NamedTuple):
    """One proposed span. Offsets are code points into the document's text, as for spans.
    score is in [0, 1]: how sure the source is (1.0 for an exact pattern or gazetteer hit)."""

    start: int
    end: int
    label: str
    score: float
    source: str
    attributes: Mapping[str, Any] = NO_ATTRIBUTES


class SuggestedRelation(NamedTuple):
    """One proposed relation, between two spans named by their offsets and labels (not by id:
    either end may be a span of the layer or another suggestion)."""

    label: str
    head: tuple[int, int, str]  # start, end, label
    tail: tuple[int, int, str]
    score: float
    source: str


class Proposals(NamedTuple):
    """A source's proposals for one document."""

    document_id: int
    spans: Sequence[Suggestion]
    relations: Sequence[SuggestedRelation] = ()


@dataclass(frozen=True)
class SourceContext:
    """What a source may use to build itself: the project folder (relative paths in settings
    resolve against it), its schema and language, its settings from project.yaml, and a way to
    read the project's annotations (the memory source reads every layer's spans).

    read_engine is a SQLAlchemy Engine (typed loosely so this module imports no SQLAlchemy).
    """

    root: Path
    schema: Schema
    language: str
    settings: SuggestionSettings
    read_engine: Any
    project_id: int


class SuggestionSource(Protocol):
    """A plug-in. name is what `--source` and project.yaml call it, and what each of its
    Suggestions carries as source."""

    name: str

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        """Proposals for each document, in the order given. Must not write anything. May raise;
        the caller then reports the source as failed and goes on without it."""
        ...
