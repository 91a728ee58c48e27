"""What the readers share: JSON values with the line each starts on (jsonl_values is the one
JSONL line reader, native and Prodigy alike), a peek at a file's first value for detection,
and a record builder that merges duplicates.

Every reader parses JSON through json_text (one set of rules: no RecursionError on deep nesting,
no lone surrogates, exact integers) and takes each field through the typed accessors of
fields.py (``expect_str(obj, "label", "spans[2]")``, ...), re-exported here: a wrong type is a
RecordError naming the key path, which read_records reports at the record's file and line.

Content a format has but the project cannot hold (brat events, Label Studio results of other
types, ...) is an ImportProblem naming file and line, like a bad record: the import stops and
lists it unless --skip-invalid is given, so nothing is left out without the user saying so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.importers.fields import (
    RecordError,
    as_bool,
    as_int,
    as_list,
    as_object,
    as_str,
    expect_bool,
    expect_id,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    expect_str_list,
    json_type,
    key_path,
    object_with_text,
    objects_in,
)
from annotator.importers.json_text import JsonProblem, decode_at, parse_json
from annotator.importers.records import DocumentRecord, ImportProblem, RelationRecord, SpanRecord

__all__ = [
    "RecordBuilder",
    "RecordError",
    "Value",
    "as_bool",
    "as_int",
    "as_list",
    "as_object",
    "as_str",
    "cannot",
    "expect_bool",
    "expect_id",
    "expect_int",
    "expect_list",
    "expect_object",
    "expect_str",
    "expect_str_list",
    "first_value",
    "json_type",
    "json_values",
    "jsonl_values",
    "key_path",
    "object_with_text",
    "objects_in",
    "read_records",
    "read_text",
    "unsupported",
]

Value = tuple[int, int, Any]  # line, bytes, the parsed value
UTF8_BOM = b"\xef\xbb\xbf"
_SPACE = " \t\r\n"
_VALUE_START = re.compile(r"\n[\[{]")


Build = Callable[[Any, str, int], Iterable[DocumentRecord | ImportProblem]]


def read_records(
    values: Iterator[Value | ImportProblem], source: str, build: Build
) -> Iterator[DocumentRecord | ImportProblem]:
    """Turn each JSON value into records with `build`; a RecordError becomes a problem at its line."""
    for item in values:
        if isinstance(item, ImportProblem):
            yield item
            continue
        line, size, obj = item
        try:
            built = list(build(obj, source, line))
        except RecordError as error:
            yield ImportProblem(source, line, str(error))
            continue
        for found in built:
            if isinstance(found, DocumentRecord):
                found.size, size = size, 0  # the value's bytes count once
            yield found


def read_text(path: Path) -> str | ImportProblem:
    data = path.read_bytes()
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1]
        return ImportProblem(str(path), line, f"not UTF-8 (byte {error.start}: {byte!r})")


def jsonl_values(path: Path) -> Iterator[Value | ImportProblem]:
    """One JSON value per line with its line number and size in bytes; blank lines are allowed,
    lines may end in \n or \r\n, and a UTF-8 BOM at the start of the file is skipped."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.removeprefix(UTF8_BOM) if number == 1 else raw
            if not line or line.isspace():  # not line.strip(), which copies every line
                continue
            try:
                yield number, len(raw), parse_json(line)
            except JsonProblem as problem:
                yield ImportProblem(str(path), number, str(problem))


class LineCounter:
    """Line numbers of positions met in increasing order (counted once, not from the start)."""

    def __init__(self, text: str) -> None:
        self.text, self.position, self.line = text, 0, 1

    def at(self, position: int) -> int:
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line

    def where(self, position: int) -> str:
        line = self.at(position)
        column = position - (self.text.rfind("\n", 0, position) + 1) + 1
        return f"line {line}, column {column}"


def json_values(path: Path) -> Iterator[Value | ImportProblem]:
    """JSON values one after another: JSONL, or pretty-printed values that span lines (doccano's
    relation export). After a value that does not parse, reading goes on at the next line."""
    text = read_text(path)
    if isinstance(text, ImportProblem):
        yield text
        return
    yield from _values(text, str(path))


def _values(text: str, source: str) -> Iterator[Value | ImportProblem]:
    lines, at = LineCounter(text), 0
    while True:
        at = skip_space(text, at)
        if at == len(text):
            return
        line = lines.at(at)
        try:
            value, end = decode_at(text, at)
        except JsonProblem as problem:
            position = at if problem.position is None else problem.position
            yield ImportProblem(source, lines.at(position), str(problem))
            at = problem.end if problem.end is not None else _next_value(text, max(position, at + 1))
            continue
        yield line, len(text[at:end].encode("utf-8")), value
        at = end


def _next_value(text: str, at: int) -> int:
    """Where to go on after a value that does not parse: the next line that starts a value (with
    "{" or "[": a JSONL line, or a pretty-printed value's first line), not the inside of this one."""
    found = _VALUE_START.search(text, at)
    return len(text) if found is None else found.start() + 1


def skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def first_value(path: Path, suffixes: tuple[str, ...] = (".json", ".jsonl")) -> Any:
    """The first JSON value in a file (the first item of an array), or None: for sniffing.
    Reads a growing head of the file, so a large file is not read whole to be recognised."""
    if path.suffix.lower() not in suffixes or not path.is_file():
        return None
    size = 1 << 16
    with path.open("rb") as handle:
        while True:
            head = handle.read(size)
            handle.seek(0)
            text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")  # a cut character at the end
            at = skip_space(text, 0)
            if text.startswith("[", at):
                at = skip_space(text, at + 1)
            try:
                return decode_at(text, at)[0]
            except JsonProblem:
                if len(head) < size or size >= 1 << 26:
                    return None
                size *= 8


def cannot(what: str) -> str:
    return f"{what}: cannot be imported (--skip-invalid imports the rest)"


def unsupported(source: str, line: int, what: str) -> ImportProblem:
    """Something the project cannot hold; an ImportProblem so that leaving it out is a choice."""
    return ImportProblem(source, line, cannot(what))


class RecordBuilder:
    """A DocumentRecord's spans and relations; a span given twice (same offsets and label: the
    same annotation) is kept once, and relations to its second key go to the first."""

    def __init__(self, record: DocumentRecord) -> None:
        self.record = record
        self.by_bounds: dict[tuple[Any, Any, Any], SpanRecord] = {}
        self.alias: dict[str, str] = {}
        self.links: set[tuple[Any, str, str]] = set()

    def span(
        self,
        key: str,
        start: Any,
        end: Any,
        label: Any,
        attributes: dict[str, Any] | None = None,
        text: str | None = None,
    ) -> SpanRecord:
        bounds = (start, end, label)
        found = self.by_bounds.get(bounds) if _hashable(bounds) else None
        if found is not None and found.key is not None:
            self.alias[key] = found.key
            found.attributes.update(attributes or {})
            return found
        span = SpanRecord(key=key, start=start, end=end, label=label, attributes=dict(attributes or {}), text=text)
        if _hashable(bounds):
            self.by_bounds[bounds] = span
        self.record.spans.append(span)
        return span

    def relation(self, label: Any, head: str, tail: str) -> None:
        link = (label, self.alias.get(head, head), self.alias.get(tail, tail))
        if _hashable(link):
            if link in self.links:  # the same link twice
                return
            self.links.add(link)
        self.record.relations.append(RelationRecord(*link))


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
