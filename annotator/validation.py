"""Checks of spans, attributes and relations against the schema and the text.

Shared by the service (one edit at a time) and the importers (whole records), so an
import accepts exactly what an annotator could have made by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from annotator.errors import ValidationError
from annotator.schema import LabelSpec, RelationSpec, Schema
from annotator.storable import check_storable as check_storable  # the one check of stored values
from annotator.storable import is_storable

Interval = tuple[int, int, str]  # start, end, label


def check_label(schema: Schema, label: object) -> LabelSpec:
    spec = schema.label(label) if isinstance(label, str) else None
    if spec is None:
        known = ", ".join(schema.label_names)
        raise ValidationError(f"unknown label {label!r} (schema {schema.name!r} has {known})")
    return spec


def check_offsets(text: str, start: object, end: object) -> None:
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise ValidationError(f"offsets must be integers, got start={start!r} end={end!r}")
    if not 0 <= start < end <= len(text):
        if start >= end:
            raise ValidationError(f"empty or reversed span [{start}, {end})")
        raise ValidationError(f"span [{start}, {end}) is outside the text (length {len(text)} code points)")
    # Only whitespace is no span (label-all-occurrences of a space made hundreds of them).
    # The first character decides cheaply for nearly every span; only then is it sliced.
    if text[start].isspace() and text[start:end].isspace():
        blank = text[start:end][:20]
        raise ValidationError(f"span [{start}, {end}) holds only whitespace ({blank!r}); select some text")


def check_attributes(spec: LabelSpec, attributes: Mapping[str, Any]) -> None:
    for name, value in attributes.items():
        check_attribute(spec, name, value)


def check_attribute(spec: LabelSpec, name: str, value: Any) -> None:
    attribute = spec.attribute(name)
    if attribute is None:
        known = ", ".join(a.name for a in spec.attributes) or "none"
        raise ValidationError(f"label {spec.name} has no attribute {name!r} (it has: {known})")
    if not is_storable(value):  # the place's name is built only for a refusal: imports check every value
        check_storable(value, f"{spec.name}.{name}")
    problem = attribute.check(value)
    if problem is not None:
        raise ValidationError(f"{spec.name}.{name} = {value!r}: {problem}")


MAX_EXTERNAL_ID = 255  # documents.external_id is VARCHAR(255)


def check_external_id(external_id: str) -> None:
    check_storable(external_id, "the document id")
    if len(external_id) > MAX_EXTERNAL_ID:
        raise ValidationError(f"document id is {len(external_id)} characters long; at most {MAX_EXTERNAL_ID} fit")


def check_overlaps(schema: Schema, spans: Iterable[Interval]) -> None:
    """Refuse exact duplicates always, and overlaps the schema's overlap rule forbids."""
    ordered = sorted(spans, key=lambda s: (s[0], -s[1], s[2]))
    seen: set[Interval] = set()
    open_spans: list[Interval] = []  # the chain of spans enclosing the current one
    for span in ordered:
        if span in seen:
            raise ValidationError(f"duplicate span {_show(span)}")
        seen.add(span)
        while open_spans and open_spans[-1][1] <= span[0]:
            open_spans.pop()
        if open_spans and schema.overlap != "allow":
            outer = open_spans[-1]
            if schema.overlap == "forbid":
                raise ValidationError(
                    f"span {_show(span)} overlaps {_show(outer)}; schema {schema.name!r} forbids overlaps"
                )
            if span[1] > outer[1]:
                raise ValidationError(
                    f"span {_show(span)} crosses {_show(outer)}; schema {schema.name!r} allows only nested spans"
                )
        open_spans.append(span)


def check_relation(schema: Schema, label: object, head: Interval, tail: Interval, same_span: bool) -> RelationSpec:
    spec = schema.relation(label) if isinstance(label, str) else None
    if spec is None:
        known = ", ".join(r.name for r in schema.relations) or "none"
        raise ValidationError(f"unknown relation {label!r} (schema {schema.name!r} has {known})")
    if same_span:
        raise ValidationError(f"relation {spec.name} cannot link a span to itself")
    if not spec.allows(head[2], tail[2]):
        raise ValidationError(
            f"relation {spec.name} goes from {'/'.join(spec.head)} to {'/'.join(spec.tail)}, "
            f"not from {head[2]} to {tail[2]}"
        )
    return spec


def _show(span: Interval) -> str:
    return f"{span[2]} [{span[0]}, {span[1]})"
