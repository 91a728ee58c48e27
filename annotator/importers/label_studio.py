"""Label Studio JSON: a task list (a project export, "JSON" in Label Studio's export dialog),
one task object, or task objects one per line.

- Each task's ``annotations`` (``completions`` in Label Studio 0.x) become one layer each.
  ``predictions`` and drafts are not annotations and are not read.
- Layer names and statuses. Label Studio keeps a task's ``data`` and ``meta`` as given, drops
  annotation keys it does not know and credits every imported annotation to the user who
  imported it. So our export carries each layer's annotator and status in the task's
  ``meta.layers`` (in annotation order) and tags its region ids with the layer's number
  (``2:s5``: layer 2, span s5). An annotation is that layer when its tagged regions name it
  (edits made in Label Studio keep the other regions' ids); an annotation without tagged
  regions (a layer exported empty) takes the next empty layer, in Label Studio's annotation id
  order. Ours are preferred: an ``annotator``/``status`` on the annotation itself (an export
  read back directly), then ``meta.layers``. Any other annotation (made in Label Studio) is
  named after its user: ``completed_by``'s e-mail, else ``user-<id>``, with status skipped if
  ``was_cancelled``, else done. Two annotations of one task never share a name: the second of
  the same user is ``user-1#2``, the third ``user-1#3``.
- The text is ``data.text``, else the field a region's ``source`` ("$field") names, else the
  only string in ``data``. The other ``data`` fields and the task's ``meta`` become the
  document's meta (our own export's ``meta.document`` is read back as it was written).
- Results are read in label_studio_results.py. Every error names the task (its place in the
  file and its id: Label Studio's export is one line, so the line alone says little) and the
  region.
- Label Studio's JSON-MIN export (a flat record per annotation) is recognised and refused with
  what to export instead: it leaves out relations, which region a per-region choice belongs
  to, skipped annotations and the task meta.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.importers.fields import (
    RecordError,
    as_bool,
    as_list,
    as_object,
    expect_bool,
    expect_id,
    expect_list,
    expect_object,
    expect_str,
    json_type,
    key_path,
    within,
)
from annotator.importers.label_studio_file import task_values
from annotator.importers.label_studio_results import LayerFill, fill_layer
from annotator.importers.loader import DEFAULT_LAYER
from annotator.importers.native import Item
from annotator.importers.records import DocumentRecord, ImportProblem
from annotator.importers.tool_support import first_value, read_text, unsupported
from annotator.models import STATUSES
from annotator.text import OffsetMap

TAG = re.compile(r"^([0-9]{1,6}):")  # the layer number our export puts before each region id
JSON_MIN_KEYS = ("annotation_id", "annotator", "lead_time")
JSON_MIN = (
    "this is Label Studio's JSON-MIN export (one flat record per annotation), which leaves out relations, "
    "the region of each per-region choice, skipped annotations and the task meta: export the project again "
    'choosing "JSON" in Label Studio\'s export dialog (or GET /api/projects/<id>/export?exportType=JSON) '
    "and import that file"
)


def sniff_label_studio(path: Path) -> bool:
    value = first_value(path, (".json", ".jsonl"))
    return isinstance(value, dict) and (isinstance(value.get("data"), dict) or _is_json_min(value))


def _is_json_min(value: Any) -> bool:
    return isinstance(value, dict) and "data" not in value and all(key in value for key in JSON_MIN_KEYS)


def read_label_studio(path: Path) -> Iterator[Item]:
    source = str(path)
    text = read_text(path)
    if isinstance(text, ImportProblem):
        yield text
        return
    for number, item in enumerate(task_values(text, source), start=1):
        if isinstance(item, ImportProblem):
            yield item
            continue
        line, size, task = item
        if number == 1 and _is_json_min(task):
            yield ImportProblem(source, line, JSON_MIN)
            return
        name = _task_name(number, task)
        try:
            built = list(_task(task, source, line, name))
        except RecordError as error:
            yield ImportProblem(source, line, f"{name}: {error}")
            continue
        for found in built:
            if isinstance(found, DocumentRecord):
                found.size, size = size, 0  # the task's bytes count once
            yield found


def _task_name(number: int, task: Any) -> str:
    """ "task 3 (id 42)": its place in the file, and Label Studio's id (or our document id)."""
    found = task.get("id") if isinstance(task, dict) else None
    meta = task.get("meta") if isinstance(task, dict) else None
    if found is None and isinstance(meta, dict):
        found = meta.get("id")
    shown = found if isinstance(found, (str, int)) and not isinstance(found, bool) else None
    return f"task {number}" + (f" (id {str(shown)[:60]})" if shown is not None else "")


def _task(task: Any, source: str, line: int, name: str) -> Iterator[Item]:
    if not isinstance(task, dict):
        raise RecordError(f"a Label Studio task is an object with 'data', got {json_type(task)}")
    data = expect_object(task, "data")
    # Older Label Studio exports call the annotations "completions".
    annotations = expect_list(task, "annotations" if task.get("annotations") is not None else "completions", default=[])
    for index, annotation in enumerate(annotations):
        as_object(annotation, f"annotation {index + 1}")
        with within(f"annotation {index + 1}"):
            as_list(annotation.get("result", []), "result")
    key = _text_key(data, annotations)
    text = data[key]
    if not text:
        raise RecordError(f"data.{key} is empty")
    meta = expect_object(task, "meta", default={})
    ours = isinstance(meta.get("schema"), dict) and isinstance(meta.get("document"), dict)
    external_id = expect_id(meta, "id", "meta", default=None) if ours else expect_id(task, "id", default=None)
    common = {
        "source": source,
        "line": line,
        "text": text,
        "external_id": external_id,
        "meta": meta["document"] if ours else {**{k: v for k, v in data.items() if k != key}, **meta},
    }
    if not annotations:
        yield DocumentRecord(**common)
    offsets = OffsetMap(text)
    layers = _layer_names(annotations, meta.get("layers") if ours else None)
    for index, (annotation, (annotator, status)) in enumerate(zip(annotations, layers, strict=True)):
        where = f"annotation {index + 1}"
        record = DocumentRecord(**common, annotator=annotator, status=status, where=f"{name}, {where}")
        problems = fill_layer(LayerFill(record, offsets, where), annotation.get("result") or [])
        yield from (unsupported(source, line, f"{name}, {where}: {problem}") for problem in problems)
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
    shown = ", ".join(repr(str(k)[:40]) for k in list(data)[:20]) or "none"
    raise RecordError(f"cannot tell which field of 'data' is the text ({shown})")


# Layer names ------------------------------------------------------------------------------


def _layer_names(annotations: list[dict[str, Any]], ours: Any) -> list[tuple[str, str]]:
    """(annotator, status) of each annotation, none two alike (see the module's docstring)."""
    exported = _exported_layers(ours)
    found: list[tuple[str, str] | None] = [_own_keys(annotation, index) for index, annotation in enumerate(annotations)]
    claimed: set[int] = set()
    untagged: list[int] = []
    made = sorted(range(len(annotations)), key=lambda i: _creation_order(annotations, i))
    for index in made:  # the first made claims its layer; a copy made later in Label Studio does not
        if found[index] is not None or not exported:
            continue
        tags = _tags(annotations[index])
        if len(tags) == 1 and (number := next(iter(tags))) in range(1, len(exported) + 1) and number not in claimed:
            claimed.add(number)
            found[index] = exported[number - 1][:2]
        elif not tags:
            untagged.append(index)
    empty = [n for n in range(1, len(exported) + 1) if n not in claimed and exported[n - 1][2]]
    for index, number in zip(untagged, empty, strict=False):
        found[index] = exported[number - 1][:2]
    layers = [
        given or (_label_studio_user(annotation, index), _label_studio_status(annotation, index))
        for index, (annotation, given) in enumerate(zip(annotations, found, strict=True))
    ]
    named = dict(zip(made, _distinct([layers[index] for index in made]), strict=True))  # numbered as made
    return [named[index] for index in range(len(annotations))]


def _exported_layers(ours: Any) -> list[tuple[str, str, bool]]:
    """Our export's meta.layers: (annotator, status, exported empty) per annotation."""
    if ours is None:
        return []
    layers = []
    for index, layer in enumerate(as_list(ours, "meta.layers")):
        where = key_path("meta.layers", index)
        as_object(layer, where)
        annotator, status = expect_str(layer, "annotator", where), expect_str(layer, "status", where)
        empty = as_bool(layer.get("empty", False), key_path(where, "empty"))
        _check_status(status, where)
        layers.append((annotator, status, empty))
    return layers


def _own_keys(annotation: dict[str, Any], index: int) -> tuple[str, str] | None:
    """An annotator (and status) written on the annotation itself: our export, not through Label Studio."""
    with within(f"annotation {index + 1}"):
        annotator = expect_str(annotation, "annotator", default=None)
        if annotator is None:
            return None
        status = expect_str(annotation, "status", default=None)
    if status is not None:
        _check_status(status, f"annotation {index + 1}")
    return annotator, status or _label_studio_status(annotation, index)


def _tags(annotation: dict[str, Any]) -> set[int]:
    """The layer numbers our export put in this annotation's region ids."""
    ids = []
    for result in annotation.get("result") or []:
        if isinstance(result, dict):
            ids += [result.get("id"), result.get("from_id"), result.get("to_id")]
    return {int(match[1]) for found in ids if isinstance(found, str) and (match := TAG.match(found))}


def _creation_order(annotations: list[dict[str, Any]], index: int) -> tuple[int, int]:
    """Label Studio's annotation id (it counts up as annotations are made), else the place in the file."""
    found = annotations[index].get("id")
    return (found if isinstance(found, int) and not isinstance(found, bool) else 1 << 62, index)


def _label_studio_user(annotation: dict[str, Any], index: int) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        email, number = who.get("email"), who.get("id")
        if isinstance(email, str) and email.strip():
            return email.strip()
        who = number
    if isinstance(who, (int, str)) and not isinstance(who, bool) and str(who).strip():
        return f"user-{str(who).strip()}"
    if who is None:
        return DEFAULT_LAYER  # Label Studio 0.x completions name nobody: what the loader would call it
    raise RecordError(f"annotation {index + 1}: 'completed_by' must be a user id or object, got {json_type(who)}")


def _check_status(status: str, where: str) -> None:
    if status not in STATUSES:
        raise RecordError(f"{where}: unknown status {status[:40]!r} (use one of {', '.join(STATUSES)})")


def _label_studio_status(annotation: dict[str, Any], index: int) -> str:
    with within(f"annotation {index + 1}"):
        cancelled = expect_bool(annotation, "was_cancelled", default=False)
    return "skipped" if cancelled else "done"


def _distinct(layers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The second annotation under one name becomes NAME#2, the third NAME#3: none is dropped."""
    seen: dict[str, int] = {}
    names = {name for name, _ in layers}
    distinct = []
    for name, status in layers:
        seen[name] = seen.get(name, 0) + 1
        shown = name
        while seen[name] > 1 and (shown := f"{name}#{seen[name]}") in names:
            seen[name] += 1
        names.add(shown)
        distinct.append((shown, status))
    return distinct
