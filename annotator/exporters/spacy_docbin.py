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

The Doc comes from the one tokenization (tokens.make_tokenizer), and what DocBin stores
of it is written from the Doc's array: the entity columns (ENT_IOB, ENT_TYPE) and the
span group are made from the token ranges directly, not by setting doc.ents and
doc.spans and reading them back (the DocBin is the same; tests compare it with spaCy's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.exporters.base import ExportOptions, FormatReport, FormatWriter
from annotator.exporters.docbin_stream import DocBinStream, open_docbin
from annotator.exporters.tokens import Tokens, blank_pipeline, choose, make_tokenizer, place_spans, problem
from annotator.project import Project

USER_DATA_KEY = "annotator"
SPAN_GROUP = "sc"
# Only what a blank pipeline sets; the default (every attribute) makes the file ~3x larger
# for nothing (tags, lemmas, dependencies, morphology are all empty).
DOCBIN_ATTRS = ["ENT_IOB", "ENT_TYPE"]
# Token.ent_iob values, as Doc.ents sets them.
IOB_INSIDE, IOB_OUTSIDE, IOB_BEGIN = 1, 2, 3

# One span on the Doc: its record, and its tokens [start, end) in the Doc.
OnDoc = tuple[dict[str, Any], int, int]


class SpacyWriter(FormatWriter):
    suffix = ".spacy"

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        # First: an unknown language fails before any file exists.
        self.tokenize = make_tokenizer(options, doc=True, columns=("ORTH", "SPACY"))
        super().__init__(target, project, options, report)
        # Spooled beside the partial output (on its file system), or in the temporary folder.
        self.docbin = open_docbin(DOCBIN_ATTRS, self.spool_folder)
        import numpy
        from spacy.attrs import ENT_IOB, ENT_TYPE, ORTH
        from spacy.strings import get_string_id

        self.numpy = numpy
        self.vocab = blank_pipeline(options.language).vocab
        self.string_id = get_string_id
        self.label_ids: dict[str, int] = {}
        self.attr_ids = (ORTH, ENT_IOB, ENT_TYPE)

    def add(self, record: dict[str, Any]) -> None:
        tokens = self.tokenize(record["text"])
        assert tokens.in_doc is not None  # a Doc's tokens, never split again
        in_doc = tokens.in_doc
        placed = place_spans(record, tokens, self.options.misaligned, self.report)
        found: list[OnDoc] = [
            (source, in_doc[at[0]], in_doc[at[1] - 1] + 1)
            for source, at in zip(record["spans"], placed, strict=True)
            if at is not None
        ]
        in_ents = choose([(start, end) for _, start, end in found], self.options.overlaps)
        ents: set[str] = set()
        for (source, _, _), keep in zip(found, in_ents, strict=True):
            if keep:
                ents.add(source["id"])
            else:
                self.report.problems.append(problem(record, source, "overlap", "not in ents"))
        user_data = {
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
                    "token_start": None if at is None else in_doc[at[0]],
                    "token_end": None if at is None else in_doc[at[1] - 1] + 1,
                    "in_ents": source["id"] in ents,
                }
                for source, at in zip(record["spans"], placed, strict=True)
            ],
            "relations": record["relations"],
        }
        kept = [span for span, keep in zip(found, in_ents, strict=True) if keep]
        if isinstance(self.docbin, DocBinStream):
            self.add_arrays(self.docbin, tokens, found, kept, {USER_DATA_KEY: user_data})
        else:
            self.docbin.add(spacy_doc(tokens.doc, found, kept, {USER_DATA_KEY: user_data}))

    def add_arrays(
        self, docbin: DocBinStream, tokens: Tokens, found: list[OnDoc], kept: list[OnDoc], user_data: dict[str, Any]
    ) -> None:
        """What DocBin.add() would take from the Doc with spans["sc"] = found and ents = kept, made from
        the Doc's array and the token ranges."""
        numpy = self.numpy
        count = len(tokens.rows)
        iob = numpy.full(count, IOB_OUTSIDE, dtype=numpy.uint64)
        types = numpy.zeros(count, dtype=numpy.uint64)
        for source, start, end in kept:
            iob[start] = IOB_BEGIN
            iob[start + 1 : end] = IOB_INSIDE
            types[start:end] = self.label_id(source["label"])
        orth, ent_iob, ent_type = self.attr_ids
        columns = {orth: tokens.column("ORTH"), ent_iob: iob, ent_type: types}
        array = numpy.column_stack([columns[attr] for attr in docbin.attrs])
        idx, length = tokens.column("IDX"), tokens.column("LENGTH")
        spans = [
            (
                self.string_id(source["id"]),
                0,
                self.label_id(source["label"]),
                start,
                end,
                int(idx[start]),
                int(idx[end - 1] + length[end - 1]),
            )
            for source, start, end in found
        ]
        strings = [name for source, _, _ in found for name in (source["label"], source["id"])]
        group = docbin.span_group_bytes(SPAN_GROUP, spans)
        docbin.add_parts(self.vocab, array, tokens.column("SPACY"), group, user_data, strings)

    def label_id(self, label: str) -> int:
        """A label's hash, added to the vocab's strings (the DocBin's strings are read from it)."""
        found = self.label_ids.get(label)
        if found is None:
            found = self.label_ids[label] = self.vocab.strings.add(label)
        return found

    def close_output(self) -> None:
        try:
            self.docbin.write(self.stream)
        finally:
            self.docbin.close()

    def abort(self) -> None:
        self.docbin.close()
        super().abort()


def spacy_doc(doc: Any, found: list[OnDoc], kept: list[OnDoc], user_data: dict[str, Any]) -> Any:
    """The Doc itself with spans["sc"], ents and user data set: for a DocBin this module cannot stream."""
    from spacy.tokens import Span

    def span(source: dict[str, Any], start: int, end: int) -> Any:
        return Span(doc, start, end, label=source["label"], span_id=source["id"])

    doc.spans[SPAN_GROUP] = [span(*on_doc) for on_doc in found]
    doc.ents = [span(*on_doc) for on_doc in kept]
    doc.user_data.update(user_data)
    return doc
