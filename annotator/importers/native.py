"""Readers for plain .txt files and the native JSONL form (what `annotator export` writes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from annotator.importers.records import DocumentRecord, ImportProblem, RelationRecord, SpanRecord

RECORD_KEYS = {"id", "text", "meta", "spans", "relations", "document_labels", "annotator", "status", "schema"}
SPAN_KEYS = {"id", "start", "end", "label", "text", "attributes"}
RELATION_KEYS = {"id", "label", "head", "tail"}

Item = DocumentRecord | ImportProblem


class RecordError(ValueError):
    """A record that cannot be read; the message says what is wrong with it."""


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
    """One record per line; blank lines are allowed, anything else must be a JSON object."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                yield ImportProblem(str(path), number, f"not valid JSON: {error}")
                continue
            try:
                record = record_from_json(obj)
            except RecordError as error:
                yield ImportProblem(str(path), number, str(error))
                continue
            record.source, record.line, record.size = str(path), number, len(raw)
            yield record


def object_with_text(obj: Any) -> tuple[dict[str, Any], str]:
    """A record every JSON format shares: an object with a non-empty 'text'."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise RecordError("record has no 'text'" if text is None else "'text' must be a non-empty string")
    return obj, text


def record_from_json(obj: Any) -> DocumentRecord:
    obj, text = object_with_text(obj)
    _no_unknown_keys(obj, RECORD_KEYS, "record")
    external_id = obj.get("id")
    if (external_id is not None and not isinstance(external_id, (str, int))) or isinstance(external_id, bool):
        raise RecordError("'id' must be a string")
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise RecordError("'meta' must be an object")
    annotator = obj.get("annotator")
    if annotator is not None and not isinstance(annotator, str):
        raise RecordError("'annotator' must be a string")
    status = obj.get("status")
    if status is not None and not isinstance(status, str):
        raise RecordError("'status' must be a string")
    labels = obj.get("document_labels") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise RecordError("'document_labels' must be a list of strings")
    return DocumentRecord(
        source="",
        line=0,
        text=text,
        external_id=None if external_id is None else str(external_id),
        meta=meta,
        spans=[_span(item, index) for index, item in enumerate(_list(obj, "spans"))],
        relations=[_relation(item, index) for index, item in enumerate(_list(obj, "relations"))],
        document_labels=labels,
        annotator=annotator,
        status=status,
    )


def _span(item: Any, index: int) -> SpanRecord:
    where = f"spans[{index}]"
    if not isinstance(item, dict):
        raise RecordError(f"{where} must be an object")
    _no_unknown_keys(item, SPAN_KEYS, where)
    for key in ("start", "end", "label"):
        if key not in item:
            raise RecordError(f"{where} has no {key!r}")
    attributes = item.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise RecordError(f"{where}.attributes must be an object")
    key = item.get("id")
    return SpanRecord(
        key=None if key is None else str(key),
        start=item["start"],
        end=item["end"],
        label=item["label"],
        attributes=attributes,
        text=item.get("text"),
    )


def _relation(item: Any, index: int) -> RelationRecord:
    where = f"relations[{index}]"
    if not isinstance(item, dict):
        raise RecordError(f"{where} must be an object")
    _no_unknown_keys(item, RELATION_KEYS, where)
    for key in ("label", "head", "tail"):
        if key not in item:
            raise RecordError(f"{where} has no {key!r}")
    return RelationRecord(label=item["label"], head=str(item["head"]), tail=str(item["tail"]))


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise RecordError(f"{key!r} must be a list")
    return value


def _no_unknown_keys(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    if allowed.issuperset(obj):  # the common case, without building a set per call
        return
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise RecordError(f"{where} has unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
