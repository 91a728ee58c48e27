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
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats import OFFSET_UNITS, OffsetUnit
from annotator.importers.fields import (
    RecordError,
    as_id,
    as_int,
    expect_id,
    expect_int,
    expect_list,
    expect_str,
    expect_str_list,
    key_path,
    object_with_text,
    objects_in,
)
from annotator.importers.native import Item
from annotator.importers.records import DocumentRecord
from annotator.importers.tool_support import RecordBuilder, first_value, json_values, read_records
from annotator.text import OffsetMap

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
    # Our own export read back as we wrote it names its layers; anything doccano wrote is the file's user's.
    ours = isinstance(obj.get("schema"), dict) and COMMENTS not in obj
    annotator, status = (
        (expect_str(obj, "annotator", default=None), expect_str(obj, "status", default=None)) if ours else (user, None)
    )
    record = DocumentRecord(
        source=source,
        line=line,
        text=text,
        external_id=expect_id(obj, "id", default=None),
        meta=meta,
        annotator=annotator,
        status=status,
    )
    to_code_points = _converter(text, offsets)
    builder = RecordBuilder(record)
    for key in SPAN_KEYS:
        for index, item in enumerate(expect_list(obj, key, default=[])):
            where = key_path(key, index)
            if isinstance(item, str) and key == "label":
                record.document_labels.append(item)  # text classification
            elif isinstance(item, list):
                if len(item) != 3:
                    raise RecordError(f"{where} must be [start, end, label]")
                start, end = to_code_points(where, as_int(item[0], f"{where}[0]"), as_int(item[1], f"{where}[1]"))
                # doccano 1.0-1.2 named labels by number; as a string, --map renames them
                builder.span(where, start, end, as_id(item[2], f"{where}[2]"))
            elif isinstance(item, dict) and key in ("entities", "annotations"):
                span_key = expect_id(item, "id", where) if "id" in item else where
                start = expect_int(item, "start_offset", where)
                start, end = to_code_points(where, start, expect_int(item, "end_offset", where))
                builder.span(span_key, start, end, expect_id(item, "label", where))
            else:
                raise RecordError(f"{where} must be [start, end, label] or an object with start_offset")
    for where, item in objects_in(obj, "relations"):
        head, tail = expect_id(item, "from_id", where), expect_id(item, "to_id", where)
        builder.relation(expect_str(item, "type", where), head, tail)
    record.document_labels += expect_str_list(obj, "cats", default=[])
    return record


def _converter(text: str, offsets: OffsetUnit) -> Callable[[str, int, int], tuple[int, int]]:
    """A function from a span's (start, end) in the file's unit to code points."""
    mapping = OffsetMap(text)
    convert: Callable[[int], int] | None = {
        "utf16": mapping.from_utf16,
        "graphemes": mapping.from_graphemes,
        "codepoints": None,
    }[offsets]

    def to_code_points(where: str, start: int, end: int) -> tuple[int, int]:
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
