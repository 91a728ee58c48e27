"""Load and validate a label schema (YAML) into frozen dataclasses.

Validation walks the node tree of ``yaml.compose`` instead of loaded Python objects:
every node keeps its line, so each problem names file, line and key; and composing
constructs nothing, so a hostile tag (``!!python/object/apply:...``) is reported, never
run. All problems of a file are raised together, so a schema is fixed in one round.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from annotator.errors import AnnotatorError
from annotator.isodate import check_iso_date
from annotator.schema_nodes import compose

AttributeType = Literal["choice", "text", "boolean", "date"]
OverlapMode = Literal["allow", "nested", "forbid"]
# The largest schema version a database can store: the column is a 32-bit INTEGER in PostgreSQL
# (SQLite takes 64 bits); a larger number would pass the check and then fail in `init`.
MAX_VERSION = 2**31 - 1


@dataclass(frozen=True)
class SchemaProblem:
    """One thing wrong with a schema file; ``line`` is 1-based, ``key`` a dotted path."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        return f"{self.file}:{self.line}: {key}{self.message}"


class SchemaError(AnnotatorError):
    """A schema cannot be used; ``problems`` holds all of them, in file order."""

    def __init__(self, problems: Iterable[SchemaProblem]) -> None:
        self.problems: tuple[SchemaProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __reduce__(self) -> tuple[type[SchemaError], tuple[Any, ...]]:
        # Pickling would replay ``args`` (the joined text); rebuild from problems.
        return (type(self), (self.problems,))


@dataclass(frozen=True)
class AttributeSpec:
    name: str
    type: AttributeType
    values: tuple[str, ...] = ()
    description: str = ""

    def check(self, value: object) -> str | None:
        """None if ``value`` suits this attribute, else a short message."""
        if self.type == "boolean":
            # bool only: a 1 or 0 in a record is more likely a mistake than a flag.
            if isinstance(value, bool):
                return None
            return f"expected true or false, got {value!r}"
        if not isinstance(value, str):
            return f"expected a string, got {value!r}"
        if self.type == "choice" and value not in self.values:
            return f"{value!r} is not one of: {', '.join(self.values)}"
        if self.type == "date":
            return check_iso_date(value)
        return None


@dataclass(frozen=True)
class LabelPattern:
    """One item of a label's ``patterns:`` (the patterns suggestion source matches them): a phrase,
    matched ignoring case on token boundaries, or a spaCy token pattern (a list of token dicts).
    line and key say where it is written, for spaCy's complaints about it."""

    pattern: str | tuple[dict[str, Any], ...]
    line: int = field(default=0, compare=False)
    key: str = field(default="", compare=False)


@dataclass(frozen=True)
class LabelSpec:
    name: str
    color: str
    hotkey: str
    description: str = ""
    attributes: tuple[AttributeSpec, ...] = ()
    patterns: tuple[LabelPattern, ...] = ()

    def attribute(self, name: str) -> AttributeSpec | None:
        return self._attributes_by_name.get(name)

    @cached_property
    def _attributes_by_name(self) -> dict[str, AttributeSpec]:
        return {spec.name: spec for spec in self.attributes}


@dataclass(frozen=True)
class RelationSpec:
    name: str
    head: tuple[str, ...]
    tail: tuple[str, ...]
    hotkey: str | None = None
    description: str = ""
    color: str | None = None

    def allows(self, head_label: str, tail_label: str) -> bool:
        return head_label in self.head and tail_label in self.tail


@dataclass(frozen=True)
class DocumentLabelSpec:
    name: str
    hotkey: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Schema:
    name: str
    version: int
    description: str
    overlap: OverlapMode
    labels: tuple[LabelSpec, ...]
    relations: tuple[RelationSpec, ...]
    document_labels: tuple[DocumentLabelSpec, ...]
    text: str
    source: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def label(self, name: str) -> LabelSpec | None:
        return self._labels_by_name.get(name)

    def relation(self, name: str) -> RelationSpec | None:
        return self._relations_by_name.get(name)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.labels)

    def relations_between(self, head_label: str, tail_label: str) -> tuple[RelationSpec, ...]:
        return tuple(s for s in self.relations if s.allows(head_label, tail_label))

    @cached_property
    def _labels_by_name(self) -> dict[str, LabelSpec]:
        # Rendering asks once per span; a dict keeps that cheap on long documents.
        return {spec.name: spec for spec in self.labels}

    @cached_property
    def _relations_by_name(self) -> dict[str, RelationSpec]:
        return {spec.name: spec for spec in self.relations}


def parse_schema(text: str, source: str = "<string>") -> Schema:
    """Validate schema YAML ``text``; raise SchemaError listing every problem."""
    from annotator.schema_check import Checker  # it builds the dataclasses above

    checker = Checker(source)
    root = compose(text, checker.report)
    schema = None if root is None else checker.schema(root, text)
    if schema is None or checker.problems:
        raise SchemaError(sorted(checker.problems, key=lambda problem: problem.line))
    return schema


# A schema is a few kilobytes (news.yaml: 7 KB). The cap keeps `--schema /dev/zero` (or any
# endless stream) from filling the memory; a FIFO is still read, once, to its end.
MAX_SCHEMA_BYTES = 4 * 1024 * 1024


def load_schema(path: str | os.PathLike[str]) -> Schema:
    """Read and validate a schema file; unreadable files raise SchemaError too."""
    return load_schema_file(path)[0]


def load_schema_file(path: str | os.PathLike[str]) -> tuple[Schema, bytes]:
    """The schema in `path` and the exact bytes it was read from, read once (a FIFO has no second read)."""
    source = os.fsdecode(path)
    try:
        with open(source, "rb") as handle:
            data = handle.read(MAX_SCHEMA_BYTES + 1)
    except OSError as err:
        reason = "file not found" if isinstance(err, FileNotFoundError) else err.strerror or err
        raise SchemaError([SchemaProblem(source, 1, "", f"cannot read: {reason}")]) from err
    if len(data) > MAX_SCHEMA_BYTES:
        size = f"{MAX_SCHEMA_BYTES // (1024 * 1024)} MiB"
        message = f"larger than {size}; a schema is a few kilobytes: name the schema file"
        raise SchemaError([SchemaProblem(source, 1, "", message)])
    return _decode_schema(data, source), data


def _decode_schema(data: bytes, source: str) -> Schema:
    try:  # strict, and no newline translation: ``text`` is exactly the file
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        message = f"not valid UTF-8 (byte 0x{data[err.start]:02X}); save it as UTF-8"
        raise SchemaError([SchemaProblem(source, line, "", message)]) from err
    return parse_schema(text, source)
