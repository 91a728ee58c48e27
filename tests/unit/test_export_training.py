"""The training formats read back by the real libraries: spaCy (DocBin, spacy train), datasets, CoNLL."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from annotator.cli import main
from annotator.exporters import ExportOptions, export_format, export_jsonl
from annotator.exporters.hf import HuggingFaceWriter
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import EXAMPLE, NEWS_SCHEMA, TRICKY_TEXT, ProjectMaker, write_jsonl

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402

NESTED_OVERLAPS = 13  # spans of the example inside a CLAIM: a flat layer cannot hold them with it


@pytest.fixture
def example(make_project: ProjectMaker) -> Iterator[Project]:
    with Project.open(make_project()) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
        yield project


def native(project: Project, tmp_path: Path) -> list[dict[str, Any]]:
    export_jsonl(project, tmp_path / "native.jsonl")
    return [orjson.loads(line) for line in (tmp_path / "native.jsonl").read_bytes().splitlines()]


def docs(path: Path) -> list[Any]:
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def plain(value: Any) -> Any:
    """msgpack gives lists back as tuples; compare as JSON."""
    return json.loads(json.dumps(value))


def test_docbin_holds_every_span_of_the_example(example: Project, tmp_path: Path) -> None:
    (record,) = native(example, tmp_path)
    report = export_format(example, "spacy", tmp_path / "out.spacy")
    (doc,) = docs(tmp_path / "out.spacy")
    assert doc.text == record["text"] and len(record["spans"]) == 77
    in_sc = {(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["sc"]}
    assert in_sc == {(s["start"], s["end"], s["label"], s["id"]) for s in record["spans"]}
    for span in record["spans"]:
        found = doc.char_span(span["start"], span["end"], alignment_mode="strict")
        assert found is not None and found.text == span["text"]
    ents = list(doc.ents)
    assert len(ents) == 77 - NESTED_OVERLAPS
    assert all(a.end <= b.start for a, b in itertools.pairwise(ents))  # no overlaps
    assert report.counts() == {"overlap not in ents": NESTED_OVERLAPS}
    assert {t.ent_iob_ for t in doc} == {"B", "I", "O"}  # outside the ents is "O", not missing
    kept = plain(doc.user_data["annotator"])
    assert (kept["id"], kept["annotator"], kept["status"]) == (record["id"], record["annotator"], record["status"])
    assert kept["schema"] == record["schema"] and kept["meta"] == record["meta"]
    assert kept["relations"] == record["relations"] and len(record["relations"]) == 14
    fields = ("id", "start", "end", "label", "attributes")
    assert [{k: s[k] for k in fields} for s in kept["spans"]] == [{k: s[k] for k in fields} for s in record["spans"]]
    assert sum(s["in_ents"] for s in kept["spans"]) == len(ents)
    for span in kept["spans"]:
        assert doc[span["token_start"] : span["token_end"]].text == record["text"][span["start"] : span["end"]]


def test_spacy_train_runs_two_epochs_on_the_export(example: Project, tmp_path: Path) -> None:
    from spacy.cli.init_config import init_config

    export_format(example, "spacy", tmp_path / "train.spacy")
    config = init_config(lang="en", pipeline=["ner", "spancat"], optimize="efficiency", gpu=False)
    config["training"]["max_epochs"] = 2
    config["training"]["max_steps"] = 0
    config.to_disk(tmp_path / "config.cfg")
    data = str(tmp_path / "train.spacy")  # the example is one document: train and dev alike
    command = [sys.executable, "-m", "spacy", "train", str(tmp_path / "config.cfg")]
    paths = ["--output", str(tmp_path / "model"), "--paths.train", data, "--paths.dev", data]
    done = subprocess.run([*command, *paths], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "model" / "model-last" / "meta.json").exists()
    trained = spacy.load(tmp_path / "model" / "model-last")
    assert set(trained.get_pipe("ner").labels) == {"ACTOR", "CLAIM", "DATE"}


def load_hf(data_files: str | dict[str, str], labels: list[str], cache: Path) -> Any:
    from datasets import ClassLabel, List, load_dataset

    dataset = load_dataset("json", data_files=data_files, cache_dir=str(cache))
    return dataset.cast_column("ner_tags", List(ClassLabel(names=labels)))


def test_hf_export_loads_with_datasets_and_its_labels(example: Project, tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    report = export_format(example, "hf", tmp_path / "ner.jsonl")
    meta = json.loads((tmp_path / "ner.labels.json").read_text())
    assert meta["labels"] == ["O", "B-ACTOR", "I-ACTOR", "B-CLAIM", "I-CLAIM", "B-DATE", "I-DATE"]
    assert meta["schema"] == {"name": "news", "version": 1, "sha256": example.schema.sha256}
    loaded = load_hf(str(tmp_path / "ner.jsonl"), meta["labels"], tmp_path / "cache")["train"]
    (line,) = [orjson.loads(x) for x in (tmp_path / "ner.jsonl").read_bytes().splitlines()]
    assert loaded.column_names == ["id", "tokens", "ner_tags"]
    assert loaded[0]["tokens"] == line["tokens"]
    assert [meta["labels"][i] for i in loaded[0]["ner_tags"]] == line["ner_tags"]
    assert sum(tag.startswith("B-") for tag in line["ner_tags"]) == 77 - NESTED_OVERLAPS
    assert report.counts() == {"overlap skipped": NESTED_OVERLAPS}


def small_documents(tmp_path: Path, count: int, start: int = 0) -> Path:
    lines = []
    for i in range(start, start + count):
        text = f"Kim Jong Un met envoy {i} in Moscow."
        spans = [{"id": "s1", "start": 0, "end": 11, "label": "ACTOR"}]
        lines.append(json.dumps({"id": f"d{i}", "text": text, "spans": spans, "annotator": "alice", "status": "done"}))
    return write_jsonl(tmp_path / f"docs{start}.jsonl", lines)


def hf_ids(folder: Path) -> dict[str, str]:
    return {
        orjson.loads(line)["id"]: part.stem
        for part in sorted(folder.glob("*.jsonl"))
        for line in part.read_bytes().splitlines()
    }


def test_split_puts_each_document_in_one_part_and_new_documents_move_none(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    pytest.importorskip("datasets")
    with Project.open(make_project()) as project:
        import_paths(project, [small_documents(tmp_path, 60)])
        export_format(project, "hf", tmp_path / "one", split=(0.8, 0.1, 0.1), seed=1)
        export_format(project, "spacy", tmp_path / "bins", split=(0.8, 0.1, 0.1), seed=1)
        import_paths(project, [small_documents(tmp_path, 40, start=60)])
        export_format(project, "hf", tmp_path / "two", split=(0.8, 0.1, 0.1), seed=1)
    names = sorted(p.name for p in (tmp_path / "one").iterdir() if not p.name.startswith("."))
    assert names == ["dev.jsonl", "labels.json", "test.jsonl", "train.jsonl"]
    before, after = hf_ids(tmp_path / "one"), hf_ids(tmp_path / "two")
    lines = sum(len(p.read_bytes().splitlines()) for p in (tmp_path / "one").glob("*.jsonl"))
    assert len(before) == lines == 60 and len(after) == 100  # each document in exactly one part
    assert {k: after[k] for k in before} == before
    assert set(before.values()) == {"train", "dev", "test"}
    in_bins = {
        plain(doc.user_data["annotator"])["id"]: part.stem
        for part in sorted((tmp_path / "bins").glob("*.spacy"))
        for doc in docs(part)
    }
    assert in_bins == before  # the same split in every format
    labels = json.loads((tmp_path / "two" / "labels.json").read_text())["labels"]
    parts = {name: str(tmp_path / "two" / f"{name}.jsonl") for name in ("train", "dev", "test")}
    loaded = load_hf(parts, labels, tmp_path / "cache")
    assert sum(len(loaded[name]) for name in parts) == 100


def test_conll_export_is_read_by_spacys_converter(example: Project, tmp_path: Path) -> None:
    from spacy.training.converters import conll_ner_to_docs

    report = export_format(example, "conll", tmp_path / "out.conll")
    text = (tmp_path / "out.conll").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[:2] == ["-DOCSTART- -X- O O", ""] and text.endswith("\n\n")
    previous = ""
    for line in lines[2:]:
        if line:
            token, tag = line.split(" ")
            assert token and not any(c.isspace() for c in token)
            assert not (tag.startswith("I-") and not previous), "an entity cut by a sentence break"
        previous = line
    b_tags = sum(line.split(" ")[-1].startswith("B-") for line in lines[2:] if line)
    assert b_tags == 77 - NESTED_OVERLAPS and report.counts() == {"overlap skipped": NESTED_OVERLAPS}
    (doc,) = conll_ner_to_docs(text, n_sents=0, no_print=True)
    assert len(doc.ents) == b_tags


def policy_project(make_project: ProjectMaker, tmp_path: Path, overlap: str = "nested") -> Project:
    """'Kim' inside a token, ' Choe' with a leading space, a CLAIM around an ACTOR and a DATE."""
    text = "Kim met KimJong. Mr  Choe said Kim Jong Un will visit Moscow next week."
    spans = [
        (text.index("KimJong"), text.index("KimJong") + 3, "ACTOR"),
        (text.index(" Choe"), text.index(" Choe") + 5, "ACTOR"),
        (text.index("Kim Jong"), text.index("next week") + 9, "CLAIM"),
        (text.index("Kim Jong"), text.index("Kim Jong") + 11, "ACTOR"),
        (text.index("next week"), text.index("next week") + 9, "DATE"),
    ]
    if overlap == "allow":  # two spans that cross: the earlier is shorter than the later
        spans = [
            (text.index("Choe"), text.index("Kim Jong") + 3, "CLAIM"),
            (text.index("said"), len(text) - 1, "CLAIM"),
        ]
    schema = NEWS_SCHEMA.read_text(encoding="utf-8").replace("overlap: nested", f"overlap: {overlap}")
    record = {"id": "d1", "text": text, "annotator": "alice", "status": "done", "spans": [
        {"id": f"s{i}", "start": s, "end": e, "label": label} for i, (s, e, label) in enumerate(spans, 1)
    ]}  # fmt: skip
    project = Project.open(make_project(schema))
    import_paths(project, [write_jsonl(tmp_path / "policy.jsonl", [json.dumps(record)])])
    return project


def problems(report: Any) -> list[tuple[str, str, str]]:
    return sorted((p.text, p.problem, p.action) for p in report.problems)


MISALIGNED = {
    "expand": [("Kim", "misaligned", "expanded"), (" Choe", "misaligned", "trimmed")],
    "contract": [("Kim", "misaligned", "skipped"), (" Choe", "misaligned", "trimmed")],
    "skip": [("Kim", "misaligned", "skipped"), (" Choe", "misaligned", "skipped")],
}


@pytest.mark.parametrize("misaligned", ["expand", "contract", "skip"])
@pytest.mark.parametrize("format_name", ["spacy", "hf", "conll"])
def test_misaligned_policy(make_project: ProjectMaker, tmp_path: Path, format_name: str, misaligned: str) -> None:
    with policy_project(make_project, tmp_path) as project:
        options = ExportOptions(misaligned=misaligned)  # type: ignore[arg-type]
        report = export_format(project, format_name, tmp_path / "out", options=options)
    dropped = "not in ents" if format_name == "spacy" else "skipped"
    nested = [("Kim Jong Un", "overlap", dropped), ("next week", "overlap", dropped)]
    assert problems(report) == sorted(MISALIGNED[misaligned] + nested)
    if format_name == "spacy":
        (doc,) = docs(tmp_path / "out")
        placed = {(s.text, s.label_) for s in doc.spans["sc"]}
        assert ("KimJong", "ACTOR") in placed if misaligned == "expand" else ("KimJong", "ACTOR") not in placed
        assert ("Choe", "ACTOR") in placed if misaligned != "skip" else ("Choe", "ACTOR") not in placed
        assert len(doc.spans["sc"]) == 5 - sum(action == "skipped" for *_, action in MISALIGNED[misaligned])
        assert [e.label_ for e in doc.ents if e.text.startswith("Kim Jong")] == ["CLAIM"]


@pytest.mark.parametrize(
    ("overlaps", "kept"),
    [("longest", ["said Kim Jong Un will visit Moscow next week"]), ("first", ["Choe said Kim"]), ("skip", [])],
)
@pytest.mark.parametrize("format_name", ["spacy", "hf"])
def test_overlap_policy_on_crossing_spans(
    make_project: ProjectMaker, tmp_path: Path, format_name: str, overlaps: str, kept: list[str]
) -> None:
    with policy_project(make_project, tmp_path, overlap="allow") as project:
        options = ExportOptions(overlaps=overlaps)  # type: ignore[arg-type]
        report = export_format(project, format_name, tmp_path / "out", options=options)
    both = ["Choe said Kim", "said Kim Jong Un will visit Moscow next week"]
    dropped = "not in ents" if format_name == "spacy" else "skipped"
    assert problems(report) == [(text, "overlap", dropped) for text in both if text not in kept]
    if format_name == "spacy":
        (doc,) = docs(tmp_path / "out")
        assert [e.text for e in doc.ents] == kept and len(doc.spans["sc"]) == 2
    else:
        (line,) = [orjson.loads(x) for x in (tmp_path / "out").read_bytes().splitlines()]
        tagged = [t for t, tag in zip(line["tokens"], line["ner_tags"], strict=True) if tag != "O"]
        assert " ".join(tagged) == " ".join(kept)


def test_whitespace_tokenizer_in_a_docbin_keeps_the_exact_text(make_project: ProjectMaker, tmp_path: Path) -> None:
    start = TRICKY_TEXT.index("Choe")
    spans = [{"start": start, "end": start + 14, "label": "ACTOR"}]
    record = {"id": "t", "text": TRICKY_TEXT, "spans": spans, "status": "done"}
    with Project.open(make_project()) as project:
        import_paths(project, [write_jsonl(tmp_path / "t.jsonl", [json.dumps(record)])])
        report = export_format(project, "spacy", tmp_path / "t.spacy", options=ExportOptions(tokenizer="whitespace"))
    (doc,) = docs(tmp_path / "t.spacy")
    assert doc.text == TRICKY_TEXT and report.problems == []
    assert all(t.is_space or not any(c.isspace() for c in t.text) for t in doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Choe Ryong Hae", "ACTOR")]


def test_a_failed_export_leaves_no_file(example: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: Any, record: dict[str, Any]) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(HuggingFaceWriter, "add", fail)
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError):
        export_format(example, "hf", tmp_path / "out" / "ner.jsonl")
    with pytest.raises(RuntimeError):
        export_format(example, "hf", tmp_path / "split", split=(0.5, 0.5))
    assert list((tmp_path / "out").iterdir()) == [] and not (tmp_path / "split").exists()


def test_cli_exports_and_counts_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "p")]) == 0
    assert main(["import", str(tmp_path / "p"), str(EXAMPLE / "reference.jsonl")]) == 0
    capsys.readouterr()
    assert main(["export", str(tmp_path / "p"), "--format", "conll", "-o", str(tmp_path / "x.conll")]) == 0
    out, err = capsys.readouterr()
    assert f"{NESTED_OVERLAPS} item(s) overlap skipped" in out and "overlap, skipped" in err


def test_the_native_export_never_loads_spacy_or_datasets(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = make_project()
    with Project.open(root) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
    probe = (
        "import sys; from annotator.cli import main; "
        f"main(['export', {str(root)!r}, '-o', {str(tmp_path / 'n.jsonl')!r}]); "
        "print(sorted(m for m in ('spacy', 'datasets', 'thinc') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
