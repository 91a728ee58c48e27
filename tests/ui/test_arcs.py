"""Relation arcs in the window: made by dragging, selected by a click, deleted and undone,
followed off screen; label tags; read back from the database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from annotator.example_project import copy_example
from annotator.importers import import_paths
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.models import Span
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import NEWS_SCHEMA, without_suggestions_on_open
from tests.ui.conftest import shown_window
from ui.arc_gutter import ArcMode
from ui.main_window import MainWindow
from ui.settings import WindowSettings

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton


def saved_relations(project: Path, annotator: str) -> set[tuple[str, str, str]]:
    """(label, head text, tail text) of the layer's relations, read back by another service."""
    with AnnotationService.open(project, annotator) as service:
        doc = service.document(service.documents()[0].id)
        spans = {span.id: span for span in doc.spans}
        return {(r.label, spans[r.head].text, spans[r.tail].text) for r in doc.relations}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return without_suggestions_on_open(copy_example(tmp_path / "example"))


@pytest.fixture
def window(example: Path, qtbot: QtBot) -> MainWindow:
    win = shown_window(qtbot, example, "reference")
    win.resize(1400, 860)
    qtbot.wait(20)
    return win


def span_starting(window: MainWindow, label: str, text: str) -> Span:
    return next(s for s in window.layer.spans.values() if s.label == label and s.text.startswith(text))


def point_in(window: MainWindow, span: Span, at: int = 0) -> QPoint:
    """A point inside code point ``span.start + at`` (viewport coordinates)."""
    rects = window.view.fragment_rects(span.start + at, span.start + at + 1)
    assert rects, f"{span.text!r} is not on screen"
    return rects[0].center().toPoint()


def show_at(window: MainWindow, qtbot: QtBot, offset: int) -> None:
    window.view.select_range(offset, offset)
    window.view.centerCursor()
    qtbot.wait(20)


def test_dragging_from_a_claim_to_an_actor_makes_the_one_relation_the_schema_allows(
    window: MainWindow, example: Path, qtbot: QtBot
) -> None:
    claim = span_starting(window, "CLAIM", "Russia could be looking")
    actor = span_starting(window, "ACTOR", "Dongguk University")
    show_at(window, qtbot, claim.start)
    viewport = window.view.viewport()
    start, end = point_in(window, claim, 10), point_in(window, actor, 2)  # "could": inside the CLAIM only
    before = saved_relations(example, "reference")
    qtbot.mousePress(viewport, LEFT, CTRL, start)
    qtbot.mouseMove(viewport, end)
    assert window.statusBar().currentMessage().startswith("SAID_BY: 'Russia could be looking")  # what a drop makes
    qtbot.mouseRelease(viewport, LEFT, CTRL, end)
    made = saved_relations(example, "reference") - before
    assert made == {("SAID_BY", claim.text, "Dongguk University")}
    assert window.annotate.selected_relation is not None  # the new relation is selected...
    assert window.relation_panel.selected_relation() == window.annotate.selected_relation  # ...in the panel too
    assert not window.view.textCursor().hasSelection()  # the drag selected no text


def test_a_drag_between_labels_no_relation_links_says_why_and_makes_nothing(
    window: MainWindow, example: Path, qtbot: QtBot
) -> None:
    claim = span_starting(window, "CLAIM", "Russia could be looking")
    actor = span_starting(window, "ACTOR", "Dongguk University")
    show_at(window, qtbot, claim.start)
    viewport = window.view.viewport()
    start, end = point_in(window, actor, 2), point_in(window, claim, 10)  # backwards: ACTOR -> CLAIM
    before = saved_relations(example, "reference")
    qtbot.mousePress(viewport, LEFT, CTRL, start)
    qtbot.mouseMove(viewport, end)
    assert window.statusBar().currentMessage() == "No relation goes from an ACTOR to a CLAIM"
    qtbot.mouseRelease(viewport, LEFT, CTRL, end)
    assert saved_relations(example, "reference") == before
    message = window.statusBar().currentMessage()
    assert "No relation of the schema goes from an ACTOR to a CLAIM" in message
    assert "SAID_BY goes the other way" in message


def test_a_plain_drag_over_spans_still_selects_text(window: MainWindow, qtbot: QtBot) -> None:
    claim = span_starting(window, "CLAIM", "Russia could be looking")
    show_at(window, qtbot, claim.start)
    viewport = window.view.viewport()
    start, end = point_in(window, claim, 10), point_in(window, claim, 30)
    qtbot.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, end)
    assert window.view.textCursor().hasSelection()


def test_a_ctrl_click_on_a_span_selects_it(window: MainWindow, qtbot: QtBot) -> None:
    actor = span_starting(window, "ACTOR", "Dongguk University")
    show_at(window, qtbot, actor.start)
    qtbot.mouseClick(window.view.viewport(), LEFT, CTRL, point_in(window, actor, 2))
    assert window.annotate.selected_span == actor.id


def test_a_click_on_an_arc_selects_it_delete_removes_it_and_undo_brings_it_back(
    window: MainWindow, example: Path, qtbot: QtBot
) -> None:
    claim = span_starting(window, "CLAIM", "Russia could be looking")
    show_at(window, qtbot, claim.start)
    gutter = window.arcs.gutter
    arc = next(a for a in gutter.arcs() if window.layer.relations[a.relation_id].head == claim.id)
    relation = window.layer.relations[arc.relation_id]
    assert arc.head.y is not None and arc.tail.y is not None  # both ends on screen
    on_arc = QPointF(gutter.x_of(arc), (arc.top + arc.bottom) / 2).toPoint()
    qtbot.mouseMove(gutter, on_arc)  # hovering frames its ends
    ends = [window.layer.spans[relation.head], window.layer.spans[relation.tail]]
    washed = sorted(selection.cursor.selectionStart() for selection in window.view.extraSelections())
    assert washed == sorted(window.view.qt_at_offset(span.start) for span in ends)
    qtbot.mouseClick(gutter, LEFT, pos=on_arc)
    assert window.annotate.selected_relation == relation.id
    assert window.relation_panel.selected_relation() == relation.id
    assert gutter.focused() == {relation.id}
    tail_text = window.layer.spans[relation.tail].text
    assert ("SAID_BY", claim.text, tail_text) in saved_relations(example, "reference")
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert ("SAID_BY", claim.text, tail_text) not in saved_relations(example, "reference")
    assert len(window.layer.spans) == 77  # the relation went, its spans stayed
    assert all(a.relation_id != relation.id for a in gutter.arcs())
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ("SAID_BY", claim.text, tail_text) in saved_relations(example, "reference")
    assert any(window.layer.relations[a.relation_id].head == claim.id for a in gutter.arcs())


def test_a_click_on_a_short_arcs_initials_selects_its_relation(window: MainWindow, qtbot: QtBot) -> None:
    show_at(window, qtbot, span_starting(window, "CLAIM", "Mr Choe’s trip").start)
    gutter = window.arcs.gutter
    gutter.grab()  # painted: the labels are placed
    arc = next(a for a in gutter.arcs() if a.bottom - a.top < 20)  # both ends on one line: initials beside it
    box = gutter.label_boxes[arc.relation_id]
    assert box.right() < gutter.x_of(arc)
    qtbot.mouseClick(gutter, LEFT, pos=box.center().toPoint())
    assert window.annotate.selected_relation == arc.relation_id


def test_selected_only_and_hidden_modes_cycle_and_are_remembered(window: MainWindow, qtbot: QtBot) -> None:
    gutter = window.arcs.gutter
    show_at(window, qtbot, span_starting(window, "CLAIM", "Russia could be looking").start)
    assert len(gutter.arcs()) >= 2
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.view, Qt.Key.Key_K, keys)
    assert gutter.mode is ArcMode.SELECTED and gutter.arcs() == []  # nothing is selected
    some = next(iter(window.layer.relations))
    window.annotate.select_relation(some)
    window.view.select_range(*(lambda s: (s.start, s.start))(window.layer.spans[window.layer.relations[some].head]))
    qtbot.wait(20)
    assert [a.relation_id for a in gutter.arcs()] == [some]
    qtbot.keyClick(window.view, Qt.Key.Key_K, keys)
    assert gutter.mode is ArcMode.HIDDEN and gutter.arcs() == []
    assert WindowSettings().arc_mode == "hidden"
    qtbot.keyClick(window.view, Qt.Key.Key_K, keys)
    assert gutter.mode is ArcMode.ALL and WindowSettings().arc_mode == "all"


def test_label_tags_show_each_label_at_its_span_start(window: MainWindow, qtbot: QtBot) -> None:
    actor = span_starting(window, "ACTOR", "Dongguk University")
    show_at(window, qtbot, actor.start)
    window.view.select_range(actor.end + 3, actor.end + 3)  # no selection drawn over it
    rect = window.view.fragment_rects(actor.start, actor.start + 2)[0]
    above = QRectF(rect.left(), rect.top() - rect.height() / 2, rect.width(), rect.height() / 2).toAlignedRect()

    def pixels() -> QImage:
        qtbot.wait(20)
        return window.view.viewport().grab(above).toImage()

    plain = pixels()
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.view, Qt.Key.Key_G, keys)
    assert window.arcs.tags.shown and WindowSettings().label_tags
    tagged = pixels()
    assert tagged != plain  # a chip in the ACTOR's dark shade over the gap above the span
    dark = window.view.highlighter.bar_color_of("ACTOR").rgb()
    assert any(tagged.pixelColor(x, tagged.height() - 2).rgb() == dark for x in range(tagged.width()))
    qtbot.keyClick(window.view, Qt.Key.Key_G, keys)
    assert not window.arcs.tags.shown and pixels() == plain


@pytest.fixture
def long_project(tmp_path: Path) -> Path:
    root = tmp_path / "long"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: long\nschema: schema.yaml\n", encoding="utf-8")
    sources = tmp_path / "docs"
    sources.mkdir()
    filler = "".join(f"Line {n} of filler text between the two ends.\n" for n in range(200))
    (sources / "long.txt").write_text(f"Prices will rise soon.\n{filler}Kim Jong Un\n", encoding="utf-8")
    with Project.open(root) as opened:
        import_paths(opened, [sources])
    with AnnotationService.open(root, "alice") as service:
        doc = service.documents()[0]
        text = service.document(doc.id).text
        claim = service.add_span(doc.id, 0, len("Prices will rise soon"), "CLAIM").value
        at = text.index("Kim Jong Un")
        actor = service.add_span(doc.id, at, at + len("Kim Jong Un"), "ACTOR").value
        service.add_relation("SAID_BY", claim.id, actor.id)
    return root


def test_a_relation_whose_end_is_off_screen_points_to_the_edge_and_a_click_goes_there(
    long_project: Path, qtbot: QtBot
) -> None:
    window = shown_window(qtbot, long_project, "alice")
    window.resize(1000, 600)
    qtbot.wait(20)
    gutter = window.arcs.gutter
    (arc,) = gutter.arcs()
    assert arc.head.y is not None and arc.tail.y is None and not arc.tail.above  # the ACTOR is far below
    edge = QPointF(gutter.x_of(arc), gutter.height() - 4)
    assert "to 'Kim Jong Un' (below: click to go there)" in gutter.tooltip_at(edge)
    assert "SAID_BY: 'Prices will rise soon' → 'Kim Jong Un'" in gutter.tooltip_at(QPointF(gutter.x_of(arc), 200))
    qtbot.mouseClick(gutter, LEFT, pos=edge.toPoint())
    qtbot.wait(20)
    (arc,) = gutter.arcs()
    assert arc.tail.y is not None and arc.head.y is None and arc.head.above  # now the CLAIM is the one off screen
    assert window.annotate.selected_relation == arc.relation_id
    assert "from 'Prices will rise soon' (above" in gutter.tooltip_at(QPointF(gutter.x_of(arc), 4))


@pytest.fixture
def many_project(tmp_path: Path) -> Path:
    """400 lines, each a CLAIM holding an ACTOR, each CLAIM related to its ACTOR: 400 relations."""
    root = tmp_path / "many"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: many\nschema: schema.yaml\n", encoding="utf-8")
    line = "Kim Jong Un will visit Moscow soon.\n"
    spans, relations = [], []
    for number in range(400):
        at = number * len(line)
        spans.append(SpanRecord(f"c{number}", at, at + len(line) - 2, "CLAIM"))
        spans.append(SpanRecord(f"a{number}", at, at + len("Kim Jong Un"), "ACTOR", {"kind": "person"}))
        relations.append(RelationRecord("SAID_BY", f"c{number}", f"a{number}"))
    record = DocumentRecord("test", 1, line * 400, "many", annotator="alice", spans=spans, relations=relations)
    with Project.open(root) as opened:
        import_records(opened, [record])
    return root


def test_only_the_relations_on_screen_are_laid_out(many_project: Path, qtbot: QtBot) -> None:
    window = shown_window(qtbot, many_project, "alice")
    window.resize(1000, 600)
    qtbot.wait(20)
    assert len(window.layer.relations) == 400
    gutter = window.arcs.gutter
    arcs = gutter.arcs()
    assert 5 < len(arcs) < 60  # a screenful of lines, not 400
    assert all(arc.head.y is not None or arc.tail.y is not None for arc in arcs)
    show_at(window, qtbot, len(window.layer.text) // 2)
    middle = gutter.arcs()
    assert 5 < len(middle) < 60 and not {a.relation_id for a in middle} & {a.relation_id for a in arcs}
