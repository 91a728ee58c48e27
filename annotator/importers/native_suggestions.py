"""Suggestions in the native JSONL (what `annotator export --include-suggestions` writes), read back.

A record's `suggestions` (start, end, label, score, source; text and attributes optional) and
`suggested_relations` (label, head and tail as [start, end, label], score, source) go into the
suggestions tables, not into any layer: they stay proposals to accept or reject. The reader checks
each field's type here (named by key path, at the record's line); the loader checks them against
the text and the schema (check_suggested). A suggestion the project has already (same document,
source, span) is kept as it is; two records of one document (one per layer) carry the same ones.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from annotator.errors import ValidationError
from annotator.importers.fields import (
    RecordError,
    as_int,
    as_list,
    as_str,
    expect_object,
    expect_str,
    key_path,
    objects_in,
)
from annotator.schema import Schema
from annotator.storable import check_storable

SUGGESTION_KEYS = {"start", "end", "label", "text", "score", "source", "attributes"}
RELATION_KEYS = {"label", "head", "tail", "score", "source"}
SOURCE_LENGTH = 100  # suggestions.source's column

End = tuple[int, int, str]


class SuggestionRecord(NamedTuple):
    start: int
    end: int
    label: str
    score: float
    source: str
    attributes: dict[str, Any]
    text: str | None


class SuggestedRelationRecord(NamedTuple):
    label: str
    head: End
    tail: End
    score: float
    source: str


def read_suggestions(obj: dict[str, Any]) -> list[SuggestionRecord]:
    found = []
    for where, item in objects_in(obj, "suggestions"):
        _only(item, SUGGESTION_KEYS, where)
        found.append(
            SuggestionRecord(
                as_int(item.get("start"), key_path(where, "start")),
                as_int(item.get("end"), key_path(where, "end")),
                expect_str(item, "label", where),
                _score(item, where),
                _source(item, where),
                expect_object(item, "attributes", where, default={}),
                expect_str(item, "text", where, default=None),
            )
        )
    return found


def read_suggested_relations(obj: dict[str, Any]) -> list[SuggestedRelationRecord]:
    found = []
    for where, item in objects_in(obj, "suggested_relations"):
        _only(item, RELATION_KEYS, where)
        found.append(
            SuggestedRelationRecord(
                expect_str(item, "label", where),
                _end(item, "head", where),
                _end(item, "tail", where),
                _score(item, where),
                _source(item, where),
            )
        )
    return found


def check_suggested(
    text: str, schema: Schema, suggestions: list[SuggestionRecord], relations: list[SuggestedRelationRecord]
) -> None:
    """Suggestions must fit the record's text and name the schema's labels, as spans must."""
    for n, s in enumerate(suggestions):
        where = f"suggestions[{n}]"
        if not 0 <= s.start < s.end <= len(text):
            raise ValidationError(f"{where}: [{s.start}, {s.end}) is not a span of a text of {len(text)} characters")
        if schema.label(s.label) is None:
            raise ValidationError(f"{where}: {s.label!r} is not a label of the schema")
        if s.text is not None and s.text != text[s.start : s.end]:
            raise ValidationError(f"{where}: text {s.text!r} is not the text's {text[s.start : s.end]!r}")
        check_storable(s.attributes, f"{where}.attributes")
    for n, r in enumerate(relations):
        if schema.relation(r.label) is None:
            raise ValidationError(f"suggested_relations[{n}]: {r.label!r} is not a relation of the schema")


def _only(item: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise RecordError(f"{where} has unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _score(item: dict[str, Any], where: str) -> float:
    value = item.get("score")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise RecordError(f"{key_path(where, 'score')} must be a number from 0 to 1, got {value!r:.40}")
    return float(value)


def _source(item: dict[str, Any], where: str) -> str:
    source = as_str(item.get("source"), key_path(where, "source"), nonempty=True)
    if len(source) > SOURCE_LENGTH:
        raise RecordError(f"{key_path(where, 'source')} is longer than {SOURCE_LENGTH} characters")
    return source


def _end(item: dict[str, Any], key: str, where: str) -> End:
    path = key_path(where, key)
    value = as_list(item.get(key), path)
    if len(value) != 3:
        raise RecordError(f"{path} must be [start, end, label]")
    return as_int(value[0], f"{path}[0]"), as_int(value[1], f"{path}[1]"), as_str(value[2], f"{path}[2]")
