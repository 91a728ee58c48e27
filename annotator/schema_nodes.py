"""A schema file as a YAML node tree: composed without constructing anything, its tags checked, its nodes described.

Works on ``yaml.compose`` nodes, never on constructed objects: each node keeps its line,
and composing runs nothing, so a hostile tag is reported, not executed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annotator.yaml_errors import describe_yaml_error

TAG = "tag:yaml.org,2002:"
STR, INT, NULL = TAG + "str", TAG + "int", TAG + "null"
_SAFE_KINDS = ("str", "int", "bool", "null", "float", "seq", "map", "timestamp")
_ALLOWED_TAGS = frozenset(TAG + kind for kind in _SAFE_KINDS)
_KIND_NAMES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}

Report = Callable[[int, str, str], None]  # (line, key, message)


def join_key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def is_null(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL


def describe(node: Node) -> str:
    if isinstance(node, (MappingNode, SequenceNode)):
        return "a mapping" if isinstance(node, MappingNode) else "a list"
    if node.tag == NULL:
        return "an empty value"
    kind = node.tag.removeprefix(TAG)
    value = repr(node.value) if node.tag == STR else node.value
    return f"{_KIND_NAMES.get(kind, kind)} {value}"


def compose(text: str, report: Report) -> Node | None:
    """The node tree of ``text``, or None after reporting why there is none."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes only, no objects
    except yaml.MarkedYAMLError as err:
        line, message = describe_yaml_error(err)
        report(line, "", f"YAML syntax error: {message}")
        return None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        report(line, "", f"character U+{err.character:04X} is not allowed in YAML")
        return None
    except RecursionError:
        report(1, "", "the YAML is nested too deeply to be a schema")
        return None
    if root is None:
        report(1, "", "the file is empty; a schema needs name, version, labels")
    return root


def refused_tags(root: Node) -> list[tuple[Node, str, str]]:
    """Every node with a non-data tag: (node, its key, why it is refused); its children are not visited."""
    refused: list[tuple[Node, str, str]] = []
    seen: set[int] = set()  # aliases can share nodes, even contain themselves
    stack: list[tuple[Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            refused.append((node, path, _tag_message(node.tag)))
        elif isinstance(node, SequenceNode):
            stack += [(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, ScalarNode) else "?"
                stack += [(key, path), (value, join_key(path, name))]
    return refused


def _tag_message(tag: str) -> str:
    if tag == TAG + "merge":
        return "merge keys (<<) are not supported; write the keys out"
    short = "!!" + tag.removeprefix(TAG) if tag.startswith(TAG) else tag
    return f"tag '{short}' is not allowed (only plain strings, numbers, lists, mappings)"


class RefusedNode(Exception):
    """A node with a refused tag inside a value: it is reported already, the value is skipped."""


# A spaCy token pattern nests three deep ({LOWER: {IN: [a, b]}}); aliases can make a tree endless.
MAX_VALUE_DEPTH = 8


def plain_value(node: Node, refused: set[int], depth: int = 0) -> Any:
    """The data of a node tree as dicts, lists and scalars; ValueError says why it is not data."""
    if id(node) in refused:
        raise RefusedNode
    if depth > MAX_VALUE_DEPTH:
        raise ValueError("nested too deeply to be a token pattern")
    if isinstance(node, SequenceNode):
        return [plain_value(item, refused, depth + 1) for item in node.value]
    if isinstance(node, MappingNode):
        value: dict[str, Any] = {}
        for key, item in node.value:
            if not (isinstance(key, ScalarNode) and key.tag == STR):
                raise ValueError(f"a token attribute is a string, got {describe(key)}")
            value[key.value] = plain_value(item, refused, depth + 1)
        return value
    return SafeConstructor().construct_object(node)  # a scalar whose tag scan_tags allowed
