"""The dates source: time expressions, found with spaCy Matcher patterns (date_patterns.py) on a
blank pipeline, each proposed as the schema's DATE label (or suggestions.dates_label) with its ISO
`value` attribute normalised against the document's meta.date (date_values.py).

The span is the expression alone, as the guidelines want it: no preposition ("from Monday" ->
Monday), no possessive ("this week’s" -> this week: spaCy makes ’s a token of its own). Where
matches overlap, the longest wins ("14 November 2014" over "November 2014" and "2014").
An expression without a knowable value (Soviet times, the 1990s, or a relative one in a document
without a readable meta.date) is proposed without it.

The patterns are English, so the source refuses to start for a project in another language
rather than propose nothing but numbers.

`nlp` and `matcher` are public so that a benchmark runs exactly the same matching alone.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Sequence
from typing import Any

from annotator.models import NO_ATTRIBUTES
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, Suggestion, SuggestionError
from annotator.suggest.date_patterns import KIND_SCORES, date_patterns
from annotator.suggest.date_values import article_date, date_value
from annotator.suggest.hits import char_span, longest_hits

NAME = "dates"
DEFAULT_LABEL = "DATE"
VALUE_ATTRIBUTE = "value"
# Words before an expression, in its sentence, that make a bare weekday or month point forward
# ("would visit from Monday" -> the coming Monday). Without one, news reports the past.
FUTURE_CUES = frozenset(
    {"will", "would", "shall", "'ll", "’ll", "wo", "going", "plans", "plan", "planned", "planning", "expected"}
    | {"scheduled", "due", "upcoming"}
)
_SENTENCE_ENDS = frozenset(".!?")
_LOOK_BACK = 30  # tokens
_DIRECTED = frozenset({"weekday", "month", "calendar"})  # kinds whose value may depend on the tense


class DatesSource:
    name = NAME

    def __init__(self, nlp: Any, label: str, value_attribute: str | None) -> None:
        from spacy.matcher import Matcher

        self.nlp = nlp
        self.label = label
        self.value_attribute = value_attribute
        self.matcher = Matcher(nlp.vocab)
        self.kinds: dict[int, str] = {}  # the matcher's key (a StringStore hash) -> the pattern's kind
        for kind, patterns in date_patterns().items():
            self.matcher.add(kind, patterns)
            self.kinds[nlp.vocab.strings.add(kind)] = kind

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        docs = self.nlp.pipe(document.text for document in documents)
        return [
            Proposals(document.id, self.suggestions(doc, article_date(document.meta)))
            for document, doc in zip(documents, docs, strict=True)
        ]

    def suggestions(self, doc: Any, base: dt.date | None) -> list[Suggestion]:
        found: list[Suggestion] = []
        whole = doc.text  # spaCy joins the tokens on each access: once, not once a hit (a 1 MB text has 25,000)
        for key, start, end in longest_hits(self.matcher(doc)):
            first, last = char_span(doc, start, end)
            text = whole[first:last]
            if end - start > 1 and " " in text and "-" in text:
                continue  # "2014 - 11 - 13" is no ISO date
            kind = self.kinds[key]
            attributes = NO_ATTRIBUTES
            if self.value_attribute is not None and kind != "period":
                future = kind in _DIRECTED and _future(doc, start)
                value = date_value(text, base, future)
                if value is not None:
                    attributes = {self.value_attribute: value}
            found.append(Suggestion(first, last, self.label, KIND_SCORES[kind], NAME, attributes))
        return found


def _future(doc: Any, start: int) -> bool:
    """Whether the sentence before token `start` speaks of the future (a cue word, see FUTURE_CUES)."""
    for index in range(start - 1, max(start - _LOOK_BACK, 0) - 1, -1):
        token = doc[index]
        if token.text in _SENTENCE_ENDS or "\n" in token.text:
            return False
        if token.lower_ in FUTURE_CUES:
            return True
    return False


def make_source(context: SourceContext, argument: str | None) -> DatesSource:
    from annotator.exporters.tokens import blank_pipeline

    if context.language != "en":
        raise SuggestionError(
            f"suggestion source 'dates': its patterns are English and the project's language is "
            f"{context.language!r}; leave 'dates' out of suggestions.sources"
        )
    if importlib.util.find_spec("dateparser") is None:
        raise SuggestionError("suggestion source 'dates' needs dateparser: pip install '.[suggest]'")
    label_name = context.settings.dates_label or DEFAULT_LABEL
    label = context.schema.label(label_name)
    if label is None:
        raise SuggestionError(
            f"suggestion source 'dates': the schema has no label {label_name!r} for time expressions; "
            "name one with suggestions.dates_label in project.yaml"
        )
    attribute = label.attribute(VALUE_ATTRIBUTE)
    # A value goes where the label can hold it: a date attribute (or a free string) named value.
    value_attribute = VALUE_ATTRIBUTE if attribute is not None and attribute.type in ("date", "text") else None
    return DatesSource(blank_pipeline(context.language), label.name, value_attribute)
