"""The JSON values of a Label Studio file, each with the line it starts on.

A Label Studio export is one JSON array of tasks; a single task object and a stream of task
objects (one per line) are read too. Anything after the array (``cat a.json b.json``) is
refused with where it starts: reading only the first array would drop the rest silently.
Parsing never raises: a value nested too deep, a lone surrogate or a number that is not JSON
is an ImportProblem at the line where its task starts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from itertools import count
from typing import Any

from annotator.importers.records import ImportProblem

Value = tuple[int, int, Any]  # line, bytes, the parsed value
MAX_DEPTH = 200
_SPACE = " \t\r\n"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _finite(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise ValueError(f"the number {literal[:40]} is too large")
    return number


def _no_constant(literal: str) -> Any:
    raise ValueError(f"{literal} is not a JSON number")


_DECODER = json.JSONDecoder(parse_float=_finite, parse_constant=_no_constant)


class _Lines:
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


class _Bad(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def _decode(text: str, at: int) -> tuple[Any, int]:
    try:
        value, end = _DECODER.raw_decode(text, at)
    except json.JSONDecodeError as error:
        raise _Bad(f"not valid JSON: {error.msg}", error.pos) from None
    except RecursionError:
        raise _Bad(f"not valid JSON: nested more than {MAX_DEPTH} levels deep", at) from None
    except ValueError as error:  # the number hooks, or an integer of more than 4300 digits
        raise _Bad(f"not valid JSON: {error}", at) from None
    piece = text[at:end]
    _check(value, piece.count("[") + piece.count("{"), _SURROGATE_ESCAPE.search(piece) is not None, at)
    return value, end


def _check(value: Any, brackets: int, surrogates: bool, at: int) -> None:
    """Refuse nesting deeper than MAX_DEPTH and lone surrogates (they are not text: nothing
    could store or export them). Walks the value only when it could hold either."""
    if brackets <= MAX_DEPTH and not surrogates:
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if surrogates and _SURROGATE.search(item):
                raise _Bad("not valid JSON: a string holds a lone surrogate (\\ud800-\\udfff without its pair)", at)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise _Bad(f"not valid JSON: nested more than {MAX_DEPTH} levels deep", at)
            children = [*item, *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def task_values(text: str, source: str) -> Iterator[Value | ImportProblem]:
    """The items of the file's one JSON array, or its task objects one after another."""
    lines, at = _Lines(text), _skip_space(text, 0)
    if not text.startswith("[", at):
        yield from _stream(text, source, lines, at)
        return
    at += 1
    for number in count(1):
        at = _skip_space(text, at)
        if text.startswith("]", at):
            break
        line = lines.at(at)
        try:
            value, end = _decode(text, at)
        except _Bad as error:
            where = max(error.position, at)
            column = where - (text.rfind("\n", 0, where) + 1) + 1
            yield ImportProblem(source, lines.at(where), f"task {number}: {error} (column {column})")
            return  # inside an array there is no line to resume at
        yield line, len(text[at:end].encode("utf-8")), value
        at = _skip_space(text, end)
        if text.startswith(",", at):
            at += 1
        elif not text.startswith("]", at):
            yield ImportProblem(source, lines.at(at), "not valid JSON: expected ',' or ']' after a task")
            return
    rest = _skip_space(text, at + 1)
    if rest < len(text):
        yield ImportProblem(
            source,
            lines.at(rest),
            f"more data after the array of tasks, from {lines.where(rest)}: a Label Studio file holds one JSON "
            "array (files joined with cat are not one file; import each file on its own)",
        )


def _stream(text: str, source: str, lines: _Lines, at: int) -> Iterator[Value | ImportProblem]:
    """Task objects one after another (a single task file, or one task per line). After a value
    that does not parse, reading goes on at the next line."""
    while at < len(text):
        line = lines.at(at)
        try:
            value, end = _decode(text, at)
        except _Bad as error:
            yield ImportProblem(source, lines.at(max(error.position, at)), str(error))
            newline = text.find("\n", max(error.position, at + 1))
            at = len(text) if newline < 0 else _skip_space(text, newline + 1)
            continue
        yield line, len(text[at:end].encode("utf-8")), value
        at = _skip_space(text, end)
