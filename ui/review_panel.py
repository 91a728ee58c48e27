"""The review panel: the open document's candidates for gold, one row each, with a mark per layer.

Rows come from a ReviewBoard (annotator/review.py). The versions of one mention (an overlap
group) sit together, later ones marked ↳; agreed candidates are pre-marked (bold, ✓ after k of n);
the state says what the reviewer decided. The panel's settings (the threshold, which of the
reference/model layers count) are the board's options.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QTableView, QVBoxLayout, QWidget

from annotator.review import NOT_COUNTED_UNLESS_TICKED, Candidate, Interval, ReviewBoard, ReviewOptions
from annotator.short_text import short_name
from ui.table_model import Index, ItemTableModel, configure_row_table

STATE_TEXT = {"accepted": "accepted", "rejected": "rejected", "resolved": "other version in gold", "undecided": ""}
# Light fills that keep black text readable; the state's word says it too (not colour alone).
STATE_FILL = {"accepted": "#D5EFE3", "rejected": "#F6D5D5", "resolved": "#ECECEC"}
FIXED_COLUMNS = ("Span", "Label")


class CandidateTableModel(ItemTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.board: ReviewBoard | None = None
        self.layer_names: tuple[str, ...] = ()
        self.columns = (*FIXED_COLUMNS, "k/n", "State")

    def show_board(self, board: ReviewBoard) -> None:
        self.beginResetModel()
        self.board = board
        self.items = list(board.candidates)
        self.layer_names = tuple(layer.name for layer in board.layers)
        self.columns = (*FIXED_COLUMNS, *(short_name(name) for name in self.layer_names), "k/n", "State")
        self.endResetModel()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        layer_column = section - len(FIXED_COLUMNS)
        if role == Qt.ItemDataRole.ToolTipRole and 0 <= layer_column < len(self.layer_names):
            return self.layer_names[layer_column]  # the whole name, shortened in the header
        return super().headerData(section, orientation, role)

    def row_of(self, key: Interval | None) -> int | None:
        return next((row for row, c in enumerate(self.items) if c.key == key), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.board is None:
            return None
        candidate: Candidate = self.items[index.row()]
        column = index.column()
        layer_column = column - len(FIXED_COLUMNS)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                first_of_group = index.row() == 0 or self.items[index.row() - 1].group != candidate.group
                words = " ".join(candidate.text.split())
                return words if first_of_group else f"↳ {words}"
            if column == 1:
                return candidate.label
            if 0 <= layer_column < len(self.layer_names):
                return self._mark(candidate, self.layer_names[layer_column])
            if column == len(self.columns) - 2:
                return f"{candidate.k} of {candidate.n}" + (" ✓" if candidate.agreed else "")
            return STATE_TEXT[candidate.state]
        if role == Qt.ItemDataRole.BackgroundRole and candidate.state in STATE_FILL:
            return QColor(STATE_FILL[candidate.state])
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(candidate.agreed and candidate.state == "undecided")
            font.setStrikeOut(candidate.state == "rejected")
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= len(FIXED_COLUMNS):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(candidate)
        return None

    def _mark(self, candidate: Candidate, name: str) -> str:
        """● a finished, counted layer holds it; ○ a layer holds it that is not counted (unfinished, or
        reference/model not ticked)."""
        if name not in candidate.marks:
            return ""
        assert self.board is not None
        layer = next(layer for layer in self.board.layers if layer.name == name)
        return "●" if layer.counted and layer.finished else "○"

    def _tooltip(self, candidate: Candidate) -> str:
        holders = ", ".join(candidate.marks) or "no annotator (added in gold)"
        agreed = "agreed" if candidate.agreed else "not agreed"
        attributes = ", ".join(f"{name}={value}" for name, value in candidate.attributes.items())
        lines = [
            f"{candidate.label} '{candidate.text}' [{candidate.start}, {candidate.end})",
            f"held by: {holders}",
            f"{candidate.k} of {candidate.n} finished annotators: {agreed}",
        ]
        if attributes:
            lines.append(f"attributes: {attributes}")
        if candidate.state != "undecided":
            lines.append(f"state: {STATE_TEXT[candidate.state]}")
        return "\n".join(lines)


class ReviewPanel(QWidget):
    """Candidates of the open document; a row clicked is chosen; the settings change the board."""

    candidate_chosen = Signal(object)  # the candidate's (start, end, label)
    options_changed = Signal(object)  # ReviewOptions

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("reviewPanel")
        self.title = QLabel("Review")
        self.title.setStyleSheet("font-weight: bold")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.threshold = QSpinBox()
        self.threshold.setRange(0, 99)
        self.threshold.setSpecialValueText("all")  # 0: every finished annotator must agree
        self.threshold.setToolTip("A candidate is agreed when this many finished annotators hold it (all: every one)")
        self.counted = {name: QCheckBox(f"count {name}") for name in NOT_COUNTED_UNLESS_TICKED}
        settings = QHBoxLayout()
        settings.setContentsMargins(0, 0, 0, 0)
        settings.addWidget(QLabel("Agreed at k ≥"))
        settings.addWidget(self.threshold)
        for box in self.counted.values():
            box.setToolTip(f"Count the {box.text()[6:]} layer as an annotator in k of n")
            box.hide()
            settings.addWidget(box)
            box.toggled.connect(self._emit_options)
        settings.addStretch(1)
        self.threshold.valueChanged.connect(self._emit_options)
        self.model = CandidateTableModel()
        self.table = QTableView()
        self.table.setObjectName("reviewCandidates")
        self.table.setModel(self.model)
        configure_row_table(self.table, self.fontMetrics().height() + 6, stretch_column=0)
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # keys stay with the text; F5-F8 work window-wide
        self.table.clicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(settings)
        layout.addWidget(self.table, 1)

    def options(self) -> ReviewOptions:
        value = self.threshold.value()
        counted = frozenset(name for name, box in self.counted.items() if box.isChecked())
        return ReviewOptions(threshold=value or None, counted=counted)

    def show_board(self, board: ReviewBoard, current: Interval | None) -> None:
        self.model.show_board(board)
        metrics, last = self.table.fontMetrics(), self.model.columnCount() - 1
        for column in range(1, last + 1):  # marks, k/n and state as narrow as their titles and words allow
            widest = {1: "CLAIM", last - 1: "2 of 2 ✓", last: "accepted"}.get(column, self.model.columns[column])
            self.table.setColumnWidth(column, metrics.horizontalAdvance(widest) + 14)
        undecided = sum(1 for c in board.candidates if c.state == "undecided")
        agreed = len(board.agreed_undecided())
        status = "reviewed" if board.reviewed else "to review"
        self.title.setText(f"Review · {len(board.candidates)} candidates, {undecided} undecided · {status}")
        finished = [layer.name for layer in board.layers if layer.counted and layer.finished]
        others = [layer.name for layer in board.layers if layer.name not in finished]
        words = f"k of n over {', '.join(finished)}" if finished else "no finished annotator: nothing is agreed"
        if others:
            words += f"; shown, not counted: {', '.join(others)}"
        self.summary.setText(f"{words}. {agreed} agreed undecided (F7 accepts them).")
        present = {layer.name for layer in board.layers}
        for name, box in self.counted.items():
            box.setVisible(name in present or box.isChecked())
        self.set_current(current)

    def set_current(self, key: Interval | None) -> None:
        row = self.model.row_of(key)
        if row is None:
            self.table.clearSelection()
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def _on_clicked(self, index: Index) -> None:
        if index.isValid():
            self.candidate_chosen.emit(self.model.items[index.row()].key)

    def _emit_options(self, *_args: object) -> None:
        self.options_changed.emit(self.options())
