"""doccano exports and import files, in every form doccano has written.

- ``label``: ``[[start, end, label], ...]`` (sequence labelling, >= 1.7), or a list of strings
  (text classification: document labels); ``labels``: the same spans (older versions).
- ``entities``: dicts ``{id, start_offset, end_offset, label}`` (relation extraction, with
  ``relations`` ``{id?, from_id, to_id, type}``, from = head), or ``[start, end, label]`` lists
  (intent detection and slot filling, with ``cats``: document labels).
- ``annotations``: dicts ``{label, start_offset, end_offset}`` (doccano 1.0-1.2, where labels
  are numeric ids: --map 3=ACTOR names them).
- The file may be JSONL or pretty-printed values one after another (the relation export), with
  or without a UTF-8 byte order mark.
- Offsets count what doccano's user interface counts: UTF-16 code units by default (JavaScript
  string indices), grapheme clusters in a project with "count grapheme clusters as one
  character" (``offsets="graphemes"``), or code points (``offsets="codepoints"``, for files made
  by Python tools). They are converted to code points here; an offset that does not fit the text
  in that unit is an error that names the unit.
- doccano exports one file per user, named after the user (``admin.jsonl``; ``all.jsonl`` in a
  collaborative project), and no record names its user: the layer is the file's name. Our own
  export, read back untouched, names each record's layer and status (``annotator``, ``status``,
  ``schema`` keys); once the file went through doccano (which adds ``Comments`` to every record)
  those keys only tell where the document came from, and the layer is again the file's user.
- ``meta`` and any other key doccano flattened into the record become the document's meta,
  except our own keys and an empty ``Comments``; ``id`` is the document id.
- A span given twice (same offsets and label, as doccano's own overlapping example has it) is
  one span.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

from annotator.errors import AnnotatorError
from annotator.importers.native import Item, RecordError, object_with_text
from annotator.importers.records import DocumentRecord
from annotator.importers.tool_support import RecordBuilder, first_value, json_values, read_records
from annotator.text import OffsetMap

OffsetUnit = Literal["codepoints", "utf16", "graphemes"]
OFFSET_UNITS: tuple[OffsetUnit, ...] = ("utf16", "graphemes", "codepoints")
DEFAULT_OFFSETS: OffsetUnit = "utf16"
UNIT_NAMES = {"utf16": "UTF-16 code units", "graphemes": "grapheme clusters", "codepoints": "code points"}

SPAN_KEYS = ("label", "labels", "entities", "annotations")
OURS = ("annotator", "status", "schema")
KNOWN = {"id", "text", "meta", "relations", "cats", *SPAN_KEYS, *OURS}
COMMENTS = "Comments"  # doccano >= 1.8 adds this to every exported record


def sniff_doccano(path: Path) -> bool:
    value = first_value(path)
    return (
        isinstance(value, dict)
        and isinstance(value.get("text"), str)
        and any(isinstance(value.get(key), list) for key in SPAN_KEYS)
        # Label Studio's JSON-MIN export has a "label" list too; its own reader explains it.
        and not ("annotation_id" in value and "lead_time" in value)
    )


def read_doccano(path: Path, offsets: OffsetUnit = DEFAULT_OFFSETS) -> Iterator[Item]:
    if offsets not in OFFSET_UNITS:
        raise AnnotatorError(f"--offsets {offsets!r}: doccano counts in {', '.join(OFFSET_UNITS)}")
    user = path.stem  # doccano names each user's export after the user
    return read_records(
        json_values(path), str(path), lambda obj, source, line: [_record(obj, source, line, user, offsets)]
    )


def _record(obj: Any, source: str, line: int, user: str, offsets: OffsetUnit) -> DocumentRecord:
    obj, text = object_with_text(obj)
    meta = obj.get("meta")
    if meta is None:
        meta = {}
    elif not isinstance(meta, dict):
        meta = {"meta": meta}
    extra = {k: v for k, v in obj.items() if k not in KNOWN and not (k == COMMENTS and v in ([], None, ""))}
    meta = {**extra, **meta}
    if meta.get(COMMENTS) in ([], None, ""):
        meta.pop(COMMENTS, None)
    external_id = obj.get("id")
    if external_id is not None and (isinstance(external_id, bool) or not isinstance(external_id, (str, int))):
        raise RecordError(f"'id' must be a string or a number, got {_kind(external_id)}")
    # Our own export read back as we wrote it names its layers; anything doccano wrote is the file's user's.
    ours = isinstance(obj.get("schema"), dict) and COMMENTS not in obj
    annotator, status = (_optional_str(obj, "annotator"), _optional_str(obj, "status")) if ours else (user, None)
    record = DocumentRecord(
        source=source,
        line=line,
        text=text,
        external_id=None if external_id is None else str(external_id),
        meta=meta,
        annotator=annotator,
        status=status,
    )
    to_code_points = _converter(text, offsets)
    builder = RecordBuilder(record)
    for key in SPAN_KEYS:
        for index, item in enumerate(_list(obj, key)):
            where = f"{key}[{index}]"
            if isinstance(item, str) and key == "label":
                record.document_labels.append(item)  # text classification
            elif isinstance(item, list):
                if len(item) != 3:
                    raise RecordError(f"{where} must be [start, end, label]")
                start, end = to_code_points(where, item[0], item[1])
                builder.span(where, start, end, _label(where, item[2]))
            elif isinstance(item, dict) and key in ("entities", "annotations"):
                for field in ("start_offset", "end_offset", "label"):
                    if field not in item:
                        raise RecordError(f"{where} has no {field!r}")
                span_key = _span_id(where, item["id"]) if "id" in item else where
                start, end = to_code_points(where, item["start_offset"], item["end_offset"])
                builder.span(span_key, start, end, _label(where, item["label"]))
            else:
                raise RecordError(f"{where} must be [start, end, label] or an object with start_offset")
    for index, item in enumerate(_list(obj, "relations")):
        where = f"relations[{index}]"
        if not isinstance(item, dict) or "from_id" not in item or "to_id" not in item:
            raise RecordError(f"{where} must be an object with from_id and to_id")
        kind = item.get("type")
        if not isinstance(kind, str):
            raise RecordError(f"{where}: 'type' must be a string, got {_kind(kind)}")
        builder.relation(kind, _span_id(f"{where} from_id", item["from_id"]), _span_id(f"{where} to_id", item["to_id"]))
    for index, category in enumerate(_list(obj, "cats")):
        if not isinstance(category, str):
            raise RecordError(f"cats[{index}] must be a string, got {_kind(category)}")
        record.document_labels.append(category)
    return record


def _converter(text: str, offsets: OffsetUnit) -> Callable[[str, Any, Any], tuple[int, int]]:
    """A function from a span's (start, end) in the file's unit to code points."""
    mapping = OffsetMap(text)
    convert: Callable[[int], int] | None = {
        "utf16": mapping.from_utf16,
        "graphemes": mapping.from_graphemes,
        "codepoints": None,
    }[offsets]

    def to_code_points(where: str, start: Any, end: Any) -> tuple[int, int]:
        for value in (start, end):
            if not isinstance(value, int) or isinstance(value, bool):
                raise RecordError(f"{where}: offsets must be integers, got {_kind(value)}")
        if convert is None:
            return start, end
        try:
            return convert(start), convert(end)
        except ValueError as error:
            raise RecordError(f"{where}: {error}; {_unit_hint(offsets)}") from None

    return to_code_points


def _unit_hint(offsets: OffsetUnit) -> str:
    others = " or ".join(f"--offsets {unit}" for unit in OFFSET_UNITS if unit != offsets)
    return f"offsets were read as {UNIT_NAMES[offsets]} (if the file counts otherwise, import it with {others})"


def _label(where: str, value: Any) -> str:
    # doccano 1.0-1.2 named labels by number; a string lets --map rename them
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise RecordError(f"{where}: the label must be a string, got {_kind(value)}")
    return value


def _span_id(where: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f"{where}: a span id must be a number or a string, got {_kind(value)}")
    return str(value)


def _optional_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise RecordError(f"{key!r} must be a string, got {_kind(value)}")
    return value


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{key!r} must be a list, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )
