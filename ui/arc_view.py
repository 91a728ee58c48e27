"""What issue 13 adds to a text view: the gutter of relation arcs, the Ctrl+drag that relates two
spans, and label tags; attached from outside, so the view only says when it has painted."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter

from annotator.layer_model import LayerModel
from annotator.schema import Schema
from ui.arc_drag import RelationDrag
from ui.arc_gutter import ArcGutter
from ui.arc_paint import paint_arc_marks
from ui.label_tags import LabelTags
from ui.text_view import AnnotationTextView

__all__ = ["ViewArcs", "attach_arcs"]


@dataclass
class ViewArcs:
    view: AnnotationTextView
    gutter: ArcGutter
    drag: RelationDrag
    tags: LabelTags

    def paint_over_text(self, painter: QPainter, area: QRect) -> None:
        """After the view's own painting: the marks of the arcs' ends, then the tags."""
        paint_arc_marks(painter, self.gutter)
        self.tags.paint(painter, self.view, area)


def attach_arcs(view: AnnotationTextView, layer: LayerModel, schema: Schema) -> ViewArcs:
    """Arcs, relation dragging and label tags for ``view``, which shows ``layer``."""
    parts = ViewArcs(view, ArcGutter(view, layer, schema), RelationDrag(view, schema), LabelTags())
    view.painted_over.connect(parts.paint_over_text)
    return parts
