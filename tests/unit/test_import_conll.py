"""CoNLL / IOB import: the shared fixtures, IOB variants, round trips through the conll export."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from annotator.errors import AnnotatorError
from annotator.exporters import ExportOptions, export_format, export_jsonl
from annotator.exporters.tokens import make_tokenizer
from annotator.importers import ImportFailed, LabelMapping, detect_format, import_paths
from annotator.importers.conll import read_conll
from annotator.importers.records import DocumentRecord, ImportProblem
from annotator.project import Project
from tests.conftest import EXAMPLE, REPO, ProjectMaker, write_jsonl

FIXTURES = REPO / "tests" / "fixtures" / "tools"  # copies of ../shared/fixtures; see SOURCES.md there
DOCCANO = FIXTURES / "doccano" / "import_sequence_labeling_conll.txt"
SPACY_IOB = FIXTURES / "spacy-iob" / "ner-token-per-line.iob"


def schema_with(*labels: str) -> str:
    return "name: conll\nversion: 1\nlabels:\n" + "".join(
        f"  - {{name: {label}, color: '#9AD2F2', hotkey: {'abcdefgh'[i]}}}\n" for i, label in enumerate(labels)
    )


def entities_from_first_principles(path: Path) -> list[tuple[str, str]]:
    """(label, tokens joined by spaces) of each entity, for IOB2 files: B- begins, I- continues."""
    found: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split()
        if len(columns) < 2:
            continue
        tag = columns[-1]
        if tag.startswith("B-"):
            found.append((tag[2:], [columns[0]]))
        elif tag.startswith("I-"):
            found[-1][1].append(columns[0])
    return [(label, " ".join(tokens)) for label, tokens in found]


def exported(project: Project, tmp_path: Path) -> list[dict[str, Any]]:
    export_jsonl(project, tmp_path / "native.jsonl")
    return [orjson.loads(line) for line in (tmp_path / "native.jsonl").read_bytes().splitlines()]


def spans_of(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["label"], s["text"]) for r in records for s in r["spans"]]


def test_doccano_conll_fixture(make_project: ProjectMaker, tmp_path: Path) -> None:
    expected = entities_from_first_principles(DOCCANO)
    assert expected == [("ORG", "EU"), ("MISC", "German"), ("MISC", "British"), ("PER", "Peter Blackburn")]
    assert detect_format(DOCCANO) == "conll"
    with Project.open(make_project(schema_with("ORG", "MISC", "PER"))) as project:
        report = import_paths(project, [DOCCANO])
        records = exported(project, tmp_path)
    assert report.spans_added == len(expected)
    # No -DOCSTART-: each blank-line block is a document (doccano's own reading of the file).
    assert [r["text"] for r in records] == ["EU rejects German call to boycott British lamb .", "Peter Blackburn"]
    assert [r["id"] for r in records] == ["import_sequence_labeling_conll-1", "import_sequence_labeling_conll-2"]
    assert sorted(spans_of(records)) == sorted(expected)
    assert all(r["text"][s["start"] : s["end"]] == s["text"] for r in records for s in r["spans"])


def test_spacy_iob_fixture_with_a_label_mapping(make_project: ProjectMaker, tmp_path: Path) -> None:
    expected = entities_from_first_principles(SPACY_IOB)
    assert len(expected) == 7 and ("DATE", "earlier this week") in expected
    assert detect_format(SPACY_IOB) == "conll"
    with Project.open(make_project()) as project:  # the news schema: PERSON etc. must be mapped
        with pytest.raises(ImportFailed, match="labels the schema does not know"):
            import_paths(project, [SPACY_IOB])
        mapping = LabelMapping(rename={"PERSON": "ACTOR", "ORG": "ACTOR"}, drop=frozenset({"NORP"}))
        report = import_paths(project, [SPACY_IOB], format_name="conll", mapping=mapping)
        (record,) = exported(project, tmp_path)  # no blank line, no -DOCSTART-: one document
    tokens = [line.split("\t")[0] for line in SPACY_IOB.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == " ".join(tokens)
    assert (report.spans_added, report.spans_dropped) == (6, 1)
    renamed = {"PERSON": "ACTOR", "ORG": "ACTOR"}
    assert spans_of([record]) == [(renamed.get(label, label), text) for label, text in expected if label != "NORP"]
    assert all(record["text"][s["start"] : s["end"]] == s["text"] for s in record["spans"])


def records(tmp_path: Path, body: str) -> list[DocumentRecord | ImportProblem]:
    path = tmp_path / "in.conll"
    path.write_text(body, encoding="utf-8")
    return list(read_conll(path))


def spans(item: DocumentRecord | ImportProblem) -> list[tuple[str, str]]:
    assert isinstance(item, DocumentRecord), item
    return [(s.label, item.text[s.start : s.end]) for s in item.spans]


def test_iob1_iob2_and_bilou_read_alike(tmp_path: Path) -> None:
    iob2 = "Kim B-PER\nJong I-PER\nUn I-PER\nmet O\nXi B-PER\nJinping I-PER\nand O\nAbe B-PER\nAbe B-PER\n"
    iob1 = "Kim I-PER\nJong I-PER\nUn I-PER\nmet O\nXi I-PER\nJinping I-PER\nand O\nAbe I-PER\nAbe B-PER\n"
    bilou = "Kim B-PER\nJong I-PER\nUn L-PER\nmet O\nXi B-PER\nJinping E-PER\nand O\nAbe U-PER\nAbe S-PER\n"
    want = [("PER", "Kim Jong Un"), ("PER", "Xi Jinping"), ("PER", "Abe"), ("PER", "Abe")]
    for body in (iob2, iob1, bilou):
        (item,) = records(tmp_path, body)
        assert spans(item) == want
    # An I- after another label begins a new entity; an entity never runs over a sentence break.
    (item,) = records(tmp_path, "-DOCSTART- -X- O O\n\nKim B-PER\nSeoul I-LOC\n\nPark I-LOC\n")
    assert spans(item) == [("PER", "Kim"), ("LOC", "Seoul"), ("LOC", "Park")] and item.text == "Kim Seoul\nPark"


def test_docstart_separates_documents_and_blank_lines_sentences(tmp_path: Path) -> None:
    body = (
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n. . O O\n\n"
        "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n"
    )
    first, second = records(tmp_path, body)
    assert isinstance(first, DocumentRecord) and isinstance(second, DocumentRecord)
    assert (first.text, second.text) == ("EU rejects\n.", "Peter Blackburn")  # 4-column CoNLL-2003: tag last
    assert (first.external_id, second.external_id) == ("in-1", "in-2")
    assert spans(first) == [("ORG", "EU")] and spans(second) == [("PER", "Peter Blackburn")]


def test_bad_lines_are_reported_with_their_line_and_keep_the_rest(make_project: ProjectMaker, tmp_path: Path) -> None:
    body = "Kim B-PER\n\nlonely\n\nXi B-PER\nwent X-PER\n\nAbe B-PER\n"
    items = records(tmp_path, body)
    assert [str(i) for i in items if isinstance(i, ImportProblem)] == [
        f"{tmp_path / 'in.conll'}:3: expected a token and a tag, got 'lonely'",
        f"{tmp_path / 'in.conll'}:6: unknown tag 'X-PER' (use O, B-X, I-X, E-X, S-X, L-X or U-X)",
    ]
    assert [i.external_id for i in items if isinstance(i, DocumentRecord)] == ["in-1", "in-4"]
    with Project.open(make_project(schema_with("PER"))) as project:
        with pytest.raises(ImportFailed):
            import_paths(project, [tmp_path / "in.conll"], format_name="conll")
        report = import_paths(project, [tmp_path / "in.conll"], format_name="conll", skip_invalid=True)
    assert (report.documents_added, len(report.invalid)) == (2, 2)


def test_sniffing_tells_conll_from_text_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Kim Jong Un met officials.\nThey talked O\n", encoding="utf-8")
    (tmp_path / "b.iob").write_text("Kim\tB-PER\nmet\tO\n", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text('{"text": "x O"}\n', encoding="utf-8")
    (tmp_path / "d.conll").write_text("-DOCSTART- -X- O O\n\nKim B-PER\n", encoding="utf-8")
    assert detect_format(tmp_path / "a.txt") == "txt"
    assert detect_format(tmp_path / "b.iob") == "conll"
    assert detect_format(tmp_path / "c.jsonl") == "jsonl"
    assert detect_format(tmp_path / "d.conll") == "conll"
    (tmp_path / "e.dat").write_text("nothing to see\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="cannot tell its format"):
        detect_format(tmp_path / "e.dat")


@pytest.mark.parametrize("tokenizer", ["spacy", "whitespace"])
def test_native_to_conll_to_native_keeps_token_aligned_spans(
    make_project: ProjectMaker, tmp_path: Path, tokenizer: str
) -> None:
    text = "North Korea and Russia try to boost ties.\n\nMr Choe said he will visit Moscow next week."
    marks = [("North Korea", "ACTOR"), ("Russia", "ACTOR"), ("Choe", "ACTOR"), ("next week", "DATE")]
    spans_in = [{"start": text.index(t), "end": text.index(t) + len(t), "label": label} for t, label in marks]
    record = {"id": "a", "text": text, "spans": spans_in, "status": "done"}  # training formats take finished layers
    source = write_jsonl(tmp_path / "src.jsonl", [json.dumps(record)])
    options = ExportOptions(tokenizer=tokenizer)  # type: ignore[arg-type]
    with Project.open(make_project()) as first:
        import_paths(first, [source, EXAMPLE / "reference.jsonl"])
        originals = exported(first, tmp_path)
        report = export_format(first, "conll", tmp_path / "out.conll", options=options)
    with Project.open(make_project()) as second:
        imported = import_paths(second, [tmp_path / "out.conll"])
        back = exported(second, tmp_path)
    tokenize = make_tokenizer(options)
    touched = {(p.document, p.span) for p in report.problems}
    # Every span that no policy touched comes back with its label and its tokens joined by spaces.
    untouched = [
        (s["label"], tokens_of(r["text"], s, tokenize))
        for r in originals
        for s in r["spans"]
        if (r["id"], s["id"]) not in touched
    ]
    assert not Counter(untouched) - Counter(spans_of(back))
    if tokenizer == "spacy":  # everything is on spaCy's tokens: only the spans nested in a CLAIM go
        assert report.counts() == {"overlap skipped": 13}
        assert sorted(spans_of(back)) == sorted(untouched)
        assert spans_of(back[:1]) == [(label, t) for t, label in marks]
    else:  # "ties." and "week." are single whitespace tokens: the spans in them grow to the token
        assert ("a", "s4") in touched and ("DATE", "next week.") in spans_of(back[:1])
    skipped = sum(p.action == "skipped" for p in report.problems)
    assert imported.spans_added == sum(len(r["spans"]) for r in originals) - skipped
    assert all(r["text"][s["start"] : s["end"]] == s["text"] for r in back for s in r["spans"])


def tokens_of(text: str, span: dict[str, Any], tokenize: Any) -> str:
    starts, ends = tokenize(text).offsets
    inside = [text[s:e] for s, e in zip(starts, ends, strict=True) if span["start"] <= s and e <= span["end"]]
    return " ".join(inside)
