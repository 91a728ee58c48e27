"""CoNLL / IOB files: one token per line, its tag in the last column.

Columns are separated by tabs or runs of spaces (doccano writes one or two spaces,
spaCy's examples a tab, CoNLL-2003 one space); only the first (the token) and the last
(the tag) are read, so 2-column and 4-column CoNLL-2003 files both work.

Documents: a line starting with -DOCSTART- begins a new document, and the sentences
(blocks between blank lines) up to the next one are its lines. A file with no
-DOCSTART- at all is a list of examples, as doccano and sentence-per-example datasets
lay it out: each block is a document of its own (a file without blank lines is one
document). Document ids are FILE-1, FILE-2, ... from the file's name.

Text: the tokens of a sentence joined by single spaces, sentences joined by "\\n"; the
spans are computed on that text, so text[start:end] is the entity's tokens joined by
spaces.

Tags: O, and PREFIX-LABEL with B, I, E, S, L or U as prefix, read so that IOB2, IOB1
and BILOU/BIOES all come out right: B-, S- and U- always begin an entity; I-, E- and L-
continue the entity before when it has the same label and is still open, and begin one
otherwise (IOB1's rule, which also reads IOB2 with a missing B- leniently); E-, L-, S-
and U- close the entity after their token. Any other tag is an error on its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from annotator.importers.native import Item
from annotator.importers.records import DocumentRecord, ImportProblem, SpanRecord

DOCSTART = "-DOCSTART-"
TAG = re.compile(r"(?:O|[BIESLU]-\S+)")
SNIFF_BYTES = 1 << 16
SNIFF_LINES = 50


class _Document:
    """The tokens read so far of one document, by sentence."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.sentences: list[list[tuple[str, str]]] = [[]]  # (token, tag)
        self.size = 0
        self.bad = False  # a line of it could not be read (reported): it is not imported

    def end_sentence(self) -> None:
        if self.sentences[-1]:
            self.sentences.append([])

    @property
    def empty(self) -> bool:
        return not any(self.sentences)

    def record(self, source: str, external_id: str) -> DocumentRecord:
        parts: list[str] = []
        spans: list[SpanRecord] = []
        position = 0
        for sentence in (s for s in self.sentences if s):
            if parts:
                parts.append("\n")
                position += 1
            current: SpanRecord | None = None  # the entity the next I-/E-/L- may continue
            closed = False
            for index, (token, tag) in enumerate(sentence):
                if index:
                    parts.append(" ")
                    position += 1
                start, end = position, position + len(token)
                parts.append(token)
                position = end
                if tag == "O":
                    current = None
                    continue
                prefix, label = tag[0], tag[2:]
                if prefix in "IEL" and current is not None and current.label == label and not closed:
                    current.end = end
                else:
                    current = SpanRecord(f"s{len(spans) + 1}", start, end, label)
                    spans.append(current)
                closed = prefix in "ELSU"
        text = "".join(parts)
        for span in spans:
            span.text = text[span.start : span.end]
        return DocumentRecord(source, self.line, text, external_id=external_id, spans=spans, size=self.size)


def read_conll(path: Path) -> Iterator[Item]:
    source = str(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        bad_line = data.count(b"\n", 0, error.start) + 1
        yield ImportProblem(
            source, bad_line, f"not UTF-8 (byte {error.start}: {data[error.start : error.start + 1]!r})"
        )
        return
    # Lines end at "\n" only (a lone "\r", "\x0c" or U+2028 inside a line is not a line break for
    # the editors and tools that show the line numbers the errors give).
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and not lines[-1]:
        lines.pop()
    by_docstart = any(line.startswith(DOCSTART) for line in lines)
    documents = 0
    current = _Document(1)

    def finish() -> Iterator[Item]:
        nonlocal documents
        if not current.empty or current.bad:
            documents += 1  # a bad document keeps its number: the ids do not depend on errors
            if not current.bad:
                yield current.record(source, f"{path.stem}-{documents}")

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith(DOCSTART):
            yield from finish()
            current = _Document(number)
            continue
        if not line:
            if by_docstart:
                current.end_sentence()
            else:
                yield from finish()
                current = _Document(number + 1)
            continue
        current.size += len(raw.encode()) + 1
        columns = line.split()
        if len(columns) < 2:
            current.bad = True
            yield ImportProblem(source, number, f"expected a token and a tag, got {line!r}")
            continue
        if not TAG.fullmatch(columns[-1]):
            current.bad = True
            yield ImportProblem(source, number, f"unknown tag {columns[-1]!r} (use O, B-X, I-X, E-X, S-X, L-X or U-X)")
            continue
        current.sentences[-1].append((columns[0], columns[-1]))
    yield from finish()


def looks_like_conll(path: Path) -> bool:
    """A -DOCSTART- line first, or token lines whose last column is an IOB tag."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    lines = [line.strip() for line in head.splitlines()]
    if len(head) == SNIFF_BYTES and len(lines) > 1:
        lines.pop()  # probably cut in the middle
    lines = [line for line in lines if line][:SNIFF_LINES]
    if not lines:
        return False
    if lines[0].startswith(DOCSTART):
        return True
    for line in lines:
        columns = line.split()
        if len(columns) < 2 or not TAG.fullmatch(columns[-1]):
            return False
    return True
