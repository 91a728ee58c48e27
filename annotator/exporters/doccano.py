"""doccano JSONL, in the form doccano (>= 1.7) exports and imports.

- A schema without relations gives the sequence-labelling form,
  ``{"id", "text", "label": [[start, end, label], ...]}``; a schema with relations gives the
  relation form, ``"entities": [{id, start_offset, end_offset, label}]`` and
  ``"relations": [{id, from_id, to_id, type}]`` (from = head, to = tail).
- Offsets count what doccano's user interface counts, so that each span is drawn where it
  belongs: UTF-16 code units by default (JavaScript string indices; they differ from code points
  after emoji and other astral characters), grapheme clusters for a project in doccano's grapheme
  mode (``--offsets graphemes``), or code points (``--offsets codepoints``). A span whose edge
  falls inside a grapheme cluster cannot be written in grapheme clusters: it is reported, and so
  are the relations it takes with it.
- The relation form starts with a UTF-8 byte order mark: doccano's "JSONL(Relation)" import has
  no encoding setting and guesses one (chardet), and without the mark it can take UTF-8 text
  with accents or emoji for another encoding. The sequence form has none: doccano's "JSONL"
  import reads UTF-8 by default, and Python's JSON parser refuses a line that starts with a mark.
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
from annotator.exporters.tool_support import lost_relation, lost_span, schema_stamp
from annotator.importers.doccano import DEFAULT_OFFSETS, UNIT_NAMES
from annotator.text import OffsetMap

BOM = b"\xef\xbb\xbf"


class DoccanoWriter(FormatWriter):
    suffix = ".jsonl"
    started = False  # the relation form's byte order mark is written before the first record

    def add(self, record: dict[str, Any]) -> None:
        if not self.started:  # not stream.tell(): the output may be a pipe
            if self.project.schema.relations:
                self.stream.write(BOM)
            self.started = True
        line: dict[str, Any] = {"id": record["id"], "text": record["text"]}
        for span in record["spans"]:
            if span["attributes"]:
                lost_span(self.report, record, span, "attributes", "not written (doccano has no span attributes)")
        offsets = self._offsets(record)
        spans = [s for s in record["spans"] if s["id"] in offsets]
        if self.project.schema.relations:
            number = {span["id"]: index for index, span in enumerate(spans)}
            line["entities"] = [
                {
                    "id": number[s["id"]],
                    "start_offset": offsets[s["id"]][0],
                    "end_offset": offsets[s["id"]][1],
                    "label": s["label"],
                }
                for s in spans
            ]
            relations = []
            for r in record["relations"]:
                if r["head"] in number and r["tail"] in number:
                    relations.append((r, number[r["head"]], number[r["tail"]]))
                else:
                    lost_relation(self.report, record, r, "end inside a grapheme cluster", "not written")
            line["relations"] = [
                {"id": index, "from_id": head, "to_id": tail, "type": r["label"]}
                for index, (r, head, tail) in enumerate(relations)
            ]
        else:
            # Without relations in the schema a record has none to lose.
            line["label"] = [[*offsets[s["id"]], s["label"]] for s in spans]
        if self.project.schema.document_labels:
            line["cats"] = record.get("document_labels", [])
        line["meta"] = record["meta"]
        line["annotator"] = record["annotator"]
        line["status"] = record["status"]
        line["schema"] = schema_stamp(self.project)
        self.stream.write(orjson.dumps(line) + b"\n")

    def _offsets(self, record: dict[str, Any]) -> dict[str, tuple[int, int]]:
        """Each span's (start, end) in the unit doccano counts; spans it cannot express are reported."""
        unit = self.options.offsets or DEFAULT_OFFSETS
        if unit == "codepoints":
            return {s["id"]: (s["start"], s["end"]) for s in record["spans"]}
        mapping = OffsetMap(record["text"])
        convert = mapping.to_utf16 if unit == "utf16" else mapping.to_graphemes
        found: dict[str, tuple[int, int]] = {}
        for span in record["spans"]:
            try:
                found[span["id"]] = (convert(span["start"]), convert(span["end"]))
            except ValueError:
                lost_span(
                    self.report,
                    record,
                    span,
                    "edge inside a grapheme cluster",
                    f"not written (no offset in {UNIT_NAMES[unit]}; --offsets utf16 or codepoints can hold it)",
                )
        return found
