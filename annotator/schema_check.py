"""Checks a schema's YAML node tree (annotator/schema_nodes.py) and builds the Schema, collecting every problem.

Each node keeps its line, so every problem is reported where it is; a node with a refused tag
is reported once and skipped by every reader.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar, get_args

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annotator.schema import (
    MAX_VERSION,
    AttributeSpec,
    AttributeType,
    DocumentLabelSpec,
    LabelPattern,
    LabelSpec,
    OverlapMode,
    RelationSpec,
    Schema,
    SchemaProblem,
)
from annotator.schema_nodes import (
    INT,
    NULL,
    STR,
    RefusedNode,
    describe,
    is_null,
    join_key,
    plain_value,
    refused_tags,
)

_T = TypeVar("_T")
_SCHEMA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_COLOR = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
_COMMENT_HINT = ' (a bare # starts a YAML comment: write "#4E79A7")'


class _Seen(NamedTuple):
    """A name or hotkey met while checking, kept to find duplicates."""

    value: str
    node: Node
    key: str  # where it sits, e.g. labels[1].hotkey
    owner: str  # the entry it belongs to, e.g. labels[1]


def _unknown_key_message(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    guess = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}'{guess}; allowed keys: {', '.join(allowed)}"


# key -> (required?, reader); a reader turns a node into a value or reports and
# returns None. Mapping order is checking order: labels come before relations.
_Reader = Callable[["Checker", Node, str], Any]
_Keys = dict[str, tuple[bool, _Reader]]
_Check = Callable[["Checker", Node, str, dict[str, Any]], None] | None  # cross-key rules


class Checker:
    """Collects problems while turning a node tree into a Schema."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[SchemaProblem] = []
        self.refused: set[int] = set()  # ids of nodes with a forbidden tag
        self.names: dict[str, list[_Seen]] = {}  # per list, e.g. "labels[0].attributes"
        self.hotkeys: list[_Seen] = []
        self.label_names: list[str] | None = None  # None: no usable labels list

    def report(self, where: Node | int, key: str, message: str) -> None:
        line = where if isinstance(where, int) else where.start_mark.line + 1
        self.problems.append(SchemaProblem(self.source, line, key, message))

    def schema(self, root: Node, text: str) -> Schema | None:
        self.scan_tags(root)
        found = self.fields(root, "", _SCHEMA_KEYS)
        for collection, seen in self.names.items():
            plural = collection.rsplit(".", 1)[-1]  # labels, document_labels, ...
            self.unique(seen, plural.removesuffix("s").replace("_", " ") + " name")
        self.unique(self.hotkeys, "hotkey", str.casefold)
        if found is None or self.problems:
            return None
        defaults = {"description": "", "overlap": "allow", "relations": (), "document_labels": ()}
        return Schema(**{**defaults, **found}, text=text, source=self.source)

    def scan_tags(self, root: Node) -> None:
        """Report every node with a non-data tag; readers then skip those nodes."""
        for node, path, message in refused_tags(root):
            self.refused.add(id(node))
            self.report(node, path, message)

    # --- shapes ---

    def fields(self, node: Node, path: str, keys: _Keys) -> dict[str, Any] | None:
        """Read a mapping's keys with their readers; None if it is no mapping."""
        children = self.mapping(node, path, keys)
        if children is None:
            return None
        found: dict[str, Any] = {}
        for key, (required, read) in keys.items():
            child = children.get(key)
            if child is None or (is_null(child) and not required):
                continue  # an empty optional value means "not given"
            # None marks a value already reported, a refused tag included.
            found[key] = None if id(child) in self.refused else read(self, child, join_key(path, key))
        return found

    def mapping(self, node: Node, path: str, keys: _Keys) -> dict[str, Node] | None:
        if id(node) in self.refused:
            return None
        if not isinstance(node, MappingNode):
            self.report(node, path, f"expected a mapping, got {describe(node)}")
            return None
        children: dict[str, Node] = {}
        lines: dict[str, int] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            if id(key_node) in self.refused:
                continue
            if key in lines:
                message = f"key '{key}' appears twice (first on line {lines[key]})"
                self.report(line, join_key(path, key), message)
                continue
            lines[key] = line
            if key in keys:
                children[key] = value
            else:
                self.report(line, join_key(path, key), _unknown_key_message(key, keys))
        for key, (required, _) in keys.items():
            if required and key not in children:
                self.report(node, join_key(path, key), f"missing required key '{key}'")
        return children

    def sequence(self, node: Node, path: str) -> list[Node] | None:
        if id(node) in self.refused:
            return None
        if not isinstance(node, SequenceNode):
            self.report(node, path, f"expected a list, got {describe(node)}")
            return None
        return list(node.value)

    def list_of(self, node: Node, path: str, cls: Callable[..., _T], keys: _Keys, check: _Check = None) -> Any:
        """A tuple of ``cls`` read from a list of mappings, or None if it is no list."""
        items = self.sequence(node, path)
        if items is None:
            return None
        records = [self.record(item, f"{path}[{i}]", cls, keys, check) for i, item in enumerate(items)]
        return tuple(record for record in records if record is not None)

    def record(self, node: Node, path: str, cls: Callable[..., _T], keys: _Keys, check: _Check) -> _T | None:
        """``cls`` read from one mapping; None if any part of it was reported."""
        since = len(self.problems)
        found = self.fields(node, path, keys)
        if found is not None and check is not None:
            check(self, node, path, found)
        if found is None or None in found.values() or len(self.problems) > since:
            return None
        return cls(**found)

    def string(self, node: Node, path: str, hint: str = "") -> str | None:
        if id(node) in self.refused:
            return None
        if isinstance(node, ScalarNode) and node.tag == STR:
            return node.value
        if isinstance(node, ScalarNode) and node.tag != NULL:
            hint = " (put it in quotes)"
        self.report(node, path, f"expected a string, got {describe(node)}{hint}")
        return None

    def unique(self, seen: list[_Seen], what: str, fold: Callable[[str], str] = str) -> None:
        """Report each repeat at its own line, naming the entry that had it first."""
        first: dict[str, _Seen] = {}
        for item in sorted(seen, key=lambda item: item.node.start_mark.index):
            earlier = first.setdefault(fold(item.value), item)
            if earlier is not item:
                case = ", ignoring case" if earlier.value != item.value else ""
                also = f"(also used by {earlier.owner}{case})"
                self.report(item.node, item.key, f"duplicate {what} {item.value!r} {also}")

    # --- readers: (node, key) -> value, or None after reporting ---

    def text(self, node: Node, key: str) -> str | None:
        text = self.string(node, key)
        # Guidelines are often block scalars ("|"); their final newline is not content.
        return None if text is None else text.strip()

    def schema_name(self, node: Node, key: str) -> str | None:
        return self.identifier(node, key, _SCHEMA_NAME, "'_', '-', '.'")

    def name(self, node: Node, key: str) -> str | None:
        name = self.identifier(node, key, _NAME, "'_', '-'")
        if name is not None:
            owner = key.removesuffix(".name")
            collection = re.sub(r"\[\d+\]$", "", owner)
            self.names.setdefault(collection, []).append(_Seen(name, node, key, owner))
        return name

    def identifier(self, node: Node, key: str, pattern: re.Pattern[str], extra: str) -> str | None:
        name = self.string(node, key)
        if name is not None and not pattern.fullmatch(name):
            rule = f"a letter, then letters, digits, {extra}"
            self.report(node, key, f"{name!r} is not a valid name ({rule})")
            return None
        return name

    def version(self, node: Node, key: str) -> int | None:
        number = None
        if isinstance(node, ScalarNode) and node.tag == INT:
            try:  # reads every YAML int form (1_000, 0x10); constructs nothing else
                number = SafeConstructor().construct_yaml_int(node)
            except (ValueError, IndexError):  # an explicit !!int on a non-number
                number = None
        if number is None or not 1 <= number <= MAX_VERSION:
            self.report(node, key, f"expected a positive integer up to {MAX_VERSION}, got {describe(node)}")
            return None
        return number

    def one_of(self, node: Node, key: str, options: tuple[str, ...]) -> str | None:
        text = self.string(node, key)
        if text is not None and text not in options:
            self.report(node, key, f"expected one of {', '.join(options)}, got {text!r}")
            return None
        return text

    def color(self, node: Node, key: str) -> str | None:
        text = self.string(node, key, _COMMENT_HINT)
        match = None if text is None else _COLOR.fullmatch(text)
        if text is not None and match is None:
            self.report(node, key, f'{text!r} is not a colour; use "#RRGGBB" or "#RGB"')
        if match is None:
            return None
        digits = match.group(1).upper()
        return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))

    def hotkey(self, node: Node, key: str) -> str | None:
        # YAML reads a bare digit as an integer; as a hotkey it can only mean that key.
        digit = isinstance(node, ScalarNode) and node.tag == INT and len(node.value) == 1
        hotkey = node.value if digit else self.string(node, key)
        if hotkey is None:
            return None
        if len(hotkey) != 1:
            self.report(node, key, f"a hotkey is exactly one character, got {hotkey!r}")
        elif hotkey.isspace() or not hotkey.isprintable():
            self.report(node, key, f"a hotkey must be a visible character, got {hotkey!r}")
        else:
            self.hotkeys.append(_Seen(hotkey, node, key, key.removesuffix(".hotkey")))
            return hotkey
        return None

    def choices(self, node: Node, key: str) -> tuple[str, ...] | None:
        items = self.sequence(node, key)
        if items == []:
            self.report(node, key, "a choice attribute needs at least one value")
        seen: list[_Seen] = []
        for i, item in enumerate(items or []):
            value = self.string(item, f"{key}[{i}]")
            if value == "":
                self.report(item, f"{key}[{i}]", "a choice value cannot be empty")
            elif value is not None:
                seen.append(_Seen(value, item, f"{key}[{i}]", f"{key}[{i}]"))
        self.unique(seen, "value")
        return tuple(dict.fromkeys(item.value for item in seen))

    def label_refs(self, node: Node, key: str) -> tuple[str, ...] | None:
        if isinstance(node, ScalarNode) and node.tag == STR:
            items = [(node, key)]  # a single label may be written without brackets
        else:
            sequence = self.sequence(node, key)
            if sequence is None:
                return None
            if not sequence:
                self.report(node, key, "expected at least one label")
            items = [(item, f"{key}[{i}]") for i, item in enumerate(sequence)]
        refs: list[str] = []
        for item, item_key in items:
            ref = self.string(item, item_key)
            known = self.label_names
            if ref is not None and known is not None and ref not in known:
                listed = ", ".join(dict.fromkeys(known)) or "none"
                self.report(item, item_key, f"unknown label {ref!r} (labels: {listed})")
            elif ref is not None and ref not in refs:
                refs.append(ref)
        return tuple(refs)

    def labels(self, node: Node, key: str) -> tuple[LabelSpec, ...] | None:
        specs = self.list_of(node, key, LabelSpec, _LABEL_KEYS)
        if specs is not None and not node.value:
            self.report(node, key, "a schema needs at least one label")
        elif specs is not None:
            self.label_names = [seen.value for seen in self.names.get(key, [])]
        return specs

    def patterns(self, node: Node, key: str) -> tuple[LabelPattern, ...] | None:
        """Phrases and spaCy token patterns, their shape only: spaCy itself checks the token
        attributes when the patterns source is built (importing it here would slow every open)."""
        items = self.sequence(node, key)
        found: list[LabelPattern] = []
        for i, item in enumerate(items or []):
            item_key, line = f"{key}[{i}]", item.start_mark.line + 1
            if id(item) in self.refused:
                continue
            if isinstance(item, ScalarNode) and item.tag == STR:
                if item.value.strip():
                    found.append(LabelPattern(item.value, line, item_key))
                else:
                    self.report(item, item_key, "a phrase cannot be empty")
            elif isinstance(item, SequenceNode) and item.value and all(_is_token(token) for token in item.value):
                try:
                    tokens = tuple(plain_value(token, self.refused) for token in item.value)
                except RefusedNode:
                    continue
                except ValueError as error:
                    self.report(item, item_key, str(error))
                    continue
                found.append(LabelPattern(tokens, line, item_key))
            else:
                self.report(
                    item, item_key, f"expected a phrase or a spaCy token pattern, got {describe(item)}{_TOKENS}"
                )
        return None if items is None else tuple(found)

    def check_values(self, node: Node, key: str, found: dict[str, Any]) -> None:
        """Choice attributes need ``values``; no other type may have them."""
        values = next((v for k, v in node.value if k.value == "values"), None)
        kind, values_key = found.get("type"), join_key(key, "values")
        if kind == "choice" and (values is None or is_null(values)):
            self.report(node, values_key, "a choice attribute needs a list of values")
        elif kind not in (None, "choice") and values is not None:
            self.report(values, values_key, f"values are only for type choice, not {kind}")


_TOKENS = " (a token pattern is a list of token mappings: [{LOWER: north}, {LOWER: korea}])"


def _is_token(node: Node) -> bool:
    return isinstance(node, MappingNode) and bool(node.value)


_C = Checker
_SCHEMA_KEYS: _Keys = {
    "name": (True, _C.schema_name),
    "version": (True, _C.version),
    "description": (False, _C.text),
    "overlap": (False, lambda c, node, key: c.one_of(node, key, get_args(OverlapMode))),
    "labels": (True, _C.labels),
    "relations": (False, lambda c, node, key: c.list_of(node, key, RelationSpec, _RELATION_KEYS)),
    "document_labels": (False, lambda c, node, key: c.list_of(node, key, DocumentLabelSpec, _DOCUMENT_LABEL_KEYS)),
}
_LABEL_KEYS: _Keys = {
    "name": (True, _C.name),
    "color": (True, _C.color),
    "hotkey": (True, _C.hotkey),
    "description": (False, _C.text),
    "attributes": (False, lambda c, node, key: c.list_of(node, key, AttributeSpec, _ATTRIBUTE_KEYS, _C.check_values)),
    "patterns": (False, _C.patterns),
}
_ATTRIBUTE_KEYS: _Keys = {
    "name": (True, _C.name),
    "type": (True, lambda c, node, key: c.one_of(node, key, get_args(AttributeType))),
    "values": (False, _C.choices),
    "description": (False, _C.text),
}
_RELATION_KEYS: _Keys = {
    "name": (True, _C.name),
    "head": (True, _C.label_refs),
    "tail": (True, _C.label_refs),
    "hotkey": (False, _C.hotkey),
    "color": (False, _C.color),
    "description": (False, _C.text),
}
_DOCUMENT_LABEL_KEYS: _Keys = {
    "name": (True, _C.name),
    "hotkey": (False, _C.hotkey),
    "description": (False, _C.text),
}
