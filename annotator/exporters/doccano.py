"""doccano JSONL, in the form doccano (>= 1.7) exports and imports.

- A schema without relations gives the sequence-labelling form,
  ``{"id", "text", "label": [[start, end, label], ...]}``; a schema with relations gives the
  relation form, ``"entities": [{id, start_offset, end_offset, label}]`` and
  ``"relations": [{id, from_id, to_id, type}]`` (from = head, to = tail). Offsets are code points,
  as doccano's Python backend counts them.
- Document labels go in ``cats``, as doccano's intent-detection-and-slot-filling form has them.
- The document's meta goes in ``meta``; ``annotator``, ``status`` and ``schema`` are top-level
  keys, which doccano keeps as meta on import and our reader restores.
- doccano has no span attributes: each span with attributes is reported (and exported without
  them). Nothing else is lost.
"""

from __future__ import annotations

from typing import Any

import orjson

from annotator.exporters.base import FormatWriter
from annotator.exporters.tool_support import lost_span, schema_stamp


class DoccanoWriter(FormatWriter):
    suffix = ".jsonl"

    def add(self, record: dict[str, Any]) -> None:
        line: dict[str, Any] = {"id": record["id"], "text": record["text"]}
        for span in record["spans"]:
            if span["attributes"]:
                lost_span(self.report, record, span, "attributes", "not written (doccano has no span attributes)")
        if self.project.schema.relations:
            number = {span["id"]: index for index, span in enumerate(record["spans"])}
            line["entities"] = [
                {"id": number[s["id"]], "start_offset": s["start"], "end_offset": s["end"], "label": s["label"]}
                for s in record["spans"]
            ]
            line["relations"] = [
                {"id": index, "from_id": number[r["head"]], "to_id": number[r["tail"]], "type": r["label"]}
                for index, r in enumerate(record["relations"])
            ]
        else:
            # Without relations in the schema a record has none to lose.
            line["label"] = [[s["start"], s["end"], s["label"]] for s in record["spans"]]
        if self.project.schema.document_labels:
            line["cats"] = record.get("document_labels", [])
        line["meta"] = record["meta"]
        line["annotator"] = record["annotator"]
        line["status"] = record["status"]
        line["schema"] = schema_stamp(self.project)
        self.stream.write(orjson.dumps(line) + b"\n")
