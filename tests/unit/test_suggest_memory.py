"""The memory source: what it remembers from which layers, the label and score it proposes, the
attributes it carries, where it matches (token boundaries, case, overlaps) and that its offsets
are code points into any text."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.exporters.tokens import blank_pipeline
from annotator.importers import import_paths
from annotator.project import Project
from annotator.schema import load_schema
from annotator.suggest.base import DocumentInput
from annotator.suggest.memory import Labelled, MemorySource, remember
from tests.conftest import NEWS_SCHEMA, ProjectMaker
from tests.suggest_helpers import built

SCHEMA = load_schema(NEWS_SCHEMA)
STATE, PERSON = {"kind": "state"}, {"kind": "person"}


def source(*labelled: Labelled) -> MemorySource:
    return MemorySource(blank_pipeline("en"), remember(labelled, SCHEMA))


def proposed(memory: MemorySource, text: str) -> list[tuple[str, str, float, dict[str, Any]]]:
    (proposals,) = memory.propose([DocumentInput(1, "d", text, {})])
    return [(text[s.start : s.end], s.label, round(s.score, 3), dict(s.attributes)) for s in proposals.spans]


def test_the_label_most_often_given_with_its_share_as_score() -> None:
    memory = source(
        *[Labelled("Russia", "ACTOR", STATE)] * 3,
        Labelled("Russia", "CLAIM"),
        Labelled("Getty", "ACTOR", {"kind": "organisation"}),
    )
    # Russia: ACTOR 3 of 4 labellings -> 3 / (4 + 1); Getty: once -> 1 / 2
    assert proposed(memory, "Russia thanked Getty.") == [
        ("Russia", "ACTOR", 0.6, STATE),
        ("Getty", "ACTOR", 0.5, {"kind": "organisation"}),
    ]


def test_a_tie_proposes_every_tied_label() -> None:
    memory = source(Labelled("Moscow", "ACTOR", STATE), Labelled("Moscow", "CLAIM"))
    assert proposed(memory, "in Moscow") == [("Moscow", "ACTOR", 0.333, STATE), ("Moscow", "CLAIM", 0.333, {})]


def test_attributes_are_carried_only_where_the_memory_agrees() -> None:
    memory = source(
        Labelled("Kim", "ACTOR", PERSON),
        Labelled("Kim", "ACTOR", PERSON),
        Labelled("Seoul", "ACTOR", STATE),
        Labelled("Seoul", "ACTOR", {"kind": "other"}),
        Labelled("Seoul", "ACTOR"),  # no kind: no vote
        Labelled("next week", "DATE", {"value": "2014-W47"}),  # relative to its own document: not carried
        Labelled("Getty", "ACTOR", {"kind": "person", "gone": "x"}),  # an attribute the schema lacks
    )
    assert proposed(memory, "Kim, Seoul, Getty next week") == [
        ("Kim", "ACTOR", 0.667, PERSON),
        ("Seoul", "ACTOR", 0.75, {}),
        ("Getty", "ACTOR", 0.5, PERSON),
        ("next week", "DATE", 0.5, {}),
    ]


def test_what_is_not_worth_remembering() -> None:
    memory = source(
        *(
            Labelled(text, "ACTOR")
            for text in ("It", "he", "I", "’s", "the", "of the", " Moscow", "—", "a b c d e f g h i j k")
        ),
        Labelled("US", "ACTOR", STATE),  # a stop word in capitals is an acronym
        Labelled("Kim", "NOT_IN_SCHEMA"),
    )
    assert proposed(memory, "It said he and I of the US saw Kim and Moscow — a b c d e f g h i j k.") == [
        ("US", "ACTOR", 0.5, STATE)
    ]


def test_matches_lie_on_tokens_case_sensitively_longest_first() -> None:
    memory = source(
        Labelled("Kim", "ACTOR", PERSON),
        Labelled("Kim Jong Un", "ACTOR", PERSON),
        Labelled("US", "ACTOR", STATE),
        Labelled("Kim Jong Un will visit", "CLAIM"),
    )
    text = "Kim Jong Un will visit; Kimberley told us Kim’s US aides"
    assert [(t, label) for t, label, _, _ in proposed(memory, text)] == [
        ("Kim Jong Un", "ACTOR"),  # not also "Kim" inside it
        ("Kim Jong Un will visit", "CLAIM"),  # another label may nest
        ("Kim", "ACTOR"),  # before ’s
        ("US", "ACTOR"),  # not "us"
    ]


def _layer(annotator: str, text: str, spans: list[tuple[str, str, dict[str, Any]]], document: str) -> dict[str, Any]:
    return {
        "id": document,
        "text": text,
        "annotator": annotator,
        "status": "done",
        "spans": [
            {"id": f"s{i}", "start": text.index(s), "end": text.index(s) + len(s), "label": label, "attributes": a}
            for i, (s, label, a) in enumerate(spans)
        ],
    }


def test_built_from_the_project_it_counts_annotators_and_gold_not_reference_or_model(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    text = "Kim met Putin in Moscow and Beijing 🙂 é\u0301 Seoul."
    records = [
        _layer("alice", text, [("Kim", "ACTOR", PERSON), ("Moscow", "ACTOR", STATE)], "d1"),
        _layer("bob", text, [("Moscow", "CLAIM", {})], "d1"),
        _layer("gold", text, [("Moscow", "ACTOR", STATE), ("Seoul", "ACTOR", STATE)], "d1"),
        _layer("reference", text, [("Putin", "ACTOR", PERSON)], "d1"),
        _layer("model", text, [("Beijing", "ACTOR", STATE)], "d1"),
    ]
    path = tmp_path / "layers.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    root = make_project()
    with Project.open(root) as project:
        import_paths(project, [path])
        memory = built(project, "memory")
    assert proposed(memory, "Seoul: Putin, Kim, Moscow, Beijing") == [
        ("Seoul", "ACTOR", 0.5, STATE),  # after an emoji and a combining mark in its own text
        ("Kim", "ACTOR", 0.5, PERSON),
        ("Moscow", "ACTOR", 0.5, STATE),  # ACTOR twice, CLAIM once
    ]


NAMES = ("Kim Jong Un", "Moscow", "Workers’ Party", "São Paulo", "Zürich")


@pytest.fixture(scope="module")
def registry_memory(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The memory source as the registry builds it, from a project whose gold layer labelled NAMES."""
    root = tmp_path_factory.mktemp("memory")
    shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
    (root / "project.yaml").write_text("name: m\nschema: schema.yaml\ndatabase: annotator.db\n", encoding="utf-8")
    text = " | ".join(NAMES)
    (root / "gold.jsonl").write_bytes(orjson.dumps(_layer("gold", text, [(n, "ACTOR", {}) for n in NAMES], "d")))
    with Project.open(root) as project:
        import_paths(project, [root / "gold.jsonl"])
        return built(project, "memory")


@settings(max_examples=200, deadline=None)
@given(before=st.text(max_size=40), after=st.text(max_size=40), name=st.sampled_from(NAMES))
def test_offsets_are_code_points_into_any_text(registry_memory: Any, before: str, after: str, name: str) -> None:
    text = f"{before}👩‍💻e\u0301 {name} 🇰🇷{after}"
    (proposals,) = registry_memory.propose([DocumentInput(1, "d", text, {})])
    for s in proposals.spans:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] in NAMES and s.source == "memory"
    assert name in [text[s.start : s.end] for s in proposals.spans]
