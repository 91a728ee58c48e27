"""Accepting and rejecting suggestions (annotator/commands/suggestions.py through the service):
spans with their attributes, one undo step, schema refusals skipped and counted, rejections kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.commands.suggestions import Proposed, SuggestionChanges
from annotator.errors import ValidationError
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.suggest.base import Proposals, SuggestedRelation, Suggestion
from annotator.suggest.store import open_suggestions
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un said yesterday that Putin met Xi in Moscow."
#       0         1         2         3         4         5
KIM, YESTERDAY, PUTIN, XI = (0, 11, "ACTOR"), (17, 26, "DATE"), (32, 37, "ACTOR"), (42, 44, "ACTOR")
CLAIM = (32, 54, "CLAIM")


@pytest.fixture
def service(make_project: ProjectMaker, tmp_path: Path) -> AnnotationService:
    root = make_project()
    source = tmp_path / "doc.jsonl"
    source.write_text(json.dumps({"id": "doc", "text": TEXT}) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [source])
    opened = AnnotationService.open(root, "alice")
    doc = opened.find_document("doc")
    proposals = [Suggestion(*KIM, 1.0, "patterns", {"kind": "person"}), Suggestion(*YESTERDAY, 0.7, "dates", {})]
    proposals += [Suggestion(*PUTIN, 0.9, "memory"), Suggestion(*XI, 0.4, "memory"), Suggestion(*CLAIM, 0.5, "model")]
    relation = SuggestedRelation("SAID_BY", CLAIM, PUTIN, 0.5, "model")
    opened.store_proposals({"mixed": [Proposals(doc, proposals, [relation])]})
    yield opened
    opened.close()


def _open(service: AnnotationService) -> list[tuple[int, int, str]]:
    doc = service.find_document("doc")
    with service.project.engine.connect() as connection:
        return [(s.start, s.end, s.label) for s in open_suggestions(connection, doc, service.annotator_id).spans]


def _spans(service: AnnotationService) -> list[tuple[int, int, str, dict[str, object]]]:
    view = service.document(service.find_document("doc"))
    return [(s.start, s.end, s.label, dict(s.attributes)) for s in view.spans]


def test_accepting_many_is_one_undo_step_with_attributes(service: AnnotationService) -> None:
    doc = service.find_document("doc")
    wanted = [Proposed(*KIM, {"kind": "person"}), Proposed(*PUTIN), Proposed(*XI)]
    outcome = service.accept_suggestions(doc, wanted)
    assert isinstance(outcome.changes, SuggestionChanges)
    assert len(outcome.value.spans) == 3 and service.undo_description == "accept 3 ACTOR suggestions"
    assert _spans(service)[0] == (0, 11, "ACTOR", {"kind": "person"})
    assert _open(service) == [YESTERDAY, CLAIM]  # accepted ones are no longer to decide
    service.undo()
    assert _spans(service) == [] and len(_open(service)) == 5
    service.redo()
    assert [s[:3] for s in _spans(service)] == [KIM, PUTIN, XI]


def test_an_accept_is_named_by_its_text_or_its_count(service: AnnotationService) -> None:
    doc = service.find_document("doc")
    service.accept_suggestions(doc, [Proposed(*YESTERDAY)])
    assert service.undo_description == "accept DATE 'yesterday'"
    service.accept_suggestions(doc, [Proposed(*KIM), Proposed(*CLAIM)], qualifier=" scored 0.50 or more")
    assert service.undo_description == "accept 2 suggestions scored 0.50 or more"


def test_what_the_schema_refuses_is_skipped_and_counted(service: AnnotationService) -> None:
    doc = service.find_document("doc")
    service.add_span(doc, 30, 40, "CLAIM")  # crosses the suggested CLAIM (nested overlap only)
    wanted = [Proposed(*CLAIM), Proposed(*KIM, {"kind": "alien"}), Proposed(1, 3, "PERSON"), Proposed(*XI)]
    accepted = service.accept_suggestions(doc, wanted).value
    assert [s.label for s in accepted.spans] == ["ACTOR"]
    assert accepted.skipped == {
        "refused by the schema": 1,
        "with label PERSON not in the schema": 1,
        "refused by the schema's overlap rule": 1,
    }
    with pytest.raises(ValidationError, match="no suggestion accepted: 1 already in your layer"):
        service.accept_suggestions(doc, [Proposed(*XI)])


def test_a_suggested_relation_comes_with_its_ends(service: AnnotationService) -> None:
    doc = service.find_document("doc")
    relation = SuggestedRelation("SAID_BY", CLAIM, PUTIN, 0.5, "model")
    outcome = service.accept_suggestions(doc, [Proposed(*CLAIM), Proposed(*PUTIN)], [relation])
    (made,) = outcome.value.relations
    view = service.document(doc)
    ends = {s.id: (s.start, s.end, s.label) for s in view.spans}
    assert (made.label, ends[made.head], ends[made.tail]) == ("SAID_BY", CLAIM, PUTIN)
    service.undo()
    assert service.document(doc).relations == () and service.document(doc).spans == ()
    # with one end already a span of the layer, only the relation is new
    service.add_span(doc, *CLAIM)
    service.add_span(doc, *PUTIN)
    outcome = service.accept_suggestions(doc, [], [relation])
    assert outcome.value.spans == () and len(outcome.value.relations) == 1


def test_a_rejected_suggestion_stays_rejected_until_undone(service: AnnotationService) -> None:
    doc = service.find_document("doc")
    changes = service.reject_suggestion(doc, Proposed(*XI))
    assert isinstance(changes, SuggestionChanges) and changes.rejected == (XI,)
    assert XI not in _open(service)
    assert service.document_suggestions(doc).rejected == {XI}
    # the sources run again and propose it again: still hidden
    service.store_proposals({"memory": [Proposals(doc, [Suggestion(*XI, 0.9, "memory")])]})
    assert XI not in _open(service)
    with pytest.raises(ValidationError, match="rejected already"):
        service.reject_suggestion(doc, Proposed(*XI))
    undone = service.undo()
    assert isinstance(undone, SuggestionChanges) and undone.unrejected == (XI,)
    assert XI in _open(service)


def test_another_layer_decides_for_itself(service: AnnotationService) -> None:
    doc = service.find_document("doc")
    service.reject_suggestion(doc, Proposed(*XI))
    service.edit_layer("gold")
    assert XI in _open(service)
    assert service.document_suggestions(doc).rejected == frozenset()


def test_the_windows_read_merges_as_the_store_does(service: AnnotationService) -> None:
    """suggestion_edits.stored_suggestions reads the attributes as text for speed: the same values
    as store.open_suggestions for a layer with nothing decided."""
    doc = service.find_document("doc")
    again = [Suggestion(*KIM, 0.5, "again"), Suggestion(*XI, 0.8, "again")]
    service.store_proposals({"again": [Proposals(doc, again)]})
    with service.project.engine.connect() as connection:
        assert service.document_suggestions(doc).spans == open_suggestions(connection, doc, None).spans
        assert service.document_suggestions(doc).relations == open_suggestions(connection, doc, None).relations


def test_read_in_two_steps_the_window_gets_what_it_reads_whole(service: AnnotationService) -> None:
    """The first screen's part (start before an offset, no relations) and the rest make the whole read."""
    doc = service.find_document("doc")
    service.store_proposals(
        {"again": [Proposals(doc, [Suggestion(*KIM, 0.5, "again"), Suggestion(*XI, 0.8, "again")])]}
    )
    whole = service.document_suggestions(doc)
    cut = XI[0]
    first = service.document_suggestions(doc, cut)
    rest, relations = service.rest_of_suggestions(doc, cut)
    assert first.spans and rest and all(s.start < cut for s in first.spans) and first.relations == ()
    assert first.spans + rest == whole.spans and relations == whole.relations and first.rejected == whole.rejected


def test_one_sources_attributes_are_read_where_there_are_any(make_project: ProjectMaker, tmp_path: Path) -> None:
    """A document one source proposed for is read without its source and attributes columns per row:
    the attributes that exist still come back, as store.open_suggestions gives them."""
    root = make_project()
    source = tmp_path / "one.jsonl"
    source.write_text(
        json.dumps({"id": "one", "text": "Kim Jong Un said yesterday that Putin met Xi."}) + "\n", "utf-8"
    )
    with Project.open(root) as project:
        import_paths(project, [source])
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("one")
        dated = Suggestion(*YESTERDAY, 0.7, "dates", {"value": "2014-11-13"})
        proposals = [Suggestion(*KIM, 0.5, "dates"), dated, Suggestion(*PUTIN, 0.6, "dates", {})]
        service.store_proposals({"dates": [Proposals(doc, proposals)]})
        read = service.document_suggestions(doc).spans
        assert [dict(s.attributes) for s in read] == [{}, {"value": "2014-11-13"}, {}]
        assert all(s.sources == ("dates",) for s in read)
        with service.project.engine.connect() as connection:
            assert read == open_suggestions(connection, doc, None).spans
