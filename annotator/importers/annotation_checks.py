"""A record's annotations checked as if an annotator had made them one by one (validation.py),
at a cost close to reading them: an import checks every span of the corpus.

The common case is tested inline (integer offsets inside the text, not starting on a space, a
label the schema knows, spans that follow each other without overlapping); only a span that
fails that quick test goes through validation.py's checks, which then refuse it with their
message, or pass it (a span that starts on a space but holds more than spaces, a nested span
under a schema that allows nesting). Nothing is accepted that those checks would refuse.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from annotator.errors import ValidationError
from annotator.importers.records import DocumentRecord
from annotator.models import STATUSES
from annotator.schema import LabelSpec, Schema
from annotator.validation import check_attribute, check_label, check_offsets, check_overlaps, check_relation

MAX_CHECKED_VALUES = 10_000

Span = tuple[int, int, str, dict[str, Any]]  # start, end, label, attributes
Relation = tuple[str, int, int]  # label, head and tail as indexes into the spans


class AnnotationChecks:
    """The schema's rules for one import; it also counts the labels the schema does not know."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.labels = {spec.name: spec for spec in schema.labels}
        self.document_labels = frozenset(spec.name for spec in schema.document_labels)
        self.checked_values: set[tuple[str, str, str | bool]] = set()  # see _check_attributes
        self.unknown_labels: Counter[str] = Counter()  # of the records refused, for the message

    def annotations(self, record: DocumentRecord) -> tuple[list[Span], list[Relation]]:
        """The record's spans and relations, checked; a ValidationError names the first problem."""
        text, length, labels = record.text, len(record.text), self.labels
        spans: list[Span] = []
        index_of: dict[str, int] = {}
        apart = True  # each span starts at or after the end of the one before: none overlaps or repeats another
        last_end = 0
        for number, span in enumerate(record.spans):
            start, end, label, attributes = span.start, span.end, span.label, span.attributes
            spec = labels.get(label) if type(label) is str else None
            try:
                # What check_offsets and check_label pass, tested inline; anything else goes through them
                # (a bool is not an int here: type() is, isinstance() is not).
                if (
                    spec is None
                    or type(start) is not int
                    or type(end) is not int
                    or not 0 <= start < end <= length
                    or text[start].isspace()
                ):
                    check_offsets(text, start, end)
                    spec = check_label(self.schema, label)
                if attributes:
                    self._check_attributes(spec, attributes)
            except ValidationError as error:
                self._count_unknown_labels(record)
                raise ValidationError(f"span {span.key or number + 1}: {error}") from None
            if span.text is not None and text[start:end] != span.text:
                raise ValidationError(
                    f"span {span.key or number + 1}: text[{start}:{end}] is "
                    f"{text[start:end]!r}, but the record says {span.text!r} "
                    "(offsets must be code points)"
                )
            if span.key is not None:
                if span.key in index_of:
                    raise ValidationError(f"span id {span.key!r} is used twice")
                index_of[span.key] = number
            if start < last_end:
                apart = False
            last_end = end
            spans.append((start, end, label, attributes))
        if not apart:
            check_overlaps(self.schema, [(s, e, label) for s, e, label, _ in spans])
        return spans, self._relations(record, spans, index_of)

    def _relations(self, record: DocumentRecord, spans: list[Span], index_of: dict[str, int]) -> list[Relation]:
        relations: list[Relation] = []
        for relation in record.relations:
            head, tail = index_of.get(relation.head), index_of.get(relation.tail)
            if head is None or tail is None:
                missing = relation.head if head is None else relation.tail
                raise ValidationError(
                    f"relation {relation.label} names span {missing!r}, which the record does not have"
                )
            check_relation(self.schema, relation.label, spans[head][:3], spans[tail][:3], same_span=head == tail)
            if (relation.label, head, tail) in relations:
                raise ValidationError(f"relation {relation.label} {relation.head} → {relation.tail} appears twice")
            relations.append((relation.label, head, tail))
        if record.status is not None and record.status not in STATUSES:
            raise ValidationError(f"unknown status {record.status!r} (use one of {', '.join(STATUSES)})")
        for label in record.document_labels:
            if label not in self.document_labels:
                raise ValidationError(f"unknown document label {label!r}")
        return relations

    def _check_attributes(self, spec: LabelSpec, attributes: dict[str, Any]) -> None:
        """check_attributes, once per label, attribute and value: values repeat ("person", a
        date), so most are looked up in a set instead of checked again. Only strings and
        booleans are remembered, and at most MAX_CHECKED_VALUES of them (memory stays flat)."""
        checked = self.checked_values
        for name, value in attributes.items():
            kind = type(value)
            key = (spec.name, name, value) if kind is str or kind is bool else None
            if key is not None and key in checked:
                continue
            check_attribute(spec, name, value)
            if key is not None and len(checked) < MAX_CHECKED_VALUES:
                checked.add(key)

    def _count_unknown_labels(self, record: DocumentRecord) -> None:
        """Every unknown label of a failing record, not only the one that stopped its checks."""
        self.unknown_labels.update(
            s.label for s in record.spans if isinstance(s.label, str) and self.schema.label(s.label) is None
        )
