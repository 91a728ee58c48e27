"""doccano exports and import files, in every form doccano has written.

- ``label``: ``[[start, end, label], ...]`` (sequence labelling, >= 1.7), or a list of strings
  (text classification: document labels); ``labels``: the same spans (older versions).
- ``entities``: dicts ``{id, start_offset, end_offset, label}`` (relation extraction, with
  ``relations`` ``{id?, from_id, to_id, type}``, from = head), or ``[start, end, label]`` lists
  (intent detection and slot filling, with ``cats``: document labels).
- ``annotations``: dicts ``{label, start_offset, end_offset}`` (doccano 1.0-1.2, where labels
  are numeric ids: --map 3=ACTOR names them).
- The file may be JSONL or pretty-printed values one after another (the relation export).
- ``meta`` and any other key doccano flattened into the record become the document's meta;
  ``id`` is the document id; our own export's ``annotator``, ``status`` and ``schema`` are read
  back as the layer's. Offsets are code points (doccano's backend is Python).
- A span given twice (same offsets and label, as doccano's own overlapping example has it) is
  one span.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.importers.native import Item, RecordError, object_with_text
from annotator.importers.records import DocumentRecord
from annotator.importers.tool_support import RecordBuilder, first_value, json_values, read_records

SPAN_KEYS = ("label", "labels", "entities", "annotations")
OURS = ("annotator", "status", "schema")
KNOWN = {"id", "text", "meta", "relations", "cats", *SPAN_KEYS, *OURS}


def sniff_doccano(path: Path) -> bool:
    value = first_value(path)
    return (
        isinstance(value, dict)
        and isinstance(value.get("text"), str)
        and any(isinstance(value.get(key), list) for key in SPAN_KEYS)
    )


def read_doccano(path: Path) -> Iterator[Item]:
    return read_records(json_values(path), str(path), lambda obj, source, line: [_record(obj, source, line)])


def _record(obj: Any, source: str, line: int) -> DocumentRecord:
    obj, text = object_with_text(obj)
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        meta = {"meta": meta}
    meta = {**{k: v for k, v in obj.items() if k not in KNOWN}, **meta}
    external_id = obj.get("id")
    ours = isinstance(obj.get("schema"), dict)
    record = DocumentRecord(
        source=source,
        line=line,
        text=text,
        external_id=None if external_id is None or isinstance(external_id, bool) else str(external_id),
        meta=meta,
        annotator=obj.get("annotator") if ours else None,
        status=obj.get("status") if ours else None,
    )
    builder = RecordBuilder(record)
    for key in SPAN_KEYS:
        for index, item in enumerate(_list(obj, key)):
            where = f"{key}[{index}]"
            if isinstance(item, str) and key == "label":
                record.document_labels.append(item)  # text classification
            elif isinstance(item, list):
                if len(item) != 3:
                    raise RecordError(f"{where} must be [start, end, label]")
                builder.span(f"{key}[{index}]", item[0], item[1], _label(item[2]))
            elif isinstance(item, dict) and key in ("entities", "annotations"):
                for field in ("start_offset", "end_offset", "label"):
                    if field not in item:
                        raise RecordError(f"{where} has no {field!r}")
                span_key = str(item["id"]) if "id" in item else f"{key}[{index}]"
                builder.span(span_key, item["start_offset"], item["end_offset"], _label(item["label"]))
            else:
                raise RecordError(f"{where} must be [start, end, label] or an object with start_offset")
    for index, item in enumerate(_list(obj, "relations")):
        if not isinstance(item, dict) or "from_id" not in item or "to_id" not in item:
            raise RecordError(f"relations[{index}] must be an object with from_id and to_id")
        builder.relation(item.get("type"), str(item["from_id"]), str(item["to_id"]))
    for index, category in enumerate(_list(obj, "cats")):
        if not isinstance(category, str):
            raise RecordError(f"cats[{index}] must be a string")
        record.document_labels.append(category)
    return record


def _label(value: Any) -> Any:
    # doccano 1.0-1.2 named labels by number; a string lets --map rename them
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise RecordError(f"{key!r} must be a list")
    return value
