"""The change feed on SQLite (annotator/live.py): waking on another connection's commit, reading
the events after the last one seen, and the layer diff the window applies; the stale-layer check
of an edit (annotator/shown_layer.py), which rides in the edit's first exchange."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.importers import import_paths
from annotator.layer_model import LayerModel
from annotator.live import ChangeFeed, layer_changes
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.shown_layer import LayerChanged
from bench.roundtrips import Traffic, sqlite_traffic
from tests.conftest import ProjectMaker
from tests.unit.test_edit_round_trips import MAX_ROUND_TRIPS, TEXT, at, every_edit


@pytest.fixture
def root(make_project: ProjectMaker, tmp_path: Path) -> Path:
    made = make_project()
    for name, text in (("article", TEXT), ("second", "Seoul said nothing on Tuesday.\n")):
        source = tmp_path / f"{name}.txt"
        source.write_bytes(text.encode("utf-8"))
        with Project.open(made) as project:
            import_paths(project, [source])
    return made


@pytest.fixture
def two_windows(root: Path) -> Iterator[tuple[AnnotationService, AnnotationService]]:
    """Two sessions of one annotator, each with its own engine, as two windows would be."""
    with AnnotationService.open(root, "alice") as first, AnnotationService.open(root, "alice") as second:
        first.shown_layer.checked = True
        second.shown_layer.checked = True
        yield first, second


def test_the_feed_wakes_on_another_sessions_commit_and_reads_what_it_was(
    two_windows: tuple[AnnotationService, AnnotationService],
) -> None:
    first, second = two_windows
    doc = first.find_document("article")
    with ChangeFeed(first.project, poll_interval_s=0.02) as feed:
        last = feed.latest_event_id()
        assert feed.wait(0.1) is True  # listening from now on: read what came before (nothing)
        assert feed.changes_since(last) == []
        assert feed.wait(0.1) is False  # nothing changed: the timeout
        span = second.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
        assert feed.wait(2.0) is True
        (change,) = feed.changes_since(last)
        assert (change.document_id, change.layer_id, change.layer, change.action) == (
            doc,
            second.annotator_id,
            "alice",
            "do:AddSpan",
        )
        assert change.event_id > last
        assert second.shown_layer.is_own(change.event_id) and not first.shown_layer.is_own(change.event_id)
        assert feed.changes_since(change.event_id) == []
        second.remove_span(span.id)
        second.set_status(doc, "done")
        assert feed.wait(2.0) is True
        assert [c.action for c in feed.changes_since(change.event_id)] == ["do:RemoveSpan", "do:SetStatus"]


def test_changes_come_in_bounded_batches_in_id_order(root: Path) -> None:
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("article")
        with ChangeFeed(service.project, batch=2) as feed:
            last = feed.latest_event_id()
            for _ in range(3):
                service.set_status(doc, "done")
                service.set_status(doc, "todo")
            seen: list[int] = []
            while batch := feed.changes_since(seen[-1] if seen else last):
                assert len(batch) <= 2
                seen += [c.event_id for c in batch]
    assert len(seen) == 6 and seen == sorted(seen)


def test_close_wakes_a_waiting_thread_at_once(root: Path) -> None:
    with Project.open(root) as project:
        feed = ChangeFeed(project, poll_interval_s=0.05)
        assert feed.wait(0) is True  # connected
        woke: list[bool] = []
        waiter = threading.Thread(target=lambda: woke.append(feed.wait(30.0)))
        waiter.start()
        time.sleep(0.2)
        started = time.monotonic()
        feed.close()
        waiter.join(5.0)
        assert not waiter.is_alive() and woke == [False]
        assert time.monotonic() - started < 2.0
        assert feed.wait(1.0) is False  # closed: returns at once


def test_a_late_commit_below_the_last_id_is_not_lost(root: Path) -> None:
    """PostgreSQL may show id 11 before 10 commits: an id skipped over is read again later."""
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("article")
        with ChangeFeed(service.project) as feed:
            last = feed.latest_event_id()
            service.set_status(doc, "done")
            service.set_status(doc, "todo")
            first, second = (c.event_id for c in feed.changes_since(last))
            # As if the first had not committed yet when the feed read: only the second was seen.
            assert [c.event_id for c in feed.changes_since(first)] == [second]
            assert feed.changes_since(second) == []
            feed._gaps[first] = time.monotonic()
            assert [c.event_id for c in feed.changes_since(second)] == [first]
            assert feed.changes_since(second) == []  # read once


def test_layer_changes_turn_the_shown_copy_into_the_stored_layer(
    two_windows: tuple[AnnotationService, AnnotationService],
) -> None:
    first, second = two_windows
    doc = first.find_document("article")
    kept = second.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
    gone = second.add_span(doc, *at("Monday"), "DATE").value
    layer = LayerModel()
    layer.load(first.document(doc))
    second.relabel_span(kept.id, "CLAIM")
    second.remove_span(gone.id)
    added = second.add_span(doc, *at("the ministry"), "ACTOR").value
    second.set_status(doc, "in_progress")
    changes = layer_changes(layer.view(), first.document(doc), "updated")
    layer.apply(changes)
    assert layer.view() == first.document(doc)
    assert [s.id for s in changes.spans_added] == [added.id]
    assert [s.id for s in changes.spans_removed] == [gone.id]
    assert [s.label for s in changes.spans_changed] == ["CLAIM"]
    assert changes.status == "in_progress"


def test_an_edit_on_a_stale_copy_is_refused_and_changes_nothing(
    two_windows: tuple[AnnotationService, AnnotationService],
) -> None:
    first, second = two_windows
    doc = first.find_document("article")
    first.document(doc)
    second.document(doc)
    first.add_span(doc, *at("Kim Jong Un"), "ACTOR")
    # The second window does not show that span: its edit would be judged against it.
    with pytest.raises(LayerChanged):
        second.add_span(doc, *at("Kim Jong"), "DATE")
    assert not second.can_undo
    assert [s.text for s in second.document(doc).spans] == ["Kim Jong Un"]  # read again: now it shows it
    second.add_span(doc, *at("Monday"), "DATE")
    second.set_status(doc, "in_progress")  # its own edits keep its copy current: no refusal
    with pytest.raises(LayerChanged):
        first.set_status(doc, "done")
    first.document(doc)
    first.set_status(doc, "done")
    # Every edit checks the document shown, whichever document it edits (an undo may reach another).
    other = first.find_document("second")
    with pytest.raises(LayerChanged):
        second.add_span(other, 0, 5, "ACTOR")
    second.document(doc)
    second.add_span(other, 0, 5, "ACTOR")
    first.add_span(other, 11, 18, "ACTOR")  # another document's edits leave the shown one current
    first.set_status(doc, "todo")


def test_the_check_is_off_for_scripts(root: Path) -> None:
    with AnnotationService.open(root, "alice") as first, AnnotationService.open(root, "alice") as second:
        doc = first.find_document("article")
        first.document(doc)
        second.add_span(doc, *at("Kim Jong Un"), "ACTOR")
        first.add_span(doc, *at("Monday"), "DATE")  # judged against the layer as stored, as before
        assert len(first.document(doc).spans) == 2


def test_the_check_adds_no_round_trip(root: Path) -> None:
    def traffic_of(checked: bool) -> dict[str, Traffic]:
        seen: dict[str, Traffic] = {}
        with AnnotationService.open(root, f"user{int(checked)}") as service:
            service.shown_layer.checked = checked

            def record(name: str, edit: Callable[[], Any]) -> Any:
                with sqlite_traffic(service.project.engine) as traffic:
                    result = edit()
                seen[name] = traffic
                return result

            every_edit(service, record)
        return seen

    plain, checked = traffic_of(False), traffic_of(True)
    assert plain.keys() == checked.keys()
    for name in plain:
        assert checked[name].round_trips == plain[name].round_trips <= MAX_ROUND_TRIPS, name
        assert checked[name].untagged == []
        # Edits of the shown document send the check, one statement more, in their first exchange.
        assert len(checked[name].statements) == len(plain[name].statements) + 1, name


def test_a_feed_on_a_vanished_file_creates_nothing_and_waits_without_spinning(root: Path, tmp_path: Path) -> None:
    with Project.open(root) as project:
        feed = ChangeFeed(project)
        database = Path(project.engine.url.database or "")
        project.engine.dispose()
        moved = tmp_path / "moved.db"
        database.rename(moved)
        try:
            started = time.monotonic()
            assert feed.wait(0.5) is False  # cannot listen: waits out its pause, sends nothing
            assert time.monotonic() - started >= 0.4
            assert not database.exists()  # no empty database was made in its place
        finally:
            feed.close()
            moved.rename(database)
