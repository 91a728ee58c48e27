"""spaCy's DocBin (.spacy): what `spacy train` reads without conversion.

Each native record becomes one Doc, tokenised by `spacy.blank(language)` (or by the
whitespace tokenizer, then built from words and spaces so that doc.text is the text):

- doc.spans["sc"] holds every span that sits on tokens (overlaps and nesting kept),
  labelled, with the span's id as Span.id_ (the spancat key).
- doc.ents holds the ones a flat NER layer can take, chosen with --overlaps; the rest
  are reported ("overlap", "not in ents") and stay in spans["sc"].
- doc.user_data["annotator"] keeps what the Doc has no place for, JSON-able: the
  document id, annotator, status, meta, schema (name, version, sha256), document
  labels, the spans with their ids, character offsets, attributes and token range in
  spans["sc"] (null when the span could not be placed), and the relations by span id.
  (DocBin stores it with msgpack: lists come back as tuples.)

A span off the token boundaries is placed on the tokens as --misaligned says (expanded,
contracted or skipped) and reported, by the same alignment as the other token formats
(tokens.align) over the Doc's tokens that are not whitespace: a span never begins or ends
with a whitespace token (spaCy's NER cannot be trained on such entities: error E024).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.exporters.base import ExportOptions, FormatReport, FormatWriter
from annotator.exporters.docbin_stream import open_docbin
from annotator.exporters.tokens import NOT_WHITESPACE, Offsets, align, blank_pipeline, choose, doc_tokens, problem
from annotator.project import Project

USER_DATA_KEY = "annotator"
# Only what a blank pipeline sets; the default (every attribute) makes the file ~3x larger
# for nothing (tags, lemmas, dependencies, morphology are all empty).
DOCBIN_ATTRS = ["ENT_IOB", "ENT_TYPE"]


class SpacyWriter(FormatWriter):
    suffix = ".spacy"

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        self.nlp = blank_pipeline(options.language)
        super().__init__(target, project, options, report)
        # Spooled beside the partial output (on its file system), or in the temporary folder.
        self.docbin = open_docbin(DOCBIN_ATTRS, self.spool_folder)
        from spacy.tokens import Span

        self.span_class = Span

    def add(self, record: dict[str, Any]) -> None:
        doc = self.make_doc(record["text"])
        tokens = doc_tokens(doc)
        placed = [self.place(doc, tokens, record, source) for source in record["spans"]]
        found = [(source, span) for source, span in zip(record["spans"], placed, strict=True) if span is not None]
        doc.spans["sc"] = [span for _, span in found]
        in_ents = choose([(span.start, span.end) for _, span in found], self.options.overlaps)
        ents: set[str] = set()
        for (source, _), keep in zip(found, in_ents, strict=True):
            if keep:
                ents.add(source["id"])
            else:
                self.report.problems.append(problem(record, source, "overlap", "not in ents"))
        doc.ents = [span for (_, span), keep in zip(found, in_ents, strict=True) if keep]
        doc.user_data[USER_DATA_KEY] = {
            "id": record["id"],
            "annotator": record["annotator"],
            "status": record["status"],
            "meta": record["meta"],
            "schema": record["schema"],
            "document_labels": record.get("document_labels", []),
            "spans": [
                {
                    "id": source["id"],
                    "start": source["start"],
                    "end": source["end"],
                    "label": source["label"],
                    "attributes": source["attributes"],
                    "token_start": None if span is None else span.start,
                    "token_end": None if span is None else span.end,
                    "in_ents": source["id"] in ents,
                }
                for source, span in zip(record["spans"], placed, strict=True)
            ],
            "relations": record["relations"],
        }
        self.docbin.add(doc)

    def close_output(self) -> None:
        try:
            self.docbin.write(self.stream)
        finally:
            self.docbin.close()

    def abort(self) -> None:
        self.docbin.close()
        super().abort()

    def make_doc(self, text: str) -> Any:
        if self.options.tokenizer == "spacy":
            return self.nlp.make_doc(text)
        return whitespace_doc(self.nlp.vocab, text)

    def place(self, doc: Any, tokens: tuple[Offsets, list[int]], record: dict[str, Any], source: dict[str, Any]) -> Any:
        """The span on tokens as the --misaligned policy places it, or None (reported)."""
        offsets, in_doc = tokens
        found = align(record["text"], offsets, source["start"], source["end"], self.options.misaligned)
        if found is None:
            self.report.problems.append(problem(record, source, "misaligned", "skipped"))
            return None
        first, last, action = found
        if action is not None:
            self.report.problems.append(problem(record, source, "misaligned", action))
        return self.span_class(doc, in_doc[first], in_doc[last - 1] + 1, label=source["label"], span_id=source["id"])


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
