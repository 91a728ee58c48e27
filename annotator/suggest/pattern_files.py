"""The patterns of the patterns source, read from where they are written; every complaint,
spaCy's included, names the file and line to fix.

- The schema: a label's ``patterns:`` (annotator/schema_check.py reads their shape): a phrase,
  matched ignoring case, or a spaCy token pattern.
- The files of ``suggestions.patterns`` in project.yaml, phrases matched exactly as written:
  - ``.jsonl``: spaCy's EntityRuler/SpanRuler format, one pattern a line:
    ``{"label": "ACTOR", "pattern": "Kim Jong Un"}`` or ``{"label": "ACTOR", "pattern":
    [{"LOWER": "north"}, {"LOWER": "korea"}]}``, with spaCy's optional ``"id"``; and two optional
    keys of ours, which spaCy's own rulers ignore: ``"attributes"`` (the label's attributes a
    hit gets: ``{"kind": "state"}``) and ``"trim": [before, after]`` (matched tokens that are
    context, not part of the span: ``[1, 0]`` proposes "Kim Jong Un" for "leader Kim Jong Un").
  - ``.txt``: a plain gazetteer, one phrase a line, its label the file's name (``ACTOR.txt``);
    blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from annotator.models import NO_ATTRIBUTES
from annotator.schema import LabelSpec, Schema, SchemaError, SchemaProblem
from annotator.suggest.base import SuggestionError

JSONL_KEYS = ("label", "pattern", "id", "attributes", "trim")
MAX_LINE_BYTES = 2**20  # a pattern, even a token pattern with a long IN list, is far shorter
EXAMPLE_LINE = '{"label": "ACTOR", "pattern": "Kim Jong Un"}'


class PatternEntry(NamedTuple):
    label: str
    pattern: str | list[dict[str, Any]]  # a phrase, or a spaCy token pattern
    ignore_case: bool = False  # phrases of the schema
    attributes: Mapping[str, Any] = NO_ATTRIBUTES
    trim: tuple[int, int] = (0, 0)


def schema_entries(schema: Schema) -> list[PatternEntry]:
    """The labels' ``patterns:``; the token patterns spaCy refuses are one SchemaError, each at its line."""
    entries: list[PatternEntry] = []
    problems: list[SchemaProblem] = []
    for label in schema.labels:
        for item in label.patterns:
            if isinstance(item.pattern, str):
                entries.append(PatternEntry(label.name, item.pattern, ignore_case=True))
                continue
            tokens = [dict(token) for token in item.pattern]
            errors = token_pattern_errors(tokens)
            if errors:
                problems.append(
                    SchemaProblem(schema.source, item.line, item.key, f"spaCy refuses this token pattern: {errors}")
                )
            entries.append(PatternEntry(label.name, tokens))
    if problems:
        raise SchemaError(problems)
    return entries


def file_entries(path: Path, shown: str, schema: Schema) -> list[PatternEntry]:
    """The patterns of one file of suggestions.patterns; `shown` is its name in messages."""
    if path.suffix not in (".jsonl", ".txt"):
        raise SuggestionError(
            f"{shown}: a pattern file is .jsonl (spaCy's patterns, one a line: {EXAMPLE_LINE}) "
            "or .txt (one phrase a line, the file named after its label: ACTOR.txt)"
        )
    if path.suffix == ".txt":
        label = path.stem
        if schema.label(label) is None:
            raise SuggestionError(
                f"{shown}:1: a plain gazetteer is named after its label, and the schema has no label {label!r}"
                f" (labels: {', '.join(schema.label_names)}); rename the file"
            )
        return [
            PatternEntry(label, phrase)
            for _, line in _lines(path, shown)
            if (phrase := line.strip()) and not phrase.startswith("#")
        ]
    return [_jsonl_entry(line, f"{shown}:{number}", schema) for number, line in _lines(path, shown) if line.strip()]


def token_pattern_errors(tokens: list[dict[str, Any]]) -> str:
    """spaCy's own validation of a token pattern (the one its Matcher runs with validate=True),
    in one line, "token 1, LOWR: Extra inputs are not permitted"; empty if spaCy takes it."""
    from spacy.schemas import validate_token_pattern

    found: dict[str, str] = {}
    for error in validate_token_pattern(tokens):
        where = _SPACY_ERROR.match(error)
        if where is None:
            found.setdefault(error, error)
        else:  # one message a token attribute: spaCy lists each form an OP may take
            found.setdefault(f"token {int(where['token']) + 1}, {where['key']}", where["message"])
    return "; ".join(key if key == message else f"{key}: {message}" for key, message in found.items())


_SPACY_ERROR = re.compile(r"\[pattern -> (?P<token>\d+) -> (?P<key>[^ \]]+).*?\] (?P<message>.*)")


def _lines(path: Path, shown: str) -> Iterator[tuple[int, str]]:
    """The file's lines, decoded one by one so that bad UTF-8 is reported at its own line."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block, /dev/zero never end
            raise SuggestionError(f"{shown}: not a regular file; a pattern file is a .jsonl or .txt file")
        with path.open("rb") as handle:
            for number, data in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
                if len(data) > MAX_LINE_BYTES:
                    raise SuggestionError(
                        f"{shown}:{number}: a line over {MAX_LINE_BYTES // 2**20} MB; each line is one pattern"
                    )
                try:
                    line = data.decode("utf-8").rstrip("\r\n")
                    yield number, line.removeprefix("\ufeff") if number == 1 else line
                except UnicodeDecodeError as error:
                    raise SuggestionError(f"{shown}:{number}: not valid UTF-8; save the file as UTF-8") from error
    except FileNotFoundError as error:
        raise SuggestionError(
            f"{shown}: pattern file not found (named by suggestions.patterns in project.yaml)"
        ) from error
    except OSError as error:
        raise SuggestionError(f"{shown}: cannot read the pattern file: {error.strerror or error}") from error


def _jsonl_entry(line: str, where: str, schema: Schema) -> PatternEntry:
    try:
        record = json.loads(line)
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # a \ud800 escape decodes to no character
    except json.JSONDecodeError as error:
        raise SuggestionError(
            f"{where}: not JSON ({error.msg}, column {error.colno}); each line is one pattern: {EXAMPLE_LINE}"
        ) from error
    except RecursionError as error:
        raise SuggestionError(f"{where}: nested too deeply to be a pattern") from error
    except UnicodeEncodeError as error:
        raise SuggestionError(f"{where}: a string holds a lone surrogate (\\ud800-\\udfff without its pair)") from error
    if not isinstance(record, dict) or "label" not in record or "pattern" not in record:
        raise SuggestionError(f"{where}: expected an object with a label and a pattern: {EXAMPLE_LINE}")
    unknown = sorted(set(record) - set(JSONL_KEYS))
    if unknown:
        raise SuggestionError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(JSONL_KEYS)})")
    spec = schema.label(record["label"]) if isinstance(record["label"], str) else None
    if spec is None:
        raise SuggestionError(
            f"{where}: label {record['label']!r} is not in the schema (labels: {', '.join(schema.label_names)})"
        )
    if not isinstance(record.get("id", ""), str):
        raise SuggestionError(f"{where}: id must be a string")
    return PatternEntry(
        spec.name,
        _pattern(record["pattern"], where),
        attributes=_attributes(record.get("attributes"), spec, where),
        trim=_trim(record.get("trim"), where),
    )


def _pattern(pattern: object, where: str) -> str | list[dict[str, Any]]:
    if isinstance(pattern, str) and pattern.strip():
        return pattern
    if not (isinstance(pattern, list) and pattern and all(isinstance(token, dict) and token for token in pattern)):
        raise SuggestionError(
            f'{where}: a pattern is a phrase or a list of token objects ([{{"LOWER": "north"}}, ...]), '
            f"got {json.dumps(pattern, ensure_ascii=False)[:60]}"
        )
    errors = token_pattern_errors(pattern)
    if errors:
        raise SuggestionError(f"{where}: spaCy refuses this token pattern: {errors}")
    return pattern


def _attributes(value: object, spec: LabelSpec, where: str) -> Mapping[str, Any]:
    if value is None:
        return NO_ATTRIBUTES
    if not isinstance(value, dict):
        raise SuggestionError(f'{where}: attributes must be an object, e.g. {{"kind": "state"}}')
    for name, attribute in value.items():
        attribute_spec = spec.attribute(name)
        if attribute_spec is None:
            known = ", ".join(a.name for a in spec.attributes) or "none"
            raise SuggestionError(f"{where}: {spec.name} has no attribute {name!r} (its attributes: {known})")
        problem = attribute_spec.check(attribute)
        if problem is not None:
            raise SuggestionError(f"{where}: attribute {name!r}: {problem}")
    return dict(value)


def _trim(value: object, where: str) -> tuple[int, int]:
    if value is None:
        return (0, 0)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value)
    ):
        return (value[0], value[1])
    raise SuggestionError(f"{where}: trim is [tokens before, tokens after] the span, e.g. [1, 0]")
