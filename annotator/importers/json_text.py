"""Strict JSON parsing with the same rules for every reader, whichever parser does the work.

orjson reads one value per line (native JSONL, Prodigy); Python's json module finds values one
after another in a text (doccano's pretty-printed relation export, Label Studio's task array).
Left alone the two disagree and both have ways to crash or to change data silently; here both
follow one set of rules, and every refusal is a JsonProblem whose message the reader reports
at the file and line of the value:

- nesting deeper than MAX_DEPTH levels is refused ("nested more than 200 levels deep"): no
  RecursionError while parsing, nor later while checking, storing or exporting the value;
- a lone surrogate (``"\\ud800"`` with no partner) is refused: it is not text, cannot be
  encoded as UTF-8, and the store would refuse it anyway (a pair such as ``"\\ud83d\\ude00"``
  is one emoji and is read as one);
- NaN, Infinity and numbers too large for a float (``1e400``) are refused (they are not JSON);
- integers are exact at any size (orjson alone would read an integer beyond 64 bits as a float,
  silently), up to Python's 4300 digits, beyond which they are refused.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

MAX_DEPTH = 200
_DEPTH_MESSAGE = f"not valid JSON: nested more than {MAX_DEPTH} levels deep"
_SURROGATE_MESSAGE = "not valid JSON: a string holds a lone surrogate (\\ud800-\\udfff without its pair)"
# Digits -> "0", "[" and "{" -> "[", anything else -> " ": 19 zeros in a row are an integer that may
# not fit in 64 bits, and the "["s bound the nesting depth (one C pass for both; a regex searching
# for [0-9]{19} costs several times the parse itself).
_DIGITS_AND_OPENINGS = bytes(48 if 48 <= byte <= 57 else 91 if byte in b"[{" else 32 for byte in range(256))
_LONG_INTEGER = b"0" * 19
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonProblem(ValueError):
    """A JSON text that breaks the rules above; ``position`` is the character where, if known,
    and ``end`` the index just after the value when it parsed (so reading can go on there)."""

    def __init__(self, message: str, position: int | None = None, end: int | None = None) -> None:
        super().__init__(message)
        self.position, self.end = position, end


def _finite(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise ValueError(f"the number {literal[:40]} is too large")
    return number


def _no_constant(literal: str) -> Any:
    raise ValueError(f"{literal} is not a JSON number")


_DECODER = json.JSONDecoder(parse_float=_finite, parse_constant=_no_constant)


def parse_json(data: bytes) -> Any:
    """The one JSON value in ``data`` (a line of a JSONL file; a UTF-8 BOM is allowed)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise _orjson_problem(error, data) from None
    shape = data.translate(_DIGITS_AND_OPENINGS)
    if _LONG_INTEGER in shape:  # orjson may have read it as a float: read it exactly
        return decode_at(data.decode("utf-8").strip(" \t\r\n"), 0)[0]
    check_value(value, shape.count(b"["), surrogates=False)
    return value


def _orjson_problem(error: orjson.JSONDecodeError, data: bytes) -> JsonProblem:
    message = str(error)
    if "not valid UTF-8" in message:  # orjson words bytes that are not UTF-8 as "surrogates not allowed"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            byte = data[bad.start : bad.start + 1]
            return JsonProblem(f"not UTF-8 (byte {bad.start} of this line: {byte!r}); save the file as UTF-8", 0)
    if "depth limit" in message or "recursion" in message:
        return JsonProblem(_DEPTH_MESSAGE, error.pos)
    if "surrogate" in message:
        return JsonProblem(_SURROGATE_MESSAGE, error.pos)
    return JsonProblem(f"not valid JSON: {message}", error.pos)


def decode_at(text: str, at: int) -> tuple[Any, int]:
    """The JSON value that starts at ``text[at]`` and the index just after it; a JsonProblem from
    here always has its ``position`` (where the value went wrong, else ``at``)."""
    try:
        value, end = _DECODER.raw_decode(text, at)
    except json.JSONDecodeError as error:
        raise JsonProblem(f"not valid JSON: {error.msg}", error.pos) from None
    except RecursionError:
        raise JsonProblem(_DEPTH_MESSAGE, at) from None
    except ValueError as error:  # from the number hooks, or an integer of more than 4300 digits
        raise JsonProblem(f"not valid JSON: {error}", at) from None
    piece = text[at:end]
    try:
        check_value(value, piece.count("[") + piece.count("{"), surrogates=_SURROGATE_ESCAPE.search(piece) is not None)
    except JsonProblem as problem:
        raise JsonProblem(str(problem), at, end) from None
    return value, end


def check_value(value: Any, brackets: int, *, surrogates: bool) -> None:
    """Refuse nesting deeper than MAX_DEPTH and (if asked) lone surrogates in strings and keys.
    ``brackets`` (how many '[' and '{' the text has, strings included) bounds the depth, so the
    value is only walked when it could be too deep or hold a surrogate."""
    if brackets <= MAX_DEPTH and not surrogates:
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if surrogates and _SURROGATE.search(item):
                raise JsonProblem(_SURROGATE_MESSAGE)
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise JsonProblem(_DEPTH_MESSAGE)
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)
