"""CoNLL-2003 style IOB2: `token TAG` per line, a blank line after each sentence.

Each document starts with the line `-DOCSTART- -X- O O` and a blank line: the form
spaCy's `spacy convert` (converter "conll"/"ner") splits documents on, and which the
readers that only look for a line starting with -DOCSTART- (Hugging Face's conll2003
script, flair, seqeval tooling) accept too. Columns are separated by one space; tokens
never contain whitespace (tokens.py), so the tag is always the last column.

Sentences: spaCy's rule-based sentencizer (punctuation) on the tokens, plus a break
wherever the text has a line break between two tokens (headlines, captions and
paragraphs end without a full stop). A break is never put inside a tagged span, so an
entity is never cut in two; a span across a line break keeps the lines together.

The format has no room for the schema's name, version or hash, nor for the document
ids: comment lines are not part of CoNLL and would be read as tokens by most readers.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from pathlib import Path
from typing import Any

from annotator.exporters.base import ExportOptions, FormatReport, FormatWriter
from annotator.exporters.iob import Tagged, tag_record
from annotator.exporters.tokens import Tokens, blank_pipeline, make_tokenizer
from annotator.project import Project

DOCSTART = "-DOCSTART- -X- O O"
LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # what str.splitlines() splits on


class ConllWriter(FormatWriter):
    suffix = ".conll"

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        self.tokenize = make_tokenizer(options, columns=("IS_PUNCT",))
        self.nlp = blank_pipeline(options.language, sentencizer=True)
        sentencizer: Any = self.nlp.get_pipe("sentencizer")
        self.punct_chars: set[str] = set(sentencizer.punct_chars)
        super().__init__(target, project, options, report)

    def add(self, record: dict[str, Any]) -> None:
        text = record["text"]
        tokens = self.tokenize(text)
        tagged = tag_record(record, tokens, self.options, self.report)
        lines = [f"{word} {tag}" for word, tag in zip(tagged.words, tagged.tags, strict=True)]
        bounds = [0, *sentence_starts(text, tagged, self.is_punct(tokens, tagged.words), self.punct_chars), len(lines)]
        # Each sentence: its lines, then a blank line. A document without tokens gets the blank line alone.
        blocks = "".join("\n".join(lines[a:b]) + "\n\n" for a, b in itertools.pairwise(bounds) if a < b)
        self.stream.write((DOCSTART + "\n\n" + (blocks or "\n")).encode())

    def is_punct(self, tokens: Tokens, words: list[str]) -> Any:
        """Each token's IS_PUNCT (a numpy array), from the Doc the tokens came from when there is one."""
        if tokens.rows is not None and tokens.in_doc is not None:
            return tokens.column("IS_PUNCT")[tokens.in_doc] != 0
        from spacy.attrs import IS_PUNCT
        from spacy.tokens import Doc

        # The whitespace tokenizer's tokens (or spaCy's split again): a Doc of them, as spaCy's
        # sentencizer would be given.
        return Doc(self.nlp.vocab, words=words).to_array(IS_PUNCT) != 0


def sentence_starts(text: str, tagged: Tagged, is_punct: Any, punct_chars: set[str]) -> list[int]:
    """Indexes of the tokens (after the first) that begin a sentence, ascending.

    spaCy's sentencizer over the tokens, computed on arrays: a token that is neither
    punctuation (IS_PUNCT) nor one of its punct_chars begins a sentence when one of the
    punct_chars came after the previous such token. Then a break at every line break between
    two tokens, and none inside a tagged span.
    """
    count = len(tagged.words)
    if count < 2:
        return []
    import numpy

    ends_sentence = numpy.fromiter(map(punct_chars.__contains__, tagged.words), dtype=bool, count=count)
    plain = numpy.flatnonzero(~(is_punct | ends_sentence))
    seen = numpy.concatenate(([0], numpy.cumsum(ends_sentence)))  # seen[i]: punct_chars among tokens [0, i)
    previous = numpy.concatenate(([-1], plain[:-1]))
    starts = numpy.zeros(count, dtype=bool)
    starts[plain[seen[plain] - seen[previous + 1] > 0]] = True
    # A line break is whitespace, so it lies between two tokens: the one after it begins a line.
    for match in LINE_BREAK.finditer(text):
        after = bisect_right(tagged.starts, match.start())
        if after < count:
            starts[after] = True
    for first, last in tagged.kept:
        starts[first + 1 : last] = False
    starts[0] = False
    found: list[int] = numpy.flatnonzero(starts).tolist()
    return found
