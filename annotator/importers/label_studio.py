"""Label Studio JSON: a task list (a project export) or one task object.

- Each task's ``annotations`` (``completions`` in Label Studio 0.x) become one layer each:
  its annotator is our export's ``annotator`` key, else ``completed_by`` (an e-mail, or
  ``user-<id>``), else --annotator or the default. ``was_cancelled`` means status skipped,
  any other annotation done. ``predictions`` and drafts are not annotations and are not read.
- The text is ``data.text``, else the field a region's ``source`` ("$field") names, else the
  only string in ``data``. The other ``data`` fields and the task's ``meta`` become the
  document's meta (our own export's ``meta`` is read back as it was written).
- ``labels`` regions are spans (one per label if a region has several). Their offsets are
  checked against ``value.text``: if the code points do not fit, they are retried as UTF-16
  (what Label Studio stored before 2022, after emoji), and a region neither fits is reported.
- Per-region ``choices``/``textarea`` results are attributes, named by ``from_name`` (less a
  ``<LABEL>_`` prefix); a choice of "true"/"false" is a boolean. Document-level ``choices``
  are document labels. ``relation`` items (``direction`` right: from -> to; left: to -> from)
  are relations. Anything else (bidirectional or unlabelled relations, other result types)
  is reported, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.importers.native import Item, RecordError
from annotator.importers.records import DocumentRecord
from annotator.importers.tool_support import RecordBuilder, first_value, json_items, read_records, unsupported
from annotator.text import OffsetMap

REGION_ATTRIBUTES = ("choices", "textarea")


def sniff_label_studio(path: Path) -> bool:
    value = first_value(path, (".json",))
    return isinstance(value, dict) and isinstance(value.get("data"), dict)


def read_label_studio(path: Path) -> Iterator[Item]:
    return read_records(json_items(path), str(path), _task)


def _task(task: Any, source: str, line: int) -> Iterator[Item]:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise RecordError("a Label Studio task is an object with 'data'")
    annotations = task.get("annotations")
    if annotations is None:
        annotations = task.get("completions") or []
    if not isinstance(annotations, list) or not all(isinstance(a, dict) for a in annotations):
        raise RecordError("'annotations' must be a list of objects")
    data = task["data"]
    key = _text_key(data, annotations)
    text = data[key]
    if not text:
        raise RecordError(f"data.{key} is empty")
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    ours = isinstance(meta.get("schema"), dict) and isinstance(meta.get("document"), dict)
    external_id = meta.get("id") if ours else task.get("id")
    common = {
        "source": source,
        "line": line,
        "text": text,
        "external_id": None if external_id is None or isinstance(external_id, bool) else str(external_id),
        "meta": meta["document"] if ours else {**{k: v for k, v in data.items() if k != key}, **meta},
    }
    if not annotations:
        yield DocumentRecord(**common)
    offsets = OffsetMap(text)
    for annotation in annotations:
        record = DocumentRecord(**common, annotator=_annotator(annotation), status=_status(annotation))
        problems = _results(record, annotation.get("result") or [], offsets)
        yield from (unsupported(source, line, problem) for problem in problems)
        yield record


def _text_key(data: dict[str, Any], annotations: list[dict[str, Any]]) -> str:
    if isinstance(data.get("text"), str):
        return "text"
    for annotation in annotations:
        for result in annotation.get("result") or []:
            named = result.get("source") if isinstance(result, dict) else None
            if isinstance(named, str) and isinstance(data.get(named.removeprefix("$")), str):
                return named.removeprefix("$")
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0]
    raise RecordError(f"cannot tell which field of 'data' is the text ({', '.join(map(repr, data)) or 'none'})")


def _annotator(annotation: dict[str, Any]) -> str | None:
    if isinstance(annotation.get("annotator"), str):
        return annotation["annotator"]
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return who.get("email") or (f"user-{who['id']}" if "id" in who else None)
    return f"user-{who}" if isinstance(who, int) and not isinstance(who, bool) else None


def _status(annotation: dict[str, Any]) -> str:
    if isinstance(annotation.get("status"), str):
        return annotation["status"]
    return "skipped" if annotation.get("was_cancelled") else "done"


def _results(record: DocumentRecord, results: Any, offsets: OffsetMap) -> list[str]:
    """Fill the record from one annotation's results; returns what could not be imported."""
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise RecordError("an annotation's 'result' must be a list of objects")
    problems: list[str] = []
    builder = RecordBuilder(record)
    regions: dict[str, list[Any]] = {}  # region id -> its spans
    for result in results:
        if result.get("type") != "labels":
            continue
        region, value = str(result.get("id")), result.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
            raise RecordError(f"region {region}: 'value' needs start, end and labels")
        bounds = _bounds(record.text, value, offsets)
        if isinstance(bounds, str):
            problems.append(f"region {region}: {bounds}")
            continue
        for number, label in enumerate(value["labels"]):
            key = region if number == 0 else f"{region}#{number + 1}"
            regions.setdefault(region, []).append(builder.span(key, *bounds, label))
    for result in results:
        kind, region, value = result.get("type"), str(result.get("id")), result.get("value")
        if kind == "labels":
            continue
        if kind == "relation":
            problems += _relation(builder, result)
        elif kind in REGION_ATTRIBUTES and region in regions and isinstance(value, dict):
            for span in regions[region]:
                problem = _attribute(span, str(result.get("from_name")), kind, value)
                if problem:
                    problems.append(f"region {region}: {problem}")
        elif kind == "choices" and isinstance(value, dict) and "start" not in value:
            record.document_labels += [str(c) for c in value.get("choices") or []]
        else:
            problems.append(f"result {region} of type {kind!r}")
    return problems


def _bounds(text: str, value: dict[str, Any], offsets: OffsetMap) -> tuple[Any, Any] | str:
    start, end, stated = value.get("start"), value.get("end"), value.get("text")
    if not isinstance(stated, str) or not isinstance(start, int) or not isinstance(end, int):
        return start, end  # nothing to check against: the loader checks the range
    if text[start:end] == stated:
        return start, end
    try:
        start16, end16 = offsets.from_utf16(start), offsets.from_utf16(end)
    except ValueError:
        start16 = end16 = -1
    if start16 >= 0 and text[start16:end16] == stated:
        return start16, end16
    return f"offsets {start}..{end} do not give its text {stated!r}, as code points or as UTF-16"


def _relation(builder: RecordBuilder, result: dict[str, Any]) -> list[str]:
    head, tail = str(result.get("from_id")), str(result.get("to_id"))
    direction, labels = result.get("direction", "right"), result.get("labels") or []
    if direction == "left":
        head, tail = tail, head
    elif direction != "right":
        return [f"relation {head} - {tail}: direction {direction!r} has no head and tail"]
    if not labels:
        return [f"relation {head} -> {tail} has no label"]
    for label in labels:
        builder.relation(label, head, tail)
    return []


def _attribute(span: Any, control: str, kind: str, value: dict[str, Any]) -> str | None:
    name = control.removeprefix(f"{span.label}_") if isinstance(span.label, str) else control
    found = value.get("choices") if kind == "choices" else value.get("text")
    if not isinstance(found, list) or len(found) != 1:
        return f"{control} holds {found!r}, not one value"
    answer = found[0]
    span.attributes[name] = {"true": True, "false": False}.get(answer, answer) if kind == "choices" else answer
    return None
