"""Load and validate a label schema (YAML) into frozen dataclasses.

Validation walks the node tree of ``yaml.compose`` rather than loaded Python objects, for
two reasons: every node keeps its line, so each problem names file, line and key; and
composing constructs nothing, so a hostile tag (``!!python/object/apply:...``) is reported,
never executed. All problems of a file are collected and raised as one :class:`SchemaError`,
so a user fixes a schema in one round instead of one error at a time.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar, cast, get_args

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annotator.errors import AnnotatorError
from annotator.isodate import check_iso_date

AttributeType = Literal["choice", "text", "boolean", "date"]
OverlapMode = Literal["allow", "nested", "forbid"]


@dataclass(frozen=True)
class SchemaProblem:
    """One thing wrong with a schema file; ``line`` is 1-based, ``key`` a dotted path."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: {self.key}: {self.message}"
            if self.key
            else f"{where}: {self.message}"
        )


class SchemaError(AnnotatorError):
    """A schema cannot be used; ``problems`` lists every problem of the file in file order."""

    def __init__(self, problems: Iterable[SchemaProblem]) -> None:
        self.problems: tuple[SchemaProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __reduce__(self) -> tuple[type[SchemaError], tuple[tuple[SchemaProblem, ...]]]:
        # Exception pickling replays ``args`` (the joined text); rebuild from problems instead.
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
            # bool, not int: 1 and 0 in a record are far more likely a mistake than a flag.
            return (
                None
                if isinstance(value, bool)
                else f"expected true or false, got {value!r}"
            )
        if not isinstance(value, str):
            return f"expected a string, got {value!r}"
        if self.type == "choice" and value not in self.values:
            return f"{value!r} is not one of: {', '.join(self.values)}"
        if self.type == "date":
            return check_iso_date(value)
        return None


@dataclass(frozen=True)
class LabelSpec:
    name: str
    color: str
    hotkey: str
    description: str = ""
    attributes: tuple[AttributeSpec, ...] = ()

    def attribute(self, name: str) -> AttributeSpec | None:
        return next((spec for spec in self.attributes if spec.name == name), None)


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
        return next((spec for spec in self.relations if spec.name == name), None)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.labels)

    def relations_between(
        self, head_label: str, tail_label: str
    ) -> tuple[RelationSpec, ...]:
        return tuple(
            spec for spec in self.relations if spec.allows(head_label, tail_label)
        )

    @cached_property
    def _labels_by_name(self) -> dict[str, LabelSpec]:
        # The renderer asks for a label per span; a dict keeps that O(1) on long documents.
        return {spec.name: spec for spec in self.labels}


def parse_schema(text: str, source: str = "<string>") -> Schema:
    """Validate schema YAML ``text``; raise :class:`SchemaError` listing every problem."""
    checker = _Checker(source)
    root = _compose(text, checker)
    schema = None
    if root is not None:
        checker.scan_tags(root)
        schema = checker.schema(root, text)
    if checker.problems or schema is None:
        raise SchemaError(sorted(checker.problems, key=lambda problem: problem.line))
    return schema


def load_schema(path: str | os.PathLike[str]) -> Schema:
    """Read and validate a schema file; unreadable or non-UTF-8 files raise SchemaError too."""
    source = os.fsdecode(path)
    try:
        data = Path(source).read_bytes()
    except FileNotFoundError as err:
        raise SchemaError([SchemaProblem(source, 1, "", "file not found")]) from err
    except OSError as err:
        raise SchemaError(
            [SchemaProblem(source, 1, "", f"cannot read: {err.strerror or err}")]
        ) from err
    try:
        text = data.decode(
            "utf-8"
        )  # strict, and no newline translation: text is the file
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        message = (
            f"not valid UTF-8 (byte 0x{data[err.start]:02X}); save the file as UTF-8"
        )
        raise SchemaError([SchemaProblem(source, line, "", message)]) from err
    return parse_schema(text, source)


# --- validation ----------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _NULL = _TAG + "str", _TAG + "int", _TAG + "null"
_ALLOWED_TAGS = frozenset(
    _TAG + kind
    for kind in ("str", "int", "bool", "null", "float", "seq", "map", "timestamp")
)
_KINDS = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "timestamp": "date",
}
_SCHEMA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_COLOR = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
_TOP_KEYS = (
    "name",
    "version",
    "description",
    "overlap",
    "labels",
    "relations",
    "document_labels",
)
_LABEL_KEYS = ("name", "color", "hotkey", "description", "attributes")
_ATTRIBUTE_KEYS = ("name", "type", "values", "description")
_RELATION_KEYS = ("name", "head", "tail", "hotkey", "color", "description")
_DOCUMENT_LABEL_KEYS = ("name", "hotkey", "description")
_T = TypeVar("_T")
_COMMENT_HINT = ' (a bare # starts a YAML comment: quote the colour, "#4E79A7")'


class _Seen(NamedTuple):
    """A name or hotkey met while checking, kept to find duplicates across entries."""

    value: str
    node: Node
    key: str  # where the value sits, e.g. labels[1].hotkey
    owner: str  # the entry it belongs to, e.g. labels[1]


@dataclass
class _Fields:
    """The known keys of one mapping, with enough context to report on them."""

    node: MappingNode
    path: str
    values: dict[str, Node]

    def get(self, key: str) -> Node | None:
        return self.values.get(key)

    def path_of(self, key: str) -> str:
        return _join(self.path, key)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "an empty value"
    kind = node.tag.removeprefix(_TAG)
    value = repr(node.value) if node.tag == _STR else node.value
    return f"{_KINDS.get(kind, kind)} {value}"


def _tag_message(tag: str) -> str:
    if tag == _TAG + "merge":
        return "merge keys (<<) are not supported; write the keys out"
    short = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return f"tag '{short}' is not allowed (only strings, numbers, booleans, lists and mappings)"


def _unknown_key_message(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    guess = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}'{guess}; allowed keys: {', '.join(allowed)}"


def _compose(text: str, checker: _Checker) -> Node | None:
    """The node tree of ``text``, or None after reporting why there is none."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # builds nodes, never objects
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = ", ".join(part for part in (err.context, err.problem) if part)
        checker.report(mark.line + 1 if mark else 1, "", f"YAML syntax error: {what}")
        return None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        checker.report(
            line, "", f"character U+{err.character:04X} is not allowed in YAML"
        )
        return None
    except RecursionError:
        checker.report(1, "", "the YAML is nested too deeply to be a schema")
        return None
    if root is None:
        checker.report(
            1, "", "the file is empty; a schema needs name, version and labels"
        )
    return root


class _Checker:
    """Collects problems while turning a node tree into a Schema."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[SchemaProblem] = []
        self.refused: set[int] = (
            set()
        )  # ids of nodes with a forbidden tag, already reported
        self.hotkeys: list[_Seen] = []
        self.label_names: list[str] | None = (
            None  # None: labels unusable, skip reference checks
        )

    def report(self, where: Node | int, key: str, message: str) -> None:
        line = where if isinstance(where, int) else _line(where)
        self.problems.append(SchemaProblem(self.source, line, key, message))

    def scan_tags(self, root: Node) -> None:
        """Report every node whose tag is not plain YAML data; such nodes are skipped later."""
        seen: set[int] = (
            set()
        )  # aliases may share (or even contain) nodes: visit each once
        stack: list[tuple[Node, str]] = [(root, "")]
        while stack:
            node, path = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.tag not in _ALLOWED_TAGS:
                self.refused.add(id(node))
                self.report(node, path, _tag_message(node.tag))
            elif isinstance(node, SequenceNode):
                stack.extend(
                    (child, f"{path}[{i}]") for i, child in enumerate(node.value)
                )
            elif isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    name = key_node.value if isinstance(key_node, ScalarNode) else "?"
                    stack += [(key_node, path), (value_node, _join(path, name))]

    # --- generic shapes ---

    def mapping(
        self, node: Node, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> _Fields | None:
        if id(node) in self.refused:
            return None
        if not isinstance(node, MappingNode):
            self.report(node, path, f"expected a mapping, got {_describe(node)}")
            return None
        values: dict[str, Node] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if id(key_node) in self.refused:
                continue
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            if key in first_line:
                self.report(
                    key_node,
                    _join(path, key),
                    f"key '{key}' appears twice (first on line {first_line[key]})",
                )
                continue
            first_line[key] = _line(key_node)
            if isinstance(key_node, ScalarNode) and key in allowed:
                values[key] = value_node
            else:
                self.report(
                    key_node, _join(path, key), _unknown_key_message(key, allowed)
                )
        for key in required:
            if key not in values:
                self.report(node, _join(path, key), f"missing required key '{key}'")
        return _Fields(node, path, values)

    def sequence(self, node: Node, path: str) -> list[Node] | None:
        if id(node) in self.refused:
            return None
        if not isinstance(node, SequenceNode):
            self.report(node, path, f"expected a list, got {_describe(node)}")
            return None
        return list(node.value)

    def entries(
        self, node: Node | None, path: str, check: Callable[[Node, str], _T | None]
    ) -> tuple[_T, ...]:
        """Check each item of an optional list; an empty value counts as no list."""
        if node is None or _is_null(node):
            return ()
        items = self.sequence(node, path) or []
        results = [check(item, f"{path}[{i}]") for i, item in enumerate(items)]
        return tuple(result for result in results if result is not None)

    def string(self, node: Node, path: str, hint: str = "") -> str | None:
        if id(node) in self.refused:
            return None
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return node.value
        quote = (
            " (put it in quotes)"
            if isinstance(node, ScalarNode) and node.tag != _NULL
            else ""
        )
        self.report(
            node, path, f"expected a string, got {_describe(node)}{quote or hint}"
        )
        return None

    def optional_string(self, fields: _Fields, key: str) -> str:
        node = fields.get(key)
        if node is None or _is_null(node):
            return ""
        # Guidelines are often block scalars ("|"); their trailing newline is not content.
        return (self.string(node, fields.path_of(key)) or "").strip()

    def unique(
        self, seen: list[_Seen], what: str, fold: Callable[[str], str] = str
    ) -> None:
        """Report each repeated value at its own line, naming the entry that had it first."""
        first: dict[str, _Seen] = {}
        for item in sorted(seen, key=lambda item: item.node.start_mark.index):
            earlier = first.setdefault(fold(item.value), item)
            if earlier is not item:
                case = ", ignoring case" if earlier.value != item.value else ""
                self.report(
                    item.node,
                    item.key,
                    f"duplicate {what} {item.value!r} (also used by {earlier.owner}{case})",
                )

    # --- field kinds ---

    def name(
        self, fields: _Fields, seen: list[_Seen], pattern: re.Pattern[str] = _NAME
    ) -> str | None:
        node = fields.get("name")
        if node is None:
            return None
        key = fields.path_of("name")
        name = self.string(node, key)
        if name is None:
            return None
        if not pattern.fullmatch(name):
            extra = ", '.'" if "." in pattern.pattern else ""
            self.report(
                node,
                key,
                f"{name!r} is not a valid name (a letter, then letters, digits, '_', '-'{extra})",
            )
            return None
        seen.append(_Seen(name, node, key, fields.path))
        return name

    def hotkey(self, fields: _Fields, required: bool) -> str | None:
        node, key = fields.get("hotkey"), fields.path_of("hotkey")
        if (
            node is None
            or (_is_null(node) and not required)
            or id(node) in self.refused
        ):
            return None
        # YAML reads a bare digit as an integer; as a hotkey it can only mean that key.
        is_digit = (
            isinstance(node, ScalarNode) and node.tag == _INT and len(node.value) == 1
        )
        hotkey = node.value if is_digit else self.string(node, key)
        if hotkey is None:
            return None
        if len(hotkey) != 1:
            self.report(node, key, f"a hotkey is exactly one character, got {hotkey!r}")
        elif hotkey.isspace() or not hotkey.isprintable():
            self.report(
                node, key, f"a hotkey must be a visible character, got {hotkey!r}"
            )
        else:
            self.hotkeys.append(_Seen(hotkey, node, key, fields.path))
            return hotkey
        return None

    def color(self, fields: _Fields, required: bool) -> str | None:
        node, key = fields.get("color"), fields.path_of("color")
        if node is None or (_is_null(node) and not required):
            return None
        text = self.string(node, key, _COMMENT_HINT)
        match = _COLOR.fullmatch(text) if text is not None else None
        if text is not None and match is None:
            self.report(node, key, f'{text!r} is not a colour; use "#RRGGBB" or "#RGB"')
        if match is None:
            return None
        digits = match.group(1).upper()
        return "#" + (
            digits if len(digits) == 6 else "".join(digit * 2 for digit in digits)
        )

    def choice(
        self, node: Node | None, key: str, options: tuple[str, ...]
    ) -> str | None:
        if node is None:
            return None
        text = self.string(node, key)
        if text is not None and text not in options:
            self.report(
                node, key, f"expected one of {', '.join(options)}, got {text!r}"
            )
            return None
        return text

    def version(self, node: Node | None) -> int | None:
        if node is None or id(node) in self.refused:
            return None
        number = None
        if isinstance(node, ScalarNode) and node.tag == _INT:
            try:  # the safe constructor reads every YAML int form (1_000, 0x10) and runs no code
                number = SafeConstructor().construct_yaml_int(node)
            except (ValueError, IndexError):  # an explicit !!int on a non-number
                number = None
        if number is None or number < 1:
            self.report(
                node, "version", f"expected a positive integer, got {_describe(node)}"
            )
            return None
        return number

    # --- sections ---

    def schema(self, root: Node, text: str) -> Schema | None:
        top = self.mapping(root, "", _TOP_KEYS, ("name", "version", "labels"))
        if top is None:
            return None
        name = self.name(top, [], _SCHEMA_NAME)
        version = self.version(top.get("version"))
        overlap_node = top.get("overlap")
        overlap = (
            None
            if _is_null(overlap_node)
            else self.choice(overlap_node, "overlap", get_args(OverlapMode))
        )
        labels = self.labels(top.get("labels"))
        names: list[_Seen] = []
        relations = self.entries(
            top.get("relations"), "relations", lambda n, p: self.relation(n, p, names)
        )
        self.unique(names, "relation name")
        names = []
        document_labels = self.entries(
            top.get("document_labels"),
            "document_labels",
            lambda n, p: self.document_label(n, p, names),
        )
        self.unique(names, "document label name")
        self.unique(self.hotkeys, "hotkey", str.casefold)
        description = self.optional_string(top, "description")
        if self.problems or name is None or version is None or labels is None:
            return None
        return Schema(
            name=name,
            version=version,
            description=description,
            overlap=cast(OverlapMode, overlap or "allow"),
            labels=labels,
            relations=relations,
            document_labels=document_labels,
            text=text,
            source=self.source,
        )

    def labels(self, node: Node | None) -> tuple[LabelSpec, ...] | None:
        items = None if node is None else self.sequence(node, "labels")
        if items is None:
            return None
        if not items:
            self.report(node, "labels", "a schema needs at least one label")
            return None
        names: list[_Seen] = []
        specs = [
            self.label(item, f"labels[{i}]", names) for i, item in enumerate(items)
        ]
        self.unique(names, "label name")
        self.label_names = [seen.value for seen in names]
        return tuple(spec for spec in specs if spec is not None)

    def label(self, node: Node, path: str, names: list[_Seen]) -> LabelSpec | None:
        fields = self.mapping(node, path, _LABEL_KEYS, ("name", "color", "hotkey"))
        if fields is None:
            return None
        name, color, hotkey = (
            self.name(fields, names),
            self.color(fields, True),
            self.hotkey(fields, True),
        )
        description = self.optional_string(fields, "description")
        seen: list[_Seen] = []
        attributes = self.entries(
            fields.get("attributes"),
            fields.path_of("attributes"),
            lambda n, p: self.attribute(n, p, seen),
        )
        self.unique(seen, "attribute name")
        if name is None or color is None or hotkey is None:
            return None
        return LabelSpec(name, color, hotkey, description, attributes)

    def attribute(
        self, node: Node, path: str, names: list[_Seen]
    ) -> AttributeSpec | None:
        fields = self.mapping(node, path, _ATTRIBUTE_KEYS, ("name", "type"))
        if fields is None:
            return None
        name = self.name(fields, names)
        kind = self.choice(
            fields.get("type"), fields.path_of("type"), get_args(AttributeType)
        )
        values = self.choice_values(fields, kind)
        description = self.optional_string(fields, "description")
        if name is None or kind is None:
            return None
        return AttributeSpec(name, cast(AttributeType, kind), values, description)

    def choice_values(self, fields: _Fields, kind: str | None) -> tuple[str, ...]:
        node, key = fields.get("values"), fields.path_of("values")
        if (
            kind is None
        ):  # the type is already reported; any verdict on values would be a guess
            return ()
        if kind != "choice":
            if node is not None:
                self.report(
                    node, key, f"values are only allowed for type choice, not {kind}"
                )
            return ()
        if node is None:
            self.report(fields.node, key, "a choice attribute needs a list of values")
            return ()
        items = self.sequence(node, key)
        if items == []:
            self.report(node, key, "a choice attribute needs at least one value")
        seen: list[_Seen] = []
        for i, item in enumerate(items or []):
            item_key = f"{key}[{i}]"
            value = self.string(item, item_key)
            if value == "":
                self.report(item, item_key, "a choice value cannot be empty")
            elif value is not None:
                seen.append(_Seen(value, item, item_key, item_key))
        self.unique(seen, "value")
        return tuple(dict.fromkeys(item.value for item in seen))

    def relation(
        self, node: Node, path: str, names: list[_Seen]
    ) -> RelationSpec | None:
        fields = self.mapping(node, path, _RELATION_KEYS, ("name", "head", "tail"))
        if fields is None:
            return None
        name = self.name(fields, names)
        head, tail = self.label_refs(fields, "head"), self.label_refs(fields, "tail")
        hotkey, color = self.hotkey(fields, False), self.color(fields, False)
        description = self.optional_string(fields, "description")
        if name is None or head is None or tail is None:
            return None
        return RelationSpec(name, head, tail, hotkey, description, color)

    def label_refs(self, fields: _Fields, end: str) -> tuple[str, ...] | None:
        node, key = fields.get(end), fields.path_of(end)
        if node is None or id(node) in self.refused:
            return None
        # A single label may be written without brackets: "head: CLAIM".
        if isinstance(node, ScalarNode) and node.tag == _STR:
            items = [(node, key)]
        else:
            sequence = self.sequence(node, key)
            if sequence is None:
                return None
            if not sequence:
                self.report(node, key, f"{end} needs at least one label")
            items = [(item, f"{key}[{i}]") for i, item in enumerate(sequence)]
        refs: list[str] = []
        for item, item_key in items:
            ref = self.string(item, item_key)
            if (
                ref is not None
                and self.label_names is not None
                and ref not in self.label_names
            ):
                known = ", ".join(dict.fromkeys(self.label_names)) or "none"
                self.report(
                    item, item_key, f"unknown label {ref!r} (labels are: {known})"
                )
            elif ref is not None and ref not in refs:
                refs.append(ref)
        return tuple(refs)

    def document_label(
        self, node: Node, path: str, names: list[_Seen]
    ) -> DocumentLabelSpec | None:
        fields = self.mapping(node, path, _DOCUMENT_LABEL_KEYS, ("name",))
        if fields is None:
            return None
        name, hotkey = self.name(fields, names), self.hotkey(fields, False)
        description = self.optional_string(fields, "description")
        return None if name is None else DocumentLabelSpec(name, hotkey, description)
