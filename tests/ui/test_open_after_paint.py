"""Opening a document paints its text first; the side panels' rows and the last document's reading
time follow that paint (ui/first_paint.py). Keys pressed before it still act on the whole layer,
and nothing is lost: every figure is read back from the database or the panels."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent, QTextCursor
from pytestqt.qtbot import QtBot

from annotator import service as service_module
from annotator.errors import NotFoundError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import NEWS_SCHEMA
from tests.ui.conftest import shown_window
from ui.controllers import navigation
from ui.controllers.navigation import FIRST_SCREEN_SPANS
from ui.highlighter import DEFER_ABOVE
from ui.main_window import MainWindow

SENTENCE = "Kim Jong Un said on Monday that talks with Moscow resume soon. "
FREE_WORD = "Moscow"


def article(number: int, sentences: int) -> DocumentRecord:
    """Sentences, each a CLAIM holding an ACTOR, with a SAID_BY from the CLAIM to the ACTOR."""
    head = f"Article {number}. "
    text = head + SENTENCE * sentences
    spans, relations = [], []
    for i in range(sentences):
        at = len(head) + i * len(SENTENCE)
        spans.append(SpanRecord(f"a{i}", at, at + len("Kim Jong Un"), "ACTOR"))
        spans.append(SpanRecord(f"c{i}", at, at + len(SENTENCE) - 2, "CLAIM"))
        relations.append(RelationRecord("SAID_BY", f"c{i}", f"a{i}"))
    return DocumentRecord(
        "test", number, text, external_id=f"a{number}", annotator="alice", spans=spans, relations=relations
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: paint\nschema: schema.yaml\n", encoding="utf-8")
    with Project.open(root) as opened:
        import_records(opened, [article(n, 40) for n in range(1, 4)])
    return root


@pytest.fixture
def window(project: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    win = shown_window(qtbot, project, "alice")
    qtbot.waitUntil(lambda: not win.first_paint.waiting)
    yield win
    gc.unfreeze()  # what the window froze goes back to the collector, as before this test


def next_document(window: MainWindow, qtbot: QtBot) -> None:
    """Alt+Down, as a person presses it: no event is processed after it, so nothing is painted yet."""
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)


def listed_span_ids(window: MainWindow) -> list[int]:
    model = window.span_list.model
    return [model.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount())]


def select_word(window: MainWindow, word: str) -> tuple[int, int]:
    start = window.layer.text.index(word)
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.qt_at_offset(start))
    cursor.setPosition(window.view.qt_at_offset(start + len(word)), QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    return start, start + len(word)


def stored_seconds(project: Path) -> dict[str, float]:
    with AnnotationService.open(project, "alice") as service:
        return {row.external_id: row.seconds_spent for row in service.documents()}


def test_the_panels_fill_after_the_texts_first_paint(window: MainWindow, qtbot: QtBot) -> None:
    next_document(window, qtbot)
    assert window.layer.text.startswith("Article 2.")
    assert window.first_paint.waiting and window.span_list.model.rowCount() == 0  # not painted: no rows yet
    assert window.relation_panel.model.rowCount() == 0
    qtbot.waitUntil(lambda: not window.first_paint.waiting)
    qtbot.waitUntil(lambda: window.span_list.model.rowCount() == 80)
    expected = [s.id for s in sorted(window.layer.spans.values(), key=lambda s: (s.start, s.end, s.id))]
    assert listed_span_ids(window) == expected
    assert window.span_list.title.text() == "Spans (80)"
    assert window.relation_panel.model.rowCount() == 40
    assert window.relation_panel.title.text() == "Relations (40)"


def test_a_label_key_right_after_alt_down_labels_the_new_document(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    next_document(window, qtbot)
    second = window.layer.id
    start, end = select_word(window, FREE_WORD)
    assert window.first_paint.waiting  # the key comes before the text is painted
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    with AnnotationService.open(project, "alice") as service:
        saved = [(s.start, s.end, s.label) for s in service.document(second).spans]
        first = service.document(service.find_document("a1")).spans
    assert (start, end, "ACTOR") in saved and len(saved) == 81
    assert len(first) == 80  # the document left is untouched
    # The list was built from the whole layer when the edit came, the new span in its place.
    assert len(listed_span_ids(window)) == 81 and window.annotate.selected_span in listed_span_ids(window)
    assert window.span_list.selected_span() == window.annotate.selected_span
    qtbot.waitUntil(lambda: not window.first_paint.waiting)
    assert len(listed_span_ids(window)) == 81
    assert window.relation_panel.model.rowCount() == 40


def test_undo_right_after_alt_down_reaches_the_whole_layer(window: MainWindow, project: Path, qtbot: QtBot) -> None:
    select_word(window, FREE_WORD)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    next_document(window, qtbot)
    next_document(window, qtbot)  # two documents on, neither painted
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # back to the first, undone
    qtbot.waitUntil(lambda: not window.first_paint.waiting)
    assert window.layer.text.startswith("Article 1.")
    assert len(window.layer.spans) == 80
    qtbot.waitUntil(lambda: len(listed_span_ids(window)) == 80)
    with AnnotationService.open(project, "alice") as service:
        assert [len(service.document(d.id).spans) for d in service.documents()] == [80, 80, 80]


def test_selecting_a_relation_before_the_paint_shows_it_selected(window: MainWindow, qtbot: QtBot) -> None:
    next_document(window, qtbot)
    relation = min(window.layer.relations)
    window.relation_panel.select_relation(relation)
    assert window.relation_panel.selected_relation() == relation
    assert window.relation_panel.model.rowCount() == 40


def test_the_reading_time_of_the_document_left_is_saved_after_the_next_is_painted(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    painted_when_saved: list[bool] = []
    add_time = window.service.add_time

    def noting(document_id: int, seconds: float) -> None:
        painted_when_saved.append(not window.first_paint.waiting)
        add_time(document_id, seconds)

    window.service.add_time = noting  # type: ignore[method-assign]
    window.navigation.reading_time.start()
    qtbot.wait(1100)
    next_document(window, qtbot)
    assert stored_seconds(project)["a1"] == 0  # not before the new document is on screen
    qtbot.waitUntil(lambda: stored_seconds(project)["a1"] >= 1.0)
    assert painted_when_saved == [True]


def test_a_time_taken_is_saved_by_the_next_switch_or_close_when_no_paint_came_between(
    window: MainWindow, project: Path, qtbot: QtBot
) -> None:
    window.navigation.reading_time.start()
    qtbot.wait(1100)
    next_document(window, qtbot)  # the first document's time is taken; saving it waits for a paint...
    next_document(window, qtbot)  # ...that has not come: this switch saves it before anything else
    assert stored_seconds(project)["a1"] >= 1.0
    qtbot.waitUntil(lambda: not window.first_paint.waiting)
    qtbot.wait(1100)
    qtbot.keyClick(window.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # the third left
    window.close()  # before the second is painted again
    seconds = stored_seconds(project)
    assert seconds["a3"] >= 1.0 and seconds["a2"] == 0


# --- a long document: its first screen is painted from its first spans, the rest read right after ---

LONG_SENTENCES = 2_200  # ~140,000 characters: past DEFER_ABOVE and FIRST_SCREEN_SPANS


@pytest.fixture
def long_window(tmp_path: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    root = tmp_path / "long"
    root.mkdir()
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: long\nschema: schema.yaml\n", encoding="utf-8")
    with Project.open(root) as opened:
        import_records(opened, [article(1, 3), article(2, LONG_SENTENCES)])
    win = shown_window(qtbot, root, "alice")
    qtbot.waitUntil(lambda: not win.first_paint.waiting)
    yield win
    gc.unfreeze()


def test_a_long_documents_first_screen_is_painted_before_the_rest_is_read_and_nothing_is_missing(
    long_window: MainWindow, qtbot: QtBot
) -> None:
    window = long_window
    assert len(article(2, LONG_SENTENCES).text) > max(DEFER_ABOVE, FIRST_SCREEN_SPANS)
    seen_at_first_paint: list[tuple[int, int]] = []
    widths: list[int] = []
    paint = window.view.paintEvent

    def noting(event: QPaintEvent) -> None:
        if not seen_at_first_paint:
            seen_at_first_paint.append((len(window.layer.spans), len(window.layer.relations)))
        widths.append(window.view.viewport().width())
        paint(event)

    window.view.paintEvent = noting  # type: ignore[method-assign]
    next_document(window, qtbot)
    # Painted while the layer held only the first screen's spans; whole when the key was handled.
    assert seen_at_first_paint and 0 < seen_at_first_paint[0][0] < 2 * LONG_SENTENCES
    assert seen_at_first_paint[0][1] == 0
    assert window.view.verticalScrollBar().isVisible()  # shown before that paint: no reflow after it
    whole = window.service.document(window.layer.id)
    assert window.layer.view() == whole
    assert len(whole.spans) == 2 * LONG_SENTENCES and len(whole.relations) == LONG_SENTENCES
    qtbot.waitUntil(lambda: window.view.highlighter.is_complete)  # the idle work runs to its end
    del window.view.paintEvent
    assert set(widths) == {window.view.viewport().width()}  # every paint at the width the text keeps
    last = whole.spans[-1]  # far past the first screen's spans
    assert last.start > FIRST_SCREEN_SPANS
    covering = {s.id for s in whole.spans if s.start <= last.start < s.end}
    assert last.id in covering and {s.id for s in window.view.spans_at(last.start)} == covering
    qtbot.waitUntil(lambda: len(listed_span_ids(window)) == 2 * LONG_SENTENCES)
    assert window.relation_panel.model.rowCount() == LONG_SENTENCES


def test_a_label_key_right_after_opening_a_long_document_labels_it_far_down(
    long_window: MainWindow, qtbot: QtBot
) -> None:
    window = long_window
    next_document(window, qtbot)
    text = window.layer.text
    start = text.index(FREE_WORD, FIRST_SCREEN_SPANS + 1000)
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.qt_at_offset(start))
    cursor.setPosition(window.view.qt_at_offset(start + len(FREE_WORD)), QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    saved = window.service.document(window.layer.id)
    assert (start, start + len(FREE_WORD), "ACTOR") in [(s.start, s.end, s.label) for s in saved.spans]
    assert len(saved.spans) == 2 * LONG_SENTENCES + 1
    assert window.layer.view() == saved
    assert [s.id for s in window.view.spans_at(start)][-1] == window.annotate.selected_span


def test_a_screen_reaching_past_the_first_spans_is_drawn_again_from_the_whole_layer(
    long_window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = long_window
    monkeypatch.setattr(navigation, "FIRST_SCREEN_SPANS", 300)  # as a screen of zero-width characters would
    spans_at_paints: list[int] = []
    paint = window.view.paintEvent

    def noting(event: QPaintEvent) -> None:
        spans_at_paints.append(len(window.layer.spans))
        paint(event)

    window.view.paintEvent = noting  # type: ignore[method-assign]
    next_document(window, qtbot)
    assert spans_at_paints and spans_at_paints[0] < 20  # the first screen, from the spans before 300
    # What the next paint of that screen draws comes from the whole layer, not from those first spans.
    on_screen = next(s for s in window.layer.spans.values() if 300 < s.start < 1500)
    drawn = window.view.highlighter.segments_between(0, window.view.qt_at_offset(on_screen.end))
    assert any(on_screen.id in segment.span_ids for segment in drawn)
    qtbot.waitUntil(lambda: len(spans_at_paints) >= 2)
    assert spans_at_paints[-1] == 2 * LONG_SENTENCES  # drawn again once the layer was whole
    del window.view.paintEvent
    qtbot.waitUntil(lambda: window.view.highlighter.is_complete)
    assert on_screen.id in window.view.highlighter.drawn_at(on_screen.start).span_ids


def test_if_the_rest_cannot_be_read_the_whole_document_is_read_again_and_loaded(
    long_window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = long_window

    def failing(*_args: object) -> None:
        raise NotFoundError("the rest is not there for a moment")

    monkeypatch.setattr(service_module, "rest_of_layer", failing)
    next_document(window, qtbot)
    assert "not there for a moment" in window.statusBar().currentMessage()
    assert window.layer.view() == window.service.document(window.layer.id)
    assert len(window.layer.spans) == 2 * LONG_SENTENCES
    qtbot.waitUntil(lambda: len(listed_span_ids(window)) == 2 * LONG_SENTENCES)
