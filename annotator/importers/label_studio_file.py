"""The JSON values of a Label Studio file, each with the line it starts on.

A Label Studio export is one JSON array of tasks; a single task object and a stream of task
objects (one per line) are read too. Anything after the array (``cat a.json b.json``) is
refused with where it starts: reading only the first array would drop the rest silently.
Parsing never raises: a value nested too deep, a lone surrogate or a number that is not JSON
is an ImportProblem at the line where its task starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

from annotator.importers.json_text import JsonProblem, decode_at
from annotator.importers.records import ImportProblem
from annotator.importers.tool_support import LineCounter, Value, skip_space


def task_values(text: str, source: str) -> Iterator[Value | ImportProblem]:
    """The items of the file's one JSON array, or its task objects one after another."""
    lines, at = LineCounter(text), skip_space(text, 0)
    if not text.startswith("[", at):
        yield from _stream(text, source, lines, at)
        return
    at += 1
    for number in count(1):
        at = skip_space(text, at)
        if text.startswith("]", at):
            break
        line = lines.at(at)
        try:
            value, end = decode_at(text, at)
        except JsonProblem as error:
            where = max(error.position or at, at)
            column = where - (text.rfind("\n", 0, where) + 1) + 1
            yield ImportProblem(source, lines.at(where), f"task {number}: {error} (column {column})")
            return  # inside an array there is no line to resume at
        yield line, len(text[at:end].encode("utf-8")), value
        at = skip_space(text, end)
        if text.startswith(",", at):
            at += 1
        elif not text.startswith("]", at):
            yield ImportProblem(source, lines.at(at), "not valid JSON: expected ',' or ']' after a task")
            return
    rest = skip_space(text, at + 1)
    if rest < len(text):
        yield ImportProblem(
            source,
            lines.at(rest),
            f"more data after the array of tasks, from {lines.where(rest)}: a Label Studio file holds one JSON "
            "array (files joined with cat are not one file; import each file on its own)",
        )


def _stream(text: str, source: str, lines: LineCounter, at: int) -> Iterator[Value | ImportProblem]:
    """Task objects one after another (a single task file, or one task per line). After a value
    that does not parse, reading goes on at the next line."""
    while at < len(text):
        line = lines.at(at)
        try:
            value, end = decode_at(text, at)
        except JsonProblem as error:
            where = max(error.position or at, at)
            yield ImportProblem(source, lines.at(where), str(error))
            newline = text.find("\n", max(where, at + 1))
            at = len(text) if newline < 0 else skip_space(text, newline + 1)
            continue
        yield line, len(text[at:end].encode("utf-8")), value
        at = skip_space(text, end)
