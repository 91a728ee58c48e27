"""The suggestion tables (migration 0005), their store and the source registry: a layer sees what it
has still to decide, recomputing replaces a source's rows, a failing source never stops the others."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.db import core_tables
from annotator.errors import ProjectError
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.suggest.base import DocumentInput, Proposals, SuggestedRelation, Suggestion
from annotator.suggest.registry import Sources, propose
from annotator.suggest.settings import parse_suggestion_settings
from annotator.suggest.store import open_suggestions, replace_suggestions
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un met Putin in Moscow yesterday."


def _project_with_document(make_project: ProjectMaker, tmp_path: Path) -> Path:
    root = make_project()
    source = tmp_path / "doc.jsonl"
    source.write_text(json.dumps({"id": "doc", "text": TEXT}) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [source])
    return root


def test_the_migrations_make_exactly_the_tables_of_core_tables(make_project: ProjectMaker) -> None:
    with Project.open(make_project()) as project, project.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), core_tables.metadata)
    assert differences == []


def test_a_layer_sees_suggestions_it_has_not_decided(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = _project_with_document(make_project, tmp_path)
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("doc")
        with service.project.engine.begin() as connection:
            written = replace_suggestions(
                connection,
                "patterns",
                [
                    Proposals(
                        doc,
                        [
                            Suggestion(0, 11, "ACTOR", 1.0, "patterns"),
                            Suggestion(16, 21, "ACTOR", 1.0, "patterns"),
                            Suggestion(16, 21, "ACTOR", 1.0, "patterns"),  # twice: stored once
                        ],
                        [SuggestedRelation("SAID_BY", (0, 11, "ACTOR"), (16, 21, "ACTOR"), 0.5, "patterns")],
                    )
                ],
            )
            replace_suggestions(connection, "memory", [Proposals(doc, [Suggestion(16, 21, "ACTOR", 0.4, "memory")])])
        assert written == 2
        service.add_span(doc, 0, 11, "ACTOR")
        alice = service.project.ensure_annotator("alice")
        with service.project.engine.connect() as connection:
            seen = open_suggestions(connection, doc, alice)
            everyone = open_suggestions(connection, doc, None)
        assert [(s.start, s.end, s.score, s.sources) for s in seen.spans] == [(16, 21, 1.0, ("memory", "patterns"))]
        assert len(everyone.spans) == 2 and len(seen.relations) == 1
        # recomputing a source replaces its rows for the documents it ran over
        with service.project.engine.begin() as connection:
            replace_suggestions(connection, "patterns", [Proposals(doc, [])])
        with service.project.engine.connect() as connection:
            assert [s.sources for s in open_suggestions(connection, doc, alice).spans] == [("memory",)]
            assert open_suggestions(connection, doc, alice).relations == ()


class _Raising:
    name = "broken"

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        raise RuntimeError("boom")


class _Working:
    name = "fine"

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        return [Proposals(d.id, [Suggestion(0, 1, "ACTOR", 1.0, self.name)]) for d in documents]


def test_a_source_that_raises_is_reported_and_the_others_go_on() -> None:
    sources = Sources(working=[_Raising(), _Working()])
    proposals = propose(sources, [DocumentInput(1, "a", "x", {}), DocumentInput(2, "b", "y", {})])
    assert [p.document_id for p in proposals] == [1, 2]
    assert [s.name for s in sources.working] == ["fine"]
    assert [str(e) for e in sources.failures] == ["suggestion source 'broken' failed: RuntimeError: boom"]


class _Garbage:
    """Answers with offsets outside the text (e.g. bytes for code points) or a score above 1."""

    name = "garbage"

    def __init__(self, spans: list[Suggestion], relations: list[SuggestedRelation] | None = None) -> None:
        self.spans, self.relations = spans, relations or []

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        return [Proposals(d.id, self.spans, self.relations) for d in documents]


@pytest.mark.parametrize(
    ("spans", "relations", "named"),
    [
        ([Suggestion(5, 2, "ACTOR", 0.5, "garbage")], [], "ACTOR [5, 2) with score 0.5 in a text of 3"),
        ([Suggestion(0, 1, "ACTOR", 1.0, "g"), Suggestion(1, 99, "ACTOR", 0.5, "g")], [], "ACTOR [1, 99)"),
        ([Suggestion(-1, 1, "ACTOR", 0.5, "garbage")], [], "ACTOR [-1, 1)"),
        ([Suggestion(0, 1, "ACTOR", 1.5, "garbage")], [], "ACTOR [0, 1) with score 1.5"),
        ([Suggestion(0.5, 2, "ACTOR", 0.5, "garbage")], [], "offsets must be whole numbers"),  # type: ignore[arg-type]
        ([Suggestion(0, 2, None, 0.5, "garbage")], [], "offsets must be whole numbers"),  # type: ignore[arg-type]
        ([], [SuggestedRelation("SAID_BY", (0, 1, "CLAIM"), (2, 40, "ACTOR"), 0.5, "g")], "SAID_BY to [2, 40)"),
    ],
)
def test_a_source_answering_outside_the_text_is_dropped_like_one_that_raises(
    spans: list[Suggestion], relations: list[SuggestedRelation], named: str
) -> None:
    sources = Sources(working=[_Garbage(spans, relations), _Working()])
    proposals = propose(sources, [DocumentInput(1, "a", "xyz", {})])
    assert [(p.document_id, [s.source for s in p.spans]) for p in proposals] == [(1, ["fine"])]
    assert [s.name for s in sources.working] == ["fine"]
    assert len(sources.failures) == 1 and named in str(sources.failures[0])
    assert str(sources.failures[0]).startswith("suggestion source 'garbage' failed: proposed ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "'suggestions' must be a mapping"),
        ({"sources": ["patterns", "oracle"]}, "unknown suggestion source 'oracle'"),
        ({"source": ["patterns"]}, "unknown key suggestions.source"),
        ({"on_open": "yes"}, "on_open must be true or false"),
        ({"order": "random"}, "order must be one of document, uncertainty"),
        ({"model": ""}, "suggestions.model must be the path"),
    ],
)
def test_bad_settings_are_refused_in_one_line(value: object, message: str, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=message):
        parse_suggestion_settings(value, tmp_path, "project.yaml")


_YAML_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_YAML_VALUES = st.recursive(
    _YAML_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.integers() | st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
_SETTING_KEYS = st.sampled_from(["sources", "patterns", "model", "on_open", "order", "dates_label", "other", "1"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_SETTING_KEYS | st.integers(), _YAML_VALUES, max_size=4) | _YAML_VALUES)
def test_any_yaml_value_as_the_suggestions_section_is_settings_or_one_project_error(value: object) -> None:
    try:
        parse_suggestion_settings(value, Path("/p"), "project.yaml")
    except ProjectError as error:
        assert str(error).startswith("project.yaml: ") and "\n" not in str(error)


def test_a_project_yaml_with_number_and_text_keys_is_refused_in_one_line(tmp_path: Path) -> None:
    from annotator.config import load_project_config

    (tmp_path / "project.yaml").write_text("name: p\nschema: s.yaml\n1: 2\nzz: 3\n", encoding="utf-8")
    with pytest.raises(ProjectError, match="unknown key 1"):
        load_project_config(tmp_path)


def test_settings_resolve_paths_against_the_project(tmp_path: Path) -> None:
    settings = parse_suggestion_settings(
        {"sources": ["patterns", "layer:model"], "patterns": "p.jsonl", "model": "m", "order": "uncertainty"},
        tmp_path,
        "project.yaml",
    )
    assert settings.sources == ("patterns", "layer:model")
    assert settings.patterns == (tmp_path / "p.jsonl",) and settings.model == tmp_path / "m"
    assert settings.order == "uncertainty" and settings.on_open is False


def test_compare_counts_exact_matches_per_label() -> None:
    from annotator.suggest.evaluate import compare

    quality = compare(
        [(1, 0, 5, "ACTOR"), (1, 6, 9, "ACTOR"), (1, 10, 12, "DATE")],
        [(1, 0, 5, "ACTOR"), (1, 6, 10, "ACTOR"), (2, 0, 1, "CLAIM")],
    )
    assert (quality["ACTOR"].precision, quality["ACTOR"].recall) == (0.5, 0.5)
    assert (quality["DATE"].precision, quality["CLAIM"].recall) == (0.0, 0.0)
    assert quality["all"] == (
        "all",
        3,
        3,
        1,
    )


def test_a_rejected_suggested_relation_stays_rejected_for_its_layer_only(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    root = _project_with_document(make_project, tmp_path)
    relation = SuggestedRelation("SAID_BY", (0, 11, "ACTOR"), (16, 21, "ACTOR"), 0.5, "patterns")
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("doc")
        service.store_proposals({"patterns": [Proposals(doc, [], [relation])]})
        service.reject_suggested_relation(doc, relation)
        alice, bob = service.project.ensure_annotator("alice"), service.project.ensure_annotator("bob")
        service.store_proposals({"patterns": [Proposals(doc, [], [relation])]})  # the source runs again
        with service.project.engine.connect() as connection:
            assert open_suggestions(connection, doc, alice).relations == ()
            assert len(open_suggestions(connection, doc, bob).relations) == 1
        assert service.document_suggestions(doc).relations == ()
        service.undo()
        with service.project.engine.connect() as connection:
            assert len(open_suggestions(connection, doc, alice).relations) == 1


def test_a_source_whose_library_is_missing_says_which_extra_brings_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.suggest import registry

    (tmp_path / "needs_missing_library.py").write_text("import not_installed_library_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(registry.SOURCE_MODULES, "patterns", "needs_missing_library")
    sources = registry.build_sources(["patterns"], None)  # type: ignore[arg-type]  # never reached
    assert [str(e) for e in sources.failures] == [
        "suggestion source 'patterns' needs not_installed_library_xyz that is not installed: "
        "pip install 'annotator[suggest]'"
    ]
