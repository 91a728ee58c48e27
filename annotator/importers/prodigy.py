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

from annotator.importers.native import Item, RecordError, object_with_text
from annotator.importers.records import DocumentRecord, ImportProblem
from annotator.importers.tool_support import RecordBuilder, first_value, jsonl_values, read_records, unsupported

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
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise RecordError("'meta' must be an object")
    ours = isinstance(meta.get("schema"), dict) and isinstance(meta.get("document"), dict)
    external_id = meta.get("id")
    record = DocumentRecord(
        source=source,
        line=line,
        text=text,
        external_id=str(external_id) if isinstance(external_id, (str, int)) and external_id is not True else None,
        meta=meta["document"] if ours else meta,
        annotator=_text(meta.get("annotator")) if ours else _text(obj.get("_annotator_id") or obj.get("_session_id")),
    )
    answer = obj.get("answer")
    if answer in SET_ASIDE:
        record.set_aside = f"answer {answer!r}"
        return record, []  # the text, without the annotations the annotator set aside
    status = _text(meta.get("status")) if ours else None
    record.status = status or ("done" if answer == "accept" else None)
    problems: list[ImportProblem] = []
    builder = RecordBuilder(record)
    for index, span in enumerate(_list(obj, "spans")):
        if not isinstance(span, dict):
            raise RecordError(f"spans[{index}] must be an object")
        for key in ("start", "end", "label"):
            if key not in span:
                raise RecordError(f"spans[{index}] has no {key!r}")
        attributes = span.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise RecordError(f"spans[{index}].attributes must be an object")
        builder.span(str(index), span["start"], span["end"], span["label"], attributes, _text(span.get("text")))
    at: dict[tuple[Any, Any], list[Any]] = {}
    for span in record.spans:
        if isinstance(span.start, int) and isinstance(span.end, int):
            at.setdefault((span.start, span.end), []).append(span)
    for index, relation in enumerate(_list(obj, "relations")):
        if not isinstance(relation, dict):
            raise RecordError(f"relations[{index}] must be an object")
        ends = [_find(at, relation.get(key)) for key in ("head_span", "child_span")]
        if None in ends:
            where = relation.get("head_span") if ends[0] is None else relation.get("child_span")
            problems.append(
                unsupported(source, line, f"relations[{index}] {relation.get('label')}: its end {where} is not a span")
            )
            continue
        builder.relation(relation.get("label"), ends[0], ends[1])  # type: ignore[arg-type]
    options = obj.get("options")
    if isinstance(options, list) and isinstance(obj.get("accept"), list):
        names = {o.get("id"): o.get("text") for o in options if isinstance(o, dict)}
        record.document_labels = [str(i) if isinstance(i, str) else str(names.get(i, i)) for i in obj["accept"]]
    return record, problems


def _find(at: dict[tuple[Any, Any], list[Any]], span: Any) -> str | None:
    """The key of the span with these offsets (and label, if it names one)."""
    if not isinstance(span, dict) or not isinstance(span.get("start"), int) or not isinstance(span.get("end"), int):
        return None
    for candidate in at.get((span["start"], span["end"]), ()):
        if span.get("label") in (None, candidate.label):
            return candidate.key
    return None


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise RecordError(f"{key!r} must be a list")
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
