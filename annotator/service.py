"""The API that the window, the CLI and the tests call. One AnnotationService is one annotator
working on one project: every edit goes into that annotator's layer, runs as one transaction, is
logged in the event log, and can be undone. Edits return an Outcome (value + Changes) and tell
every subscriber what changed."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from annotator.commands import (
    AddRelation,
    AddSpan,
    AddSpans,
    Command,
    EditContext,
    RelabelSpan,
    RemoveRelation,
    RemoveSpan,
    ResizeSpan,
    SetAttribute,
    SetDocumentLabel,
    SetStatus,
    run_step,
)
from annotator.commands.layer_copy import Copied, CopySpans
from annotator.commands.review import AcceptCandidates, RejectCandidate
from annotator.commands.statements import INSERT_EVENT, add_time_statement
from annotator.db.exchange import EditTransaction, refusals_as_errors
from annotator.document_queue import DocumentQueue
from annotator.errors import NotFoundError, ValidationError
from annotator.history import History
from annotator.layer_list import LayerSummary, LayerView, document_layers, other_layer, readable_layer_id
from annotator.layer_read import document_view, rest_of_layer
from annotator.models import (
    Changes,
    DocumentView,
    Outcome,
    Relation,
    Span,
    Status,
)
from annotator.project import Project, check_annotator_name, default_annotator_name
from annotator.queries import TextCache
from annotator.review import DEFAULT_OPTIONS, GOLD, Candidate, ReviewBoard, ReviewOptions
from annotator.shown_layer import ShownLayer
from annotator.suggestion_edits import SuggestionEdits
from annotator.team.identity import check_may_edit_layer, working_name

log = logging.getLogger(__name__)
Listener = Callable[[Changes], None]
T = TypeVar("T")


class AnnotationService(DocumentQueue, SuggestionEdits):  # the list (document_queue.py), suggestions
    def __init__(self, project: Project, annotator: str | None = None) -> None:
        self.project = project
        self.schema = project.schema
        annotator = working_name(project.team, annotator)
        self.annotator = annotator or default_annotator_name()
        check_annotator_name(self.annotator)
        self.user = self.annotator  # who works; edits go to the layer edited (theirs, or gold in review)
        self._histories = {self.annotator: History()}
        self.history = self._histories[self.annotator]
        self._listeners: list[Listener] = []
        self._text_cache = TextCache(project)
        self.shown_layer = ShownLayer()  # the window's stale-copy check and own edits (annotator/shown_layer.py)
        # Registers a new name; a known one is only read, so the window opens during an import.
        self.annotator_id = project.ensure_annotator(self.annotator)
        self.user_id = self.annotator_id

    @classmethod
    def open(cls, project_dir: str | os.PathLike[str], annotator: str | None = None) -> AnnotationService:
        return cls(Project.open(project_dir), annotator)

    def close(self) -> None:
        self.project.close()

    def __enter__(self) -> AnnotationService:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call listener with every Changes; returns the function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # --- reading ----------------------------------------------------------------------

    def document(
        self,
        document_id: int,
        layer: str | None = None,
        *,
        first: Callable[[DocumentView], None] | None = None,
        first_spans_before: int = 0,
    ) -> DocumentView:
        """A document with one layer (the service's own annotator unless named).

        With ``first``, read in two steps within one read (one snapshot): ``first`` is called
        with the document holding only the spans that start before ``first_spans_before`` and
        no relations (the window paints its first screen from it), then the rest is read and
        the whole document returned.
        """
        with self.project.read() as session:
            annotator_id = self._layer_id(session, layer)
            version = self.shown_layer.read_version(session, document_id, annotator_id, self.annotator_id)
            name = layer or self.annotator
            if first is None:
                view = document_view(session, self.project, document_id, annotator_id, name)
            else:
                head = document_view(
                    session, self.project, document_id, annotator_id, name, spans_before=first_spans_before
                )
                first(head)
                view = rest_of_layer(session, head, annotator_id, first_spans_before)
        # The edits that follow check offsets against this text: they need not read it again.
        self._text_cache.remember(view.id, view.text)
        self.shown_layer.show(document_id, annotator_id, version)
        return view

    def layers(self, document_id: int) -> list[LayerSummary]:
        """The document's layers other than this annotator's that it may read, with span counts and status."""
        with self.project.read() as session:
            return document_layers(session, document_id, self.annotator_id)

    def other_layer(self, document_id: int, name: str) -> LayerView:
        """Annotator ``name``'s layer of a document, to show read-only: the same Span and Relation values."""
        with self.project.read() as session:
            annotator_id = readable_layer_id(session, self.annotator_id, name, self.project.team is not None)
            text = self._text_cache.reader(session)(document_id)
            return other_layer(session, document_id, annotator_id, name, text)

    # --- editing ----------------------------------------------------------------------

    def add_span(
        self, document_id: int, start: int, end: int, label: str, attributes: Mapping[str, Any] | None = None
    ) -> Outcome[Span]:
        changes = self._run(AddSpan(document_id, start, end, label, dict(attributes or {})))
        return Outcome(changes.spans_added[0], changes)

    def add_spans(
        self, document_id: int, spans: Sequence[tuple[int, int, str]], description: str
    ) -> Outcome[tuple[Span, ...]]:
        """Several spans as one edit and one undoable step (one batch insert)."""
        changes = self._run(AddSpans(document_id, list(spans), description))
        return Outcome(changes.spans_added, changes)

    def label_all_occurrences(self, document_id: int, start: int, end: int, label: str) -> Outcome[tuple[Span, ...]]:
        """Label every occurrence of text[start:end] in the document, as one edit and one undoable step.
        Matching is case-sensitive, and whole-word when the selection sits on word edges.
        Occurrences that would duplicate a span or break the overlap rule are left out."""
        changes = self._run(AddSpans(document_id, occurrences_of=(start, end, label)))
        return Outcome(changes.spans_added, changes)

    def copy_spans(self, source: LayerView, span_ids: Collection[int] | None = None) -> Outcome[Copied]:
        """Copy spans of another layer (every one, or those of ``span_ids``) into this annotator's, with
        their attributes and the relations whose both ends are copied: one edit, one undoable step.
        Spans the layer has already (same start, end, label) or that the schema refuses are skipped."""
        chosen = None if span_ids is None else set(span_ids)
        wanted = source.spans if chosen is None else [s for s in source.spans if s.id in chosen]
        changes = self._run(command := CopySpans(source.document_id, source.annotator, wanted, source.relations))
        return Outcome(Copied(changes.spans_added, changes.relations_added, dict(+command.skipped)), changes)

    def remove_span(self, span_id: int) -> Outcome[Span]:
        changes = self._run(RemoveSpan(span_id))
        return Outcome(changes.spans_removed[0], changes)

    def relabel_span(self, span_id: int, label: str) -> Outcome[Span]:
        changes = self._run(RelabelSpan(span_id, label))
        return Outcome(changes.spans_changed[0], changes)

    def resize_span(self, span_id: int, start: int, end: int) -> Outcome[Span]:
        """Move a span's edges to [start, end), keeping its id, label, attributes and relations."""
        changes = self._run(ResizeSpan(span_id, start, end))
        return Outcome(changes.spans_changed[0], changes)

    def set_attribute(self, span_id: int, name: str, value: Any) -> Outcome[Span]:
        """Set one attribute of a span; value None clears it."""
        changes = self._run(SetAttribute(span_id, name, value))
        return Outcome(changes.spans_changed[0], changes)

    def add_relation(self, label: str, head: int, tail: int) -> Outcome[Relation]:
        changes = self._run(AddRelation(label, head, tail))
        return Outcome(changes.relations_added[0], changes)

    def remove_relation(self, relation_id: int) -> Outcome[Relation]:
        changes = self._run(RemoveRelation(relation_id))
        return Outcome(changes.relations_removed[0], changes)

    def set_status(self, document_id: int, status: Status) -> Outcome[Status]:
        changes = self._run(SetStatus(document_id, status))
        assert changes.status is not None
        return Outcome(changes.status, changes)

    def set_document_label(self, document_id: int, label: str, present: bool = True) -> Outcome[bool]:
        changes = self._run(SetDocumentLabel(document_id, label, present))
        return Outcome(present, changes)

    def add_time(self, document_id: int, seconds: float) -> None:
        """Add reading time to this layer's status row (not an undoable edit): one exchange, an upsert."""
        if not seconds >= 0:
            raise ValidationError(f"time spent must be a non-negative number, got {seconds!r}")
        with self._edit() as tx:
            values = {
                "document_id": document_id,
                "annotator_id": self.annotator_id,
                "project_id": self.project.id,
                "status": "todo",
                "seconds": seconds,
            }
            (written,) = tx.commit((add_time_statement(tx.connection.dialect.name), values))
        if not written:  # nothing was written: the project has no such document
            raise NotFoundError(f"no document with id {document_id} in project {self.project.config.name!r}")

    # --- review: adjudication into the gold layer (annotator/review.py) -------------------

    def edit_layer(self, name: str) -> None:
        """Edit the user's own layer or (review mode) the gold layer; each keeps its own undo history."""
        if name not in (self.user, GOLD):
            raise ValidationError(f"only {self.user!r}'s own layer or {GOLD!r} can be edited, not {name!r}")
        check_may_edit_layer(self.project.team, name)
        self.annotator_id = self.project.ensure_annotator(name)
        self.annotator = name
        self.history = self._histories.setdefault(name, History())

    def review_board(self, document_id: int, options: ReviewOptions = DEFAULT_OPTIONS) -> ReviewBoard:
        """Every layer's spans of a document as candidates for gold, with marks, k of n and state."""
        from annotator.gcpause import collector_paused
        from annotator.review_read import read_board

        # Thousands of rows and candidates, no cycles: a collection meanwhile would only rescan them.
        with collector_paused(), self.project.read() as session:
            return read_board(session, self.project, document_id, options)

    def accept(
        self, document_id: int, candidates: Sequence[Candidate], description: str = ""
    ) -> Outcome[tuple[Span, ...]]:
        """Candidates into gold (attributes, relations whose other end is in gold), one undo step."""
        self._require_gold()
        changes = self._run(AcceptCandidates(document_id, list(candidates), description))
        return Outcome(changes.spans_added, changes)

    def accept_agreed(self, document_id: int, options: ReviewOptions = DEFAULT_OPTIONS) -> Outcome[tuple[Span, ...]]:
        """Every agreed (k of n), undecided candidate into gold, as one edit and one undo step (those
        gold cannot take, crossing a gold span where the schema forbids it, stay undecided)."""
        agreed = self.review_board(document_id, options).agreed_undecided()
        if not agreed:
            raise ValidationError("no agreed candidate is left undecided")
        self._require_gold()
        changes = self._run(AcceptCandidates(document_id, agreed, keep_what_fits=True))
        return Outcome(changes.spans_added, changes)

    def reject(self, document_id: int, candidate: Candidate) -> Changes:
        """Reject a candidate for gold (kept; gold's copy of it removed), one undo step."""
        self._require_gold()
        return self._run(RejectCandidate(document_id, candidate))

    def _require_gold(self) -> None:
        if self.annotator != GOLD:
            raise ValidationError(f"accepting and rejecting write the {GOLD!r} layer: switch to it (review mode)")

    # --- undo and redo ----------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return self.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.history.can_redo

    @property
    def undo_description(self) -> str | None:
        return self.history.undo_description

    @property
    def redo_description(self) -> str | None:
        return self.history.redo_description

    def undo(self) -> Changes:
        command = self.history.next_undo()
        changes = self._execute(command, command.revert, "undo")
        self.history.undone()
        self._emit(changes)
        return changes

    def redo(self) -> Changes:
        command = self.history.next_redo()
        changes = self._execute(command, command.apply, "redo")
        self.history.redone()
        self._emit(changes)
        return changes

    # --- internals --------------------------------------------------------------------

    def _run(self, command: Command) -> Changes:
        changes = self._execute(command, command.apply, "do")
        self.history.done(command)
        self._emit(changes)
        return changes

    def _execute(self, command: Command, step: Callable[[EditContext], Changes], how: str) -> Changes:
        """One step of a command as one transaction: its reads in one exchange; writes, event, COMMIT in another."""
        with self._edit() as tx:
            tx.guard = self.shown_layer.guard(self.annotator_id)
            ctx = EditContext(tx, self.schema, self.annotator_id, self.annotator, self._text_cache.reader(tx.session))
            changes = run_step(command, step, ctx, how)
            event = {
                "annotator_id": self.annotator_id,
                "document_id": changes.document_id,
                "action": f"{how}:{type(command).__name__}",
                "detail": {"description": changes.description}
                | ({"by": self.user} if self.user != self.annotator else {}),  # a reviewer's gold edit: who
            }
            (logged,) = tx.commit((INSERT_EVENT, event))
        self.shown_layer.written(changes.document_id, self.annotator_id, int(logged[0][0]))
        return changes

    @contextmanager
    def _edit(self) -> Iterator[EditTransaction]:
        """The transaction of one edit; database-level refusals become the core's own errors."""
        session = self.project.write()
        with refusals_as_errors(session), session.begin():
            tx = EditTransaction(session, self.annotator_id)
            try:
                yield tx
            except BaseException:
                tx.rollback()
                raise

    def _layer_id(self, session: Session, layer: str | None) -> int:
        if layer is None or layer == self.annotator:
            return self.annotator_id
        found = self.project.annotator_id(session, layer, create=False)
        if found is None:
            raise NotFoundError(f"no annotator named {layer!r}")
        return found

    def _emit(self, changes: Changes) -> None:
        for listener in list(self._listeners):
            try:
                listener(changes)
            except Exception:  # the edit is committed; a broken view must not undo that
                log.exception("change listener failed")
