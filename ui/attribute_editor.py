"""The attribute editor: a form for the attributes of the selected span, built from the schema."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.models import Span
from annotator.schema import AttributeSpec, Schema
from annotator.short_text import one_line
from ui.compact_layout import SIDE_PANEL_MIN_WIDTH
from ui.label_bar import is_plain_key, label_chip_html, text_to_html

NO_VALUE = "—"
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
ERROR_STYLE = "QLineEdit { border: 2px solid #D32F2F; border-radius: 3px; padding: 1px; }"
DATE_EXAMPLES = "e.g. 2014-11-14, 2014-11, 2014-W47"


class _ComboBox(QComboBox):
    """Ignores the wheel unless focused: scrolling the dock must not change a value by accident."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class _LineEdit(QLineEdit):
    """Owns Enter while focused: the window binds Enter window-wide, and Enter must commit here."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and is_plain_key(event, ENTER_KEYS):
            event.accept()
            return True
        return super().event(event)


class AttributeEditor(QWidget):
    """Emits ``attribute_edited(span_id, name, value)``; a value of None clears the attribute.

    Filling the form never emits: only what the annotator changes is written.
    """

    attribute_edited = Signal(int, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._span: Span | None = None
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}  # date attribute -> its message line
        self._setters: dict[str, Callable[[Any], None]] = {}

        title = QLabel("Attributes")
        title.setStyleSheet("font-weight: bold;")
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        palette = self.hint.palette()  # the theme's own grey, so dark themes stay readable
        palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
        self.hint.setPalette(palette)
        self._form_host = QWidget()
        self.form = QFormLayout(self._form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.header)
        layout.addWidget(self.hint)
        layout.addWidget(self._form_host)
        layout.addStretch(1)
        self.setMinimumWidth(SIDE_PANEL_MIN_WIDTH)
        self.show_span(None, None)

    @property
    def span(self) -> Span | None:
        return self._span

    def show_span(self, span: Span | None, schema: Schema | None) -> None:
        """Show ``span``'s attributes; the same span again only refreshes the values in place,
        so the field the annotator tabbed into keeps its focus after the previous one saved."""
        previous, self._span = self._span, span
        spec = schema.label(span.label) if span is not None and schema is not None else None
        if span is None or spec is None:
            self._clear_form()
            self.header.clear()
            self.header.hide()
            self._show_hint(
                "Select a span to edit its attributes" if span is None else f"{span.label} is not in the schema"
            )
            return
        self.header.setText(
            f"{label_chip_html(span.label, spec.color)}&nbsp; <i>“{html.escape(one_line(span.text, 120))}”</i>"
        )
        self.header.setToolTip(text_to_html(span.text[:2000]))
        self.header.show()
        if not spec.attributes:
            self._clear_form()
            self._show_hint(f"{span.label} has no attributes")
            return
        self.hint.hide()
        same_form = previous is not None and previous.id == span.id and previous.label == span.label and self.fields
        if not same_form:
            self._clear_form()
            for attribute in spec.attributes:
                self._add_field(span.id, attribute)
        for attribute in spec.attributes:
            self._setters[attribute.name](span.attributes.get(attribute.name))

    def _show_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.show()

    def _clear_form(self) -> None:
        # Widgets are deleted later, not now: one of them may be emitting the signal that led here.
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()
        self.fields.clear()
        self.errors.clear()
        self._setters.clear()

    def _add_field(self, span_id: int, spec: AttributeSpec) -> None:
        tooltip = text_to_html(spec.description) if spec.description else ""
        if spec.type == "choice":
            widget: QWidget = self._choice_field(span_id, spec)
        elif spec.type == "boolean":
            widget = self._boolean_field(span_id, spec)
        else:
            widget = self._line_field(span_id, spec)
        widget.setToolTip(tooltip)
        widget.setObjectName(f"attribute_{spec.name}")
        label = QLabel(f"{spec.name}:")
        label.setBuddy(widget)
        label.setToolTip(tooltip)
        self.fields[spec.name] = widget
        field = self._with_error_line(spec.name, widget) if spec.type == "date" else widget
        self.form.addRow(label, field)
        # Shown now, not by Qt's queued show: the field can take focus as soon as the span is shown.
        # (Hiding them while the editor is hidden would keep them hidden once it shows.)
        if self.isVisible():
            label.show()
            field.show()

    def _choice_field(self, span_id: int, spec: AttributeSpec) -> QComboBox:
        box = _ComboBox()
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        box.addItem(NO_VALUE, None)
        for value in spec.values:
            box.addItem(value, value)

        def fill(value: Any) -> None:
            box.blockSignals(True)
            box.setCurrentIndex(max(box.findData(value), 0) if value is not None else 0)
            box.blockSignals(False)

        # currentIndexChanged fires only on a real change (mouse, arrow keys, typing a letter).
        box.currentIndexChanged.connect(lambda _i: self.attribute_edited.emit(span_id, spec.name, box.currentData()))
        self._setters[spec.name] = fill
        return box

    def _boolean_field(self, span_id: int, spec: AttributeSpec) -> QCheckBox:
        box = QCheckBox()

        def fill(value: Any) -> None:
            box.blockSignals(True)
            box.setChecked(value is True)
            box.blockSignals(False)

        box.toggled.connect(lambda checked: self.attribute_edited.emit(span_id, spec.name, bool(checked)))
        self._setters[spec.name] = fill
        return box

    def _line_field(self, span_id: int, spec: AttributeSpec) -> QLineEdit:
        edit = _LineEdit()
        edit.setClearButtonEnabled(True)
        if spec.type == "date":
            edit.setPlaceholderText(DATE_EXAMPLES)
        committed: list[str] = [""]  # the value in the store, to skip writes that change nothing

        def fill(value: Any) -> None:
            if edit.hasFocus() and edit.isModified():
                return  # the annotator is typing here; their text wins over the refresh
            text = "" if value is None else str(value)
            edit.blockSignals(True)
            edit.setText(text)
            edit.setModified(False)
            edit.blockSignals(False)
            committed[0] = text
            self._set_error(spec.name, None)

        def commit() -> None:
            text = edit.text().strip()
            if spec.type == "date" and text:
                problem = spec.check(text)
                self._set_error(spec.name, problem)
                if problem is not None:
                    return  # a bad date is never written; the message says why
            if text == committed[0]:
                return  # Enter then focus-out both finish editing; write once
            committed[0] = text
            edit.setModified(False)
            self.attribute_edited.emit(span_id, spec.name, text or None)

        edit.editingFinished.connect(commit)
        edit.textEdited.connect(lambda _text: self._set_error(spec.name, None))  # typing again clears the alarm
        self._setters[spec.name] = fill
        return edit

    def _with_error_line(self, name: str, edit: QWidget) -> QWidget:
        host = QWidget()
        column = QVBoxLayout(host)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        message = QLabel()
        message.setWordWrap(True)
        message.setStyleSheet("color: #D32F2F;")
        message.hide()
        column.addWidget(edit)
        column.addWidget(message)
        self.errors[name] = message
        host.setFocusProxy(edit)
        return host

    def _set_error(self, name: str, problem: str | None) -> None:
        message = self.errors.get(name)
        edit = self.fields.get(name)
        if message is None or edit is None:
            return
        edit.setStyleSheet(ERROR_STYLE if problem else "")
        message.setText(problem or "")
        message.setVisible(problem is not None)
