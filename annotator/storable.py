"""What may be stored: the values every export can write and every import can read back.

Text, document ids, meta and attribute values pass `check_storable` before anything is
written (the importer for every reader, the service's commands for every edit), so no
row can make a later export fail or change on its way out. A value is storable when it is
JSON that orjson, Python's json, SQLite and PostgreSQL all hold exactly:

- strings are valid Unicode (no lone surrogates, which UTF-8 cannot encode) without NUL
  (PostgreSQL text cannot hold U+0000); dictionary keys are such strings too;
- integers fit in signed 64 bits: orjson reads larger ones as floats (silently inexact)
  and writes none beyond 64 bits, and most consumers (PostgreSQL bigint, Arrow/Hugging
  Face int64, Go, Java) stop there;
- floats are finite (JSON has no NaN or Infinity; orjson writes NaN as null) and below
  2**63 in size: orjson turns every integer literal beyond 64 bits into such a float, so a
  float that large is refused rather than let one hide an integer that lost its digits;
- at most MAX_DEPTH nested lists and objects (see there);
- nothing but dict, list, str, int, float, bool and None (no tuples, sets, bytes, objects).

The check is one fast pass that only answers yes or no; only a refused value is walked again
to name the place and the reason.
"""

from __future__ import annotations

import math
from typing import Any

from annotator.errors import ValidationError

# orjson refuses to write more than 254 nested levels, and a native record wraps a value in up
# to 4 more (record -> spans -> span -> attributes); other formats wrap a few more (Label Studio
# puts meta into a task's data). PostgreSQL's JSON parser and SQLite's JSON functions (1000
# levels) hold far more. 64 leaves a wide margin under the tightest of them and is far beyond
# any real metadata, while refusing the hundreds-deep nesting that only an attack produces.
MAX_DEPTH = 64
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
FLOAT_LIMIT = 2.0**63


def check_storable(value: Any, where: str) -> None:
    """Raise a ValidationError naming the place (`where` + path) if the value is not storable."""
    if not _fine(value, 0):
        raise ValidationError(_explain(value, where))


def is_storable(value: Any) -> bool:
    """The fast pass alone, for callers that build the place's name only when it is needed."""
    return _fine(value, 0)


def storable_problem(value: Any, where: str = "the value") -> str | None:
    """None if the value can be stored and exported exactly, else what is wrong and where."""
    return None if _fine(value, 0) else _explain(value, where)


def text_is_storable(text: str) -> bool:
    return type(text) is str and _fine_text(text)


# --- the fast pass: yes or no ------------------------------------------------------------


def _fine_text(text: str) -> bool:
    if text.isascii():  # O(1) in CPython: an ASCII string cannot hold a surrogate
        return "\x00" not in text
    try:
        return b"\x00" not in text.encode("utf-8")  # a lone surrogate cannot be encoded
    except UnicodeEncodeError:
        return False


def _fine(value: Any, depth: int) -> bool:
    kind = type(value)
    if kind is str:
        return "\x00" not in value if value.isascii() else _fine_text(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            return False
        for key, item in value.items():
            if type(key) is not str or not _fine_text(key):
                return False
            if type(item) is str:
                if not _fine_text(item):
                    return False
            elif not _fine(item, depth + 1):
                return False
        return True
    if kind is list:
        if depth >= MAX_DEPTH:
            return False
        for item in value:
            if type(item) is str:
                if not _fine_text(item):
                    return False
            elif not _fine(item, depth + 1):
                return False
        return True
    if kind is int:
        return INT_MIN <= value <= INT_MAX
    if kind is float:
        return -FLOAT_LIMIT < value < FLOAT_LIMIT  # False for NaN and the infinities too
    return value is None or kind is bool


# --- the explaining walk, only for refused values ------------------------------------------


def _explain(value: Any, where: str) -> str:
    found = _find(value, where, 0)
    assert found is not None, "the fast check and the explaining walk disagree"
    return found


def _find(value: Any, where: str, depth: int) -> str | None:
    kind = type(value)
    if kind is str:
        return _text_problem(value, where)
    if kind is dict or kind is list:
        if depth >= MAX_DEPTH:
            place = where if len(where) <= 60 else f"{where[:40]}…"
            return f"{place} is nested more than {MAX_DEPTH} lists/objects deep; at most {MAX_DEPTH} can be stored"
        items = value.items() if kind is dict else enumerate(value)
        for key, item in items:
            if kind is dict:
                if type(key) is not str:
                    return f"{where} has the key {key!r}, which is not a string"
                problem = _text_problem(key, f"{where} key {key!r}")
                if problem is not None:
                    return problem
            problem = _find(item, _path(where, key), depth + 1)
            if problem is not None:
                return problem
        return None
    if kind is int:
        if INT_MIN <= value <= INT_MAX:
            return None
        return (
            f"{where} = {_digits(value)} is outside the signed 64-bit range "
            "(-2**63 to 2**63-1) that every export keeps exactly; write it as a string"
        )
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            return f"{where} = {value!r} is not a number JSON can hold; leave it out or write it as a string"
        if not -FLOAT_LIMIT < value < FLOAT_LIMIT:
            return (
                f"{where} = {value!r} is beyond 2**63 in size: an integer that large loses digits "
                "(JSON readers turn it into such a float); write it as a string"
            )
        return None
    if value is None or kind is bool:
        return None
    return f"{where} is a {kind.__name__}, not a JSON value (use strings, numbers, true/false, null, lists and objects)"


def _text_problem(text: str, where: str) -> str | None:
    if "\x00" in text:
        return f"{where} contains a NUL character (U+0000), which cannot be stored"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return (
            f"{where} contains a lone surrogate (U+{code:04X}) at character {error.start}: that is not valid "
            "Unicode (a broken encoding or a cut emoji in the file); fix the text and import again"
        )
    return None


def _path(where: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if key.isidentifier() else f"{where}[{key!r}]"


def _digits(number: int) -> str:
    # str() of a huge int is slow, and refused beyond 4300 digits: name its size instead.
    return str(number) if number.bit_length() <= 256 else f"(an integer of {number.bit_length()} bits)"
