"""The Dashboard and Agreement panels: opened from the View menu, read off the screen, checked against the CLI."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from annotator.cli import main
from annotator.example_project import copy_example
from annotator.service import AnnotationService
from ui.app import build_window
from ui.main_window import MainWindow

SECONDS = {"alice": 312.0, "bob": 540.0}


def changed_copy(record: dict[str, Any], seed: int) -> dict[str, Any]:
    """The reference with 4 spans dropped, 3 ends moved a word on and ACTORs among the next 2 relabelled CLAIM."""
    rng = random.Random(seed)
    spans = [dict(span) for span in record["spans"]]
    rng.shuffle(spans)
    spans = spans[4:]
    text = record["text"]
    for span in spans[:3]:
        following = text[span["end"] :].split(" ")
        span["end"] += 1 + len(following[1]) if len(following) > 1 else 0
        span["text"] = text[span["start"] : span["end"]]
    for span in spans[3:5]:
        if span["label"] == "ACTOR":
            span["label"] = "CLAIM"
            span.pop("attributes", None)
    return {"id": record["id"], "text": text, "spans": spans}


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The example project with gold (the reference, done) and alice and bob (changed copies, done)."""
    root = copy_example(tmp_path / "example")
    assert main(["stats", str(root)]) == 0  # opens it: the reference layer is seeded
    record = json.loads((root / "reference.jsonl").read_text(encoding="utf-8").splitlines()[0])
    lines = [record | {"annotator": "gold", "status": "done"}]
    for seed, name in enumerate(("alice", "bob"), start=1):
        lines.append(changed_copy(record, seed) | {"annotator": name, "status": "done"})
    layers = tmp_path / "layers.jsonl"
    layers.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert main(["import", str(root), str(layers)]) == 0
    for name, seconds in SECONDS.items():
        with AnnotationService.open(root, name) as service:
            service.add_time(service.documents()[0].id, seconds)
    capsys.readouterr()
    return root


def open_window(project: Path, qtbot: QtBot, annotator: str = "alice") -> MainWindow:
    window = build_window(project, annotator=annotator)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def view_action(window: MainWindow, text: str) -> Any:
    menu = next(a for a in window.menuBar().actions() if a.text() == "&View").menu()
    assert isinstance(menu, QMenu)
    return next(a for a in menu.actions() if a.text() == text)


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    assert main([str(a) for a in argv]) == 0
    return capsys.readouterr().out


def test_the_panels_are_hidden_and_unbuilt_until_shown(project: Path, qtbot: QtBot) -> None:
    window = open_window(project, qtbot)
    for dock in (window.quality.dashboard, window.quality.agreement):
        assert not dock.dock.isVisible() and dock.panel is None
        assert not view_action(window, dock.dock.windowTitle()).isChecked()


def test_dashboard_from_the_view_menu_shows_what_stats_json_says(
    project: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    report = json.loads(cli(capsys, "stats", project, "--json"))
    window = open_window(project, qtbot)
    view_action(window, "Dashboard").trigger()
    panel = window.quality.dashboard.panel
    assert panel is not None and window.quality.dashboard.dock.isVisible()
    qtbot.waitUntil(lambda: panel.report is not None, timeout=20_000)
    shown = {panel.cell(row, "annotator"): row for row in range(panel.table.rowCount())}
    assert list(shown) == ["alice", "bob", "gold", "reference"]
    by_name = {annotator["name"]: annotator for annotator in report["annotators"]}
    alice = shown["alice"]
    assert panel.cell(alice, "done") == "1" and panel.cell(alice, "spans") == str(by_name["alice"]["spans_total"])
    assert panel.cell(alice, "median time/doc") == "5 min 12 s" and panel.cell(alice, "timed") == "1"
    assert panel.cell(shown["gold"], "gold docs") == "(gold)"
    for name in ("alice", "bob"):
        against = by_name[name]["against_gold"]
        assert panel.cell(shown[name], "gold docs") == "1"
        assert panel.cell(shown[name], "F1 exact") == f"{against['exact']['f1']:.3f}"
        assert panel.cell(shown[name], "F1 overlap") == f"{against['overlap']['f1']:.3f}"
    # By hand from the layers imported: exact matches are the spans gold has with the same offsets and label.
    layers = {line["annotator"]: line for line in map(json.loads, (project.parent / "layers.jsonl").open())}
    gold_spans = {(s["start"], s["end"], s["label"]) for s in layers["gold"]["spans"]}
    for name in ("alice", "bob"):
        spans = layers[name]["spans"]
        matched = sum((s["start"], s["end"], s["label"]) in gold_spans for s in spans)
        assert 68 <= matched <= 73 and len(spans) == 73 and len(gold_spans) == 77
        assert by_name[name]["against_gold"]["exact"]["f1"] == pytest.approx(2 * matched / (73 + 77))
    assert panel.chart.data.groups == ("alice", "bob", "gold", "reference")
    assert [series.name for series in panel.chart.data.series] == ["ACTOR", "CLAIM", "DATE"]
    assert sum(panel.chart.data.values[0]) == by_name["alice"]["spans_total"]
    panel.chart_choice.setCurrentText("Documents done")
    assert panel.chart.data.values == ((1,), (1,), (1,), (1,))


def test_a_status_change_refreshes_the_dashboard(project: Path, qtbot: QtBot) -> None:
    window = open_window(project, qtbot, annotator="carol")
    view_action(window, "Dashboard").trigger()
    panel = window.quality.dashboard.panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.report is not None, timeout=20_000)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # mark done

    def carol_done() -> None:
        rows = {panel.cell(row, "annotator"): row for row in range(panel.table.rowCount())}
        assert "carol" in rows and panel.cell(rows["carol"], "done") == "1"

    qtbot.waitUntil(carol_done, timeout=20_000)


def spans_and_kappas_printed(text: str) -> tuple[list[list[str]], list[str]]:
    """From `annotator agreement --bootstrap 0`'s tables: P, R, F1 of each span row; each coefficient's value."""
    spans = [line.split()[-3:] for line in text.splitlines() if {"exact", "overlap"} & set(line.split())]
    coefficients = ("Cohen's kappa", "Fleiss' kappa", "Krippendorff's alpha")
    values = [line.split()[-1] for line in text.splitlines() if any(c in line for c in coefficients)]
    return spans, values


def test_agreement_panel_shows_the_numbers_the_cli_prints(
    project: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = cli(capsys, "agreement", project, "--bootstrap", "0")
    window = open_window(project, qtbot)
    view_action(window, "Agreement").trigger()
    panel = window.quality.agreement.panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.report is not None, timeout=60_000)
    assert "on 1 document(s) done in every layer" in panel.summary.text()
    assert "on 1 document(s) done in every layer" in printed
    spans, values = spans_and_kappas_printed(printed)
    assert [row[4:7] for row in panel.rows(panel.spans)] == spans
    assert [row[2] for row in panel.rows(panel.tokens)] == values
    assert len(panel.rows(panel.spans)) == 6 * 2 * 4  # 6 pairs of 4 annotators, exact and overlap, 3 labels + all
    assert panel.rows(panel.spans)[0][:3] == ["alice–bob", "ACTOR", "exact"]


def test_agreement_choices_are_the_cli_options(project: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]) -> None:
    window = open_window(project, qtbot)
    view_action(window, "Agreement").trigger()
    panel = window.quality.agreement.panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.report is not None and not panel.figures.busy, timeout=60_000)
    for widget, keep in ((panel.annotators, {"alice", "gold"}), (panel.labels, {"ACTOR", "DATE"})):
        for row in range(widget.count()):
            item = widget.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.text() in keep else Qt.CheckState.Unchecked)
    panel.bootstrap.setChecked(True)
    before = panel.report
    qtbot.mouseClick(panel.compute, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.report is not before and panel.report is not None, timeout=60_000)
    report = json.loads(
        cli(capsys, "agreement", project, "--annotators", "alice,gold", "--labels", "ACTOR,DATE", "--json")
    )
    assert panel.report == report
    rows = panel.rows(panel.spans)
    assert {row[0] for row in rows} == {"alice–gold"} and [row[1] for row in rows[::2]] == ["ACTOR", "DATE", "all"]
    all_exact = report["pairs"][0]["spans"]["exact"]["all"]["f1"]
    assert rows[4][6:] == [f"{all_exact['value']:.3f}", f"{all_exact['low']:.3f}-{all_exact['high']:.3f}"]


def test_agreement_refusal_is_shown_in_the_panel(project: Path, qtbot: QtBot) -> None:
    window = open_window(project, qtbot)
    view_action(window, "Agreement").trigger()
    panel = window.quality.agreement.panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.report is not None and not panel.figures.busy, timeout=60_000)
    panel.statuses["done"].setChecked(False)
    panel.statuses["skipped"].setChecked(True)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.report is None and panel.compute.isEnabled(), timeout=20_000)
    assert panel.summary.text().startswith("agreement needs 2 or more annotators with skipped layers")
    assert panel.spans.rowCount() == 0


def test_the_figures_are_computed_off_the_gui_thread(
    project: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.dashboard_panel

    threads: list[threading.Thread] = []
    real = ui.dashboard_panel.dashboard

    def recorded(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(ui.dashboard_panel, "dashboard", recorded)
    window = open_window(project, qtbot)
    view_action(window, "Dashboard").trigger()
    panel = window.quality.dashboard.panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.report is not None, timeout=20_000)
    assert threads and all(thread is not threading.main_thread() for thread in threads)
