"""Find in the document: a bar under the text with the query, match count and arrows."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    query_changed = Signal(str, bool)  # text, case-sensitive
    step = Signal(int)  # +1 next hit, -1 previous
    label_all_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = QLineEdit(placeholderText="Find in document")
        self.input.setClearButtonEnabled(True)
        self.case = QCheckBox("Match case")
        self.count = QLabel("")
        self.count.setMinimumWidth(90)
        previous = QPushButton("↑")
        following = QPushButton("↓")
        previous.setToolTip("Previous match (Shift+F3)")
        following.setToolTip("Next match (Enter, F3)")
        self.label_all = QPushButton("Label all…")
        self.label_all.setToolTip("Label every occurrence of the found text (one undo step)")
        close = QPushButton("✕")
        close.setFlat(True)
        close.setToolTip("Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.input, self.case, self.count, previous, following, self.label_all, close):
            layout.addWidget(widget)
        self.input.textChanged.connect(self._emit_query)
        self.case.toggled.connect(self._emit_query)
        self.input.returnPressed.connect(lambda: self.step.emit(1))
        previous.clicked.connect(lambda: self.step.emit(-1))
        following.clicked.connect(lambda: self.step.emit(1))
        self.label_all.clicked.connect(self.label_all_requested)
        close.clicked.connect(self.close_bar)
        for widget in (self.input, self.case, previous, following, self.label_all, close):
            widget.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Esc is also the window's "clear selection" shortcut, which would win and leave
        # the bar open and focused (the next label key then types into the box). Claimed
        # here, Esc reaches keyPressEvent and closes the bar; the found text stays selected.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            event.accept()
            return True
        return super().eventFilter(watched, event)

    def open_bar(self, text: str = "") -> None:
        if text:
            self.input.setText(text)
        self.show()
        self.input.setFocus()
        self.input.selectAll()
        self._emit_query()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def show_count(self, current: int | None, total: int) -> None:
        if not self.input.text():
            self.count.setText("")
        elif total == 0:
            self.count.setText("no matches")
        else:
            self.count.setText(f"{(current or 0) + 1} of {total}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
        else:
            super().keyPressEvent(event)

    def _emit_query(self, *_args: object) -> None:
        self.query_changed.emit(self.input.text(), self.case.isChecked())
