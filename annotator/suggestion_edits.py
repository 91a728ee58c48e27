"""The service's suggestion methods: what a layer has to decide, accepting and rejecting (undoable
edits, annotator/commands/suggestions.py), and running a project's sources on one document.

A mixin of AnnotationService (service.py holds the rest of its API): the same transaction per
action, the same history and change events.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Text, cast, select, type_coerce

from annotator.commands.suggestions import AcceptSuggestions, Proposed, RejectSuggestedRelation, RejectSuggestion
from annotator.db import core_tables
from annotator.db.engine import read_snapshot, writer
from annotator.models import NO_ATTRIBUTES, Changes, Outcome, Relation, Span
from annotator.suggest.base import Proposals, SourceContext, SuggestedRelation
from annotator.suggest.store import (
    SUGGESTIONS,
    StoredSuggestion,
    merge_sources,
    replace_suggestions,
    suggested_relations,
)

if TYPE_CHECKING:
    from annotator.commands import Command
    from annotator.project import Project
    from annotator.schema import Schema

Interval = tuple[int, int, str]

__all__ = ["Accepted", "DocumentSuggestionState", "SuggestionEdits"]


@dataclass(frozen=True)
class DocumentSuggestionState:
    """Every suggestion stored for a document (merged over sources, in text order), the suggested
    relations, and the spans the edited layer has rejected: the window shows the suggestions that
    are neither a span of the layer nor rejected (store.open_suggestions' rule), and follows its edits."""

    document_id: int
    spans: tuple[StoredSuggestion, ...]
    relations: tuple[SuggestedRelation, ...]
    rejected: frozenset[Interval]


@dataclass(frozen=True)
class Accepted:
    """What accepting wrote into the layer, and what it left out (reason -> count)."""

    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    skipped: Mapping[str, int]


def stored_suggestions(
    connection: Connection, document_id: int, start_from: int = 0, start_before: int | None = None
) -> tuple[StoredSuggestion, ...]:
    """The suggestions stored for a document that start in [start_from, start_before) (None: to
    the end), merged over sources as store.open_suggestions merges them (the higher score, every
    source), in text order.

    Reading 10,000 of them is mostly making Python values of their rows (bench/suggestion_window.py),
    so a row costs one tuple and no more columns than needed: a document that one source proposed
    for (the usual case) needs no merging, its rows no source column, and its attributes (stored
    JSON, mostly "{}") are read and decoded only where there are any."""
    s = SUGGESTIONS.c
    wanted = [s.document_id == document_id]
    if start_from > 0:
        wanted.append(s.start >= start_from)
    if start_before is not None:
        wanted.append(s.start < start_before)
    # The unique key (document_id, source, start, end, label) makes this a walk of its index.
    sources = connection.execute(select(s.source).distinct().where(s.document_id == document_id)).scalars().all()
    if len(sources) > 1:
        return _merged(connection, wanted)
    query = select(s.start, s.end, s.label, s.score).where(*wanted).order_by(s.start, s.end, s.label)
    rows = connection.execute(query).all()  # one fetch: no call per row
    attributed = connection.execute(
        select(s.start, s.end, s.label, type_coerce(s.attributes, Text)).where(
            *wanted, cast(s.attributes, Text) != "{}"
        )
    ).all()
    # tuple.__new__ is what StoredSuggestion._make calls, without the named tuple's Python __new__.
    make, one, none = tuple.__new__, tuple(sources), NO_ATTRIBUTES
    made = [make(StoredSuggestion, (start, end, label, score, one, none)) for start, end, label, score in rows]
    if attributed:
        at = {suggestion[:3]: index for index, suggestion in enumerate(made)}
        for start, end, label, stored in attributed:
            index = at[(start, end, label)]
            made[index] = made[index]._replace(attributes=_attributes(stored))
    return tuple(made)


def _merged(connection: Connection, wanted: list[ColumnElement[bool]]) -> tuple[StoredSuggestion, ...]:
    """The rows of several sources, one suggestion per (start, end, label)."""
    s = SUGGESTIONS.c
    raw = type_coerce(s.attributes, Text)  # JSON text: decoded only where there are attributes
    query = select(s.start, s.end, s.label, s.score, s.source, raw).where(*wanted)
    rows = connection.execute(query.order_by(s.start, s.end, s.label)).all()
    return merge_sources((*row[:5], _attributes(row[5])) for row in rows)


def _attributes(stored: object) -> Mapping[str, Any]:
    """A suggestion's attributes as stored; anything but a JSON object is none. On a team's database
    any member writes suggestions: another's `"text"` or `[1]` must not stop this window reading them."""
    if not isinstance(stored, str):  # PostgreSQL's driver decodes JSON itself
        return stored if isinstance(stored, dict) and stored else NO_ATTRIBUTES
    if not stored or stored == "{}":
        return NO_ATTRIBUTES
    try:
        value = json.loads(stored)
    except ValueError:  # a JSON string, which PostgreSQL's driver has decoded already
        return NO_ATTRIBUTES
    return value if isinstance(value, dict) and value else NO_ATTRIBUTES


class SuggestionEdits:
    """Mixed into AnnotationService."""

    if TYPE_CHECKING:
        project: Project
        schema: Schema
        annotator_id: int

        def _run(self, command: Command) -> Changes: ...

    def document_suggestions(self, document_id: int, start_before: int | None = None) -> DocumentSuggestionState:
        """The document's stored suggestions and the edited layer's rejections, read at one moment.

        With ``start_before``, only the suggestions that start before that offset and no relation
        (what a first screen shows): ``rest_of_suggestions`` reads the rest."""
        rejections = core_tables.review_rejections.c
        with read_snapshot(self.project.engine) as connection:
            spans = stored_suggestions(connection, document_id, 0, start_before)
            relations = suggested_relations(connection, document_id, self.annotator_id) if start_before is None else ()
            rejected = frozenset(
                (start, end, label)
                for start, end, label in connection.execute(
                    select(rejections.start, rejections.end, rejections.label).where(
                        rejections.document_id == document_id, rejections.annotator_id == self.annotator_id
                    )
                )
            )
        return DocumentSuggestionState(document_id, spans, relations, rejected)

    def rest_of_suggestions(
        self, document_id: int, start_from: int, start_before: int | None = None
    ) -> tuple[tuple[StoredSuggestion, ...], tuple[SuggestedRelation, ...]]:
        """The suggestions that start in [start_from, start_before), and with the last part (None:
        to the end) the suggested relations."""
        with read_snapshot(self.project.engine) as connection:
            spans = stored_suggestions(connection, document_id, start_from, start_before)
            relations = suggested_relations(connection, document_id, self.annotator_id) if start_before is None else ()
            return spans, relations

    def accept_suggestions(
        self,
        document_id: int,
        suggestions: Sequence[Proposed],
        relations: Sequence[SuggestedRelation] = (),
        qualifier: str = "",
    ) -> Outcome[Accepted]:
        """Suggestions into the edited layer as spans with their attributes (and the suggested
        relations whose both ends are then in it): one edit, one undo step. Those the layer has
        already or the schema refuses are skipped and counted; none left is a ValidationError.
        ``qualifier`` ends the undo step's name ("accept 12 suggestions" + " scored 0.80 or more")."""
        command = AcceptSuggestions(document_id, list(suggestions), list(relations), qualifier)
        changes = self._run(command)
        return Outcome(Accepted(changes.spans_added, changes.relations_added, dict(+command.skipped)), changes)

    def reject_suggestion(self, document_id: int, suggestion: Proposed) -> Changes:
        """The layer rejects a suggestion: it is not shown again, whatever the sources propose; undoable."""
        return self._run(RejectSuggestion(document_id, suggestion))

    def reject_suggested_relation(self, document_id: int, relation: SuggestedRelation) -> Changes:
        """The layer rejects a suggested relation: not shown again, whatever the sources propose; undoable."""
        return self._run(RejectSuggestedRelation(document_id, relation))

    def suggestion_context(self) -> SourceContext:
        """What the project's sources are built from (registry.build_sources)."""
        config = self.project.config
        return SourceContext(
            config.root, self.schema, config.language, config.suggestions, self.project.engine, self.project.id
        )

    def store_proposals(self, by_source: Mapping[str, Sequence[Proposals]]) -> int:
        """Each source's proposals in place of what it proposed before for those documents, in one
        short write transaction (not an edit of any layer: not undoable). Returns the spans stored."""
        with writer(self.project.engine).begin() as connection:
            return sum(replace_suggestions(connection, source, proposals) for source, proposals in by_source.items())
