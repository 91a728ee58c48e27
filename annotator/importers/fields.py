"""Typed access to the fields of a parsed JSON record, for every reader.

A reader takes each field through one of these functions, so a list where a string belongs,
a missing key or a ``true`` where an offset belongs is a RecordError naming the field by its
key path (``spans[2].label must be a string, got a list``), never a TypeError deep in the
loader. The reader's caller (tool_support.read_records, for every JSON format) turns the
RecordError into an ImportProblem with the file and line of the record, so the user sees
``file:line: spans[2].label must be a string, got a list``.

Rules shared by every ``expect_*``:
- ``obj`` must be a JSON object (a dict); ``where`` is the key path of ``obj`` itself ("" for
  the record, ``"spans[2]"`` for an item), used in messages.
- Without ``default``, the key is required: missing is "has no 'key'", null is a wrong type.
- With ``default``, a missing key or a null gives the default; any other value must have the
  type asked for (``"spans": ""`` is an error, not an empty list).
- Integers are never booleans (JSON ``true`` is not the offset 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any, TypeVar, overload

T = TypeVar("T")
D = TypeVar("D")  # a default
V = TypeVar("V")  # a converted value


class _Required(Enum):
    """The default of a field that must be there (None is a default like any other)."""

    REQUIRED = "required"


_REQUIRED = _Required.REQUIRED


class RecordError(ValueError):
    """A record that cannot be read; the message says what is wrong with it (with its key path)."""


def key_path(where: str, key: str | int) -> str:
    """``spans[2]`` + ``label`` -> ``spans[2].label``; ``spans`` + 2 -> ``spans[2]``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def json_type(value: object) -> str:
    """What a JSON value is, in words ("a list", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _wrong(path: str, wanted: str, value: object) -> RecordError:
    if not path:
        return RecordError(f"expected a JSON object, got {json_type(value)}")
    return RecordError(f"{path} must be {wanted}, got {json_type(value)}")


def as_object(value: object, path: str) -> dict[str, Any]:
    """``value`` (found at ``path``) if it is a JSON object, else a RecordError."""
    if not isinstance(value, dict):
        raise _wrong(path, "an object", value)
    return value


def as_list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _wrong(path, "a list", value)
    return value


def as_str(value: object, path: str, *, nonempty: bool = False) -> str:
    if not isinstance(value, str):
        raise _wrong(path, "a non-empty string" if nonempty else "a string", value)
    if nonempty and not value:
        raise RecordError(f"{path} must be a non-empty string")
    return value


def as_int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(path, "an integer", value)
    return value


def as_id(value: object, path: str) -> str:
    """An identifier given as a string or an integer (JSON files use both), as a string."""
    if isinstance(value, str) or _is_int(value):
        return str(value)
    raise _wrong(path, "a string or an integer", value)


def as_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _wrong(path, "true or false", value)
    return value


def _value(obj: dict[str, Any], key: str, where: str, required: bool) -> object:
    """The value at ``key``; None when it is missing (a missing required key is an error)."""
    if not isinstance(obj, dict):
        raise _wrong(where, "an object", obj)
    if key not in obj:
        if required:
            raise RecordError(f"{where or 'record'} has no {key!r}")
        return None
    return obj[key]


def _expect(
    obj: dict[str, Any], key: str, where: str, default: D | _Required, convert: Callable[[object, str], V]
) -> V | D:
    """The value at ``key`` converted (checked) by ``convert``, or ``default`` where it is missing or null."""
    value = _value(obj, key, where, default is _REQUIRED)
    if value is None and not isinstance(default, _Required):
        return default
    return convert(value, key_path(where, key))


def expect_object(
    obj: dict[str, Any], key: str, where: str = "", default: dict[str, Any] | _Required = _REQUIRED
) -> dict[str, Any]:
    return _expect(obj, key, where, default, as_object)


def expect_list(
    obj: dict[str, Any], key: str, where: str = "", default: list[Any] | _Required = _REQUIRED
) -> list[Any]:
    return _expect(obj, key, where, default, as_list)


@overload
def expect_str(obj: dict[str, Any], key: str, where: str = "", *, nonempty: bool = False) -> str: ...
@overload
def expect_str(obj: dict[str, Any], key: str, where: str = "", *, default: T, nonempty: bool = False) -> str | T: ...
def expect_str(
    obj: dict[str, Any], key: str, where: str = "", default: T | _Required = _REQUIRED, *, nonempty: bool = False
) -> str | T:
    return _expect(obj, key, where, default, _as_nonempty_str if nonempty else as_str)


@overload
def expect_int(obj: dict[str, Any], key: str, where: str = "") -> int: ...
@overload
def expect_int(obj: dict[str, Any], key: str, where: str = "", *, default: T) -> int | T: ...
def expect_int(obj: dict[str, Any], key: str, where: str = "", default: T | _Required = _REQUIRED) -> int | T:
    return _expect(obj, key, where, default, as_int)


@overload
def expect_bool(obj: dict[str, Any], key: str, where: str = "") -> bool: ...
@overload
def expect_bool(obj: dict[str, Any], key: str, where: str = "", *, default: T) -> bool | T: ...
def expect_bool(obj: dict[str, Any], key: str, where: str = "", default: T | _Required = _REQUIRED) -> bool | T:
    return _expect(obj, key, where, default, as_bool)


@overload
def expect_id(obj: dict[str, Any], key: str, where: str = "") -> str: ...
@overload
def expect_id(obj: dict[str, Any], key: str, where: str = "", *, default: T) -> str | T: ...
def expect_id(obj: dict[str, Any], key: str, where: str = "", default: T | _Required = _REQUIRED) -> str | T:
    """An identifier given as a string or an integer (JSON files use both), as a string."""
    return _expect(obj, key, where, default, as_id)


def expect_str_list(
    obj: dict[str, Any], key: str, where: str = "", default: list[str] | _Required = _REQUIRED
) -> list[str]:
    """A list of strings (document labels, a region's labels)."""
    return _expect(obj, key, where, default, _as_str_list)


def _as_nonempty_str(value: object, path: str) -> str:
    return as_str(value, path, nonempty=True)


def _as_str_list(value: object, path: str) -> list[str]:
    return [as_str(item, key_path(path, index)) for index, item in enumerate(as_list(value, path))]


def objects_in(obj: dict[str, Any], key: str, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, item) for each item of an optional list of objects (``spans``, ``relations``)."""
    path = key_path(where, key)
    for index, item in enumerate(expect_list(obj, key, where, default=[])):
        item_path = key_path(path, index)
        yield item_path, as_object(item, item_path)


def object_with_text(obj: Any) -> tuple[dict[str, Any], str]:
    """A record every JSON format shares: an object with a non-empty 'text'."""
    return as_object(obj, ""), expect_str(obj, "text", nonempty=True)


@contextmanager
def within(place: str) -> Iterator[None]:
    """RecordErrors raised inside begin with ``place``, for a format whose records hold parts
    that key paths alone do not name well (``annotation 2, region r1: value.start must be ...``)."""
    try:
        yield
    except RecordError as error:
        raise RecordError(f"{place}: {error}") from None
