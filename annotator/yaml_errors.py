"""PyYAML's syntax errors in our words, with the line a person should look at.

PyYAML reports "while scanning a quoted scalar ... found unexpected end of stream" at
the end of the file, several lines after the quote that was never closed, and its
text is written for parser authors. Every YAML file the project reads (schemas,
project.yaml) words its syntax errors through here, reported as "file:line: message".
"""

from __future__ import annotations

import yaml

__all__ = ["describe_yaml_error"]

# (words in PyYAML's context, words in its problem) -> what to tell the user. The
# context's line is used where something opened there was never closed.
_KNOWN: tuple[tuple[str, str, str, bool], ...] = (
    ("", "unknown escape character", "an unknown backslash escape in a double-quoted value; use single quotes", False),
    ("quoted scalar", "end of stream", "a quoted value starts here and its closing quote is missing", True),
    ("quoted scalar", "", "a quoted value starts here and is not closed properly", True),
    ("flow sequence", "", "a list opened with '[' here is not closed with ']'", True),
    ("flow mapping", "", "a mapping opened with '{' here is not closed with '}'", True),
    ("flow node", "stream end", "a '[' or '{' is not closed before the end of the file", True),
    ("simple key", "expected ':'", "a line without ':' where 'key: value' was expected", True),
    (
        "",
        "mapping values are not allowed",
        "a ':' where no 'key: value' can start (quote a value that contains ': '; check the line above)",
        False,
    ),
    ("", "'\\t'", "a tab character; YAML indents with spaces only", False),
    ("block", "expected <block end>", "this line's indentation does not match the lines above it", False),
    ("", "undefined alias", "an alias (*name) with no anchor (&name) before it", False),
    ("anchor", "", "a '&' that does not start a valid anchor; put the value in quotes", False),
    ("alias", "", "a '*' that does not start a valid alias; put the value in quotes", False),
    ("tag", "", "a '!' that does not start a valid tag; put the value in quotes", False),
)


def describe_yaml_error(error: yaml.YAMLError) -> tuple[int, str]:
    """(1-based line, message) for a YAML syntax error; line 1 when PyYAML gives none."""
    context = getattr(error, "context", None) or ""
    problem = getattr(error, "problem", None) or ""
    context_mark = getattr(error, "context_mark", None)
    problem_mark = getattr(error, "problem_mark", None)
    for in_context, in_problem, message, at_context in _KNOWN:
        if in_context in context and in_problem in problem:
            mark = context_mark if at_context and context_mark is not None else problem_mark or context_mark
            return (mark.line + 1 if mark is not None else 1), message
    mark = problem_mark or context_mark
    words = ", ".join(part for part in (context, problem) if part) or type(error).__name__
    return (mark.line + 1 if mark is not None else 1), words
