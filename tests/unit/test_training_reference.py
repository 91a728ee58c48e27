"""The training formats are made from one tokenization per document, and write what the slow way wrote.

The slow way is the straightforward use of spaCy that the writers replaced: Token objects
for the offsets, spaCy's sentencizer on a second Doc built from the words, Span objects set
as doc.spans and doc.ents and spaCy's own DocBin. On random texts and spans (hypothesis) the
hf and conll files must be byte-identical to it, the DocBin the same message, and the
report the same problems in the same order.
"""

from __future__ import annotations

import re
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.exporters import ExportOptions, export_format
from annotator.exporters.base import ExportProblem, FormatReport, FormatWriter
from annotator.exporters.conll import DOCSTART, LINE_BREAK, ConllWriter
from annotator.exporters.hf import HuggingFaceWriter
from annotator.exporters.spacy_docbin import DOCBIN_ATTRS, USER_DATA_KEY, SpacyWriter
from annotator.exporters.tokens import align, blank_pipeline, choose, problem
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import ProjectMaker, write_jsonl

spacy = pytest.importorskip("spacy")
srsly = pytest.importorskip("srsly")
from spacy.tokens import Doc, DocBin, Span  # noqa: E402
from spacy.vocab import Vocab  # noqa: E402

SCHEMA = {"name": "news", "version": 1, "sha256": "0" * 64}
WORDS = [
    "Kim",
    "Jong",
    "Un",
    "said",
    ":",
    "“they’ll",
    "visit”",
    "(Mr.",
    "Choe)",
    "!",
    "ok?",
    "2014-11-14,",
    "U.S.",
    ".",
]
WORDS += ["😀", "🇷🇺", "平壤", "e.g.", "...", "don't", "$5"]
GAPS = [" ", " ", " ", "", "  ", "\n", "\r\n", "\t", "\n\n", " \n", "\u2028", "\u00a0", "\x0b", "\x1c"]


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    made = []
    for number in range(draw(st.integers(1, 3))):
        pieces = draw(st.lists(st.tuples(st.sampled_from(GAPS), st.sampled_from(WORDS)), min_size=1, max_size=20))
        text = "".join(gap + word for gap, word in pieces) + draw(st.sampled_from(GAPS))
        spans = []
        for index in range(draw(st.integers(0, 8))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            label = draw(st.sampled_from(["ACTOR", "CLAIM"]))
            spans.append(
                {"id": f"s{index + 1}", "start": start, "end": end, "label": label, "text": text[start:end]}
                | {"attributes": {"kind": "person"} if label == "ACTOR" else {}}
            )
        made.append(
            {"id": f"d{number}", "text": text, "meta": {"n": number}, "spans": spans, "relations": []}
            | {"annotator": "a", "status": "done", "schema": SCHEMA}
        )
    return made


OPTIONS = st.builds(
    ExportOptions,
    tokenizer=st.sampled_from(["spacy", "whitespace"]),
    misaligned=st.sampled_from(["expand", "contract", "skip"]),
    overlaps=st.sampled_from(["longest", "first", "skip"]),
)


class _Schema:
    name, version, sha256, label_names = "news", 1, "0" * 64, ("ACTOR", "CLAIM")


class _Project:
    schema = _Schema()


def written(writer_class: type[FormatWriter], items: list[dict[str, Any]], options: ExportOptions) -> tuple[bytes, Any]:
    """What a writer writes for these records (the format's file), and its report."""
    report = FormatReport()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"out{writer_class.suffix}"
        writer = writer_class(target, _Project(), options, report)  # type: ignore[arg-type]
        for record in items:
            writer.add(record)
        writer.finish()
        return target.read_bytes(), report


# -- the slow way ---------------------------------------------------------------------------


def slow_tokens(text: str, options: ExportOptions) -> tuple[list[int], list[int], Any]:
    """Token offsets from Token objects (whitespace tokens dropped), and the Doc."""
    nlp = blank_pipeline(options.language)
    if options.tokenizer == "whitespace":
        found = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        return [s for s, _ in found], [e for _, e in found], None
    doc = nlp.make_doc(text)
    kept = [token for token in doc if not token.is_space]
    return [t.idx for t in kept], [t.idx + len(t) for t in kept], doc


def slow_tags(record: dict[str, Any], options: ExportOptions, problems: list[ExportProblem]) -> Any:
    text = record["text"]
    starts, ends, _ = slow_tokens(text, options)
    aligned = []
    for span in record["spans"]:
        found = align(text, (starts, ends), span["start"], span["end"], options.misaligned)
        if found is None:
            problems.append(problem(record, span, "misaligned", "skipped"))
            continue
        if found[2] is not None:
            problems.append(problem(record, span, "misaligned", found[2]))
        aligned.append((found[0], found[1], span))
    tags = ["O"] * len(starts)
    kept = []
    for (first, last, span), keep in zip(aligned, choose([a[:2] for a in aligned], options.overlaps), strict=True):
        if not keep:
            problems.append(problem(record, span, "overlap", "skipped"))
            continue
        tags[first:last] = [f"B-{span['label']}"] + [f"I-{span['label']}"] * (last - first - 1)
        kept.append((first, last))
    return [text[s:e] for s, e in zip(starts, ends, strict=True)], tags, starts, ends, kept


def slow_hf(items: list[dict[str, Any]], options: ExportOptions, problems: list[ExportProblem]) -> bytes:
    lines = []
    for record in items:
        words, tags, *_ = slow_tags(record, options, problems)
        lines.append(orjson.dumps({"id": record["id"], "tokens": words, "ner_tags": tags}) + b"\n")
    return b"".join(lines)


def slow_conll(items: list[dict[str, Any]], options: ExportOptions, problems: list[ExportProblem]) -> bytes:
    nlp = blank_pipeline(options.language, sentencizer=True)
    out = []
    for record in items:
        text = record["text"]
        words, tags, starts, ends, kept = slow_tags(record, options, problems)
        breaks: set[int] = set()
        if len(words) > 1:
            doc = nlp.get_pipe("sentencizer")(Doc(nlp.vocab, words=words))  # spaCy's own sentencizer
            breaks = {token.i for token in doc if token.is_sent_start and token.i}
            breaks |= {i for i in range(1, len(words)) if LINE_BREAK.search(text, ends[i - 1], starts[i])}
            for first, last in kept:
                breaks -= set(range(first + 1, last))
        lines = [DOCSTART, ""]
        for index, (word, tag) in enumerate(zip(words, tags, strict=True)):
            if index in breaks:
                lines.append("")
            lines.append(f"{word} {tag}")
        out.append("\n".join([*lines, ""]) + "\n")
    return "".join(out).encode()


def slow_docbin(items: list[dict[str, Any]], options: ExportOptions, problems: list[ExportProblem]) -> bytes:
    nlp = blank_pipeline(options.language)
    docbin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
    for record in items:
        text = record["text"]
        if options.tokenizer == "whitespace":
            from annotator.exporters.tokens import whitespace_doc

            doc = whitespace_doc(nlp.vocab, text)
        else:
            doc = nlp.make_doc(text)
        kept = [token for token in doc if not token.is_space]
        offsets = ([t.idx for t in kept], [t.idx + len(t) for t in kept])
        placed: list[Any] = []
        for source in record["spans"]:
            found = align(text, offsets, source["start"], source["end"], options.misaligned)
            if found is None:
                problems.append(problem(record, source, "misaligned", "skipped"))
                placed.append(None)
                continue
            if found[2] is not None:
                problems.append(problem(record, source, "misaligned", found[2]))
            start, end = kept[found[0]].i, kept[found[1] - 1].i + 1
            placed.append(Span(doc, start, end, label=source["label"], span_id=source["id"]))
        found_spans = [span for span in placed if span is not None]
        doc.spans["sc"] = found_spans
        in_ents = choose([(span.start, span.end) for span in found_spans], options.overlaps)
        sources = [source for source, span in zip(record["spans"], placed, strict=True) if span is not None]
        for source, keep in zip(sources, in_ents, strict=True):
            if not keep:
                problems.append(problem(record, source, "overlap", "not in ents"))
        doc.ents = [span for span, keep in zip(found_spans, in_ents, strict=True) if keep]
        ents = {source["id"] for source, keep in zip(sources, in_ents, strict=True) if keep}
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
        docbin.add(doc)
    return bytes(docbin.to_bytes())


def same_docbin(ours: bytes, theirs: bytes) -> None:
    mine, reference = srsly.msgpack_loads(zlib.decompress(ours)), srsly.msgpack_loads(zlib.decompress(theirs))
    assert list(mine) == list(reference)
    for key in reference:
        if key != "strings":  # DocBin also stores empty tags, lemmas and norms, which get_docs does not need
            assert mine[key] == reference[key], key
    assert set(mine["strings"]) <= set(reference["strings"])
    # ... and every string a Doc needs is there: loaded into an empty vocab, the Docs are the same.
    loaded, expected = (list(DocBin().from_bytes(data).get_docs(Vocab())) for data in (ours, theirs))
    assert [_seen(doc) for doc in loaded] == [_seen(doc) for doc in expected]


def _seen(doc: Any) -> Any:
    spans = [(s.start, s.end, s.label_, s.id_) for s in doc.spans["sc"]]
    return doc.text, spans, [(e.start, e.end, e.label_) for e in doc.ents], doc.user_data


# -- the properties -----------------------------------------------------------------------

SLOW: dict[type[FormatWriter], Callable[[list[dict[str, Any]], ExportOptions, list[ExportProblem]], bytes]] = {
    HuggingFaceWriter: slow_hf,
    ConllWriter: slow_conll,
    SpacyWriter: slow_docbin,
}


@pytest.mark.parametrize("writer_class", list(SLOW), ids=["hf", "conll", "spacy"])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=records(), options=OPTIONS)
def test_every_training_format_writes_what_the_slow_way_wrote(
    items: list[dict[str, Any]], options: ExportOptions, writer_class: type[FormatWriter]
) -> None:
    data, report = written(writer_class, items, options)
    problems: list[ExportProblem] = []
    reference = SLOW[writer_class](items, options, problems)
    if writer_class is SpacyWriter:
        same_docbin(data, reference)
    else:
        assert data == reference
    assert report.problems == problems


def test_the_docbin_spaCy_would_write_itself_is_the_same(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """For a DocBin version docbin_stream does not know, the writer hands spaCy's DocBin full Docs."""
    text = "Kim Jong Un met\n Choe  Ryong Hae. 😀 Then:  they left."
    spans = [(0, 11, "ACTOR"), (0, 15, "CLAIM"), (17, 32, "ACTOR"), (1, 5, "ACTOR")]
    record = {
        "id": "d1", "text": text, "meta": {}, "relations": [], "annotator": "a", "status": "done", "schema": SCHEMA,
        "spans": [
            {"id": f"s{i}", "start": s, "end": e, "label": label, "text": text[s:e], "attributes": {}}
            for i, (s, e, label) in enumerate(spans)
        ],
    }  # fmt: skip
    streamed, _ = written(SpacyWriter, [record], ExportOptions())
    monkeypatch.setattr("annotator.exporters.docbin_stream.VERSION", "another")
    in_memory, _ = written(SpacyWriter, [record], ExportOptions())
    assert in_memory == slow_docbin([record], ExportOptions(), [])
    same_docbin(streamed, in_memory)


@pytest.mark.parametrize("format_name", ["hf", "conll", "spacy"])
def test_each_document_is_tokenized_once(
    format_name: str, make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One call of spaCy's tokenizer per document, and no second Doc built from its words."""
    texts = ["Kim met Choe. Then they left!\nNew line", "Mr. Choe said: “soon”.", "one"]
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            orjson.dumps(
                {"id": f"d{i}", "text": text, "status": "done", "spans": [{"start": 0, "end": 3, "label": "DATE"}]}
            ).decode()
            for i, text in enumerate(texts)
        ],
    )
    nlp = blank_pipeline("en")
    tokenized: list[str] = []
    tokenizer = nlp.tokenizer

    def counting(text: str) -> Any:
        tokenized.append(text)
        return tokenizer(text)

    built_from_words: list[Any] = []

    def no_second_doc(*args: Any, **kwargs: Any) -> Any:
        built_from_words.append(kwargs.get("words"))
        return Doc(*args, **kwargs)

    with Project.open(make_project()) as project:
        import_paths(project, [source])
        monkeypatch.setattr(nlp, "tokenizer", counting)
        monkeypatch.setattr("spacy.tokens.Doc", no_second_doc)
        report = export_format(project, format_name, tmp_path / "out")
    assert report.documents == 3
    assert sorted(tokenized) == sorted(texts)
    assert built_from_words == []
