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

from sqlalchemy import Connection, Text, select, type_coerce

from annotator.commands.suggestions import AcceptSuggestions, Proposed, RejectSuggestedRelation, RejectSuggestion
from annotator.db import core_tables
from annotator.db.engine import read_snapshot, writer
from annotator.models import NO_ATTRIBUTES, Changes, Outcome, Relation, Span
from annotator.suggest.base import Proposals, SourceContext, SuggestedRelation
from annotator.suggest.store import SUGGESTED_RELATIONS, SUGGESTIONS, StoredSuggestion, replace_suggestions

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
    rejected_relations: frozenset[SuggestedRelation] = frozenset()  # of relations, those the layer rejected


@dataclass(frozen=True)
class Accepted:
    """What accepting wrote into the layer, and what it left out (reason -> count)."""

    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    skipped: Mapping[str, int]


def stored_suggestions(connection: Connection, document_id: int) -> tuple[StoredSuggestion, ...]:
    """Every suggestion stored for a document, merged over sources as store.open_suggestions merges
    them (the higher score, every source), in text order. The attributes are read as the stored
    JSON text and decoded only where there are any: SQLAlchemy's JSON result processing was most of
    the time of reading 10,000 suggestions (bench/suggestion_window.py)."""
    s = SUGGESTIONS.c
    raw = type_coerce(s.attributes, Text)
    query = select(s.start, s.end, s.label, s.score, s.source, raw).where(s.document_id == document_id)
    merged: dict[Interval, StoredSuggestion] = {}
    rows = connection.execute(query.order_by(s.start, s.end, s.label)).all()  # one fetch: no call per row
    for start, end, label, score, source, stored in rows:
        attributes = _attributes(stored)
        key = (start, end, label)
        found = merged.get(key)
        if found is None:
            merged[key] = StoredSuggestion(start, end, label, score, (source,), attributes)
            continue
        better = (score, len(attributes)) > (found.score, len(found.attributes))
        merged[key] = StoredSuggestion(
            start,
            end,
            label,
            max(score, found.score),
            (*found.sources, source),
            attributes if better else found.attributes,
        )
    return tuple(merged.values())


def suggested_relations(connection: Connection, document_id: int) -> tuple[SuggestedRelation, ...]:
    """The document's suggested relations (store.open_suggestions reads them for every layer alike)."""
    r = SUGGESTED_RELATIONS.c
    query = select(r.label, r.head_start, r.head_end, r.head_label, r.tail_start, r.tail_end, r.tail_label)
    return tuple(
        SuggestedRelation(label, (hs, he, hl), (ts, te, tl), score, source)
        for label, hs, he, hl, ts, te, tl, score, source in connection.execute(
            query.add_columns(r.score, r.source)
            .where(r.document_id == document_id)
            .order_by(r.head_start, r.tail_start, r.label)
        )
    )


RELATION_KEY = ("label", "head_start", "head_end", "head_label", "tail_start", "tail_end", "tail_label")


def _rejected_relations(
    connection: Connection, document_id: int, annotator_id: int, relations: tuple[SuggestedRelation, ...]
) -> frozenset[SuggestedRelation]:
    if not relations:
        return frozenset()
    refused = core_tables.relation_rejections.c
    query = select(*(refused[name] for name in RELATION_KEY)).where(
        refused.document_id == document_id, refused.annotator_id == annotator_id
    )
    keys = {tuple(row) for row in connection.execute(query)}
    return frozenset(r for r in relations if (r.label, *r.head, *r.tail) in keys)


def _attributes(stored: object) -> Mapping[str, Any]:
    if isinstance(stored, dict):  # PostgreSQL's driver decodes JSON itself
        return stored or NO_ATTRIBUTES
    if not stored or stored == "{}":
        return NO_ATTRIBUTES
    value = json.loads(str(stored))
    return value if isinstance(value, dict) and value else NO_ATTRIBUTES


class SuggestionEdits:
    """Mixed into AnnotationService."""

    if TYPE_CHECKING:
        project: Project
        schema: Schema
        annotator_id: int

        def _run(self, command: Command) -> Changes: ...

    def document_suggestions(self, document_id: int) -> DocumentSuggestionState:
        """The document's stored suggestions and the edited layer's rejections, read at one moment."""
        rejections = core_tables.review_rejections.c
        with read_snapshot(self.project.engine) as connection:
            spans = stored_suggestions(connection, document_id)
            relations = suggested_relations(connection, document_id)
            rejected = frozenset(
                (start, end, label)
                for start, end, label in connection.execute(
                    select(rejections.start, rejections.end, rejections.label).where(
                        rejections.document_id == document_id, rejections.annotator_id == self.annotator_id
                    )
                )
            )
            rejected_relations = _rejected_relations(connection, document_id, self.annotator_id, relations)
        return DocumentSuggestionState(document_id, spans, relations, rejected, rejected_relations)

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
