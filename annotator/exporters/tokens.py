"""Tokens for the token formats: tokenisers, span-to-token alignment, overlap resolution.

make_tokenizer is the one tokenization of the training formats: each document is tokenized
once, into Tokens (offsets, and the spaCy Doc with its array when there is one), from which
hf, conll (through iob.py) and spacy take everything they write. align is the one
span-to-token alignment: those three (place_spans) and Prodigy (over its own tokens) all
place spans with it.

Offsets are code points into the document text. A token is a (start, end) pair that
never contains whitespace: the spaCy tokenizer first splits on runs of str.isspace()
characters and gives whitespace its own tokens (dropped here); the whitespace tokenizer
splits on the same runs. Whatever a policy does to a span is reported as an
ExportProblem (document, span, text, problem, action), never done silently.

spaCy is imported only when a spaCy pipeline is first needed, so the native export
never loads it.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from annotator.errors import ValidationError
from annotator.exporters.base import ExportOptions, ExportProblem, FormatReport, Misaligned, Overlaps

if TYPE_CHECKING:
    from spacy.language import Language

NOT_WHITESPACE = re.compile(r"\S+")

Offsets = tuple[list[int], list[int]]  # token starts, token ends (both ascending)


@lru_cache(maxsize=8)
def blank_pipeline(language: str, sentencizer: bool = False) -> Language:
    """spacy.blank(language), built once per process (it takes ~0.3 s); no model, no download."""
    try:
        import spacy
    except ImportError:
        raise ValidationError("this format needs spaCy: pip install -e '.[spacy]'") from None
    try:
        nlp = spacy.blank(language)
    except ImportError:  # spaCy's E048: no such language code
        raise ValidationError(f"spaCy has no language {language!r} (project.yaml: language)") from None
    # spaCy refuses texts over 1,000,000 characters (E088) because its parser and NER need ~1 GB
    # per 100,000; a blank pipeline (tokenizer, rule-based sentencizer) needs no such memory, and
    # the project promises articles of 1 MB and more: any length that fits in memory is taken.
    nlp.max_length = sys.maxsize
    if sentencizer:
        nlp.add_pipe("sentencizer")
    return nlp


@dataclass(frozen=True)
class Tokens:
    """One text's tokens from its one tokenization: what every training format is made from.

    starts/ends are the tokens that are not whitespace. When they come from a spaCy Doc, the
    Doc is kept with the columns of its array that the format asked for (one row per token
    of the Doc, the whitespace ones included) and each token's index in it, so that a format
    reads whatever else it needs (texts' hashes, trailing spaces, punctuation) from the same
    array instead of building a second Doc or walking Token objects.
    """

    starts: list[int]  # code point offsets, ascending
    ends: list[int]
    doc: Any = None  # the spaCy Doc, when one was made
    rows: Any = None  # doc.to_array(columns)
    in_doc: list[int] | None = None  # each token's index in doc (None: no Doc, or split again)
    columns: tuple[str, ...] = ()

    @property
    def offsets(self) -> Offsets:
        return self.starts, self.ends

    def column(self, name: str) -> Any:
        """One attribute of every token of the Doc (a numpy array)."""
        return self.rows[:, self.columns.index(name)]

    def words(self, text: str) -> list[str]:
        return [text[start:end] for start, end in zip(self.starts, self.ends, strict=True)]


# The columns of a Doc's array that every format reads (offsets, and which tokens are whitespace),
# then the ones a format asks for: one to_array() call per document.
OFFSET_COLUMNS = ("IDX", "LENGTH", "IS_SPACE")
IDX_COLUMN, LENGTH_COLUMN, SPACE_COLUMN = range(len(OFFSET_COLUMNS))
Tokenizer = Callable[[str], Tokens]


def make_tokenizer(options: ExportOptions, *, doc: bool = False, columns: tuple[str, ...] = ()) -> Tokenizer:
    """The one tokenization of every training format: a text's Tokens.

    With --tokenizer spacy, the blank pipeline's tokenizer alone (not the pipeline: make_doc
    would only add a length check) makes a Doc. With --tokenizer whitespace, the tokens are the
    runs between whitespace, and a Doc of them is built only when `doc` asks (the spacy format).
    For the token formats (doc=False), a token of the spaCy tokenizer holding whitespace would be
    split on it (spaCy's rules never make one; kept as a guard). `columns`: the Doc's attributes
    (spaCy names, e.g. ORTH) the format reads besides the offsets.
    """
    if options.tokenizer == "whitespace":
        if not doc:
            return lambda text: Tokens(*whitespace_tokens(text))
        vocab = blank_pipeline(options.language).vocab
        return lambda text: doc_tokens(whitespace_doc(vocab, text), columns)
    tokenizer = blank_pipeline(options.language).tokenizer
    if doc:
        return lambda text: doc_tokens(tokenizer(text), columns)

    def spacy_tokens(text: str) -> Tokens:
        tokens = doc_tokens(tokenizer(text), columns)
        # The tokens cover every character that is not whitespace, once: if they hold no
        # whitespace, their lengths add up to exactly that count (str.split() counts in C).
        if sum(tokens.ends) - sum(tokens.starts) != sum(map(len, text.split())):
            return Tokens(*_split_whitespace(text, tokens.starts, tokens.ends))
        return tokens

    return spacy_tokens


def doc_tokens(doc: Any, columns: tuple[str, ...] = ()) -> Tokens:
    """The tokens of a spaCy Doc that are not whitespace, read from the Doc's array."""
    import numpy

    # Columns of the Doc's array (numpy, which spaCy brings) instead of Token objects: ~10x faster.
    names = OFFSET_COLUMNS + columns
    rows = doc.to_array(list(names))
    kept = numpy.flatnonzero(rows[:, SPACE_COLUMN] == 0)
    starts = rows[kept, IDX_COLUMN]
    return Tokens(starts.tolist(), (starts + rows[kept, LENGTH_COLUMN]).tolist(), doc, rows, kept.tolist(), names)


def whitespace_tokens(text: str) -> Offsets:
    """Split on runs of whitespace, keeping the offsets of what is left."""
    starts: list[int] = []
    ends: list[int] = []
    for match in NOT_WHITESPACE.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


def whitespace_doc(vocab: Any, text: str) -> Any:
    """A Doc of the whitespace tokenizer's tokens whose text is exactly `text`.

    Like spaCy's own tokenizer: one space after a word is that word's trailing space;
    any other whitespace is a token of its own.
    """
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for match in NOT_WHITESPACE.finditer(text):
        _gap(text[position : match.start()], words, spaces)
        words.append(match.group())
        spaces.append(False)
        position = match.end()
    _gap(text[position:], words, spaces)
    return Doc(vocab, words=words, spaces=spaces)


def _gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    if not gap:
        return
    if words and gap.startswith(" ") and not spaces[-1]:
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)


def _split_whitespace(text: str, starts: list[int], ends: list[int]) -> Offsets:
    new_starts: list[int] = []
    new_ends: list[int] = []
    for start, end in zip(starts, ends, strict=True):
        for match in NOT_WHITESPACE.finditer(text, start, end):
            new_starts.append(match.start())
            new_ends.append(match.end())
    return new_starts, new_ends


def align(text: str, offsets: Offsets, start: int, end: int, policy: Misaligned) -> tuple[int, int, str | None] | None:
    """The tokens [first, last) for a character span, and what the policy did (None: nothing).

    None when the span is dropped: `skip`, or nothing left after `contract` (or a span of
    whitespace only). A span that is off the token boundaries only by whitespace at its
    edges comes back "trimmed" under expand and contract alike: the tokens it covers are
    exactly the ones meant.
    """
    starts, ends = offsets
    first = bisect_left(starts, start)
    last = bisect_left(ends, end)
    if first < len(starts) and last < len(ends) and starts[first] == start and ends[last] == end:
        return first, last + 1, None
    if policy == "skip":
        return None
    if policy == "expand":
        first, last = bisect_right(ends, start), bisect_left(starts, end)  # every token touching the span
    else:
        first, last = bisect_left(starts, start), bisect_right(ends, end)  # every token inside it
    if first >= last:
        return None
    return first, last, moved(text, start, end, starts[first], ends[last - 1], policy)


def place_spans(
    record: dict[str, Any], tokens: Tokens, policy: Misaligned, report: FormatReport
) -> list[tuple[int, int] | None]:
    """Each span of a record on the tokens, [first, last), as the policy places it (None: left out).

    Whatever the policy did is reported, span by span in the record's order.
    """
    text: str = record["text"]
    offsets = tokens.offsets
    placed: list[tuple[int, int] | None] = []
    for span in record["spans"]:
        found = align(text, offsets, span["start"], span["end"], policy)
        if found is None:
            report.problems.append(problem(record, span, "misaligned", "skipped"))
            placed.append(None)
            continue
        first, last, action = found
        if action is not None:
            report.problems.append(problem(record, span, "misaligned", action))
        placed.append((first, last))
    return placed


def moved(text: str, start: int, end: int, new_start: int, new_end: int, policy: Misaligned) -> str:
    """The action to report for a span moved to [new_start, new_end) by a policy."""
    if start <= new_start and new_end <= end and not text[start:new_start].strip() and not text[new_end:end].strip():
        return "trimmed"  # only whitespace at the edges went
    return "expanded" if policy == "expand" else "contracted"


def choose(ranges: Sequence[tuple[int, int]], policy: Overlaps) -> list[bool]:
    """Which token ranges a flat tagging keeps: no two kept ranges share a token.

    longest: longest first (then earliest, then input order), each kept if it fits beside
    those kept before (spaCy's filter_spans rule: in a chain A-B-C where only B overlaps
    both, dropping B keeps A and C). first: the same, earliest start first (longer first
    on a tie). skip: every range that shares a token with another is dropped.
    """
    keep = [True] * len(ranges)
    if len(ranges) < 2:
        return keep
    ordered = sorted(ranges)
    if all(last <= first for (_, last), (first, _) in pairwise(ordered)):
        return keep  # no two share a token (the common case): every policy keeps them all
    if policy == "skip":
        cover: dict[int, int] = {}
        for first, last in ranges:
            for token in range(first, last):
                cover[token] = cover.get(token, 0) + 1
        return [all(cover[token] == 1 for token in range(first, last)) for first, last in ranges]
    if policy == "longest":
        order = sorted(range(len(ranges)), key=lambda i: (ranges[i][0] - ranges[i][1], ranges[i][0], i))
    else:
        order = sorted(range(len(ranges)), key=lambda i: (ranges[i][0], ranges[i][0] - ranges[i][1], i))
    taken: set[int] = set()
    for index in order:
        first, last = ranges[index]
        tokens = range(first, last)
        if any(token in taken for token in tokens):
            keep[index] = False
        else:
            taken.update(tokens)
    return keep


def problem(record: dict[str, Any], span: dict[str, Any], what: str, action: str) -> ExportProblem:
    return ExportProblem(str(record["id"]), span["id"], span["text"], what, action)
