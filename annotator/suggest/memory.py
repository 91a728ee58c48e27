"""The memory source: strings already labelled in this project, proposed wherever they occur again
with the label most often given (Prodigy's and INCEpTION's "string matching" recommender).

What counts: every span of every layer except `reference` and `model` (EXCLUDED_LAYERS). Those
two are an answer key and a machine's guesses; as in review, neither should become what the
project "knows". read_labelled_strings(excluded=()) takes them too (the quality test learns from
the reference that way).

What is remembered: a string, as labelled, with at least 2 code points, at most MAX_TOKENS tokens
(a claim or quote hardly ever recurs word for word, and would only fill the matcher), and not
made only of punctuation, spaces and stop words ("It", "He", "its"). An all-capitals stop word
is an acronym and stays ("US").

Matching: spaCy's PhraseMatcher on the tokens of a blank pipeline of the project's language, on
ORTH: case-sensitive, so "US" is not "us" and "It" at a sentence start is not every "it". A hit
lies on token boundaries ("Kim" in "Kim’s"; never "Kim" inside "Kimberley"). Of overlapping hits
of one label the longest wins ("Kim Jong Un" over "Kim"); hits of different labels may nest.

Score: share x n / (n + 1) = k / (n + 1), where n is how many times the string was labelled and k
how many of those with the proposed label (share = k / n): labelled ACTOR 3 times out of 3 -> 0.75,
once -> 0.5, ACTOR 3 times and CLAIM once -> 0.6: consistency first, then how much evidence.
Not damped by how often the string went unlabelled in finished layers: that would need a pass of
the matcher over every finished text each time the source is built (the window builds it on open).
Ties: every tied label is proposed, each with its score, and the annotator picks.
Attributes: a label's attribute is carried when every remembered span of that string and label
that sets it gives the same value (Russia -> kind: state), and the schema still has it; never a
date attribute, whose value depends on the document's own date ("next week").

`nlp` and `matcher` are public so that a benchmark runs exactly the same matching alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import func, select

from annotator.db import core_tables
from annotator.models import NO_ATTRIBUTES
from annotator.schema import Schema
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, Suggestion
from annotator.suggest.hits import char_span, longest_hits

NAME = "memory"
EXCLUDED_LAYERS = ("reference", "model")
MIN_CODE_POINTS = 2
MAX_TOKENS = 10


class Labelled(NamedTuple):
    """One span as the memory reads it: its text, label and attributes."""

    text: str
    label: str
    attributes: Mapping[str, Any] = NO_ATTRIBUTES


class Remembered(NamedTuple):
    label: str
    score: float
    attributes: Mapping[str, Any]


def read_labelled_strings(engine: Any, project_id: int, excluded: Sequence[str] = EXCLUDED_LAYERS) -> list[Labelled]:
    """Every span of the project's layers but the excluded ones, with its text cut out by the
    database (substr counts code points in SQLite and PostgreSQL alike): two queries, and no
    document text crosses the connection whole."""
    s, d, a, sa = core_tables.spans.c, core_tables.documents.c, core_tables.annotators.c, core_tables.span_attributes.c
    counted = (
        select(s.id)
        .join(core_tables.documents, d.id == s.document_id)
        .join(core_tables.annotators, a.id == s.annotator_id)
        .where(d.project_id == project_id, a.name.not_in(list(excluded)))
    )
    texts = (
        select(s.id, s.label, func.substr(d.text, s.start + 1, s.end - s.start))
        .join(core_tables.documents, d.id == s.document_id)
        .where(s.id.in_(counted))
    )
    values = select(sa.span_id, sa.name, sa.value).where(sa.span_id.in_(counted))
    with engine.connect() as connection:
        attributes: dict[int, dict[str, Any]] = defaultdict(dict)
        for span_id, name, value in connection.execute(values):
            attributes[span_id][name] = value
        return [
            Labelled(text, label, attributes.get(span_id, NO_ATTRIBUTES))
            for span_id, label, text in connection.execute(texts)
        ]


def remember(labelled: Iterable[Labelled], schema: Schema) -> dict[str, list[Remembered]]:
    """What to propose for each string (before the checks of memorable()): its most given
    label(s), scored, with the attributes the memory agrees on."""
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    values: dict[tuple[str, str], dict[str, set[bytes]]] = defaultdict(lambda: defaultdict(set))
    for item in labelled:
        if schema.label(item.label) is None:
            continue  # a label the schema no longer has
        labels[item.text][item.label] += 1
        for name, value in item.attributes.items():
            values[item.text, item.label][name].add(orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    memory: dict[str, list[Remembered]] = {}
    for text, counts in labels.items():
        given = sum(counts.values())
        most = max(counts.values())
        memory[text] = [
            Remembered(label, count / (given + 1), _agreed(values.get((text, label), {}), label, schema))
            for label, count in sorted(counts.items())
            if count == most
        ]
    return memory


def _agreed(values: Mapping[str, set[bytes]], label: str, schema: Schema) -> Mapping[str, Any]:
    spec = schema.label(label)
    agreed: dict[str, Any] = {}
    for name, seen in values.items():
        attribute = spec.attribute(name) if spec is not None else None
        # a date value depends on its document's date ("next week"): the dates source fills it
        if len(seen) == 1 and attribute is not None and attribute.type != "date":
            agreed[name] = orjson.loads(next(iter(seen)))
    return agreed or NO_ATTRIBUTES


def memorable(tokens: Any) -> bool:
    """Whether a string, as tokens of the blank pipeline, is worth proposing again."""
    text = tokens.text
    if len(text.strip()) < MIN_CODE_POINTS or len(tokens) > MAX_TOKENS or text != text.strip():
        return False
    return any(not (token.is_punct or token.is_space or (token.is_stop and not token.is_upper)) for token in tokens)


class MemorySource:
    name = NAME

    def __init__(self, nlp: Any, memory: Mapping[str, list[Remembered]]) -> None:
        from spacy.matcher import PhraseMatcher

        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        # by the matcher's key of each string (its hash in the StringStore): a hit needs no lookup
        self.memory: dict[int, list[Remembered]] = {}
        for tokens in nlp.pipe(memory):
            if memorable(tokens):
                self.memory[nlp.vocab.strings.add(tokens.text)] = memory[tokens.text]
                self.matcher.add(tokens.text, [tokens])

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        docs = self.nlp.pipe(document.text for document in documents)
        return [Proposals(document.id, self.suggestions(doc)) for document, doc in zip(documents, docs, strict=True)]

    def suggestions(self, doc: Any) -> list[Suggestion]:
        by_label: dict[str, list[tuple[Remembered, int, int]]] = defaultdict(list)
        for key, start, end in self.matcher(doc):
            for remembered in self.memory[key]:
                by_label[remembered.label].append((remembered, start, end))
        found: list[Suggestion] = []
        for hits in by_label.values():
            for remembered, start, end in longest_hits(hits):  # of overlapping hits of one label, the longest
                first, last = char_span(doc, start, end)
                found.append(Suggestion(first, last, remembered.label, remembered.score, NAME, remembered.attributes))
        found.sort(key=lambda s: (s.start, s.end, s.label))
        return found


def make_source(context: SourceContext, argument: str | None) -> MemorySource:
    from annotator.exporters.tokens import blank_pipeline

    labelled = read_labelled_strings(context.read_engine, context.project_id)
    return MemorySource(blank_pipeline(context.language), remember(labelled, context.schema))
