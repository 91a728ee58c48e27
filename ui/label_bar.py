"""The label bar: one button and one window-wide hotkey per label of the schema.

Also home of the small display helpers the other side panels share (swatches, chips,
guideline tooltips, one-line texts), so that every panel draws a label the same way.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeyEvent, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLayoutItem, QToolButton, QWidget

from annotator.schema import LabelSpec, Schema
from ui.colors import label_color, text_color_on


def swatch_icon(color: str | None, size: int = 14) -> QIcon:
    """A rounded square of the colour with a darker rim, so pale colours still show on white."""
    fill = label_color(color)  # relations may have no colour of their own: grey
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(fill.darker(150))
    painter.setBrush(fill)
    painter.drawRoundedRect(QRect(0, 0, size - 1, size - 1), 3, 3)
    painter.end()
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)  # a selected row must not tint the label colour
    return icon


def label_chip_html(name: str, color: str | None) -> str:
    """The label name on its colour, for rich-text QLabels (pale colours are unreadable as text)."""
    fill = label_color(color)
    return (
        f'<span style="background-color:{fill.name()}; color:{text_color_on(fill).name()}; font-weight:600;">'
        f"&nbsp;{html.escape(name)}&nbsp;</span>"
    )


def is_plain_key(event: QEvent, keys: Iterable[Qt.Key]) -> bool:
    """A key event for one of ``keys`` without Ctrl/Alt/Shift (keypad keys count as plain)."""
    plain = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
    return isinstance(event, QKeyEvent) and event.key() in tuple(keys) and event.modifiers() in plain


def text_to_html(text: str) -> str:
    """Plain guideline text as HTML: YAML block lines join into paragraphs, blank lines split them.

    Rich text also makes Qt word-wrap the tooltip instead of showing one endless line.
    """
    paragraphs = [" ".join(part.split()) for part in text.strip().split("\n\n")]
    return "<br><br>".join(html.escape(p, quote=False) for p in paragraphs if p)


def guideline_tooltip(spec: LabelSpec) -> str:
    return f"<b>{html.escape(spec.name)}</b> ({html.escape(spec.hotkey)})<br>" + text_to_html(spec.description)


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps them, so a narrow dock still shows every label."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        # One row: a horizontal toolbar lays out by size hint and would otherwise stack the buttons.
        width = sum(item.sizeHint().width() for item in self._items) + self.spacing() * max(len(self._items) - 1, 0)
        height = max((item.sizeHint().height() for item in self._items), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y, line_height = area.x(), y + line_height + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self.spacing()
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class LabelBar(QWidget):
    """Emits ``label_chosen(name)`` when a label's button is clicked or its hotkey pressed.

    ``label_actions`` carry the hotkeys; the main window adds them to itself so that they work
    wherever the focus is in the window, not only while this bar is visible.
    """

    label_chosen = Signal(str)

    def __init__(self, schema: Schema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label_actions: dict[str, QAction] = {}
        self.buttons: dict[str, QToolButton] = {}

        title = QLabel("Labels:")
        title.setStyleSheet("font-weight: bold;")
        flow_host = QWidget()
        flow = FlowLayout(flow_host)
        flow.setContentsMargins(0, 0, 0, 0)
        for spec in schema.labels:
            action = self._make_action(spec)
            self.label_actions[spec.name] = action
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # tab-reachable, Space clicks
            button.setMinimumWidth(72)
            self.buttons[spec.name] = button
            flow.addWidget(button)

        # Title beside the buttons, not above: the bar usually lives in a toolbar, one row high.
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(8)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(flow_host, 1)

    def _make_action(self, spec: LabelSpec) -> QAction:
        action = QAction(spec.name, self)
        # The button shows iconText: name and hotkey, so the key is learnt by looking.
        action.setIconText(f"{spec.name}  {spec.hotkey}")
        action.setIcon(swatch_icon(spec.color))
        action.setShortcut(QKeySequence(spec.hotkey))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(guideline_tooltip(spec))
        action.triggered.connect(lambda _checked=False, name=spec.name: self.label_chosen.emit(name))
        return action

    def set_enabled_labels(self, enabled: bool) -> None:
        """Off while no document is open or the layer is not the annotator's own."""
        for action in self.label_actions.values():
            action.setEnabled(enabled)
