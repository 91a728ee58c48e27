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

import re
from pathlib import Path
from typing import Any

from annotator.exporters.base import ExportOptions, FormatReport, FormatWriter
from annotator.exporters.iob import Tagged, tag_record
from annotator.exporters.tokens import blank_pipeline, make_tokenizer
from annotator.project import Project

DOCSTART = "-DOCSTART- -X- O O"
LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # what str.splitlines() splits on


class ConllWriter(FormatWriter):
    suffix = ".conll"

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        self.tokenize = make_tokenizer(options)
        self.nlp = blank_pipeline(options.language, sentencizer=True)
        super().__init__(target, project, options, report)

    def add(self, record: dict[str, Any]) -> None:
        tagged = tag_record(record, self.tokenize, self.options, self.report)
        starts = sentence_starts(record["text"], tagged, self.nlp)
        lines = [DOCSTART, ""]
        for index, (word, tag) in enumerate(zip(tagged.words, tagged.tags, strict=True)):
            if index in starts:
                lines.append("")
            lines.append(f"{word} {tag}")
        lines.append("")
        self.stream.write(("\n".join(lines) + "\n").encode())


def sentence_starts(text: str, tagged: Tagged, nlp: Any) -> set[int]:
    """Indexes of the tokens (after the first) that begin a sentence."""
    if len(tagged.words) < 2:
        return set()
    from spacy.tokens import Doc

    doc = nlp.get_pipe("sentencizer")(Doc(nlp.vocab, words=tagged.words))
    starts = {index for index, start in enumerate(doc.to_array("SENT_START").tolist()) if start == 1 and index}
    starts.update(
        index
        for index in range(1, len(tagged.words))
        if LINE_BREAK.search(text, tagged.ends[index - 1], tagged.starts[index])
    )
    for first, last in tagged.kept:
        starts.difference_update(range(first + 1, last))
    return starts
