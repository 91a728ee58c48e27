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

from annotator.importers.native import RecordError
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
        where = f"{fill.where}, region {region}"
        start, end = _offset(value, "start", where), _offset(value, "end", where)
        labels = _strings(value, "labels", where)
        stated = value.get("text")
        if stated is not None and not isinstance(stated, str):
            raise RecordError(f"{where}: value.text must be a string, got {json_kind(stated)}")
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
            control = result.get("from_name")
            if not isinstance(control, str):
                raise RecordError(f"{where}: 'from_name' must be a string, got {json_kind(control)}")
            for span in regions[region]:
                problem = _attribute(span, control, kind, value, where)
                if problem:
                    problems.append(f"region {region}: {problem}")
        elif kind == "choices" and "start" not in value:
            fill.record.document_labels += _strings(value, "choices", where)
        else:
            problems.append(f"result {region} of type {str(kind)[:40]!r}")
    return problems


def _item(where: str, number: int, result: Any) -> tuple[str, Any, dict[str, Any], dict[str, Any]]:
    """(region id, type, value, the item) with their types checked."""
    if not isinstance(result, dict):
        raise RecordError(f"{where}: result {number + 1} must be an object, got {json_kind(result)}")
    kind = result.get("type")
    if not isinstance(kind, str):
        raise RecordError(f"{where}: result {number + 1} needs a 'type' string, got {json_kind(kind)}")
    region = result.get("id")
    if region is not None and (isinstance(region, bool) or not isinstance(region, (str, int))):
        raise RecordError(f"{where}: result {number + 1}: 'id' must be a string, got {json_kind(region)}")
    shown = str(region) if region is not None else f"#{number + 1}"
    value = result.get("value", {})
    if kind != "relation" and not isinstance(value, dict):
        raise RecordError(f"{where}, region {shown}: 'value' must be an object, got {json_kind(value)}")
    return shown, kind, value if isinstance(value, dict) else {}, result


def _offset(value: dict[str, Any], key: str, where: str) -> int:
    found = value.get(key)
    if not isinstance(found, int) or isinstance(found, bool):
        raise RecordError(f"{where}: value.{key} must be an integer (an offset into the text), got {json_kind(found)}")
    return found


def _strings(value: dict[str, Any], key: str, where: str) -> list[str]:
    found = value.get(key)
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        raise RecordError(f"{where}: value.{key} must be a list of strings, got {json_kind(found)}")
    return found


def json_kind(value: Any) -> str:
    """What a JSON value is, in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list" if all(isinstance(item, str) for item in value) else "a list holding non-strings"
    return {bool: "true or false", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "an object" if isinstance(value, dict) else type(value).__name__
    )


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
    where, ends = fill.where, []
    for key in ("from_id", "to_id"):
        found = result.get(key)
        if isinstance(found, bool) or not isinstance(found, (str, int)):
            raise RecordError(f"{where}: a relation's {key!r} must be a region id, got {json_kind(found)}")
        ends.append(str(found))
    head, tail = ends
    direction, labels = result.get("direction", "right"), result.get("labels", [])
    labels = [] if labels is None else labels
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise RecordError(
            f"{where}: relation {head} -> {tail}: 'labels' must be a list of strings, got {json_kind(labels)}"
        )
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
    found = value.get("choices") if kind == "choices" else value.get("text")
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        key = "choices" if kind == "choices" else "text"
        raise RecordError(f"{where}: value.{key} of {control} must be a list of strings, got {json_kind(found)}")
    if len(found) != 1:
        return f"{control} holds {len(found)} values, not one"
    answer = found[0]
    span.attributes[name] = {"true": True, "false": False}.get(answer, answer) if kind == "choices" else answer
    return None
