"""Every write to a layer checks the rules under the one layer lock (annotator/db/locks.py):
an import into alice's layer while alice edits, and two windows of alice undoing at once,
can never leave crossing spans. Run on PostgreSQL (READ COMMITTED: the row lock is what
serialises writers) and on SQLite (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import annotator.commands.spans
from annotator.errors import AnnotatorError
from annotator.importers import import_paths
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.project import Project
from annotator.service import AnnotationService
from tests.integration.conftest import FolderMaker

pytestmark = pytest.mark.postgres

TEXT = "Kim Jong Un said on Monday that the talks will resume.\n"
WAIT = 3  # seconds a correct core keeps the second writer waiting here


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


@pytest.fixture(params=["postgres", "sqlite"])
def root(request: pytest.FixtureRequest, project_folder: FolderMaker, tmp_path: Path) -> Path:
    database = request.getfixturevalue("fresh_schema") if request.param == "postgres" else "annotator.db"
    folder = project_folder(f"{request.param}-project", database)
    with Project.open(folder) as project:
        assert project.engine.dialect.name == ("postgresql" if request.param == "postgres" else "sqlite")
        source = tmp_path / "article.txt"
        source.write_bytes(TEXT.encode("utf-8"))
        import_paths(project, [source])
    return folder


def crossing(spans: Any) -> list[tuple[Any, Any]]:
    return [(x, y) for x in spans for y in spans if x.start < y.start < x.end < y.end]


def test_an_import_into_a_layer_and_an_edit_of_that_layer_never_cross(root: Path) -> None:
    window = AnnotationService.open(root, "alice")
    doc = window.find_document("article")
    outcome: dict[str, Any] = {}

    def edit() -> None:
        try:
            outcome["edit"] = window.add_span(doc, *at("that the talks"), "CLAIM").value
        except AnnotatorError as error:
            outcome["edit"] = error

    def records() -> Iterator[DocumentRecord]:
        yield DocumentRecord(
            "alice.jsonl",
            1,
            TEXT,
            "article",
            spans=[SpanRecord("s1", *at("on Monday that"), "CLAIM")],
            annotator="alice",
        )
        # The import has found alice's layer empty and not written it yet: her window must wait now.
        thread = threading.Thread(target=edit, daemon=True)
        thread.start()
        thread.join(timeout=WAIT)
        outcome["waited"], outcome["thread"] = thread.is_alive(), thread

    try:
        with Project.open(root) as project:
            report = import_records(project, records())
        outcome["thread"].join(timeout=60)
        spans = window.document(doc).spans
    finally:
        window.close()
    assert crossing(spans) == [], spans
    assert outcome["waited"] and report.layers_added == 1
    assert isinstance(outcome["edit"], AnnotatorError) and "crosses" in str(outcome["edit"])
    assert [s.text for s in spans] == ["on Monday that"]


def test_two_windows_undoing_at_once_never_cross(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window_a, window_b = AnnotationService.open(root, "alice"), AnnotationService.open(root, "alice")
    doc = window_a.find_document("article")
    # A removes its span; B adds one that crosses where it was, and removes it again: each undo alone is fine.
    window_a.remove_span(window_a.add_span(doc, *at("on Monday that"), "CLAIM").value.id)
    window_b.remove_span(window_b.add_span(doc, *at("that the talks"), "CLAIM").value.id)
    outcome: dict[str, Any] = {}
    check_overlaps = annotator.commands.spans.check_overlaps

    def undo(name: str, window: AnnotationService) -> None:
        try:
            outcome[name] = window.undo()
        except AnnotatorError as error:
            outcome[name] = error

    def interleaved(*args: Any) -> None:
        if "b-thread" not in outcome and threading.current_thread() is threading.main_thread():
            other = threading.Thread(target=undo, args=("b", window_b), daemon=True)
            outcome["b-thread"] = other
            other.start()
            other.join(timeout=WAIT)  # a correct core makes B wait for A's lock here
            outcome["b-waited"] = other.is_alive()
        check_overlaps(*args)

    monkeypatch.setattr(annotator.commands.spans, "check_overlaps", interleaved)
    try:
        undo("a", window_a)
        if "b-thread" in outcome:
            outcome["b-thread"].join(timeout=60)
        else:  # an undo that checks nothing never reached the hook
            undo("b", window_b)
        spans = window_a.document(doc).spans
        refused = [name for name in ("a", "b") if isinstance(outcome[name], AnnotatorError)]
        assert crossing(spans) == [], spans
        assert refused == ["b"] and outcome["b-waited"], outcome
        assert str(outcome["b"]).startswith("cannot undo 'remove CLAIM 'that the talks'': span CLAIM")
        assert window_b.can_undo and window_b.undo_description == "remove CLAIM 'that the talks'"
        assert [s.text for s in spans] == ["on Monday that"]
    finally:
        window_a.close()
        window_b.close()
