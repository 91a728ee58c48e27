"""The disagreement panel: a pair of annotators, kind filters, the list by document, both versions below.

It only shows: ui/disagreement_browser.py reads the list (a slice at a time) and jumps to a row.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.agreement.disagreements import KINDS, Disagreement, Kind
from annotator.short_text import short_name
from ui.label_bar import is_plain_key
from ui.table_model import Index, ItemTableModel, configure_row_table

KIND_TEXT: dict[Kind, str] = {
    "missing": "Missing span",
    "label": "Label differs",
    "boundary": "Boundary differs",
    "relation": "Relation differs",
    "attribute": "Attribute differs",
}
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
NONE_COLOR = QColor("#888888")
PAIR_DASH = " – "


class DisagreementListModel(ItemTableModel):
    """The disagreements read so far that pass the kind filter; every one read is kept in `found`."""

    columns = ("Document", "Kind", "Range", "first", "second")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.found: list[Disagreement] = []
        self.counts: Counter[str] = Counter()  # of `found`, by kind
        self.kinds: set[Kind] = set(KINDS)
        self.names = ("", "")

    def start(self, names: tuple[str, str]) -> None:
        """An empty list for the pair ``names``."""
        self.beginResetModel()
        self.found, self.items, self.names = [], [], names
        self.counts.clear()
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 3, 4)

    def add(self, disagreements: list[Disagreement]) -> None:
        self.found.extend(disagreements)
        self.counts.update(d.kind for d in disagreements)
        shown = [d for d in disagreements if d.kind in self.kinds]
        if shown:
            self.beginInsertRows(QModelIndex(), len(self.items), len(self.items) + len(shown) - 1)
            self.items.extend(shown)
            self.endInsertRows()

    def filter(self, kinds: set[Kind]) -> None:
        self.beginResetModel()
        self.kinds = kinds
        self.items = [d for d in self.found if d.kind in kinds]
        self.endResetModel()

    def disagreement(self, row: int) -> Disagreement | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and section >= 3:
            name = self.names[section - 3] or ("first", "second")[section - 3]
            if role == Qt.ItemDataRole.DisplayRole:
                return short_name(name)
            if role == Qt.ItemDataRole.ToolTipRole:
                return name
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        found: Disagreement = self.items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return found.external_id
            if column == 1:
                return KIND_TEXT[found.kind]
            if column == 2:
                return f"{found.start}–{found.end}"
            return (found.first, found.second)[column - 3].what()
        if role == Qt.ItemDataRole.ForegroundRole and column >= 3:
            return NONE_COLOR if (found.first, found.second)[column - 3].label is None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return found.describe()
        return None


class DisagreementTableView(QTableView):
    """Owns Enter while focused: the window binds Enter (a relation's tail) window-wide."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and is_plain_key(event, ENTER_KEYS):
            event.accept()
            return True
        return super().event(event)


class DisagreementPanel(QWidget):
    """Emits ``pair_chosen(index)`` when another pair is chosen, ``refresh_requested`` on Refresh,
    and ``disagreement_activated(row)`` on Enter or a double-click."""

    pair_chosen = Signal(int)
    refresh_requested = Signal()
    disagreement_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DisagreementListModel(self)
        self.status = QLabel("")
        self.status.setObjectName("disagreementStatus")
        self.pairs = QComboBox()
        self.pairs.setToolTip("The two annotators compared, on the documents both marked done")
        self.pairs.currentIndexChanged.connect(self.pair_chosen.emit)
        refresh = QPushButton("Refresh")
        refresh.setToolTip("Read the list again (after edits)")
        refresh.clicked.connect(self.refresh_requested.emit)
        self.kind_boxes: dict[Kind, QCheckBox] = {}
        kinds = QHBoxLayout()
        for kind in KINDS:
            box = QCheckBox(KIND_TEXT[kind])
            box.setChecked(True)
            box.toggled.connect(self._filter)
            self.kind_boxes[kind] = box
            kinds.addWidget(box)
        kinds.addStretch(1)

        self.view = DisagreementTableView()
        self.view.setModel(self.model)
        configure_row_table(self.view, self.fontMetrics().height() + 8, stretch_column=4)
        metrics = self.fontMetrics()
        self.view.setColumnWidth(0, metrics.horizontalAdvance("nk-russia-1-xxxx") + 12)
        self.view.setColumnWidth(1, metrics.horizontalAdvance("Attribute differs") + 16)
        self.view.setColumnWidth(2, metrics.horizontalAdvance("100000–100000") + 12)
        self.view.setColumnWidth(3, metrics.horizontalAdvance("x" * 48))
        self.view.activated.connect(lambda index: self.disagreement_activated.emit(index.row()))
        self.view.selectionModel().currentRowChanged.connect(lambda current, _: self._show_detail(current.row()))
        self.detail = QLabel("")
        self.detail.setObjectName("disagreementDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.pairs)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(kinds)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)

    def set_pairs(self, pairs: list[tuple[str, str]], current: int) -> None:
        blocked = self.pairs.blockSignals(True)
        self.pairs.clear()
        for pair in pairs:
            self.pairs.addItem(PAIR_DASH.join(short_name(name) for name in pair))
            self.pairs.setItemData(self.pairs.count() - 1, PAIR_DASH.join(pair), Qt.ItemDataRole.ToolTipRole)
        self.pairs.setCurrentIndex(current)
        self.pairs.blockSignals(blocked)

    def start(self, names: tuple[str, str]) -> None:
        self.model.start(names)
        self.detail.setText("")

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def update_counts(self) -> None:
        """Each kind's box says how many of the pair's disagreements read so far are of it."""
        for kind, box in self.kind_boxes.items():
            box.setText(f"{KIND_TEXT[kind]} {self.model.counts[kind]:,}")

    def current_row(self) -> int | None:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def _filter(self) -> None:
        chosen = self.current_row()
        kept = self.model.disagreement(chosen) if chosen is not None else None
        self.model.filter({kind for kind, box in self.kind_boxes.items() if box.isChecked()})
        if kept is not None and kept in self.model.items:
            self.select_row(self.model.items.index(kept))

    def _show_detail(self, row: int) -> None:
        found = self.model.disagreement(row)
        self.detail.setText(detail_text(found) if found is not None else "")


def detail_text(found: Disagreement) -> str:
    """Both versions on one line: 'nk-1, boundary differs: alice: ACTOR 'Kim Jong Un' [120,131) — bob: …'."""
    kind = KIND_TEXT[found.kind].lower()
    return f"{found.external_id}, {kind}: {found.first.describe()} — {found.second.describe()}"
