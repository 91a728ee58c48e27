"""brat standoff: a folder of ``<id>.txt`` + ``<id>.ann`` pairs with ``annotation.conf`` and
``visual.conf`` made from the schema.

- The .txt is the document text byte for byte (UTF-8, no newline translation): brat offsets
  are code points into it. A document id's "/" parts become folders; characters a file name
  cannot hold become "_"; a second layer of one document gets ``<id>.<annotator>``.
- Spans are T lines. brat draws text line by line, so a span that crosses a line break is
  written as discontinuous fragments (``start end;start end``) split at the line breaks; our
  reader joins fragments separated only by whitespace back into one span, so nothing changes.
  A span that starts or ends with a line break loses that edge (reported).
- Relations are R lines (``Arg1`` head, ``Arg2`` tail). Attributes are A lines: a true boolean
  is a bare flag; a false one cannot be written (brat flags are present or absent: reported);
  a choice, text or date value is the line's value, if it is one token without "|" or ","
  (brat's conf syntax), else reported. A text attribute named ``AnnotatorNotes`` is written as
  a ``#`` note, which holds any one-line text.
- brat has no annotator, status or document labels; the schema's name, version and hash are a
  comment in annotation.conf. ``<OVERLAP>`` there follows the schema's overlap rule.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotator.exporters.base import ExportOptions, FormatReport, FormatWriter
from annotator.exporters.tool_support import lost_span, safe_stem, schema_line
from annotator.project import Project

_LINE_BREAKS = re.compile(r"[\r\n]+")
_CONF_VALUE = re.compile(r"[^\s|,]+")  # what brat's conf and A lines can hold as one value
NOTES = "AnnotatorNotes"
OVERLAP = {"allow": "<ANY>", "nested": "contain"}


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of [start, end) between line breaks."""
    pieces, at = [], start
    for match in _LINE_BREAKS.finditer(text, start, end):
        pieces.append((at, match.start()))
        at = match.end()
    pieces.append((at, end))
    return [(s, e) for s, e in pieces if s < e]


class BratWriter(FormatWriter):
    suffix = ""
    is_folder = True
    leftovers = (".stats_cache", "*.ann~", "*.txt~")  # what the brat server and editors add

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        super().__init__(target, project, options, report)
        self.used: set[str] = set()  # file stems, case-folded (case-insensitive file systems)
        self.last_document: str | None = None
        self.values: dict[str, set[str]] = {}  # attribute -> values written, for annotation.conf

    def add(self, record: dict[str, Any]) -> None:
        stem = safe_stem(record["id"])
        if record["id"] == self.last_document:
            stem += "." + safe_stem(str(record["annotator"])).replace("/", "_")
        self.last_document = record["id"]
        stem = self._unique(stem)
        path = self.folder / f"{stem}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(record["text"].encode("utf-8"))
        (self.folder / f"{stem}.ann").write_bytes("".join(self._lines(record)).encode("utf-8"))

    def _unique(self, stem: str) -> str:
        candidate, number = stem, 1
        while candidate.casefold() in self.used:
            number += 1
            candidate = f"{stem}-{number}"
        self.used.add(candidate.casefold())
        return candidate

    def _lines(self, record: dict[str, Any]) -> list[str]:
        text = record["text"]
        lines: list[str] = []
        number: dict[str, int] = {}
        attributes = notes = 0
        for index, span in enumerate(record["spans"], start=1):
            number[span["id"]] = index
            pieces = fragments(text, span["start"], span["end"])
            if (pieces[0][0], pieces[-1][1]) != (span["start"], span["end"]):
                lost_span(self.report, record, span, "line break at an edge", "left out of the span")
            where = ";".join(f"{s} {e}" for s, e in pieces)
            lines.append(f"T{index}\t{span['label']} {where}\t{' '.join(text[s:e] for s, e in pieces)}\n")
            for name, value in span["attributes"].items():
                if name == NOTES and isinstance(value, str) and not _LINE_BREAKS.search(value):
                    notes += 1
                    lines.append(f"#{notes}\t{NOTES} T{index}\t{value}\n")
                elif value is True:
                    attributes += 1
                    lines.append(f"A{attributes}\t{name} T{index}\n")
                elif value is False:
                    lost_span(self.report, record, span, f"attribute {name}", "false not written (flags are on or off)")
                elif isinstance(value, str) and _CONF_VALUE.fullmatch(value):
                    attributes += 1
                    lines.append(f"A{attributes}\t{name} T{index} {value}\n")
                    self.values.setdefault(name, set()).add(value)
                else:
                    lost_span(self.report, record, span, f"attribute {name}", f"{value!r} not written (not one token)")
        for index, relation in enumerate(record["relations"], start=1):
            head, tail = number[relation["head"]], number[relation["tail"]]
            lines.append(f"R{index}\t{relation['label']} Arg1:T{head} Arg2:T{tail}\t\n")  # brat's empty last field
        return lines

    def close_output(self) -> None:
        (self.folder / "annotation.conf").write_bytes(self._annotation_conf().encode("utf-8"))
        (self.folder / "visual.conf").write_bytes(self._visual_conf().encode("utf-8"))

    def _annotation_conf(self) -> str:
        schema = self.project.schema
        lines = [f"# {schema_line(self.project)}", "", "[entities]", ""]
        lines += [label.name for label in schema.labels]
        lines += ["", "[relations]", ""]
        for relation in schema.relations:
            lines.append(f"{relation.name}\tArg1:{'|'.join(relation.head)}, Arg2:{'|'.join(relation.tail)}")
        if schema.overlap in OVERLAP:
            lines.append(f"<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:{OVERLAP[schema.overlap]}")
        lines += ["", "[events]", "", "[attributes]", ""]
        owners: dict[str, list[str]] = {}
        values: dict[str, list[str]] = {}
        for label in schema.labels:
            for attribute in label.attributes:
                if attribute.name == NOTES and attribute.type == "text":
                    continue  # written as # notes, which need no declaration
                owners.setdefault(attribute.name, []).append(label.name)
                known = values.setdefault(attribute.name, [])
                if attribute.type != "boolean":
                    known += [v for v in attribute.values if v not in known and _CONF_VALUE.fullmatch(v)]
        for name, labels in owners.items():
            seen = values[name] + sorted(self.values.get(name, set()) - set(values[name]))
            if seen:
                lines.append(f"{name}\tArg:{'|'.join(labels)}, Value:{'|'.join(seen)}")
            elif all(a.type == "boolean" for a in _attributes(self.project, name)):
                lines.append(f"{name}\tArg:{'|'.join(labels)}")
            else:
                lines.append(f"# {name}: no values in this export")
        return "\n".join(lines) + "\n"

    def _visual_conf(self) -> str:
        schema = self.project.schema
        lines = [f"# {schema_line(self.project)}", "", "[labels]", "", "[drawing]", ""]
        lines += [f"{label.name}\tbgColor:{label.color}" for label in schema.labels]
        lines += [f"{relation.name}\tcolor:{relation.color}" for relation in schema.relations if relation.color]
        return "\n".join(lines) + "\n"


def _attributes(project: Project, name: str) -> list[Any]:
    return [a for label in project.schema.labels for a in label.attributes if a.name == name]
