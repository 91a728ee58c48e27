"""The Dashboard panel: per annotator, documents done, time per document, agreement with gold, and a chart.

The figures are annotator/dashboard.py's (those of `annotator stats --json`), computed off the
GUI thread (ui/quality_worker.py) and formatted by annotator/dashboard_text.py, so the panel
and the command line say the same.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from annotator.dashboard import dashboard
from annotator.dashboard_text import figure_text, gold_summary, progress_row
from annotator.project import Project
from ui.colors import label_color
from ui.dashboard_chart import BarChart, Series, grouped
from ui.quality_worker import BackgroundFigures

COLUMNS = (
    "annotator",
    "done",
    "in progress",
    "skipped",
    "spans",
    "median time/doc",
    "timed",
    "gold docs",
    "F1 exact",
    "F1 overlap",
)
CHARTS = ("Spans per label", "Documents done")
DONE_COLOR = QColor("#9CC3E6")


class DashboardPanel(QWidget):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.report: dict[str, Any] | None = None
        self.figures = BackgroundFigures(self)
        self.figures.done.connect(self._show)
        self.figures.failed.connect(self._failed)
        self.title = QLabel("")
        self.summary = QLabel("reading…")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.chart_choice = QComboBox()
        self.chart_choice.addItems(CHARTS)
        self.chart_choice.currentIndexChanged.connect(lambda _index: self._draw_chart())
        self.chart = BarChart()
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(QLabel("Chart:"))
        top.addWidget(self.chart_choice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addWidget(self.chart, 2)
        layout.addLayout(body, 1)

    def refresh(self) -> None:
        """Read the figures again, off the GUI thread; the table keeps the last ones meanwhile."""
        project = self.project
        self.figures.request(lambda: dashboard(project).report)

    def cell(self, row: int, column: str) -> str:
        item = self.table.item(row, COLUMNS.index(column))
        return item.text() if item is not None else ""

    def _failed(self, message: str) -> None:
        self.summary.setText(f"cannot read the figures: {message}")

    def _show(self, report: dict[str, Any]) -> None:
        self.report = report
        annotators = report["annotators"]
        self.title.setText(f"<b>{report['documents']:,} document(s), {len(annotators)} annotator(s)</b>")
        self.summary.setText(gold_summary(report).replace(" (--gold NAME names another)", ""))
        self.table.setRowCount(len(annotators))
        for row, annotator in enumerate(annotators):
            against = annotator["against_gold"]
            is_gold = report["gold"]["present"] and annotator["name"] == report["gold"]["annotator"]
            gold = (
                ("(gold)" if is_gold else "", "", "")
                if against is None
                else (
                    str(against["documents"]),
                    figure_text(against["exact"]["f1"]),
                    figure_text(against["overlap"]["f1"]),
                )
            )
            for column, text in enumerate((*progress_row(annotator), *gold)):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self._draw_chart()

    def _draw_chart(self) -> None:
        report = self.report
        if report is None:
            return
        annotators = report["annotators"]
        names = [annotator["name"] for annotator in annotators]
        if self.chart_choice.currentText() == "Documents done":
            data = grouped(
                "Documents done", names, [Series("done", DONE_COLOR)], [[a["documents"]["done"]] for a in annotators]
            )
        else:
            colors = {label.name: label.color for label in self.project.schema.labels}
            labels = list(dict.fromkeys(label for annotator in annotators for label in annotator["spans"]))
            series = [Series(label, label_color(colors.get(label))) for label in labels]
            values = [[annotator["spans"].get(label, 0) for label in labels] for annotator in annotators]
            data = grouped("Spans per label", names, series, values)
        self.chart.show_data(data)
