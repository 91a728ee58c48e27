"""The layer a window shows, as of which event, and refusing an edit made on a stale copy of it.

Two windows of one annotator on one document: an edit in one leaves the other showing the layer as
it was. Its next edit would be judged against rows it does not show ("overlaps an ACTOR" where
there is none on screen, "no span with id 12"). So the service remembers the newest event of the
layer it handed out (``document`` reads it first, in the same read: the copy is at least that new),
and an edit checks, in its first exchange with the database and after the layer lock (no round
trip of its own: annotator/db/exchange.py), that no newer event of that layer exists. If one does,
the edit is refused with LayerChanged and changes nothing; the window reads the layer again and
then does what the user asked, if it still makes sense.

Own edits are told apart from others' by the event id each edit logs (read back by the insert's
RETURNING, in the same exchange as the COMMIT): it becomes the version shown, and the window's
change feed (annotator/live.py) skips the ids this service wrote. Comparing ids is sound because
every write of a layer holds that layer's lock from its first read to its COMMIT, so one layer's
events commit in the order of their ids.

The check is opt-in (``checked``): the window turns it on. A script or the CLI that reads and then
edits keeps today's behaviour, where an edit is judged against the layer as stored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from annotator.db import core_tables
from annotator.db.exchange import Rows, Statement
from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

OWN_EVENTS_KEPT = 4096  # ids of this service's recent edits, for the feed to skip

_EVENTS = core_tables.events
# ix_events_document (document_id, id), walked from the newest of the document's events back to the
# first of this layer (the last few, as few layers edit one document). Not max(id): SQLite's
# shortcut for max() does not apply with the layer's condition, it would read the document's history.
LATEST_OF_LAYER = (
    select(_EVENTS.c.id)
    .where(_EVENTS.c.document_id == bindparam("document_id"), _EVENTS.c.annotator_id == bindparam("annotator_id"))
    .order_by(_EVENTS.c.id.desc())
    .limit(1)
)
Guard = tuple[Statement, Callable[[Rows], None]]


class LayerChanged(AnnotatorError):
    """Another session changed the layer shown since it was read: nothing was written."""

    def __init__(self, document_id: int, annotator_id: int) -> None:
        super().__init__(
            f"the layer of document {document_id} was changed in another session since it was read: "
            "read it again, then edit"
        )
        self.document_id = document_id
        self.annotator_id = annotator_id


class ShownLayer:
    """The (document, layer) the caller shows and the newest event it had when read."""

    def __init__(self) -> None:
        self.checked = False
        self._shown: tuple[int, int] | None = None
        self._version = 0
        self._own: deque[int] = deque(maxlen=OWN_EVENTS_KEPT)
        self._own_set: set[int] = set()

    @property
    def shown(self) -> tuple[int, int] | None:
        """(document id, annotator id) of the layer shown and checked; None if none."""
        return self._shown if self.checked else None

    @property
    def version(self) -> int:
        """The newest event of the layer shown that the caller's copy includes."""
        return self._version

    def read_version(self, session: Session, document_id: int, annotator_id: int, own_id: int) -> int | None:
        """The layer's newest event, read first in the caller's read; None unless checked and the own layer."""
        if not self.checked or annotator_id != own_id:
            return None
        found = session.execute(LATEST_OF_LAYER, {"document_id": document_id, "annotator_id": annotator_id}).scalar()
        return int(found or 0)

    def show(self, document_id: int, annotator_id: int, version: int | None) -> None:
        if version is not None:
            self._shown = (document_id, annotator_id)
            self._version = version

    def guard(self, annotator_id: int) -> Guard | None:
        """The check an edit of layer ``annotator_id`` sends with its first read; None if none applies."""
        shown = self.shown
        if shown is None or shown[1] != annotator_id:
            return None
        document_id, version = shown[0], self._version

        def check(rows: Rows) -> None:
            if rows and int(rows[0][0]) > version:
                raise LayerChanged(document_id, annotator_id)

        return (LATEST_OF_LAYER, {"document_id": document_id, "annotator_id": annotator_id}), check

    def written(self, document_id: int | None, annotator_id: int, event_id: int) -> None:
        """This service logged ``event_id``: an edit that passed the guard, so the copy shown is now that new."""
        if len(self._own) == self._own.maxlen:
            self._own_set.discard(self._own[0])
        self._own.append(event_id)
        self._own_set.add(event_id)
        if self._shown == (document_id, annotator_id):
            self._version = max(self._version, event_id)

    def is_own(self, event_id: int) -> bool:
        """Whether this service wrote the event (among its last OWN_EVENTS_KEPT edits)."""
        return event_id in self._own_set
