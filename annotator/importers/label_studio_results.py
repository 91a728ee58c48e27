"""One Label Studio annotation's ``result`` list into a layer: spans, attributes, relations.

- ``labels`` regions are spans (one per label if a region has several). Their offsets are
  checked against ``value.text``: if the code points do not fit, they are retried as UTF-16
  (what Label Studio stored before 2022, after emoji), and a region neither fits is reported.
- Per-region ``choices``/``textarea`` results are attributes, named by ``from_name`` (less a
  ``<LABEL>_`` prefix); a choice of "true"/"false" is a boolean. Document-level ``choices``
  are document labels. ``relation`` items (``direction`` right: from -> to; left: to -> from)
  are relations.
- What the project cannot hold is reported (the import stops, or --skip-invalid leaves just
  that out), with what to do: a relation without a label (give it one in Label Studio: every
  relation of the schema has a type), a bidirectional one (pick its direction in Label Studio:
  the schema's relations go from a head to a tail), results of other types.
- Every field is type-checked; a wrong type is a RecordError naming the annotation, the region
  and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.importers.fields import (
    RecordError,
    as_object,
    expect_id,
    expect_int,
    expect_str,
    expect_str_list,
    within,
)
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.importers.tool_support import RecordBuilder
from annotator.text import OffsetMap

REGION_ATTRIBUTES = ("choices", "textarea")


@dataclass
class LayerFill:
    record: DocumentRecord
    offsets: OffsetMap
    where: str  # "annotation 2", for messages

    def key(self, region: str) -> str:
        """A span's key is its region: the loader's messages about a span (an unknown label,
        offsets outside the text) name it after the record's task and annotation (its `where`)."""
        return region


def fill_layer(fill: LayerFill, results: list[Any]) -> list[str]:
    """Fill the record from one annotation's results; returns what could not be imported."""
    problems: list[str] = []
    builder = RecordBuilder(fill.record)
    regions: dict[str, list[SpanRecord]] = {}  # region id -> its spans
    items = [_item(fill.where, number, result) for number, result in enumerate(results)]
    for region, kind, value, _ in items:
        if kind != "labels":
            continue
        with within(f"{fill.where}, region {region}"):
            start, end = expect_int(value, "start", "value"), expect_int(value, "end", "value")
            labels = expect_str_list(value, "labels", "value")
            stated = expect_str(value, "text", "value", default=None)
        bounds = _bounds(fill.record.text, start, end, stated, fill.offsets)
        if isinstance(bounds, str):
            problems.append(f"region {region}: {bounds}")
            continue
        for number, label in enumerate(labels):
            key = fill.key(region if number == 0 else f"{region}#{number + 1}")
            regions.setdefault(region, []).append(builder.span(key, *bounds, label))
    for region, kind, value, result in items:
        where = f"{fill.where}, region {region}"
        if kind == "labels":
            continue
        if kind == "relation":
            problems += _relation(builder, result, fill)
        elif kind in REGION_ATTRIBUTES and region in regions:
            with within(where):
                control = expect_str(result, "from_name", "result")
            for span in regions[region]:
                problem = _attribute(span, control, kind, value, where)
                if problem:
                    problems.append(f"region {region}: {problem}")
        elif kind == "choices" and "start" not in value:
            with within(where):
                fill.record.document_labels += expect_str_list(value, "choices", "value")
        else:
            problems.append(f"result {region} of type {str(kind)[:40]!r}")
    return problems


def _item(where: str, number: int, result: Any) -> tuple[str, Any, dict[str, Any], dict[str, Any]]:
    """(region id, type, value, the item) with their types checked."""
    with within(where):
        result = as_object(result, f"result {number + 1}")
        kind = expect_str(result, "type", f"result {number + 1}")
        region = expect_id(result, "id", f"result {number + 1}", default=None)
    shown = region if region is not None else f"#{number + 1}"
    value = result.get("value", {})
    if kind != "relation":
        with within(f"{where}, region {shown}"):
            as_object(value, "value")
    return shown, kind, value if isinstance(value, dict) else {}, result


def _bounds(text: str, start: int, end: int, stated: str | None, offsets: OffsetMap) -> tuple[int, int] | str:
    if stated is None or (0 <= start <= end and text[start:end] == stated):
        return start, end  # the loader checks the range
    try:
        start16, end16 = offsets.from_utf16(start), offsets.from_utf16(end)
    except ValueError:
        start16 = end16 = -1
    if start16 >= 0 and text[start16:end16] == stated:
        return start16, end16
    shown = stated if len(stated) <= 60 else stated[:57] + "..."
    return f"offsets {start}..{end} do not give its text {shown!r}, as code points or as UTF-16"


def _relation(builder: RecordBuilder, result: dict[str, Any], fill: LayerFill) -> list[str]:
    where = fill.where
    with within(where):
        head, tail = expect_id(result, "from_id", "relation"), expect_id(result, "to_id", "relation")
        with within(f"relation {head} -> {tail}"):
            labels = expect_str_list(result, "labels", default=[])
    direction = result.get("direction", "right")
    if direction == "left":
        head, tail = tail, head
    elif direction == "bi":
        shown = f" ({', '.join(labels)})" if labels else ""
        return [
            f"relation {head} <-> {tail}{shown} goes both ways, but the schema's relations go from a head to a "
            "tail: pick its direction in Label Studio (click the relation's arrow), or import the rest with "
            "--skip-invalid (leaves this relation out)"
        ]
    elif direction != "right":
        raise RecordError(f"{where}: relation {head} -> {tail}: 'direction' must be right, left or bi")
    if not labels:
        return [
            f"relation {head} -> {tail} has no label, and every relation of the schema has one: label it in "
            "Label Studio (the config's <Relations>), or import the rest with --skip-invalid (leaves it out)"
        ]
    for label in labels:
        builder.relation(label, fill.key(head), fill.key(tail))
    return []


def _attribute(span: SpanRecord, control: str, kind: str, value: dict[str, Any], where: str) -> str | None:
    name = control.removeprefix(f"{span.label}_") if isinstance(span.label, str) else control
    with within(f"{where}, {control}"):
        found = expect_str_list(value, "choices" if kind == "choices" else "text", "value")
    if len(found) != 1:
        return f"{control} holds {len(found)} values, not one"
    answer = found[0]
    span.attributes[name] = {"true": True, "false": False}.get(answer, answer) if kind == "choices" else answer
    return None
