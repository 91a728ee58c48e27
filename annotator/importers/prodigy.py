"""Prodigy JSONL (ner_manual, spans_manual, rel.manual and what `prodigy db-out` writes).

- ``answer``: "accept" imports the spans and relations with status done; "ignore" and "reject"
  import the document's text WITHOUT a layer, since the annotator set the task aside or
  refused it; no answer (a pre-annotated input task) imports them with no status.
- spans: ``start``/``end`` are code points (Prodigy is Python); a span's ``text``, if given,
  is checked against the document. Tokens are not needed and not read.
- relations: their ends are found by ``head_span``/``child_span`` offsets among the spans
  (``head``/``child`` are only token indices). A relation whose end is not a span (rel.manual
  can link bare tokens) cannot be imported and is reported.
- our own export's ``meta`` (id, annotator, status, schema, the document's meta under
  ``document``) is read back; any other ``meta`` becomes the document's meta. The annotator is
  ``_annotator_id`` (Prodigy's multi-user sessions), else ``_session_id``, unless --annotator.
- The choice interface's ``accept`` (with ``options``) becomes document labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.importers.native import Item
from annotator.importers.records import DocumentRecord, ImportProblem, SpanRecord
from annotator.importers.tool_support import (
    RecordBuilder,
    RecordError,
    as_object,
    expect_id,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    first_value,
    jsonl_values,
    key_path,
    object_with_text,
    objects_in,
    read_records,
    unsupported,
)

SET_ASIDE = ("ignore", "reject")
_MARKS = ("_input_hash", "_task_hash", "_view_id", "_session_id", "_annotator_id")


def sniff_prodigy(path: Path) -> bool:
    value = first_value(path, (".jsonl",))
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return False
    return any(key in value for key in _MARKS) or ("tokens" in value and "spans" in value) or "answer" in value


def read_prodigy(path: Path) -> Iterator[Item]:
    def build(obj: Any, source: str, line: int) -> list[Item]:
        record, problems = _record(obj, source, line)
        return [*problems, record]

    return read_records(jsonl_values(path), str(path), build)


def _record(obj: Any, source: str, line: int) -> tuple[DocumentRecord, list[ImportProblem]]:
    obj, text = object_with_text(obj)
    meta = expect_object(obj, "meta", default={})
    ours = isinstance(meta.get("schema"), dict) and isinstance(meta.get("document"), dict)
    if ours:
        external_id = expect_id(meta, "id", "meta", default=None)
        annotator = expect_str(meta, "annotator", "meta", default=None)
    else:  # someone else's meta: an id of another type is theirs, not ours to read
        found = meta.get("id")
        external_id = str(found) if isinstance(found, (str, int)) and not isinstance(found, bool) else None
        session = expect_str(obj, "_session_id", default=None)
        annotator = expect_str(obj, "_annotator_id", default=None) or session
    record = DocumentRecord(
        source=source,
        line=line,
        text=text,
        external_id=external_id,
        meta=meta["document"] if ours else meta,
        annotator=annotator or None,
    )
    answer = expect_str(obj, "answer", default=None)
    if answer in SET_ASIDE:
        record.set_aside = f"answer {answer!r}"
        return record, []  # the text, without the annotations the annotator set aside
    status = expect_str(meta, "status", "meta", default=None) if ours else None
    record.status = status or ("done" if answer == "accept" else None)
    problems: list[ImportProblem] = []
    builder = RecordBuilder(record)
    for index, (where, span) in enumerate(objects_in(obj, "spans")):
        builder.span(
            str(index),
            expect_int(span, "start", where),
            expect_int(span, "end", where),
            expect_str(span, "label", where),
            expect_object(span, "attributes", where, default={}),
            expect_str(span, "text", where, default=None) or None,
        )
    at: dict[tuple[int, int], list[SpanRecord]] = {}
    for span_record in record.spans:
        at.setdefault((span_record.start, span_record.end), []).append(span_record)
    for where, relation in objects_in(obj, "relations"):
        label = expect_str(relation, "label", where)
        ends = [_find(at, relation, key, where) for key in ("head_span", "child_span")]
        if ends[0] is None or ends[1] is None:
            missing = "head_span" if ends[0] is None else "child_span"
            shown = relation.get(missing)
            problems.append(unsupported(source, line, f"{where} {label}: its end {shown} is not a span"))
            continue
        builder.relation(label, ends[0], ends[1])
    record.document_labels = _choices(obj)
    return record, problems


def _find(at: dict[tuple[int, int], list[SpanRecord]], relation: dict[str, Any], key: str, where: str) -> str | None:
    """The key of the span with the offsets (and label, if it names one) of the relation's end."""
    end = relation.get(key)
    if end is None:
        return None
    path = key_path(where, key)
    end = as_object(end, path)
    start, stop = expect_int(end, "start", path), expect_int(end, "end", path)
    label = expect_str(end, "label", path, default=None)
    for candidate in at.get((start, stop), ()):
        if label in (None, candidate.label):
            return candidate.key
    return None


def _choices(obj: dict[str, Any]) -> list[str]:
    """The choice interface's answer (``accept``: option ids) as document labels."""
    if "options" not in obj or "accept" not in obj:
        return []
    names: dict[int, str] = {}  # a numeric option id stands for the option's text; a string id is the label
    for where, option in objects_in(obj, "options"):
        option_id, text = option.get("id"), expect_str(option, "text", where, default=None)
        if isinstance(option_id, int) and not isinstance(option_id, bool) and text:
            names[option_id] = text
    labels = []
    for index, chosen in enumerate(expect_list(obj, "accept", default=[])):
        if isinstance(chosen, str):
            labels.append(chosen)
        elif isinstance(chosen, int) and not isinstance(chosen, bool):
            labels.append(names.get(chosen, str(chosen)))
        else:
            raise RecordError(f"accept[{index}] must be an option id (a string or an integer)")
    return labels
