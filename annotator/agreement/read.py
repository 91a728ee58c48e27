"""The layers agreement compares, read in bulk with SQLAlchemy Core.

One read snapshot for the whole computation. The documents that every compared annotator
finished are found by one grouped query; then, a chunk of those documents at a time, one
query each for their texts, spans, attributes and relations (rows as tuples, no ORM objects),
turned into plain Documents (tally.py). Memory holds one chunk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, Text, cast, func, select

from annotator.agreement.layers import Document, Layer
from annotator.db.tables import AnnotatorRow, DocumentRow, DocumentStatusRow, RelationRow, SpanAttributeRow, SpanRow
from annotator.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from annotator.project import Project

CHUNK_DOCUMENTS = 500


@dataclass(frozen=True)
class Annotators:
    names: tuple[str, ...]
    ids: tuple[int, ...]
    finished: dict[str, int]  # documents each one finished (in the statuses asked for)


def choose_annotators(
    connection: Connection, project_id: int, names: Sequence[str] | None, statuses: Collection[str]
) -> Annotators:
    """The annotators to compare: those named, or every one with a finished layer in the project.

    Raises NotFoundError for a name the project does not know, ValidationError for fewer than 2.
    """
    known = dict(connection.execute(select(AnnotatorRow.name, AnnotatorRow.id)).all())
    finished_rows = connection.execute(
        select(DocumentStatusRow.annotator_id, func.count())
        .join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id)
        .where(DocumentRow.project_id == project_id, DocumentStatusRow.status.in_(statuses))
        .group_by(DocumentStatusRow.annotator_id)
    ).all()
    finished_by_id = {annotator_id: count for annotator_id, count in finished_rows}
    status_words = "/".join(statuses)
    if names is None:
        chosen = sorted(name for name, annotator_id in known.items() if annotator_id in finished_by_id)
        if len(chosen) < 2:
            raise ValidationError(
                f"agreement needs 2 or more annotators with {status_words} layers; the project has "
                f"{len(chosen)}{': ' + chosen[0] if chosen else ''} (--status chooses other layers)"
            )
    else:
        chosen = list(names)
        for name in chosen:
            if name not in known:
                raise NotFoundError(
                    f"no annotator named {name!r} in this project (it has: {', '.join(sorted(known)) or 'none'})"
                )
        if len(set(chosen)) != len(chosen):
            raise ValidationError(f"--annotators names an annotator twice: {','.join(chosen)}")
        if len(chosen) < 2:
            raise ValidationError("agreement needs 2 or more annotators: name them as --annotators alice,bob")
    ids = tuple(known[name] for name in chosen)
    return Annotators(tuple(chosen), ids, {name: finished_by_id.get(known[name], 0) for name in chosen})


def shared_documents(
    connection: Connection, project_id: int, annotator_ids: Sequence[int], statuses: Collection[str]
) -> list[int]:
    """Ids of the documents every one of the annotators finished, in id order."""
    rows = connection.execute(
        select(DocumentStatusRow.document_id)
        .join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id)
        .where(
            DocumentRow.project_id == project_id,
            DocumentStatusRow.annotator_id.in_(annotator_ids),
            DocumentStatusRow.status.in_(statuses),
        )
        .group_by(DocumentStatusRow.document_id)
        .having(func.count() == len(annotator_ids))
        .order_by(DocumentStatusRow.document_id)
    )
    return list(rows.scalars())


def read_documents(
    connection: Connection,
    document_ids: Sequence[int],
    annotator_ids: Sequence[int],
    labels: Collection[str],
    spans_only: bool = False,
) -> Iterator[Document]:
    """The documents, in id order, each with one Layer per annotator (in annotator_ids' order).

    Only spans with these labels, and relations both of whose ends are such spans. spans_only:
    no text (""), attributes or relations (the dashboard's span F1 needs none of them).
    """
    for start in range(0, len(document_ids), CHUNK_DOCUMENTS):
        yield from _chunk(connection, document_ids[start : start + CHUNK_DOCUMENTS], annotator_ids, labels, spans_only)


def _chunk(
    connection: Connection,
    document_ids: Sequence[int],
    annotator_ids: Sequence[int],
    labels: Collection[str],
    spans_only: bool,
) -> Iterator[Document]:
    position = {annotator_id: index for index, annotator_id in enumerate(annotator_ids)}
    texts: dict[int, str] = (
        {}
        if spans_only
        else dict(
            connection.execute(select(DocumentRow.id, DocumentRow.text).where(DocumentRow.id.in_(document_ids))).all()
        )
    )
    layers: dict[int, list[Layer]] = {doc_id: [Layer() for _ in annotator_ids] for doc_id in document_ids}
    in_layers = (
        SpanRow.document_id.in_(document_ids),
        SpanRow.annotator_id.in_(annotator_ids),
        SpanRow.label.in_(labels),
    )
    span_layer: dict[int, Layer] = {}
    for span_id, doc_id, annotator_id, start, end, label in connection.execute(
        select(SpanRow.id, SpanRow.document_id, SpanRow.annotator_id, SpanRow.start, SpanRow.end, SpanRow.label)
        .where(*in_layers)
        .order_by(SpanRow.document_id, SpanRow.annotator_id, SpanRow.start, SpanRow.end, SpanRow.label)
    ).all():
        layer = layers[doc_id][position[annotator_id]]
        layer.spans.append((start, end, label, span_id))
        span_layer[span_id] = layer
    if spans_only:
        for doc_id in document_ids:
            yield Document("", layers[doc_id])
        return
    decoded: dict[str, Any] = {}  # attribute values repeat ("person", dates): decode each once
    for span_id, name, value in connection.execute(
        select(SpanAttributeRow.span_id, SpanAttributeRow.name, cast(SpanAttributeRow.value, Text))
        .join(SpanRow, SpanRow.id == SpanAttributeRow.span_id)
        .where(*in_layers)
    ).all():
        if value not in decoded:
            decoded[value] = _decoded(value)
        span_layer[span_id].attributes.setdefault(span_id, {})[name] = decoded[value]
    for label, head, tail in connection.execute(
        select(RelationRow.label, RelationRow.head_span_id, RelationRow.tail_span_id).where(
            RelationRow.document_id.in_(document_ids), RelationRow.annotator_id.in_(annotator_ids)
        )
    ).all():
        head_layer = span_layer.get(head)
        if head_layer is not None and tail in span_layer:  # both ends among the spans compared (--labels)
            head_layer.relations.append((label, head, tail))
    for doc_id in document_ids:
        yield Document(texts[doc_id], layers[doc_id])


def _decoded(value: str) -> Any:
    """A stored JSON value; its text if it is not JSON orjson reads (stored before storable.py checked values)."""
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def group_attribute_names(attributes: Sequence[tuple[str, str]]) -> dict[str, Sequence[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for label, name in attributes:
        names[label].append(name)
    return {label: tuple(found) for label, found in names.items()}


def checked_labels(project: Project, asked: Sequence[str] | None) -> tuple[str, ...]:
    """The labels compared, in schema order; ValidationError naming an unknown one."""
    names = project.schema.label_names
    if asked is None:
        return names
    if not asked:
        raise ValidationError(f"--labels names no label (the schema has {', '.join(names)})")
    for label in asked:
        if label not in names:
            raise ValidationError(f"unknown label {label!r} (schema has {', '.join(names)})")
    return tuple(label for label in names if label in asked)
