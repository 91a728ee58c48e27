"""Does everything a project stores still fit a (changed) schema? Checked in SQL.

The promise: the project's own export always re-imports under its schema. An import checks
labels, attribute names and values, overlaps, relation ends and document labels
(importers/loader.py), so a schema change is refused whenever a stored row would fail one of
those. Each check is one grouped query or one self-join (seconds for a million spans); only
what SQL cannot say portably is finished in Python, on grouped values: which names a schema
knows, and whether a distinct string is an ISO 8601 date. Renames (`schema migrate --rename`)
run here too, in the caller's transaction, followed by the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import aliased

from annotator.db.json_sql import JsonFunctions
from annotator.db.tables import (
    AnnotatorRow,
    DocumentLabelRow,
    DocumentRow,
    EventRow,
    ProjectRow,
    RelationRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import ProjectError
from annotator.isodate import check_iso_date
from annotator.schema import AttributeSpec, Schema

EXAMPLES = 3  # examples shown per problem
EXAMPLE_TEXT = 40  # characters of a span's text shown in an example


@dataclass(frozen=True)
class Conflict:
    """One kind of stored row the schema refuses: how many, and a few of them."""

    problem: str  # "label 'DATE' is used by 9 span(s)"
    examples: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.problem} (e.g. {'; '.join(self.examples)})" if self.examples else self.problem


def check_schema_fits(connection: Connection, project_id: int, schema: Schema) -> None:
    """Refuse (ProjectError) a schema that some stored row would break; say what is in the way."""
    conflicts = find_conflicts(connection, project_id, schema)
    if conflicts:
        raise ProjectError(
            f"{schema.source}: this schema does not fit what the project holds, so its export would not "
            "re-import: "
            + "; ".join(map(str, conflicts))
            + ". Change the schema back, edit those annotations under the old schema, or move labels with "
            "'annotator schema migrate PROJECT --rename OLD=NEW' (nothing was changed)."
        )


def find_conflicts(connection: Connection, project_id: int, schema: Schema) -> list[Conflict]:
    """Every way the project's rows break `schema`; empty when the export would re-import."""
    checks = _Checks(connection, project_id, schema)
    return [
        *checks.span_labels(),
        *checks.attributes(),
        *checks.overlaps(),
        *checks.relations(),
        *checks.document_labels(),
    ]


def rename_labels(connection: Connection, project_id: int, schema: Schema, renames: Mapping[str, str]) -> None:
    """Move spans (or relations) from old labels to labels of `schema`; refuse a rename that moves nothing."""
    for old in set(renames) & set(renames.values()):
        raise ProjectError(
            f"cannot rename {old!r}: it is also the target of another rename; rename in two steps (nothing was changed)"
        )
    in_project = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
    moved: dict[str, int] = {}
    for old, new in renames.items():
        table: type[SpanRow] | type[RelationRow]
        if schema.label(new) is not None:
            table, kind = SpanRow, "span"
        elif schema.relation(new) is not None:
            table, kind = RelationRow, "relation"
        else:
            raise ProjectError(f"cannot rename {old!r} to {new!r}: the schema has no label or relation {new!r}")
        result = connection.execute(
            update(table.__table__)
            .where(table.__table__.c.label == old, table.__table__.c.document_id.in_(in_project))
            .values(label=new)
        )
        if result.rowcount == 0:
            in_use = connection.scalars(
                select(table.label).where(table.document_id.in_(in_project)).group_by(table.label).order_by(table.label)
            ).all()
            raise ProjectError(
                f"cannot rename {old!r} to {new!r}: no {kind} of this project has the label {old!r} "
                f"({kind} labels in use: {', '.join(in_use) or 'none'}); nothing was changed"
            )
        moved[f"{old}->{new}"] = result.rowcount
    connection.execute(
        EventRow.__table__.insert().values(
            action="migrate:rename", detail={"renamed": moved, "schema": schema.sha256, "project": project_id}
        )
    )


class _Checks:
    """The checks of one project against one schema; each method yields Conflicts."""

    def __init__(self, connection: Connection, project_id: int, schema: Schema) -> None:
        self.connection = connection
        self.schema = schema
        self.in_project = select(DocumentRow.id).where(DocumentRow.project_id == project_id).scalar_subquery()
        # Most databases hold one project: then no row needs its document looked up (a third faster).
        projects = connection.scalar(select(func.count()).select_from(ProjectRow).where(ProjectRow.id != project_id))
        self.alone = not projects
        self.json = JsonFunctions(connection.dialect.name)

    def _ours(self, document_id: Any) -> ColumnElement[bool]:
        """Rows of this project's documents."""
        return true() if self.alone else document_id.in_(self.in_project)

    # -- spans and attributes ------------------------------------------------------------

    def span_labels(self) -> list[Conflict]:
        counts = self.connection.execute(
            select(SpanRow.label, func.count())
            .where(self._ours(SpanRow.document_id))
            .group_by(SpanRow.label)
            .order_by(SpanRow.label)
        )
        return [
            Conflict(f"label {label!r} is used by {count} span(s)", self._span_examples(SpanRow.label == label))
            for label, count in counts
            if self.schema.label(label) is None
        ]

    def attributes(self) -> list[Conflict]:
        """Attribute names a label no longer has, and values its (possibly new) type refuses.

        One scan of the attributes: per (label, name), how many there are and how many values
        the schema's type refuses outright (wrong JSON type, a removed choice); dates apart.
        """
        specs = {
            (label.name, attribute.name): attribute for label in self.schema.labels for attribute in label.attributes
        }
        refused: ColumnElement[bool] = literal(False)
        if specs:  # a CASE needs at least one WHEN
            refused = case(
                *(
                    (and_(SpanRow.label == label, SpanAttributeRow.name == name), self._refused(attribute))
                    for (label, name), attribute in specs.items()
                ),
                else_=literal(False),
            )
        counts = self.connection.execute(
            select(SpanRow.label, SpanAttributeRow.name, func.count(), func.sum(case((refused, 1), else_=0)))
            .join(SpanAttributeRow, SpanAttributeRow.span_id == SpanRow.id)
            .where(self._ours(SpanRow.document_id))
            .group_by(SpanRow.label, SpanAttributeRow.name)
            .order_by(SpanRow.label, SpanAttributeRow.name)
        )
        conflicts: list[Conflict] = []
        dates: list[tuple[str, str]] = []
        for label, name, count, bad in counts:
            attribute = specs.get((label, name))
            if self.schema.label(label) is None:
                continue  # reported with the label
            if attribute is None:
                where = and_(SpanRow.label == label, SpanAttributeRow.name == name)
                conflicts.append(
                    Conflict(
                        f"attribute {name!r} of label {label!r} is in use ({count} span(s))",
                        self._span_examples(where, with_attributes=True),
                    )
                )
                continue
            if bad:
                where = and_(SpanRow.label == label, SpanAttributeRow.name == name, self._refused(attribute))
                conflicts.append(
                    Conflict(
                        f"{bad} {label}.{name} value(s) are not {_type_words(attribute)}",
                        self._span_examples(where, with_attributes=True),
                    )
                )
            if attribute.type == "date" and bad < count:
                dates.append((label, name))
        conflicts.extend(self._bad_dates(dates))
        return conflicts

    def _refused(self, attribute: AttributeSpec) -> ColumnElement[bool]:
        value = SpanAttributeRow.value
        if attribute.type == "boolean":
            return ~self.json.is_boolean(value)
        if attribute.type == "choice":
            return or_(~self.json.is_string(value), ~self.json.text_of(value).in_(attribute.values))
        return ~self.json.is_string(value)  # text and date: strings (dates checked apart)

    def _bad_dates(self, attributes: list[tuple[str, str]]) -> list[Conflict]:
        """ISO 8601 is checked in Python, but once per distinct string, never per row."""
        conflicts = []
        for label, name in attributes:
            value = self.json.text_of(SpanAttributeRow.value)
            distinct = self.connection.execute(
                select(value, func.count())
                .join(SpanRow, SpanRow.id == SpanAttributeRow.span_id)
                .where(
                    self._ours(SpanRow.document_id),
                    SpanRow.label == label,
                    SpanAttributeRow.name == name,
                    self.json.is_string(SpanAttributeRow.value),
                )
                .group_by(value)
            )
            bad = {text: count for text, count in distinct if check_iso_date(text) is not None}
            if bad:
                shown = sorted(bad)[:EXAMPLES]
                where = and_(SpanRow.label == label, SpanAttributeRow.name == name, value.in_(shown))
                conflicts.append(
                    Conflict(
                        f"{sum(bad.values())} {label}.{name} value(s) are not ISO 8601 dates",
                        self._span_examples(where, with_attributes=True),
                    )
                )
        return conflicts

    # -- overlaps ------------------------------------------------------------------------

    def overlaps(self) -> list[Conflict]:
        """Pairs of spans in one layer that the overlap rule refuses, found by a self-join on the layer index."""
        if self.schema.overlap == "allow":
            return []
        a, b = aliased(SpanRow), aliased(SpanRow)
        same_layer = and_(b.document_id == a.document_id, b.annotator_id == a.annotator_id, b.id != a.id)
        if self.schema.overlap == "nested":
            # b starts inside a and ends after it: they cross.
            pair = and_(same_layer, b.start > a.start, b.start < a.end, b.end > a.end)
            verb, rule = "cross", "allows only nested spans"
        else:
            # b starts inside a (ties in start counted once, by id): any overlap.
            pair = and_(same_layer, b.start >= a.start, b.start < a.end, or_(b.start > a.start, b.id > a.id))
            verb, rule = "overlap", "forbids overlapping spans"
        base = select(a).join(b, pair).where(self._ours(a.document_id))
        count = self.connection.scalar(select(func.count()).select_from(base.subquery())) or 0
        if not count:
            return []
        rows = self.connection.execute(
            select(DocumentRow.external_id, AnnotatorRow.name, *_shown(a), *_shown(b))
            .join(b, pair)
            .join(DocumentRow, DocumentRow.id == a.document_id)
            .join(AnnotatorRow, AnnotatorRow.id == a.annotator_id)
            .where(self._ours(a.document_id))
            .order_by(a.document_id, a.annotator_id, a.start, b.start)
            .limit(EXAMPLES)
        )
        examples = _distinct(
            f"document {doc!r}, layer {who!r}: {_span(la, ta)} and {_span(lb, tb)}" for doc, who, la, ta, lb, tb in rows
        )
        return [Conflict(f"{count} pair(s) of spans {verb}, and the schema {rule}", examples)]

    # -- relations and document labels ---------------------------------------------------

    def relations(self) -> list[Conflict]:
        head, tail = aliased(SpanRow), aliased(SpanRow)
        joined = (
            select(RelationRow.label, head.label, tail.label, func.count())
            .join(head, head.id == RelationRow.head_span_id)
            .join(tail, tail.id == RelationRow.tail_span_id)
            .where(self._ours(RelationRow.document_id))
            .group_by(RelationRow.label, head.label, tail.label)
            .order_by(RelationRow.label, head.label, tail.label)
        )
        unknown: dict[str, int] = {}
        conflicts = []
        for label, head_label, tail_label, count in self.connection.execute(joined):
            spec = self.schema.relation(label)
            if spec is None:
                unknown[label] = unknown.get(label, 0) + count
            elif not spec.allows(head_label, tail_label):
                where = and_(RelationRow.label == label, head.label == head_label, tail.label == tail_label)
                conflicts.append(
                    Conflict(
                        f"{count} {label} relation(s) go from {head_label} to {tail_label}, and the schema allows "
                        f"{'/'.join(spec.head)} -> {'/'.join(spec.tail)}",
                        self._relation_examples(where, head, tail),
                    )
                )
        for label, count in sorted(unknown.items()):
            conflicts.insert(
                0,
                Conflict(
                    f"relation {label!r} is used by {count} relation(s)",
                    self._relation_examples(RelationRow.label == label, head, tail),
                ),
            )
        return conflicts

    def document_labels(self) -> list[Conflict]:
        known = {spec.name for spec in self.schema.document_labels}
        counts = self.connection.execute(
            select(DocumentLabelRow.label, func.count())
            .where(self._ours(DocumentLabelRow.document_id))
            .group_by(DocumentLabelRow.label)
            .order_by(DocumentLabelRow.label)
        )
        conflicts = []
        for label, count in counts:
            if label in known:
                continue
            documents = self.connection.scalars(
                select(DocumentRow.external_id)
                .join(DocumentLabelRow, DocumentLabelRow.document_id == DocumentRow.id)
                .where(DocumentLabelRow.label == label, self._ours(DocumentRow.id))
                .order_by(DocumentRow.id)
                .limit(EXAMPLES)
            )
            conflicts.append(
                Conflict(
                    f"document label {label!r} is used {count} time(s)",
                    tuple(f"document {doc!r}" for doc in documents),
                )
            )
        return conflicts

    # -- examples ------------------------------------------------------------------------

    def _span_examples(self, where: ColumnElement[bool], *, with_attributes: bool = False) -> tuple[str, ...]:
        query: Select[Any] = select(
            DocumentRow.external_id,
            *_shown(SpanRow),
            *((SpanAttributeRow.name, self.json.raw(SpanAttributeRow.value)) if with_attributes else ()),
        ).join(DocumentRow, DocumentRow.id == SpanRow.document_id)
        if with_attributes:
            query = query.join(SpanAttributeRow, SpanAttributeRow.span_id == SpanRow.id)
        rows = self.connection.execute(
            query.where(self._ours(SpanRow.document_id), where).order_by(SpanRow.id).limit(EXAMPLES * 10)
        )
        examples = []
        for doc, label, text, *attribute in rows:
            shown = f"document {doc!r}: {_span(label, text)}"
            if attribute:
                shown += f" with {attribute[0]} = {attribute[1]}"
            examples.append(shown)
        return _distinct(examples)

    def _relation_examples(self, where: ColumnElement[bool], head: Any, tail: Any) -> tuple[str, ...]:
        rows = self.connection.execute(
            select(DocumentRow.external_id, RelationRow.label, *_shown(head), *_shown(tail))
            .join(head, head.id == RelationRow.head_span_id)
            .join(tail, tail.id == RelationRow.tail_span_id)
            .join(DocumentRow, DocumentRow.id == RelationRow.document_id)
            .where(self._ours(RelationRow.document_id), where)
            .order_by(RelationRow.id)
            .limit(EXAMPLES * 10)
        )
        return _distinct(
            f"document {doc!r}: {label} {_span(hl, ht)} -> {_span(tl, tt)}" for doc, label, hl, ht, tl, tt in rows
        )


def _shown(span: Any) -> tuple[ColumnElement[Any], ...]:
    """A span's label and its text, cut from the document in SQL (substr counts code points on both backends)."""
    length = span.end - span.start
    cut = case((length > EXAMPLE_TEXT + 1, EXAMPLE_TEXT + 1), else_=length)
    return span.label, func.substr(DocumentRow.text, span.start + 1, cut)


def _distinct(examples: Iterable[str]) -> tuple[str, ...]:
    """A few examples, each shown once (the same name is often labelled many times)."""
    return tuple(dict.fromkeys(examples))[:EXAMPLES]


def _span(label: str, text: str) -> str:
    if len(text) > EXAMPLE_TEXT:
        text = text[:EXAMPLE_TEXT] + "…"
    return f"{label} {text!r}"


def _type_words(attribute: AttributeSpec) -> str:
    if attribute.type == "choice":
        return "one of " + ", ".join(attribute.values)
    return {"boolean": "true or false", "text": "strings", "date": "date strings"}[attribute.type]
