"""The lock every write to an annotator's layer takes, whoever writes (service, undo, import).

Rules that span several rows (no crossing spans, no duplicates, relation ends) are checked by
reading the layer and then writing it; two writers that both read before either writes could
each pass and together break the rule. So each holds the annotator's row lock from before it
reads until it commits. SQLite's BEGIN IMMEDIATE already serialises every writer (SQLAlchemy
leaves out FOR UPDATE there); PostgreSQL under READ COMMITTED needs the row lock.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from annotator.db.tables import AnnotatorRow

# The statement that takes the lock (an edit sends it with its reads: db/exchange.py).
LAYER_LOCK = select(AnnotatorRow.id).where(AnnotatorRow.id == bindparam("annotator_id")).with_for_update()


def lock_layer(connection: Connection | Session, annotator_id: int) -> None:
    """Hold the layer of this annotator (every document) until the transaction ends."""
    connection.execute(LAYER_LOCK, {"annotator_id": annotator_id})
