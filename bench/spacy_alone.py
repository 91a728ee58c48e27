"""The baseline of the training exports: spaCy alone building and serialising the same Docs.

A plain script, no annotator code: the texts and the finished layers' spans are read from
the project's SQLite database with raw sqlite3 (documents in id order, in chunks of 1,000,
each chunk's spans with one query, ordered as the export orders them); each text is
tokenized by the blank pipeline's tokenizer (`nlp.tokenizer.pipe`, not the pipeline); each
span is put on the tokens with `doc.char_span(start, end, label=..., alignment_mode="expand")`
(spans off the tokens grow to them, as the export's default --misaligned expand), all of
them go into `doc.spans["sc"]` and the ones `spacy.util.filter_spans` keeps into `doc.ents`;
the Docs are added to a `DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)`
written with `to_bytes()` every 10,000 Docs (one file per 10,000, so that a 100,000-document
run does not hold every Doc's arrays at once).

What it leaves out that the export does: annotator's filters and one-layer-per-document
rule, the report of every span moved or dropped, span ids, attributes, relations and the
user data (document id, meta, schema), atomic output.

Usage: imported by bench/formats.py (run_baseline), or
python bench/spacy_alone.py PROJECT_FOLDER OUT.spacy   (prints docs, spans and seconds)
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHUNK_DOCUMENTS = 1000
DOCS_PER_FILE = 10_000
FINISHED = "done"

SELECT_DOCUMENTS = "SELECT id, text FROM documents WHERE id > ? ORDER BY id LIMIT ?"
SELECT_SPANS = (
    'SELECT s.document_id, s.start, s."end", s.label FROM spans s '
    "JOIN document_status d ON d.document_id = s.document_id AND d.annotator_id = s.annotator_id "
    'WHERE s.document_id BETWEEN ? AND ? AND d.status = ? ORDER BY s.document_id, s.start, s."end", s.label'
)


def records(db: Path) -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
    """(text, spans) of every document, a chunk of documents at a time."""
    connection = sqlite3.connect(db)
    try:
        last = 0
        while chunk := connection.execute(SELECT_DOCUMENTS, (last, CHUNK_DOCUMENTS)).fetchall():
            spans: dict[int, list[tuple[int, int, str]]] = {}
            for document_id, start, end, label in connection.execute(
                SELECT_SPANS, (chunk[0][0], chunk[-1][0], FINISHED)
            ):
                spans.setdefault(document_id, []).append((start, end, label))
            for document_id, text in chunk:
                yield text, spans.get(document_id, [])
            last = chunk[-1][0]
    finally:
        connection.close()


def build_and_serialise(nlp: Any, db: Path, target: Path) -> tuple[int, int]:
    """The Docs of every document, in DocBins; returns (documents, spans placed)."""
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    read = records(db)
    pending: deque[list[tuple[int, int, str]]] = deque()  # the spans of the texts handed to the tokenizer

    def texts() -> Iterator[str]:
        for text, spans in read:
            pending.append(spans)
            yield text

    docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)
    documents = placed = part = 0
    for doc in nlp.tokenizer.pipe(texts(), batch_size=1000):
        spans = [
            doc.char_span(start, end, label=label, alignment_mode="expand") for start, end, label in pending.popleft()
        ]
        found = [span for span in spans if span is not None]
        doc.spans["sc"] = found
        doc.ents = filter_spans(found)
        docbin.add(doc)
        documents += 1
        placed += len(found)
        if len(docbin) == DOCS_PER_FILE:
            part = _write(docbin, target, part)
            docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)
    if len(docbin) or not part:
        _write(docbin, target, part)
    return documents, placed


def _write(docbin: Any, target: Path, part: int) -> int:
    path = target if part == 0 else target.with_name(f"{target.stem}-{part}{target.suffix}")
    path.write_bytes(docbin.to_bytes())
    return part + 1


def outputs(target: Path) -> list[Path]:
    return [target, *sorted(target.parent.glob(f"{target.stem}-*{target.suffix}"))]


if __name__ == "__main__":
    import spacy

    nlp = spacy.blank("en")
    started = time.perf_counter()
    counted = build_and_serialise(nlp, Path(sys.argv[1]) / "annotator.db", Path(sys.argv[2]))
    print(*counted, f"{time.perf_counter() - started:.2f} s")
