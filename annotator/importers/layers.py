"""An annotator's layer of one document as the import rule sees it: what it holds, whether a
record would repeat it, and the rows to take out and put back when a layer is replaced.

The rule every format goes through (loader.py): a record whose layer already exists, in the
project or earlier in the same import, is a harmless repeat when it holds the same spans
(with attributes), relations and document labels, and the same status if it gives one. A
different layer is never dropped silently: the import is refused naming each such record,
unless --replace asks for the project's layer to be replaced (undoable: the old rows go into
the import's event, see import_log.py). A layer that holds nothing (a "todo" made by opening
the document) is not an annotation and is filled without asking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, DateTime, delete, insert, select

from annotator.db.tables import (
    AnnotatorRow,
    DocumentLabelRow,
    DocumentStatusRow,
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import ValidationError

Bounds = tuple[int, int, str]


@dataclass(frozen=True)
class LayerContent:
    """What a layer says, in a form two layers can be compared by: a digest of its spans (with
    attributes), relations and document labels, ids left out (an import keeps one per layer, so
    not the spans themselves), and its status."""

    digest: bytes
    empty_body: bool
    status: str | None  # None: the record gives none / the project has no status row

    @property
    def empty(self) -> bool:
        return self.empty_body and self.status in (None, "todo")

    def repeated_by(self, record: LayerContent) -> bool:
        """Whether a record holding `record` only repeats this layer."""
        same_status = record.status is None or (record.status or "todo") == (self.status or "todo")
        return same_status and record.digest == self.digest


def _content(
    spans: Iterable[tuple[int, int, str, str]],
    relations: Iterable[tuple[str, Bounds, Bounds]],
    labels: Iterable[str],
    status: str | None,
) -> LayerContent:
    body = [sorted(spans), sorted(relations), sorted(labels)]
    digest = hashlib.blake2b(repr(body).encode("utf-8", "surrogatepass"), digest_size=20).digest()
    return LayerContent(digest, not any(body), status)


REPEAT = object()  # LayerRule.check(): the record repeats a layer that is there already


class LayerRule:
    """The rule above, applied to each record's layer in the order of the import; it also keeps
    what the import added and replaced, for its event (by document sha until documents have ids)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.replace = False  # --replace
        # (sha, annotator id) -> layer (or how to work it out, for a new layer), file:line
        self.given: dict[tuple[str, int], tuple[LayerContent | Callable[[], LayerContent], str]] = {}
        self.layers: list[tuple[str, int]] = []  # (sha, annotator id) of the layers added since the last batch
        self.replaced: list[dict[str, Any]] = []  # document id, annotator id, the old rows
        self.locked: set[int] = set()  # annotators whose layers this import holds the lock of

    def check(
        self,
        key: tuple[str, int],
        content: Callable[[], LayerContent],
        load_stored: Callable[[], StoredLayer | None],
        where: str,
        document: str,
        annotator: str,
        written: Callable[[], tuple[LayerContent, str] | None] = lambda: None,
    ) -> StoredLayer | object | None:
        """REPEAT for a repeat, the project's layer when this one replaces it, None for a new
        layer; a layer that may not replace the one there is refused (a ValidationError).
        `written` gives the layer this import wrote for the key in an earlier batch (the loader
        takes the key out of `given` once its rows are written, so memory does not grow).
        `content` is asked for only when there is a layer to compare with: a new layer's digest
        is worked out only if its key comes again."""
        earlier = self.given.get(key) or written()
        if earlier is not None:
            if _settled(earlier[0]).repeated_by(content()):
                return REPEAT
            raise ValidationError(
                f"document {document!r} gets two different layers by {annotator!r} in this import "
                f"(the other from {earlier[1]}); import one of them into another layer "
                "(--annotator NAME, one file at a time)"
            )
        self._lock(key[1])
        stored = load_stored()
        if stored is None:
            self.given[key] = (content, where)
            return None
        mine = content()
        if stored.content.repeated_by(mine):
            self.given[key] = (stored.content, where)
            return REPEAT
        if not stored.content.empty and not self.replace:
            raise ValidationError(
                f"document {document!r} already has a different layer by {annotator!r} in the project; "
                "--replace replaces it with this record's (undoable), --annotator NAME imports it beside it"
            )
        self.given[key] = (mine, where)
        return stored

    def settle(self, key: tuple[str, int]) -> None:
        """Work out a remembered layer's digest now, so that the layer itself can go."""
        found = self.given.get(key)
        if found is not None and not isinstance(found[0], LayerContent):
            self.given[key] = (found[0](), found[1])

    def _lock(self, annotator_id: int) -> None:
        """Held to the end of the import: nobody edits a layer between its comparison here and
        its replacement."""
        if annotator_id not in self.locked:
            lock_layers(self.connection, annotator_id)
            self.locked.add(annotator_id)

    def take_out(self, document_id: int, annotator_id: int, stored: StoredLayer) -> None:
        """Delete the layer a record replaces; its rows go into the import's event for undo."""
        delete_layer(self.connection, document_id, annotator_id)
        self.replaced.append({"document": document_id, "annotator": annotator_id, "old": stored.rows})


def _settled(content: LayerContent | Callable[[], LayerContent]) -> LayerContent:
    return content if isinstance(content, LayerContent) else content()


def lock_layers(connection: Connection, annotator_id: int) -> None:
    """The lock the service takes for an edit of that annotator's layers, to the end of the
    transaction (on PostgreSQL; SQLite's write transaction already serialises writers)."""
    connection.execute(select(AnnotatorRow.id).where(AnnotatorRow.id == annotator_id).with_for_update())


def attributes_key(attributes: dict[str, Any]) -> str:
    if not attributes:
        return "{}"
    try:
        return orjson.dumps(attributes, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError: lone surrogates, big integers (refused later, but keyed here)
        return json.dumps(attributes, sort_keys=True, default=repr)


def content_of(
    spans: list[tuple[int, int, str, dict[str, Any]]],
    relations: list[tuple[str, int, int]],
    document_labels: list[str],
    status: str | None,
) -> LayerContent:
    """A record's layer (spans with attributes; relations as label, head index, tail index)."""
    return _content(
        ((s, e, label, attributes_key(attrs)) for s, e, label, attrs in spans),
        ((label, spans[head][:3], spans[tail][:3]) for label, head, tail in relations),
        set(document_labels),
        status,
    )


@dataclass
class StoredLayer:
    """A layer in the database: its content, and its rows as JSON (to put it back on undo)."""

    content: LayerContent
    rows: dict[str, list[dict[str, Any]]]
    seconds_spent: float | None  # of its status row, if it has one


def _plain(row: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row._mapping.items()}


def load_layer(connection: Connection, document_id: int, annotator_id: int) -> StoredLayer | None:
    """The layer of that annotator on that document, or None when it has no row at all."""
    layer = (SpanRow.document_id == document_id, SpanRow.annotator_id == annotator_id)
    spans = [_plain(r) for r in connection.execute(select(SpanRow.__table__).where(*layer).order_by(SpanRow.id))]
    span_ids = [s["id"] for s in spans]
    attributes = (
        [
            _plain(r)
            for r in connection.execute(
                select(SpanAttributeRow.__table__).where(SpanAttributeRow.span_id.in_(span_ids))
            )
        ]
        if span_ids
        else []
    )
    relations = [
        _plain(r)
        for r in connection.execute(
            select(RelationRow.__table__)
            .where(RelationRow.document_id == document_id, RelationRow.annotator_id == annotator_id)
            .order_by(RelationRow.id)
        )
    ]
    statuses = [
        _plain(r)
        for r in connection.execute(
            select(DocumentStatusRow.__table__).where(
                DocumentStatusRow.document_id == document_id, DocumentStatusRow.annotator_id == annotator_id
            )
        )
    ]
    labels = [
        _plain(r)
        for r in connection.execute(
            select(DocumentLabelRow.__table__).where(
                DocumentLabelRow.document_id == document_id, DocumentLabelRow.annotator_id == annotator_id
            )
        )
    ]
    if not (spans or relations or statuses or labels):
        return None
    attrs: dict[int, dict[str, Any]] = {}
    for row in attributes:
        attrs.setdefault(row["span_id"], {})[row["name"]] = row["value"]
    bounds = {s["id"]: (s["start"], s["end"], s["label"]) for s in spans}
    content = _content(
        ((s["start"], s["end"], s["label"], attributes_key(attrs.get(s["id"], {}))) for s in spans),
        ((r["label"], bounds[r["head_span_id"]], bounds[r["tail_span_id"]]) for r in relations),
        {row["label"] for row in labels},
        statuses[0]["status"] if statuses else None,
    )
    rows = {"spans": spans, "span_attributes": attributes, "relations": relations, "status": statuses, "labels": labels}
    return StoredLayer(content, rows, statuses[0]["seconds_spent"] if statuses else None)


def delete_layer(connection: Connection, document_id: int, annotator_id: int) -> None:
    """Every row of one layer (children first, so no foreign key setting is relied on)."""
    in_layer = select(SpanRow.id).where(SpanRow.document_id == document_id, SpanRow.annotator_id == annotator_id)
    for table, where in (
        (RelationRow, (RelationRow.document_id == document_id, RelationRow.annotator_id == annotator_id)),
        (SpanAttributeRow, (SpanAttributeRow.span_id.in_(in_layer),)),
        (SpanRow, (SpanRow.document_id == document_id, SpanRow.annotator_id == annotator_id)),
        (
            DocumentLabelRow,
            (DocumentLabelRow.document_id == document_id, DocumentLabelRow.annotator_id == annotator_id),
        ),
        (
            DocumentStatusRow,
            (DocumentStatusRow.document_id == document_id, DocumentStatusRow.annotator_id == annotator_id),
        ),
    ):
        connection.execute(delete(table.__table__).where(*where))


def restore_layer(connection: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Put back the rows load_layer() took (under their old ids, which are never reused)."""
    for key, table in (
        ("spans", SpanRow.__table__),
        ("span_attributes", SpanAttributeRow.__table__),
        ("relations", RelationRow.__table__),
        ("status", DocumentStatusRow.__table__),
        ("labels", DocumentLabelRow.__table__),
    ):
        if rows.get(key):
            connection.execute(insert(table), [_typed(table, row) for row in rows[key]])


def _typed(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    """A row from JSON with its timestamps parsed back."""
    out = dict(row)
    for name, value in row.items():
        column = table.c.get(name)
        if column is not None and isinstance(value, str) and isinstance(column.type, DateTime):
            out[name] = datetime.fromisoformat(value)
    return out
