"""Readers for plain .txt files and the native JSONL form (what `annotator export` writes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.importers.fields import (
    RecordError,
    as_object,
    expect_id,
    expect_object,
    expect_str,
    expect_str_list,
    key_path,
    object_with_text,
    objects_in,
)
from annotator.importers.native_suggestions import read_suggested_relations, read_suggestions
from annotator.importers.records import DocumentRecord, ImportProblem, RelationRecord, SpanRecord
from annotator.importers.tool_support import jsonl_values, read_records

__all__ = ["Item", "RecordError", "object_with_text", "read_jsonl", "read_text_file", "record_from_json"]

RECORD_KEYS = {"id", "text", "meta", "spans", "relations", "document_labels", "annotator", "status", "schema"}
# written by `annotator export --include-suggestions` (native_suggestions.py)
SUGGESTION_RECORD_KEYS = {"suggestions", "suggested_relations"}
ALL_RECORD_KEYS = RECORD_KEYS | SUGGESTION_RECORD_KEYS
SPAN_KEYS = {"id", "start", "end", "label", "text", "attributes"}
RELATION_KEYS = {"id", "label", "head", "tail"}

Item = DocumentRecord | ImportProblem


def read_text_file(path: Path, external_id: str) -> Iterator[Item]:
    """One document per file, its text exactly as the bytes decode (no newline translation)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        yield ImportProblem(str(path), line, f"not UTF-8 (byte {error.start}: {data[error.start : error.start + 1]!r})")
        return
    if not text.strip():
        yield ImportProblem(str(path), 1, "the file has no text")
        return
    yield DocumentRecord(source=str(path), line=1, text=text, external_id=external_id, size=len(data))


def read_jsonl(path: Path) -> Iterator[Item]:
    """One record per line (tool_support.jsonl_values: blank lines allowed, a UTF-8 BOM skipped).
    Every field is type-checked (fields.py): a wrong one is reported at its line by key path."""
    return read_records(jsonl_values(path), str(path), _located_record)


def _located_record(obj: Any, source: str, line: int) -> list[DocumentRecord]:
    record = record_from_json(obj)
    record.source, record.line = source, line
    return [record]


def record_from_json(obj: Any) -> DocumentRecord:
    plain = _plain_record(obj)
    if plain is not None:
        return plain
    obj, text = object_with_text(obj)
    _no_unknown_keys(obj, ALL_RECORD_KEYS, "record")
    return _with_suggestions(
        obj,
        DocumentRecord(
            source="",
            line=0,
            text=text,
            external_id=expect_id(obj, "id", default=None),
            meta=expect_object(obj, "meta", default={}),
            spans=_spans(obj),
            relations=_relations(obj),
            document_labels=expect_str_list(obj, "document_labels", default=[]),
            annotator=expect_str(obj, "annotator", default=None),
            status=expect_str(obj, "status", default=None),
        ),
    )


def _with_suggestions(obj: dict[str, Any], record: DocumentRecord) -> DocumentRecord:
    if "suggestions" in obj or "suggested_relations" in obj:
        record.suggestions = read_suggestions(obj)
        record.suggested_relations = read_suggested_relations(obj)
    return record


def _plain_record(obj: Any) -> DocumentRecord | None:
    """A record in the shape the export writes, read without the field-by-field functions (which
    build each field's key path for their messages); None for anything else, which
    record_from_json then reads field by field, naming what is wrong. Same values either way."""
    if type(obj) is not dict or not ALL_RECORD_KEYS.issuperset(obj):
        return None
    text, key, meta, labels = obj.get("text"), obj.get("id"), obj.get("meta"), obj.get("document_labels")
    annotator, status = obj.get("annotator"), obj.get("status")
    if not (
        type(text) is str
        and text
        and (key is None or type(key) is str)
        and (meta is None or type(meta) is dict)
        and (labels is None or (type(labels) is list and all(type(label) is str for label in labels)))
        and (annotator is None or type(annotator) is str)
        and (status is None or type(status) is str)
    ):
        return None
    return _with_suggestions(
        obj,
        DocumentRecord(
            "",
            0,
            text,
            key,
            {} if meta is None else meta,
            _spans(obj),
            _relations(obj),
            [] if labels is None else list(labels),
            annotator,
            status,
        ),
    )


def _spans(obj: dict[str, Any]) -> list[SpanRecord]:
    items = obj.get("spans")
    if type(items) is not list:
        return [_span(where, item) for where, item in objects_in(obj, "spans")]
    spans = []
    for n, item in enumerate(items):
        # A span in exactly the shape the export writes is read without naming each field's place;
        # anything else goes to _span, which checks field by field (and names what is wrong).
        if type(item) is dict and SPAN_KEYS.issuperset(item):
            key, start, end, label = item.get("id"), item.get("start"), item.get("end"), item.get("label")
            attributes, text = item.get("attributes"), item.get("text")
            if (
                type(start) is int  # not bool, which _offset refuses
                and type(end) is int
                and type(label) is str
                and (key is None or type(key) is str)
                and (text is None or type(text) is str)
                and (attributes is None or type(attributes) is dict)
            ):
                spans.append(SpanRecord(key, start, end, label, {} if attributes is None else attributes, text))
                continue
        spans.append(_span(f"spans[{n}]", as_object(item, f"spans[{n}]")))
    return spans


def _span(where: str, item: dict[str, Any]) -> SpanRecord:
    _no_unknown_keys(item, SPAN_KEYS, where)
    return SpanRecord(
        key=expect_id(item, "id", where, default=None),
        start=_offset(item, "start", where),
        end=_offset(item, "end", where),
        label=expect_str(item, "label", where),
        attributes=expect_object(item, "attributes", where, default={}),
        text=expect_str(item, "text", where, default=None),
    )


def _offset(item: dict[str, Any], key: str, where: str) -> int:
    value = item.get(key)
    if key not in item:
        raise RecordError(f"{where} has no {key!r}")
    if not isinstance(value, int) or isinstance(value, bool):
        # a float or a numeric string is a mistake in the file, not an offset to round
        raise RecordError(f"offsets must be integers (code points): {key_path(where, key)} is {value!r:.40}")
    return value


def _relations(obj: dict[str, Any]) -> list[RelationRecord]:
    items = obj.get("relations")
    if type(items) is not list:
        return [_relation(where, item) for where, item in objects_in(obj, "relations")]
    return [
        _plain_relation(item) or _relation(f"relations[{n}]", as_object(item, f"relations[{n}]"))
        for n, item in enumerate(items)
    ]


def _plain_relation(item: Any) -> RelationRecord | None:
    """A relation as the export writes it (string ids), else None for _relation to check."""
    if type(item) is not dict or not RELATION_KEYS.issuperset(item):
        return None
    label, head, tail = item.get("label"), item.get("head"), item.get("tail")
    if type(label) is str and type(head) is str and type(tail) is str:
        return RelationRecord(label, head, tail)
    return None


def _relation(where: str, item: dict[str, Any]) -> RelationRecord:
    _no_unknown_keys(as_object(item, where), RELATION_KEYS, where)
    return RelationRecord(
        label=expect_str(item, "label", where),
        head=expect_id(item, "head", where),
        tail=expect_id(item, "tail", where),
    )


def _no_unknown_keys(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    if allowed.issuperset(obj):  # the common case, without building a set per call
        return
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise RecordError(f"{where} has unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
