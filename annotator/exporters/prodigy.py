"""Prodigy JSONL: one task per document layer, in the shape ner_manual, spans_manual and
rel.manual save.

- tokens: a fixed regex tokenizer (runs of word characters, whitespace runs, else one grapheme
  cluster), never spaCy: spaCy is optional here, and the file must be the same wherever it is
  made. As in spaCy, one space after a token is its ``ws``; any other whitespace is a token of
  its own, so the tokens and their ``ws`` rebuild the text exactly.
- spans: ``token_start``/``token_end`` (inclusive). A span whose edges are not token edges is
  reported and expanded, contracted or skipped (--misaligned, by tokens.align as in every token
  format); relations of a skipped span go too.
- relations: rel.manual's form. ``head``/``child`` are the index of the LAST token of each span,
  as Prodigy writes them, beside ``head_span``/``child_span``.
- answer: done -> "accept", skipped -> "ignore", todo/in_progress -> none (a pre-annotated task,
  what Prodigy recipes take as input).
- ``_input_hash``/``_task_hash``: signed 32-bit integers from SHA-256 (of the text; of the input
  hash and the annotations). Prodigy computes MurmurHash3 over its own serialisation; these are
  stable and in the same range but are not the numbers Prodigy would compute.
- span attributes ride in an extra span key ``attributes``: Prodigy keeps unknown keys and shows
  nothing; our reader restores them.
- meta: the document id, annotator, status and schema, and the document's own meta under
  ``document`` (nested, so that no key of it can clash with ours).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import regex

from annotator.exporters.base import FormatWriter
from annotator.exporters.tokens import align
from annotator.exporters.tool_support import lost_relation, lost_span, schema_stamp
from annotator.project import Project

_TOKEN = regex.compile(r"(?P<word>\w+)|(?P<space>\s+)|\X", regex.DOTALL)
ANSWERS = {"done": "accept", "skipped": "ignore"}


def tokenize(text: str) -> list[dict[str, Any]]:
    tokens: list[dict[str, Any]] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if match.lastgroup == "space" and tokens and not tokens[-1]["ws"] and text[start] == " ":
            tokens[-1]["ws"] = True  # the one space that follows a token belongs to it
            start += 1
            if start == end:
                continue
        tokens.append({"text": text[start:end], "start": start, "end": end, "id": len(tokens), "ws": False})
    return tokens


def hash32(*parts: Any) -> int:
    """A signed 32-bit integer from SHA-256 of the parts' canonical JSON."""
    digest = hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class ProdigyWriter(FormatWriter):
    suffix = ".jsonl"

    def add(self, record: dict[str, Any]) -> None:
        text = record["text"]
        tokens = tokenize(text)
        offsets = [t["start"] for t in tokens], [t["end"] for t in tokens]
        spans: list[dict[str, Any]] = []
        placed: dict[str, dict[str, Any]] = {}  # span id -> its Prodigy span
        taken: set[tuple[int, int, str]] = set()
        for span in record["spans"]:
            bounds = self._align(record, span, offsets)
            if bounds is None:
                continue
            first, last = bounds
            start, end = tokens[first]["start"], tokens[last]["end"]
            if (start, end, span["label"]) in taken:
                lost_span(self.report, record, span, "misaligned", "skipped (it would repeat another span)")
                continue
            taken.add((start, end, span["label"]))
            item: dict[str, Any] = {
                "start": start,
                "end": end,
                "token_start": first,
                "token_end": last,
                "label": span["label"],
                "text": text[start:end],
            }
            if span["attributes"]:
                item["attributes"] = span["attributes"]
            spans.append(item)
            placed[span["id"]] = item
        relations = []
        for relation in record["relations"]:
            head, child = placed.get(relation["head"]), placed.get(relation["tail"])
            if head is None or child is None:
                lost_relation(self.report, record, relation, "misaligned", "skipped with its span")
                continue
            relations.append(
                {
                    "head": head["token_end"],
                    "child": child["token_end"],
                    "head_span": _span_ref(head),
                    "child_span": _span_ref(child),
                    "label": relation["label"],
                }
            )
        schema = self.project.schema
        input_hash = hash32(text)
        task: dict[str, Any] = {
            "text": text,
            "tokens": tokens,
            "spans": spans,
            "relations": relations,
            "_input_hash": input_hash,
            "_task_hash": hash32(input_hash, [_span_ref(s) for s in spans], relations),
            "_view_id": _view_id(self.project),
            "meta": {
                "id": record["id"],
                "annotator": record["annotator"],
                "status": record["status"],
                "schema": schema_stamp(self.project),
                "document": record["meta"],
            },
        }
        if schema.document_labels:  # Prodigy's choice interface: the options, and those accepted
            task["options"] = [{"id": d.name, "text": d.name} for d in schema.document_labels]
            task["accept"] = record.get("document_labels", [])
        if record["annotator"] is not None:
            task["_annotator_id"] = record["annotator"]
        answer = ANSWERS.get(record["status"])
        if answer is not None:
            task["answer"] = answer
        self.stream.write(orjson.dumps(task) + b"\n")

    def _align(
        self, record: dict[str, Any], span: dict[str, Any], offsets: tuple[list[int], list[int]]
    ) -> tuple[int, int] | None:
        """The first and last token of a span, after the --misaligned policy if it needs one."""
        found = align(record["text"], offsets, span["start"], span["end"], self.options.misaligned)
        if found is None:
            lost_span(self.report, record, span, "misaligned", "skipped")
            return None
        first, last, action = found
        if action is not None:
            lost_span(self.report, record, span, "misaligned", action)
        return first, last - 1  # Prodigy's token_end is the last token itself


def _span_ref(span: dict[str, Any]) -> dict[str, Any]:
    return {key: span[key] for key in ("start", "end", "token_start", "token_end", "label")}


def _view_id(project: Project) -> str:
    schema = project.schema
    if schema.relations:
        return "relations"
    return "ner_manual" if schema.overlap == "forbid" else "spans_manual"  # ner_manual cannot overlap
