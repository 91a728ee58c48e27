"""How the window words things: articles before label names, and refusals that quote text.

The core's refusals name spans by label and offsets ("span ACTOR [62, 70) crosses CLAIM
[40, 66)"), which is exact but means nothing to someone reading the article; the
window shows the words instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from annotator.models import Span
from annotator.short_text import one_line

__all__ = ["explain_refusal", "quoted", "with_article"]

# A label read as a word ("an ACTOR") takes "an" before a vowel letter; "a DATE".
_VOWEL_LETTERS = frozenset("AEIOUaeiou")
_SPAN_BY_OFFSETS = re.compile(r"(?P<label>[^\s\[\](){}'\"]+) \[(?P<start>\d+), (?P<end>\d+)\)")
_SPAN_BY_ID = re.compile(r"\bspan (?P<id>\d+)\b")


def with_article(label: str) -> str:
    """'an ACTOR', 'a CLAIM', 'a DATE'; several alternatives ('ACTOR/DATE') by the first."""
    return f"{'an' if label[:1] in _VOWEL_LETTERS else 'a'} {label}"


def quoted(text: str, limit: int = 40) -> str:
    """Text on one line in curly quotes, its middle cut out when long."""
    return f"“{one_line(text, limit, keep_end=True)}”"


def explain_refusal(message: str, text: str, spans: Mapping[int, Span]) -> str:
    """The core's message with each span it names by offsets or id shown by its words."""

    def by_offsets(match: re.Match[str]) -> str:
        start, end = int(match["start"]), int(match["end"])
        if not 0 <= start < end <= len(text):
            return match[0]
        return f"{match['label']} {quoted(text[start:end])}"

    def by_id(match: re.Match[str]) -> str:
        span = spans.get(int(match["id"]))
        return f"{span.label} {quoted(span.text)}" if span is not None else match[0]

    return _SPAN_BY_ID.sub(by_id, _SPAN_BY_OFFSETS.sub(by_offsets, message))
