"""The Agreement panel: `annotator agreement` in the window, with the same choices and the same numbers.

It runs measure_agreement (annotator/agreement/) off the GUI thread (ui/quality_worker.py) with
the options chosen here, and formats the report with the command line's own functions
(annotator/cli_agreement.py), so every figure reads as `annotator agreement` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.agreement import AgreementOptions, measure_agreement
from annotator.cli_agreement import interval_text, matched_text, pair_name, value_text
from annotator.dashboard import annotator_names
from annotator.models import STATUSES
from annotator.project import Project
from ui.quality_worker import BackgroundFigures

SPAN_COLUMNS = ("pair", "label", "match", "matched", "P", "R", "F1", "95% (F1)")
TOKEN_COLUMNS = ("annotators", "coefficient", "value", "95%")
BOOTSTRAP_SAMPLES = 1000


def checkable_list(names: Sequence[str], checked: bool = True) -> QListWidget:
    widget = QListWidget()
    for name in names:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        widget.addItem(item)
    widget.setMaximumHeight(22 * min(max(len(names), 2), 5) + 6)
    return widget


def checked_names(widget: QListWidget) -> list[str] | None:
    """The checked items' texts; None when every item is checked (the command line's default)."""
    items = [widget.item(row) for row in range(widget.count())]
    chosen = [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]
    return None if len(chosen) == len(items) else chosen


def figures_table(columns: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return table


class AgreementPanel(QWidget):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.report: dict[str, Any] | None = None
        self.figures = BackgroundFigures(self)
        self.figures.done.connect(self._show)
        self.figures.failed.connect(self._failed)
        self.annotators = checkable_list(annotator_names(project))
        self.annotators.setToolTip("all checked: everyone with a finished layer, as the command line's default")
        self.labels = checkable_list(project.schema.label_names)
        self.statuses = {status: QCheckBox(status.replace("_", " ")) for status in STATUSES}
        self.statuses["done"].setChecked(True)
        status_box = QWidget()
        status_layout = QVBoxLayout(status_box)
        status_layout.setContentsMargins(0, 0, 0, 0)
        status_layout.setSpacing(0)
        for box in self.statuses.values():
            status_layout.addWidget(box)
        self.tokenizer = QComboBox()
        self.tokenizer.addItems(["spacy", "whitespace"])
        self.bootstrap = QCheckBox(f"95% intervals ({BOOTSTRAP_SAMPLES:,} resamples)")
        self.compute = QPushButton("&Compute")
        self.compute.clicked.connect(self.refresh)
        controls = QWidget()
        form = QFormLayout(controls)
        form.setContentsMargins(6, 6, 6, 6)
        form.addRow("Annotators", self.annotators)
        form.addRow("Labels", self.labels)
        form.addRow("Finished", status_box)
        form.addRow("Tokens", self.tokenizer)
        form.addRow(self.bootstrap)
        form.addRow(self.compute)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.spans = figures_table(SPAN_COLUMNS)
        self.tokens = figures_table(TOKEN_COLUMNS)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(6, 6, 6, 6)
        results_layout.addWidget(self.summary)
        results_layout.addWidget(self.spans, 3)
        results_layout.addWidget(self.tokens, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(controls)
        splitter.addWidget(results)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def options(self) -> AgreementOptions:
        """The choices as the command line would take them (`--annotators`, `--labels`, `--status`, ...)."""
        statuses = tuple(status for status, box in self.statuses.items() if box.isChecked())
        return AgreementOptions(
            annotators=checked_names(self.annotators),
            labels=checked_names(self.labels),
            statuses=statuses or ("done",),
            tokenizer=cast(Literal["spacy", "whitespace"], self.tokenizer.currentText()),
            samples=BOOTSTRAP_SAMPLES if self.bootstrap.isChecked() else 0,
        )

    def refresh(self) -> None:
        """Compute with the current choices, off the GUI thread."""
        project, options = self.project, self.options()
        self.summary.setText("computing…")
        self.compute.setEnabled(False)
        self.figures.request(lambda: measure_agreement(project, options))

    def mark_out_of_date(self) -> None:
        if self.report is not None and not self.figures.busy:
            self.summary.setText(self._summary(self.report) + " — statuses changed since: Compute again")

    def _failed(self, message: str) -> None:
        self.compute.setEnabled(True)
        self.report = None
        self.summary.setText(message)
        self.spans.setRowCount(0)
        self.tokens.setRowCount(0)

    def _summary(self, report: dict[str, Any]) -> str:
        documents, tokens = report["documents"], report["tokens"]
        finished = ", ".join(f"{name} {count}" for name, count in documents["finished"].items())
        return (
            f"{', '.join(report['annotators'])} on {documents['compared']} document(s) "
            f"{'/'.join(report['statuses'])} in every layer (finished: {finished}); "
            f"{tokens['count']:,} {tokens['tokenizer']} tokens"
        )

    def _show(self, report: dict[str, Any]) -> None:
        self.compute.setEnabled(True)
        self.report = report
        self.summary.setText(self._summary(report))
        rows: list[tuple[str, ...]] = []
        for pair in report["pairs"]:
            for label, exact in pair["spans"]["exact"].items():
                for kind, counts in (("exact", exact), ("overlap", pair["spans"]["overlap"][label])):
                    rows.append(
                        (
                            pair_name(pair),
                            label,
                            kind,
                            matched_text(counts),
                            *(value_text(counts[figure]) for figure in ("precision", "recall", "f1")),
                            interval_text(counts["f1"]),
                        )
                    )
        samples = report["bootstrap"]["samples"]
        for table in (self.spans, self.tokens):  # before filling, so the column is sized to its text
            table.setColumnHidden(table.columnCount() - 1, not samples)
        self._fill(self.spans, rows)
        everyone = f"all {len(report['annotators'])}"
        estimates = [(pair_name(pair), "Cohen's kappa", pair["cohen_kappa"]) for pair in report["pairs"]]
        estimates.append((everyone, "Fleiss' kappa", report["all"]["fleiss_kappa"]))
        estimates.append((everyone, "Krippendorff's alpha (nominal)", report["all"]["krippendorff_alpha"]))
        self._fill(self.tokens, [(who, what, value_text(e), interval_text(e)) for who, what, e in estimates])

    @staticmethod
    def _fill(table: QTableWidget, rows: Sequence[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3 or (table.columnCount() == len(TOKEN_COLUMNS) and column >= 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        table.resizeColumnsToContents()

    def rows(self, table: QTableWidget) -> list[list[str]]:
        """What a table shows, cell by cell (hidden columns left out)."""
        return [
            [
                item.text() if (item := table.item(row, column)) is not None else ""
                for column in range(table.columnCount())
                if not table.isColumnHidden(column)
            ]
            for row in range(table.rowCount())
        ]
