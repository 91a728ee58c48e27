"""Undo and redo write rows back: they are checked against the layer as it is now.

Two windows of one annotator (two services on one project) share a layer; what one of them
did since must never let the other's undo or redo break the schema's rules. A refused undo
says why, changes nothing and leaves the history as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker, write_jsonl

TEXT = "Kim Jong Un said on Monday that the talks will resume."


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


@pytest.fixture
def windows(make_project: ProjectMaker, tmp_path: Path) -> Iterator[tuple[AnnotationService, AnnotationService, int]]:
    root = make_project()
    with Project.open(root) as project:
        import_paths(project, [write_jsonl(tmp_path / "in.jsonl", [json.dumps({"id": "d", "text": TEXT})])])
    a, b = AnnotationService.open(root, "alice"), AnnotationService.open(root, "alice")
    yield a, b, a.find_document("d")
    a.close()
    b.close()


Scenario = Callable[[AnnotationService, AnnotationService, int], str]


def removed_then_crossed(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    span = a.add_span(doc, *at("on Monday that"), "CLAIM").value
    a.remove_span(span.id)
    b.add_span(doc, *at("that the talks"), "CLAIM")
    return r"cannot undo 'remove CLAIM 'on Monday that'': span CLAIM \[\d+, \d+\) crosses CLAIM"


def undone_then_crossed_before_redo(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    a.add_span(doc, *at("on Monday that"), "CLAIM")
    a.undo()
    b.add_span(doc, *at("that the talks"), "CLAIM")
    return "cannot redo 'add CLAIM 'on Monday that'': .* crosses"


def removed_then_added_again(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    span = a.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
    a.remove_span(span.id)
    b.add_span(doc, *at("Kim Jong Un"), "ACTOR")
    return "cannot undo .*duplicate span ACTOR"


def relabelled_then_related(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    kim = a.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
    claim = a.add_span(doc, *at("the talks will resume"), "CLAIM").value
    a.relabel_span(kim.id, "DATE")
    b.add_relation("WHEN", claim.id, kim.id)  # CLAIM -> DATE, allowed while Kim is a DATE
    return "cannot undo 'relabel 'Kim Jong Un' ACTOR → DATE': .*WHEN does not allow CLAIM → ACTOR"


def relabelled_again_elsewhere(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    kim = a.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
    a.relabel_span(kim.id, "DATE")
    b.relabel_span(kim.id, "CLAIM")
    return "cannot undo .*is CLAIM now"


def attribute_changed_elsewhere(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    kim = a.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
    a.set_attribute(kim.id, "kind", "person")
    b.set_attribute(kim.id, "kind", "state")
    return r"cannot undo 'set ACTOR.kind = person': ACTOR.kind was changed since"


def relation_end_removed(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    kim = a.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
    claim = a.add_span(doc, *at("the talks will resume"), "CLAIM").value
    relation = a.add_relation("SAID_BY", claim.id, kim.id).value
    a.remove_relation(relation.id)
    b.remove_span(kim.id)
    return f"cannot undo 'remove SAID_BY': no span with id {kim.id}"


def span_used_by_a_new_relation(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    claim = b.add_span(doc, *at("the talks will resume"), "CLAIM").value
    kim = a.add_span(doc, *at("Kim Jong Un"), "ACTOR").value
    b.add_relation("SAID_BY", claim.id, kim.id)
    return "cannot undo 'add ACTOR 'Kim Jong Un'': .*used by 1 relation"


def status_changed_elsewhere(a: AnnotationService, b: AnnotationService, doc: int) -> str:
    a.set_status(doc, "done")
    b.set_status(doc, "skipped")
    return "cannot undo 'mark done': the document is skipped now"


@pytest.mark.parametrize(
    "scenario",
    [
        removed_then_crossed,
        undone_then_crossed_before_redo,
        removed_then_added_again,
        relabelled_then_related,
        relabelled_again_elsewhere,
        attribute_changed_elsewhere,
        relation_end_removed,
        span_used_by_a_new_relation,
        status_changed_elsewhere,
    ],
)
def test_an_undo_or_redo_the_layer_no_longer_allows_is_refused_and_changes_nothing(
    windows: tuple[AnnotationService, AnnotationService, int], scenario: Scenario
) -> None:
    a, b, doc = windows
    says = scenario(a, b, doc)
    before = a.document(doc)
    history = (a.can_undo, a.undo_description, a.can_redo, a.redo_description)
    step = a.redo if "cannot redo" in says else a.undo
    with pytest.raises(AnnotatorError, match=says):
        step()
    assert a.document(doc) == before
    assert (a.can_undo, a.undo_description, a.can_redo, a.redo_description) == history
    spans = sorted((s.start, s.end) for s in a.document(doc).spans)
    crossing = [(x, y) for x in spans for y in spans if x[0] < y[0] < x[1] < y[1]]
    assert crossing == []


Windows = tuple[AnnotationService, AnnotationService, int]


def test_an_undo_that_no_longer_conflicts_goes_through(windows: Windows) -> None:
    a, b, doc = windows
    removed_then_crossed(a, b, doc)
    with pytest.raises(AnnotatorError, match="cannot undo"):
        a.undo()
    [other] = b.document(doc).spans
    b.remove_span(other.id)
    a.undo()
    assert [s.text for s in a.document(doc).spans] == ["on Monday that"]
