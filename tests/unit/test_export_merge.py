"""`annotator export --layer / --merge` as the command line runs it, the outputs read back.

Three annotators (and gold) on one document, one finished layer on another, none on the rest:
the merged layer is checked span by span, re-imported into a fresh project, and exported again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import MERGE_RULES, main
from annotator.exporters import ExportFilter, ExportOptions, export_format
from annotator.formats import TRAINING, WRITABLE
from annotator.layer_merge import RULES
from annotator.project import Project
from tests.conftest import ProjectMaker, write_jsonl

TEXT = "Mr Choe said Kim Jong Un will visit Moscow on Monday."


def at(word: str, label: str, **attributes: Any) -> dict[str, Any]:
    start = TEXT.index(word)
    return {"id": f"{label}{start}", "start": start, "end": start + len(word), "label": label, "attributes": attributes}


CHOE, CLAIM = "ACTOR3", "CLAIM13"
CLAIM_TEXT = "Kim Jong Un will visit Moscow on Monday"
LAYERS = {
    "alice": (
        [at("Choe", "ACTOR", kind="person"), at("Kim Jong Un", "ACTOR", kind="person"), at(CLAIM_TEXT, "CLAIM"),
         at("Monday", "DATE", value="2014-11-17")],
        [("SAID_BY", CLAIM, CHOE), ("WHEN", CLAIM, "DATE46")],
    ),
    "bob": (
        [at("Choe", "ACTOR", kind="person"), at("Kim Jong Un", "ACTOR", kind="state"), at(CLAIM_TEXT, "CLAIM")],
        [("SAID_BY", CLAIM, CHOE)],
    ),
    "carol": (
        [at("Choe", "ACTOR", kind="organisation"), at("Kim Jong Un", "ACTOR", kind="state"),
         at("Moscow", "ACTOR", kind="state"), at("Monday", "DATE", value="2014-11-17")],
        [],
    ),
    "gold": ([at("Kim Jong Un", "ACTOR", kind="person")], []),
}  # fmt: skip
# What each rule keeps of d1 (3 layers; gold is not merged unless named): (text, label, attributes).
EXPECTED = {
    "majority": [
        ("Choe", "ACTOR", {"kind": "person"}),
        ("Kim Jong Un", "ACTOR", {"kind": "state"}),
        (CLAIM_TEXT, "CLAIM", {}),
        ("Monday", "DATE", {"value": "2014-11-17"}),
    ],
    "intersection": [("Choe", "ACTOR", {"kind": "person"}), ("Kim Jong Un", "ACTOR", {"kind": "state"})],
}
EXPECTED["union"] = sorted(
    [*EXPECTED["majority"], ("Moscow", "ACTOR", {"kind": "state"})], key=lambda s: TEXT.index(s[0])
)
EXPECTED_RELATIONS = {"majority": [("SAID_BY", CLAIM_TEXT, "Choe")], "intersection": []}
EXPECTED_RELATIONS["union"] = [("SAID_BY", CLAIM_TEXT, "Choe"), ("WHEN", CLAIM_TEXT, "Monday")]


def layer(document: str, name: str, status: str, spans: list[dict[str, Any]], links: list[tuple[str, ...]]) -> str:
    relations = [{"id": f"r{i}", "label": label, "head": h, "tail": t} for i, (label, h, t) in enumerate(links)]
    record = {"id": document, "text": f"{TEXT} {document}", "annotator": name, "status": status, "spans": spans}
    return json.dumps({**record, "relations": relations})


@pytest.fixture
def root(make_project: ProjectMaker, tmp_path: Path) -> Path:
    """d1: alice, bob, carol, gold done; d2: alice done, bob in progress; d3: nobody; d4: gold only."""
    lines = [layer("d1", name, "done", *content) for name, content in LAYERS.items()]
    lines.append(layer("d2", "alice", "done", [at("Kim Jong Un", "ACTOR", kind="person")], []))
    lines.append(layer("d2", "bob", "in_progress", [at("Moscow", "ACTOR", kind="state")], []))
    lines.append(json.dumps({"id": "d3", "text": f"{TEXT} d3"}))
    lines.append(layer("d4", "gold", "done", [at("Choe", "ACTOR", kind="person")], []))
    project_root = make_project()
    assert main(["import", str(project_root), str(write_jsonl(tmp_path / "layers.jsonl", lines))]) == 0
    return project_root


def export(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["export", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def shown(record: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[str, ...]]]:
    text_of = {s["id"]: s["text"] for s in record["spans"]}
    spans = [(s["text"], s["label"], s["attributes"]) for s in record["spans"]]
    return spans, [(r["label"], text_of[r["head"]], text_of[r["tail"]]) for r in record["relations"]]


@pytest.mark.parametrize("rule", RULES)
def test_merge_writes_one_layer_per_document_by_the_rule(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str
) -> None:
    out = tmp_path / "merged.jsonl"
    code, _, err = export(capsys, root, "--merge", rule, "-o", out)
    assert code == 0
    d1, d2 = read_jsonl(out)
    assert [(r["id"], r["annotator"], r["status"]) for r in (d1, d2)] == [
        ("d1", f"merged-{rule}", "done"),
        ("d2", f"merged-{rule}", "done"),
    ]
    assert shown(d1) == (EXPECTED[rule], EXPECTED_RELATIONS[rule])
    assert shown(d2) == ([("Kim Jong Un", "ACTOR", {"kind": "person"})], [])  # bob's layer is not finished
    assert "left out 2 document(s): no finished (done) layer" in err and "gold, reference, model count" in err


def test_gold_counts_when_named_and_status_widens_the_inputs(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.jsonl"
    argv = ["--merge", "intersection", "--annotators", "alice,gold", "--merge-name", "agreed"]
    assert export(capsys, root, *argv, "-o", out)[0] == 0
    assert [(r["id"], r["annotator"], shown(r)[0]) for r in read_jsonl(out)] == [
        ("d1", "agreed", [("Kim Jong Un", "ACTOR", {"kind": "person"})]),
        ("d2", "agreed", [("Kim Jong Un", "ACTOR", {"kind": "person"})]),
        ("d4", "agreed", [("Choe", "ACTOR", {"kind": "person"})]),
    ]
    argv = ["--merge", "union", "--status", "done", "--status", "in_progress"]
    assert export(capsys, root, *argv, "-o", out)[0] == 0
    assert [s[0] for s in shown(read_jsonl(out)[1])[0]] == ["Kim Jong Un", "Moscow"]


def test_a_merged_export_reimports_and_exports_the_same_spans(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    merged, again = tmp_path / "merged.jsonl", tmp_path / "again.jsonl"
    assert export(capsys, root, "--merge", "majority", "-o", merged)[0] == 0
    fresh = tmp_path / "fresh"
    assert main(["init", str(fresh)]) == 0
    assert main(["import", str(fresh), str(merged)]) == 0
    assert export(capsys, fresh, "-o", again)[0] == 0
    assert read_jsonl(again) == read_jsonl(merged)
    # Merging again in the fresh project: the one merged layer is its own result, not an input of it.
    assert export(capsys, fresh, "--merge", "majority", "--merge-name", "second", "-o", again)[0] == 0
    assert [shown(r) for r in read_jsonl(again)] == [shown(r) for r in read_jsonl(merged)]


def tags_by_document(path: Path) -> dict[str, Counter[str]]:
    return {r["id"]: Counter(t for t in r["ner_tags"] if t.startswith("B-")) for r in read_jsonl(path)}


def test_training_formats_take_the_merged_layer(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("spacy")
    code, _, err = export(capsys, root, "--format", "hf", "-o", tmp_path / "hf.jsonl")
    assert code == 1 and "--merge" in err and "--layer" in err and not (tmp_path / "hf.jsonl").exists()
    assert export(capsys, root, "--format", "hf", "--merge", "intersection", "-o", tmp_path / "hf.jsonl")[0] == 0
    assert tags_by_document(tmp_path / "hf.jsonl") == {"d1": Counter({"B-ACTOR": 2}), "d2": Counter({"B-ACTOR": 1})}
    assert export(capsys, root, "--format", "hf", "--merge", "majority", "-o", tmp_path / "hf.jsonl")[0] == 0
    # The CLAIM holds Kim Jong Un and Monday: a flat tagging keeps the longest (--overlaps).
    assert tags_by_document(tmp_path / "hf.jsonl")["d1"] == Counter({"B-ACTOR": 1, "B-CLAIM": 1})
    conll = tmp_path / "m.conll"
    assert export(capsys, root, "--format", "conll", "--merge", "intersection", "-o", conll)[0] == 0
    text = conll.read_text(encoding="utf-8")
    assert text.count("-DOCSTART-") == 2
    tagged = [line.split(" ") for line in text.splitlines() if line and not line.startswith("-DOCSTART-")]
    assert [token for token, tag in tagged if tag != "O"] == ["Choe", "Kim", "Jong", "Un", "Kim", "Jong", "Un"]


@pytest.mark.parametrize("format_name", [name for name in WRITABLE if name not in TRAINING])
def test_every_format_takes_one_layer_per_document(root: Path, tmp_path: Path, format_name: str) -> None:
    with Project.open(root) as project:
        chosen = export_format(project, format_name, tmp_path / "one", options=ExportOptions(layers=("gold", "alice")))
        merged = export_format(project, format_name, tmp_path / "two", options=ExportOptions(merge="majority"))
        everything = export_format(project, format_name, tmp_path / "all")
    assert (chosen.lines, chosen.documents) == (3, 3) and chosen.without_layer == {"no layer of gold, alice": 1}
    assert (merged.lines, merged.documents, sum(merged.without_layer.values())) == (2, 2, 2)
    assert everything.lines == 8 and not everything.without_layer
    if format_name == "jsonl":
        assert [(r["id"], r["annotator"]) for r in read_jsonl(tmp_path / "one")] == [
            ("d1", "gold"),
            ("d2", "alice"),
            ("d4", "gold"),
        ]


def test_layer_with_status_takes_the_named_layer_only_when_it_has_that_status(root: Path, tmp_path: Path) -> None:
    with Project.open(root) as project:
        report = export_format(
            project,
            "jsonl",
            tmp_path / "o.jsonl",
            ExportFilter(statuses=["in_progress"]),
            ExportOptions(layers=("bob",)),
        )
    assert [(r["id"], r["annotator"]) for r in read_jsonl(tmp_path / "o.jsonl")] == [("d2", "bob")]
    assert report.without_layer == {"no in_progress layer of bob": 3}


REFUSED = [
    (["--merge", "majority", "--layer", "gold"], "--merge and --layer both choose"),
    (["--merge", "majority", "--annotator", "alice"], "--annotators a,b,c"),
    (["--merge", "majority", "--annotators", "alice,zed"], "--annotators: no annotator named 'zed'"),
    (["--layer", "gold,zed"], "--layer: no annotator named 'zed'"),
    (["--layer", "gold", "--annotator", "alice"], "--layer and --annotator both choose a layer"),
    (["--annotators", "alice,bob"], "--annotators is for --merge"),
    (["--merge-name", "x"], "--merge-name is for --merge"),
    (["--merge", "majority", "--annotators", "alice,bob", "--merge-name", "bob"], "cannot be one of its own inputs"),
    (["--merge", "majority", "--merge-name", " "], "--merge-name is empty"),
    (["--merge", "vote"], "unknown value 'vote'"),
]


@pytest.mark.parametrize(("argv", "message"), REFUSED)
@pytest.mark.parametrize("output", ["new file", "old file", "folder"])
def test_a_refused_choice_is_one_error_line_and_writes_nothing(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str, output: str
) -> None:
    target = tmp_path / "out.jsonl"
    extra: list[str] = []
    if output == "old file":
        target.write_bytes(b"earlier\n")
    if output == "folder":
        target, extra = tmp_path / "parts", ["--format", "hf", "--split", "0.5,0.5"]
    code, out, err = export(capsys, root, *argv, *extra, "-o", target)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and message in err, err
    assert target.read_bytes() == b"earlier\n" if output == "old file" else not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["layers.jsonl", "project1", *([target.name] * (output == "old file"))]
    )


def test_the_command_line_offers_the_rules_of_layer_merge() -> None:
    assert MERGE_RULES == RULES


def test_a_merge_holds_one_document_at_a_time(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merged records stream: the first is out before the second document's layers are read."""
    import annotator.exporters.layer_choice as layer_choice
    from annotator.exporters.base import FormatReport
    from annotator.formats import BY_NAME

    pulled: list[str] = []
    real = layer_choice.iter_records

    def counted(*args: Any, **kwargs: Any) -> Any:
        for record in real(*args, **kwargs):
            pulled.append(record["id"])
            yield record

    monkeypatch.setattr(layer_choice, "iter_records", counted)
    with Project.open(root) as project:
        records = layer_choice.records_to_export(
            project, BY_NAME["jsonl"], ExportFilter(), ExportOptions(merge="majority"), FormatReport()
        )
        first = next(records)
        assert first["id"] == "d1" and pulled == ["d1"] * 4 + ["d2"]  # groupby looks one record ahead
        assert [r["id"] for r in records] == ["d2"]


def run_export(*argv: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "annotator.cli", "export", *map(str, argv)], capture_output=True, check=False
    )


def test_a_chosen_or_merged_layer_goes_to_standard_output_as_it_would_to_a_file(root: Path, tmp_path: Path) -> None:
    for choice in (["--merge", "majority"], ["--layer", "gold,alice"], ["--format", "conll", "--layer", "gold"]):
        as_file = tmp_path / "out"
        assert main(["export", str(root), *choice, "-o", str(as_file)]) == 0
        piped = run_export(root, *choice, "-o", "-")
        assert piped.returncode == 0, piped.stderr
        assert piped.stdout == as_file.read_bytes()  # the report went to standard error
        assert b"wrote " in piped.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layers.jsonl", "out", "project1"]


@pytest.mark.parametrize("argv", [["--format", "brat"], ["--format", "hf", "--split", "0.5,0.5"]])
def test_a_folder_to_standard_output_is_one_error_line(root: Path, argv: list[str]) -> None:
    piped = run_export(root, *argv, "-o", "-")
    assert (piped.returncode, piped.stdout) == (1, b"")
    assert piped.stderr.decode().startswith("error: ") and b"writes a folder; name it with -o" in piped.stderr
    assert len(piped.stderr.splitlines()) == 1
