"""The patterns and gazetteers source: spaCy's SpanRuler in a blank pipeline of the project's
language, with the schema's ``patterns:`` and the files of ``suggestions.patterns`` (their forms:
pattern_files.py). spaCy tokenizes and matches; this module only chooses among the hits.

Phrases of the schema match ignoring case (a ruler with ``phrase_matcher_attr: LOWER``); phrases
of files match as written, as spaCy's own rulers would match the same file (write a token pattern
with LOWER for any case). Every match sits on token boundaries: "Russia" never hits "Russian".

Which hits are proposed:
- A hit inside a longer hit of the same label is dropped, longest first as spaCy's EntityRuler
  does: "Korea" inside "North Korea" is part of the name, not a second mention.
- Hits of different labels follow the schema's ``overlap``: allow, all of them; nested, a hit
  crossing a longer one is dropped; forbid, a hit overlapping a longer one is dropped (longest
  first, then leftmost).
- An exact hit scores 1.0. A stretch hit under k labels (a phrase in two labels' lists) is
  proposed under each with score 1/k: the annotator picks, and a ranking by score puts it last.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import spacy
from spacy.pipeline import SpanRuler

from annotator.models import NO_ATTRIBUTES
from annotator.schema import OverlapMode
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, Suggestion, SuggestionError
from annotator.suggest.pattern_files import PatternEntry, file_entries, schema_entries

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

NAME = "patterns"
SPANS_KEY = "patterns"  # the doc.spans group both rulers write to
# Only the tokenizer and the matchers run: no parser's memory to protect, so no 1M-character cap.
MAX_TEXT_LENGTH = 2**31 - 1

Hit = tuple[int, int, str]  # start, end (code points), label


class Extra(NamedTuple):
    """What a file's pattern adds to its hits (pattern_files.py: attributes, trim)."""

    attributes: Mapping[str, Any]
    trim: tuple[int, int]


class PatternSource:
    """nlp is the bare pipeline, tokenizer and rulers: `nlp.pipe` over the texts runs exactly the
    matching this source runs (and stores the hits in doc.spans["patterns"]), the baseline the
    suggest bench compares with. propose runs the same tokenizer and the rulers' own match()
    without that store, and turns the hits into suggestions."""

    name = NAME

    def __init__(self, nlp: Language, labels: Sequence[str], overlap: OverlapMode, extras: Mapping[str, Extra]) -> None:
        self.nlp = nlp
        self.overlap = overlap
        strings = nlp.vocab.strings
        # by the hash of the internal pattern id the rulers give a hit (no id: 0, never a key)
        self.extras = {strings.add(key): extra for key, extra in extras.items()}
        self.labels = {strings.add(label): label for label in labels}
        self.rulers = [pipe for _, pipe in nlp.pipeline if isinstance(pipe, SpanRuler)]

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        # The tokenizer, then the rulers' own matching (hits), without storing their spans in
        # doc.spans only for this loop to read them back.
        return [
            Proposals(
                document.id, choose(self.hits(self.nlp.make_doc(document.text)), self.overlap, len(document.text))
            )
            for document in documents
        ]

    def hits(self, doc: Doc) -> dict[Hit, Mapping[str, Any]]:
        """Every hit of the rulers in code points, trimmed, with the attributes its pattern gives.
        (Hashes, not strings, of ids and labels: this loop is most of what the source adds to spaCy.)"""
        found: dict[Hit, Mapping[str, Any]] = {}
        labels = self.labels
        for span in (span for ruler in self.rulers for span in ruler.match(doc)):
            extra = self.extras.get(span.id)
            if extra is None:
                found.setdefault((span.start_char, span.end_char, labels[span.label]), NO_ATTRIBUTES)
                continue
            start, end = span.start + extra.trim[0], span.end - extra.trim[1]
            if start >= end:
                continue  # nothing is left of the match once its context is trimmed
            first, last = doc[start], doc[end - 1]
            key = (first.idx, last.idx + len(last), labels[span.label])
            if not found.get(key):
                found[key] = extra.attributes
        return found


def make_source(context: SourceContext, argument: str | None) -> PatternSource:
    entries = schema_entries(context.schema)
    for path in context.settings.patterns:
        shown = str(path.relative_to(context.root)) if path.is_relative_to(context.root) else str(path)
        entries.extend(file_entries(path, shown, context.schema))
    if not entries:
        raise SuggestionError(
            "the patterns source has no patterns: give a label `patterns:` in the schema "
            "or name a pattern file in project.yaml's suggestions.patterns"
        )
    nlp, extras = build_pipeline(context.language, entries)
    return PatternSource(nlp, context.schema.label_names, context.schema.overlap, extras)


def build_pipeline(language: str, entries: Sequence[PatternEntry]) -> tuple[Language, dict[str, Extra]]:
    """A blank pipeline with one SpanRuler for exact phrases and token patterns, and one matching
    phrases by their lower case; the extras of the patterns that have any, by their ruler id."""
    try:
        nlp = spacy.blank(language)
    except ImportError as error:
        raise SuggestionError(f"spaCy has no language {language!r} (project.yaml's language)") from error
    nlp.max_length = MAX_TEXT_LENGTH
    extras: dict[str, Extra] = {}
    rules: dict[str | None, list[dict[str, Any]]] = {None: [], "LOWER": []}
    for number, entry in enumerate(entries):
        rule: dict[str, Any] = {"label": entry.label, "pattern": entry.pattern}
        if entry.attributes or entry.trim != (0, 0):
            rule["id"] = f"#{number}"
            extras[rule["id"]] = Extra(entry.attributes, entry.trim)
        rules["LOWER" if entry.ignore_case else None].append(rule)
    for attribute, patterns in rules.items():
        if patterns:
            name = "patterns_ignoring_case" if attribute else "patterns"
            config = {"spans_key": SPANS_KEY, "phrase_matcher_attr": attribute, "overwrite": False}
            # validate: already done per pattern, with its file:line (pattern_files.py)
            ruler = nlp.add_pipe("span_ruler", name=name, config=config)
            assert isinstance(ruler, SpanRuler)
            ruler.add_patterns(patterns)
    return nlp, extras


def choose(hits: Mapping[Hit, Mapping[str, Any]], overlap: OverlapMode, length: int) -> list[Suggestion]:
    """The hits to propose (the rules in the module's docstring), in text order."""
    kept = set(hits)
    if _overlapping(kept):
        by_label: dict[str, list[tuple[int, int]]] = {}
        for start, end, label in kept:
            by_label.setdefault(label, []).append((start, end))
        kept = {
            (start, end, label)
            for label, extents in by_label.items()
            for start, end in _longest_first(extents, crossing_only=False, length=length)
        }
        if overlap != "allow":
            extents = _longest_first(
                [(start, end) for start, end, _ in kept], crossing_only=overlap == "nested", length=length
            )
            kept = {hit for hit in kept if hit[:2] in extents}
    labels_of = Counter((start, end) for start, end, _ in kept)
    return [
        Suggestion(start, end, label, 1.0 / labels_of[start, end], NAME, hits[start, end, label])
        for start, end, label in sorted(kept)
    ]


def _overlapping(hits: set[Hit]) -> bool:
    reach = -1
    for start, end in sorted({(start, end) for start, end, _ in hits}):
        if start < reach:
            return True
        reach = max(reach, end)
    return False


def _longest_first(extents: Sequence[tuple[int, int]], crossing_only: bool, length: int) -> set[tuple[int, int]]:
    """The extents kept when each, longest first (then leftmost), is dropped if it overlaps one
    kept before (or, crossing_only, crosses it: nesting inside it is fine). Kept extents are
    never shorter than the one tested, so it crosses one iff a kept boundary lies inside it."""
    marks = bytearray(length + 1)
    kept: set[tuple[int, int]] = set()
    for start, end in sorted(set(extents), key=lambda extent: (extent[0] - extent[1], extent[0])):
        if crossing_only:
            if marks.find(1, start + 1, end) == -1:
                kept.add((start, end))
                marks[start] = marks[end] = 1
        elif marks.find(1, start, end) == -1:
            kept.add((start, end))
            marks[start:end] = b"\x01" * (end - start)
    return kept
