"""brat standoff: ``<name>.ann`` beside ``<name>.txt`` (give either, or a folder of them).

- The .txt is read byte-exact; the document id is its name. Offsets are code points into it.
  annotation.conf is not needed: the project's schema decides what is valid.
- T: a span, its text checked against the .ann's. A discontinuous one (``s e;s e``) is one
  span from its first start to its last end when only whitespace lies between its fragments:
  that is a mention broken over lines, and what our export writes. Any other discontinuous
  span is refused at its line, saying why, never widened silently: with text between the
  fragments (``North ... America``) one span would claim that text too, and several spans would
  lose that they are one mention; fragments that are empty, out of order or overlapping are
  not a mention brat would write.
- R: a relation, Arg1 -> Arg2. A (and the older M): an attribute of an entity, a bare flag
  (true) or a value.
- N (normalisation) and ``#`` AnnotatorNotes become span attributes named by the line's type
  (``Reference`` = "Wikipedia:64488", ``AnnotatorNotes`` = the note) when the span's label has
  such an attribute in the schema; without one (or without the schema) they are reported.
- E (events), ``*`` (equivalence sets), and anything attached to an event or a relation have no
  place in the project: each is reported with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

from annotator.importers.native import Item, read_text_file
from annotator.importers.records import DocumentRecord, ImportProblem, SpanRecord
from annotator.importers.tool_support import RecordBuilder, cannot, read_text, unsupported
from annotator.schema import Schema

_FRAGMENT = re.compile(r"([0-9]{1,18}) ([0-9]{1,18})")  # ASCII digits, small enough to be offsets


def sniff_brat(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").is_file())


def read_brat(path: Path, schema: Schema | None = None) -> Iterator[Item]:
    text_path, ann_path = path.with_suffix(".txt"), path.with_suffix(".ann")
    if not text_path.is_file():
        yield ImportProblem(str(path), 1, f"no {text_path.name} beside it (brat keeps the text there)")
        return
    found = list(read_text_file(text_path, text_path.stem))
    record = found[0]
    if isinstance(record, ImportProblem) or not ann_path.is_file():
        yield record  # a text nobody annotated yet has no .ann (or an empty one)
        return
    annotations = read_text(ann_path)
    if isinstance(annotations, ImportProblem):
        yield annotations
        return
    record.source, record.line = str(ann_path), 1
    yield from _Ann(record, schema).read(annotations)
    yield record


class _Ann:
    def __init__(self, record: DocumentRecord, schema: Schema | None) -> None:
        self.record, self.schema, self.source = record, schema, record.source
        self.builder = RecordBuilder(record)
        self.spans: dict[str, SpanRecord] = {}  # T id -> its SpanRecord
        self.later: list[tuple[int, str, list[str]]] = []  # lines that refer to T lines

    def read(self, annotations: str) -> list[ImportProblem]:
        problems: list[ImportProblem] = []
        for number, line in enumerate(annotations.split("\n"), start=1):
            line = line.removesuffix("\r")
            if not line.strip():
                continue
            fields = line.split("\t", 2)  # the text field may hold tabs
            kind = fields[0][:1]
            if kind == "T":
                problem = self._span(fields)
                if problem:
                    problems.append(ImportProblem(self.source, number, problem))
            elif kind in ("R", "A", "M", "N", "#"):
                self.later.append((number, kind, fields))
            elif kind == "E":
                problems.append(unsupported(self.source, number, f"event {fields[0]} ({_type(fields)})"))
            elif kind == "*":
                problems.append(unsupported(self.source, number, f"equivalence set ({_type(fields)})"))
            else:
                problems.append(ImportProblem(self.source, number, f"not a brat annotation line: {line[:60]!r}"))
        for number, kind, fields in self.later:  # T lines may come after the lines naming them
            problem = self._refer(kind, fields)
            if problem:
                problems.append(ImportProblem(self.source, number, problem))
        return sorted(problems, key=lambda p: p.line)

    def _span(self, fields: list[str]) -> str | None:
        if len(fields) < 2 or " " not in fields[1]:
            return "a T line is: T1<tab>LABEL START END<tab>TEXT"
        label, where = fields[1].split(" ", 1)
        pieces = []
        for fragment in where.split(";"):
            match = _FRAGMENT.fullmatch(fragment.strip())
            if match is None:
                return f"{fields[0]}: {fragment!r} is not START END"
            pieces.append((int(match[1]), int(match[2])))
        text = self.record.text
        found = " ".join(text[s:e] for s, e in pieces)
        if len(fields) > 2 and found != fields[2]:
            return f"{fields[0]}: the text at {where} is {found!r}, but the .ann says {fields[2]!r}"
        start, end = pieces[0][0], pieces[-1][1]
        if len(pieces) > 1:
            problem = _discontinuous(text, pieces)
            if problem:
                return cannot(f"discontinuous span {fields[0]} ({label} {where}) {problem}")
        self.spans[fields[0]] = self.builder.span(fields[0], start, end, label)
        return None

    def _refer(self, kind: str, fields: list[str]) -> str | None:
        parts = fields[1].split() if len(fields) > 1 else []
        if len(parts) < 2:
            return f"{fields[0]}: too few fields"
        name, target = parts[0], parts[1]
        if kind == "R":
            args = [p.split(":", 1)[-1] for p in parts[1:]]
            if len(args) != 2:
                return f"relation {fields[0]} needs two arguments, has {len(args)}"
            missing = [a for a in args if a not in self.spans]
            if missing:
                return cannot(f"relation {fields[0]} ({name}) to {missing[0]}, not an imported entity")
            self.builder.relation(name, args[0], args[1])
            return None
        if target not in self.spans:
            return cannot(f"{fields[0]} ({name}) on {target}, not an imported entity")
        span = self.spans[target]
        if kind in ("A", "M"):
            span.attributes[name] = True if len(parts) == 2 else " ".join(parts[2:])
            return None
        value = parts[2] if kind == "N" and len(parts) > 2 else (fields[2] if len(fields) > 2 else "")
        if self.schema is None:
            return cannot(f"{fields[0]} ({name}) on {target}: the reader was not given the schema to check {name!r}")
        spec = self.schema.label(span.label) if isinstance(span.label, str) else None
        if spec is None or spec.attribute(name) is None:
            return cannot(f"{fields[0]} ({name}) on {target}: label {span.label} has no attribute {name!r}")
        span.attributes[name] = value
        return None


def _discontinuous(text: str, pieces: list[tuple[int, int]]) -> str | None:
    """Why these fragments are not one mention broken over lines (None if they are)."""
    if any(s >= e for s, e in pieces):
        return "with an empty fragment"
    if any(b < a for (_, a), (b, _) in pairwise(pieces)):
        return "with fragments out of order or overlapping"
    if "".join(text[a:b] for (_, a), (b, _) in pairwise(pieces)).strip():
        return "with text between its fragments (one span would claim it)"
    return None


def _type(fields: list[str]) -> str:
    return fields[1].split(":")[0].split(" ")[0] if len(fields) > 1 else "?"
