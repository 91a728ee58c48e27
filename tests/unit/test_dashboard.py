"""The dashboard (annotator/dashboard.py) and `annotator stats [--json]`: counts, median time, F1 against gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.dashboard import dashboard
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import write_jsonl

TEXTS = {
    "d1": "Kim Jong Un met Putin in Moscow on Monday.",
    "d2": "Talks in Seoul end on Friday.",
    "d3": "Choe Ryong Hae flew home.",
}


def span(doc: str, words: str, label: str) -> dict[str, Any]:
    start = TEXTS[doc].index(words)
    return {"start": start, "end": start + len(words), "label": label, "text": words}


def layer(doc: str, annotator: str, spans: list[dict[str, Any]], status: str = "done") -> str:
    return json.dumps({"id": doc, "text": TEXTS[doc], "spans": spans, "annotator": annotator, "status": status})


# gold on d1 and d2: 4 spans. alice on the same two: 5 spans, 2 exact matches (Kim Jong Un,
# Seoul) and one more by overlap ("Putin in" against "Putin"); a CLAIM and a DATE gold lacks.
LAYERS = [
    layer(
        "d1", "gold", [span("d1", "Kim Jong Un", "ACTOR"), span("d1", "Putin", "ACTOR"), span("d1", "Monday", "DATE")]
    ),
    layer("d2", "gold", [span("d2", "Seoul", "ACTOR")]),
    layer(
        "d1",
        "alice",
        [span("d1", "Kim Jong Un", "ACTOR"), span("d1", "Putin in", "ACTOR"), span("d1", "Moscow", "CLAIM")],
    ),
    layer("d2", "alice", [span("d2", "Seoul", "ACTOR"), span("d2", "Friday", "DATE")]),
    layer("d3", "alice", [span("d3", "Choe Ryong Hae", "ACTOR")], status="in_progress"),  # not compared
    layer("d1", "bob", [span("d1", "Kim Jong Un", "ACTOR")], status="skipped"),
]
ALICE_SECONDS = {"d1": 10.0, "d2": 30.0, "d3": 20.0}


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def make(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]) -> Path:
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    assert main(["import", str(root), str(write_jsonl(tmp_path / "layers.jsonl", lines))]) == 0
    capsys.readouterr()
    return root


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = make(tmp_path, capsys, LAYERS)
    with AnnotationService.open(root, "alice") as service:
        ids = {summary.external_id: summary.id for summary in service.documents()}
        for doc, seconds in ALICE_SECONDS.items():
            service.add_time(ids[doc], seconds)
    return root


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {annotator["name"]: annotator for annotator in report["annotators"]}


def test_counts_time_and_f1_against_gold_by_hand(project: Path) -> None:
    with Project.open(project) as opened:
        report = dashboard(opened).report
    assert report["documents"] == 3 and report["labels"] == ["ACTOR", "CLAIM", "DATE"]
    assert report["gold"] == {"annotator": "gold", "present": True, "status": "done"}
    annotators = by_name(report)
    assert list(annotators) == ["alice", "bob", "gold"]
    alice = annotators["alice"]
    assert alice["documents"] == {"todo": 0, "in_progress": 1, "done": 2, "skipped": 0}
    assert alice["spans"] == {"ACTOR": 4, "CLAIM": 1, "DATE": 1} and alice["spans_total"] == 6
    assert alice["time"] == {"median_seconds": 20.0, "documents_timed": 3, "total_seconds": 60.0}
    against = alice["against_gold"]
    assert against["documents"] == 2
    assert against["exact"] == {
        "gold": 4,
        "annotator": 5,
        "matched": 2,
        "precision": pytest.approx(2 / 5),
        "recall": pytest.approx(2 / 4),
        "f1": pytest.approx(2 * 2 / 9),
    }
    assert against["overlap"]["matched"] == 3 and against["overlap"]["f1"] == pytest.approx(6 / 9)
    bob = annotators["bob"]
    # bob skipped his one layer: nothing to compare, said as 0 documents and undefined figures.
    assert bob["documents"] == {"todo": 2, "in_progress": 0, "done": 0, "skipped": 1}
    assert bob["time"] == {"median_seconds": None, "documents_timed": 0, "total_seconds": 0.0}
    assert bob["against_gold"]["documents"] == 0 and bob["against_gold"]["exact"]["f1"] is None
    assert annotators["gold"]["against_gold"] is None  # gold is not compared with itself


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(project: Path) -> None:
    with AnnotationService.open(project, "bob") as service:
        ids = [summary.id for summary in service.documents()]
        for doc, seconds in zip(ids, (5.0, 7.0), strict=False):
            service.add_time(doc, seconds)
    with Project.open(project) as opened:
        bob = by_name(dashboard(opened).report)["bob"]
    assert bob["time"] == {"median_seconds": 6.0, "documents_timed": 2, "total_seconds": 12.0}


def test_f1_against_gold_is_what_annotator_agreement_says(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "agreement", project, "--annotators", "gold,alice", "--bootstrap", "0", "--json")
    assert code == 0
    spans = json.loads(out)["pairs"][0]["spans"]
    with Project.open(project) as opened:
        against = by_name(dashboard(opened).report)["alice"]["against_gold"]
    for kind in ("exact", "overlap"):
        for figure in ("precision", "recall", "f1"):
            assert against[kind][figure] == spans[kind]["all"][figure]["value"]


def test_without_gold_the_field_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path, capsys, [line for line in LAYERS if '"gold"' not in line])
    code, out, err = run(capsys, "stats", root, "--json")
    assert code == 0 and err == ""
    report = json.loads(out)
    assert report["gold"] == {"annotator": "gold", "present": False, "status": "done"}
    assert [a["against_gold"] for a in report["annotators"]] == [None, None]
    code, out, _ = run(capsys, "stats", root)
    assert "agreement with gold: the project has no layer named 'gold'" in out


def test_gold_names_another_layer(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", project, "--json", "--gold", "alice")
    assert code == 0
    report = json.loads(out)
    assert report["gold"]["annotator"] == "alice"
    # alice as the reference: gold's 4 spans against alice's 5, on the two documents both finished.
    assert by_name(report)["gold"]["against_gold"]["exact"]["recall"] == pytest.approx(2 / 5)


def test_stats_json_parses_back_to_the_dashboard(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "stats", project, "--json")
    assert code == 0 and err == ""
    with Project.open(project) as opened:
        assert json.loads(out) == dashboard(opened).report
    assert set(json.loads(out)) == {
        "project",
        "schema",
        "documents",
        "labels",
        "spans_by_label",
        "relations_by_label",
        "gold",
        "annotators",
    }


def test_stats_text_keeps_its_tables_and_adds_the_annotators(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "stats", project)
    assert code == 0 and err == ""
    assert out.startswith("p: 3 document(s), schema news v1")
    for title in ("Documents per status", "Spans per label", "Relations per label", "Per annotator"):
        assert title in out

    def row(title: str, name: str) -> list[str]:
        lines = out[out.index(title) :].splitlines()
        return next(line for line in lines if line.startswith(name)).split()

    assert row("Per annotator", "alice") == ["alice", "2", "1", "0", "6", "20.0", "s", "3"]
    assert row("Spans per label and annotator", "alice") == ["alice", "4", "1", "1"]
    assert row("Agreement with gold", "alice") == ["alice", "2", "0.400", "0.500", "0.444", "0.600", "0.750", "0.667"]
    assert row("Agreement with gold", "bob") == ["bob", "0", *["-"] * 6]


def test_a_spans_only_read_has_the_spans_of_the_full_read(project: Path) -> None:
    from annotator.agreement.read import read_documents, shared_documents
    from annotator.db.engine import read_snapshot

    with Project.open(project) as opened, read_snapshot(opened.engine) as connection:
        ids = dict(connection.exec_driver_sql("SELECT name, id FROM annotators").all())
        order = [ids["gold"], ids["alice"]]
        documents = shared_documents(connection, opened.id, order, ("done",))
        labels = opened.schema.label_names
        full = list(read_documents(connection, documents, order, labels))
        light = list(read_documents(connection, documents, order, labels, spans_only=True))
    assert len(documents) == 2 and [d.text for d in light] == ["", ""]
    assert [[layer.spans for layer in d.layers] for d in light] == [[layer.spans for layer in d.layers] for d in full]
    assert all(not layer.attributes and not layer.relations for d in light for layer in d.layers)
