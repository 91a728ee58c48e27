"""On PostgreSQL: suggestions read for the window (attributes decoded by the driver), accepted as one
undo step with their attributes, rejected and kept rejected, undone exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.commands.suggestions import Proposed
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.suggest.base import Proposals, SuggestedRelation, Suggestion
from tests.unit.test_suggestion_commands import CLAIM, KIM, PUTIN, TEXT, XI, YESTERDAY

pytestmark = pytest.mark.postgres


def test_suggestions_on_postgres(pg_project: Path, tmp_path: Path) -> None:
    source = tmp_path / "doc.jsonl"
    source.write_text(json.dumps({"id": "doc", "text": TEXT}) + "\n", encoding="utf-8")
    with Project.open(pg_project) as project:
        import_paths(project, [source])
    with AnnotationService.open(pg_project, "alice") as alice:
        doc = alice.find_document("doc")
        spans = [Suggestion(*KIM, 1.0, "patterns", {"kind": "person"}), Suggestion(*YESTERDAY, 0.7, "dates")]
        spans += [Suggestion(*PUTIN, 0.9, "memory"), Suggestion(*XI, 0.4, "memory"), Suggestion(*CLAIM, 0.5, "m")]
        relation = SuggestedRelation("SAID_BY", CLAIM, PUTIN, 0.5, "m")
        alice.store_proposals({"mixed": [Proposals(doc, spans, [relation])], "again": [Proposals(doc, spans[:1])]})
        state = alice.document_suggestions(doc)
        assert [(s.start, s.end, s.label) for s in state.spans] == [KIM, YESTERDAY, PUTIN, CLAIM, XI]
        assert state.spans[0].attributes == {"kind": "person"} and state.spans[0].sources == ("again", "mixed")
        assert state.relations == (relation._replace(source="mixed"),)  # stored under the source that ran
        accepted = alice.accept_suggestions(doc, [Proposed(*KIM, {"kind": "person"}), Proposed(*CLAIM)], [relation])
        assert len(accepted.value.spans) == 2 and accepted.value.relations == ()  # its tail is no span of alice's
        assert accepted.value.skipped == {"relation SAID_BY with an end not in your layer": 1}
        alice.reject_suggestion(doc, Proposed(*XI))
        assert alice.document_suggestions(doc).rejected == {XI}
        view = alice.document(doc)
        assert [(s.label, dict(s.attributes)) for s in view.spans] == [("ACTOR", {"kind": "person"}), ("CLAIM", {})]
        alice.undo()
        alice.undo()
        assert alice.document(doc).spans == () and alice.document_suggestions(doc).rejected == frozenset()


def test_one_sources_suggestions_on_postgres(pg_project: Path, tmp_path: Path) -> None:
    """One source: read without its source and attributes per row, the attributes where there are any."""
    source = tmp_path / "doc.jsonl"
    source.write_text(json.dumps({"id": "doc", "text": TEXT}) + "\n", encoding="utf-8")
    with Project.open(pg_project) as project:
        import_paths(project, [source])
    with AnnotationService.open(pg_project, "alice") as alice:
        doc = alice.find_document("doc")
        spans = [Suggestion(*KIM, 1.0, "dates", {"kind": "person"}), Suggestion(*YESTERDAY, 0.7, "dates")]
        alice.store_proposals({"dates": [Proposals(doc, spans)]})
        first = alice.document_suggestions(doc, YESTERDAY[0])
        rest, _ = alice.rest_of_suggestions(doc, YESTERDAY[0])
        read = first.spans + rest
        assert [(s.start, s.end, s.label, s.sources, dict(s.attributes)) for s in read] == [
            (*KIM, ("dates",), {"kind": "person"}),
            (*YESTERDAY, ("dates",), {}),
        ]
