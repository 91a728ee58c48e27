"""The window's side of arcs, label tags and relations made by dragging.

Applies the remembered arc mode and label tags to the view, remembers each change, follows
the selection (the selected relation and the selected span's relations stand out), and turns
a click on an arc or a drag between two spans into the annotate controller's selection and
the service's edits (undoable like every edit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from annotator.models import Span
from ui.arc_gutter import ArcMode
from ui.menus import Handler, Toggle
from ui.wording import with_article

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["ArcOptions"]

MODE_ORDER = (ArcMode.ALL, ArcMode.SELECTED, ArcMode.HIDDEN)
MODE_WORDS = {
    ArcMode.ALL: "all relations",
    ArcMode.SELECTED: "the selected relation and the selected span's only",
    ArcMode.HIDDEN: "hidden",
}


class ArcOptions:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._view = window.view
        self._arcs = window.arcs
        self._settings = window.settings
        self._arcs.gutter.set_mode(ArcMode(self._settings.arc_mode))
        self._arcs.tags.shown = self._settings.label_tags
        self._arcs.gutter.relation_clicked.connect(self.arc_clicked)
        self._arcs.gutter.relation_hovered.connect(self.arc_hovered)
        self._arcs.drag.dragged.connect(self.relate)
        self._arcs.drag.refused.connect(self._status)
        self._arcs.drag.hint.connect(self._status)

    def commands(self) -> dict[str, Handler]:
        """Handlers of the View menu's commands (ui/shortcuts.py)."""
        return {"arc_mode": self.cycle_mode, "label_tags": Toggle(self._arcs.tags.shown, self.show_tags)}

    def cycle_mode(self) -> None:
        mode = MODE_ORDER[(MODE_ORDER.index(self._arcs.gutter.mode) + 1) % len(MODE_ORDER)]
        self._arcs.gutter.set_mode(mode)
        self._settings.arc_mode = mode.value
        self._status(f"Relation arcs: {MODE_WORDS[mode]} (Ctrl+Shift+K for the next)")

    def show_tags(self, on: bool) -> None:
        self._arcs.tags.shown = on
        self._settings.label_tags = on
        self._view.viewport().update()

    def arc_clicked(self, relation_id: int) -> None:
        """An arc clicked: its relation becomes the selection (Delete removes it), the panel follows."""
        annotate = self._window.annotate
        annotate.select_span(None)
        annotate.select_relation(relation_id)
        self._view.setFocus()

    def arc_hovered(self, relation_id: int) -> None:
        """The ends of the arc under the mouse are framed as a selected relation's; the selected one's again after."""
        layer = self._window.layer
        shown = relation_id if relation_id >= 0 else self._window.annotate.selected_relation
        relation = layer.relations.get(shown) if shown is not None else None
        if relation is None:
            self._view.set_relation_overlay(None, None)
        else:
            self._view.set_relation_overlay(layer.spans.get(relation.head), layer.spans.get(relation.tail))

    def relate(self, head_id: int, tail_id: int, where: QPoint) -> None:
        """A drag from span ``head_id`` to span ``tail_id``: the one relation the schema allows
        between their labels is made at once; several are offered in a menu; none is explained."""
        spans = self._window.layer.spans
        head, tail = spans.get(head_id), spans.get(tail_id)
        if head is None or tail is None:
            return
        allowed = self._window.schema.relations_between(head.label, tail.label)
        if not allowed:
            self._status(self._why_none(head, tail))
        elif len(allowed) == 1:
            self.make(allowed[0].name, head_id, tail_id)
        else:
            menu = QMenu(self._window)
            menu.setObjectName("relationTypeMenu")
            for spec in allowed:
                menu.addAction(spec.name).triggered.connect(
                    lambda _checked=False, name=spec.name: self.make(name, head_id, tail_id)
                )
            menu.popup(where)

    def make(self, label: str, head_id: int, tail_id: int) -> None:
        outcome = self._window.attempt(lambda: self._window.service.add_relation(label, head_id, tail_id))
        if outcome is not None:
            self._window.annotate.select_span(None)
            self._window.annotate.select_relation(outcome.value.id)
            self._status(f"Added {outcome.changes.description.removeprefix('add ')}")

    def _why_none(self, head: Span, tail: Span) -> str:
        reverse = self._window.schema.relations_between(tail.label, head.label)
        words = f"No relation of the schema goes from {with_article(head.label)} to {with_article(tail.label)}"
        if reverse:
            names = "/".join(spec.name for spec in reverse)
            return f"{words}: {names} goes the other way, drag from the {tail.label} to the {head.label}"
        return words

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8000)
