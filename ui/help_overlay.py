"""F1 or ?: every key of the open schema and of the window, over the window until a key or click.

The rows come from the same places the keys are bound from: the schema's label and
relation hotkeys, and the one shortcut table (ui/shortcuts.py), so the overlay cannot
drift from what the keys do.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.schema import Schema
from annotator.short_text import one_line
from ui.label_bar import label_chip_html
from ui.shortcuts import SHORTCUTS, window_keys

__all__ = ["HelpOverlay", "KeyRow", "key_rows"]

_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}


@dataclass(frozen=True)
class KeyRow:
    section: str
    keys: tuple[str, ...]  # as the user reads them ("Ctrl+Z")
    what: str
    chip_color: str | None = None  # a label's colour, for its chip


def _readable(key: str) -> str:
    if len(key) == 1:
        return key  # "a", as pressed (Qt would print "A", which reads as Shift+A)
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) or key


def _menu_text(text: str) -> str:
    return text.replace("&", "").rstrip("…").strip()


def key_rows(schema: Schema) -> list[KeyRow]:
    """Every key the window answers to, section by section."""
    rows = [KeyRow("Labels", (_readable(spec.hotkey),), spec.name, spec.color) for spec in schema.labels if spec.hotkey]
    for relation in schema.relations:
        if relation.hotkey:
            ends = f"{'/'.join(relation.head)} → {'/'.join(relation.tail)}"
            rows.append(KeyRow("Relations", (_readable(relation.hotkey),), f"{relation.name} ({ends})", relation.color))
    for name, command in SHORTCUTS.items():
        keys = window_keys(name, schema)
        if keys:
            rows.append(KeyRow("Window", tuple(_readable(k) for k in keys), _menu_text(command.text)))
    return rows


def _html(schema: Schema) -> str:
    parts = [f"<h2>Keys of schema {html.escape(schema.name)} and of the window</h2>"]
    section = None
    for row in key_rows(schema):
        if row.section != section:
            if section is not None:
                parts.append("</table>")
            section = row.section
            parts.append(f"<h3>{html.escape(section)}</h3><table cellspacing='0' cellpadding='3'>")
        keys = ", ".join(f"<b>{html.escape(k)}</b>" for k in row.keys)
        what = label_chip_html(row.what, row.chip_color) if row.section == "Labels" else html.escape(row.what)
        parts.append(f"<tr><td style='padding-right:18px'>{keys}</td><td>{what}</td></tr>")
    parts.append(
        "</table><p>Select text and press a label's key to label it; with a span selected, a label's key"
        " relabels it. Span edges move by a word, or by a character with Snap to Words off.</p>"
        "<p>Ctrl+drag from one span to another relates them; a click on an arc beside the text selects its"
        " relation.</p>"
        "<p><i>Any key or a click closes this.</i></p>"
    )
    return "".join(parts)


class HelpOverlay(QFrame):
    """A panel over the whole window; it takes every key, so none labels text behind it."""

    def __init__(self, parent: QWidget, schema: Schema, focus_after: QWidget) -> None:
        super().__init__(parent)
        self._focus_after = focus_after  # where typing goes on once the overlay is gone
        self.setObjectName("helpOverlay")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#helpOverlay { background: rgba(250, 250, 250, 245); border: 2px solid #555; }")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.text = QLabel(_html(schema))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setToolTip(one_line(schema.description, 200))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.text)
        scroll.setFocusProxy(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(scroll)
        parent.installEventFilter(self)
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
            return
        self._fit()
        self.show()
        self.raise_()
        self.setFocus()

    def _fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect().adjusted(24, 24, -24, -24))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._fit()
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        # Shown, the overlay claims every key before the window's shortcuts see it.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() not in _MODIFIER_KEYS:
            self.hide()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()
        event.accept()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._focus_after.setFocus()
