"""annotator/layer_merge.py on generated layers: the rules against an independent count."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.errors import ValidationError
from annotator.layer_merge import RULES, merge_layers, merged_inputs, overlap_problem, votes_needed
from annotator.schema import load_schema
from tests.conftest import NEWS_SCHEMA

TEXT = "Kim Jong Un met Vladimir Putin in Moscow on Monday."
LABELS = ("ACTOR", "CLAIM", "DATE")
SCHEMA = {"name": "news", "version": 1, "sha256": "0" * 64}

SPAN = st.tuples(st.integers(0, 8), st.integers(1, 3), st.sampled_from(LABELS)).map(lambda t: (t[0], t[0] + t[1], t[2]))
ATTRIBUTES = st.dictionaries(st.sampled_from(("kind", "value")), st.sampled_from(("person", "org", 1, True)))


@st.composite
def layers(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """One annotator's layer of the document, in the native form iter_records gives."""
    keys = sorted(draw(st.sets(SPAN, max_size=6)))
    attributes = [draw(ATTRIBUTES) for _ in keys]
    pairs = list(itertools.permutations(range(len(keys)), 2))
    links = (
        draw(st.sets(st.tuples(st.sampled_from(pairs), st.sampled_from(("SAID_BY", "ON"))), max_size=3))
        if pairs
        else set()
    )
    document_labels = sorted(draw(st.sets(st.sampled_from(("politics", "sport")))))
    return native_record(
        name, keys, attributes, sorted((h + 1, t + 1, label) for (h, t), label in links), document_labels
    )


def native_record(
    name: str,
    keys: list[tuple[int, int, str]],
    attributes: list[dict[str, Any]],
    links: list[tuple[int, int, str]],
    document_labels: list[str],
) -> dict[str, Any]:
    spans = [
        {"id": f"s{n}", "start": s, "end": e, "label": label, "text": TEXT[s:e], "attributes": dict(sorted(a.items()))}
        for n, ((s, e, label), a) in enumerate(zip(keys, attributes, strict=True), start=1)
    ]
    relations = [
        {"id": f"r{n}", "label": label, "head": f"s{h}", "tail": f"s{t}"} for n, (h, t, label) in enumerate(links, 1)
    ]
    return {
        "id": "d1", "text": TEXT, "meta": {"date": "2014-11-14"}, "spans": spans, "relations": relations,
        "document_labels": document_labels, "annotator": name, "status": "done", "schema": SCHEMA,
    }  # fmt: skip


def span_keys(record: dict[str, Any]) -> set[tuple[int, int, str]]:
    return {(s["start"], s["end"], s["label"]) for s in record["spans"]}


def relation_keys(record: dict[str, Any]) -> set[tuple[Any, ...]]:
    by_id = {s["id"]: (s["start"], s["end"], s["label"]) for s in record["spans"]}
    return {(by_id[r["head"]], by_id[r["tail"]], r["label"]) for r in record["relations"]}


def content(record: dict[str, Any]) -> tuple[Any, ...]:
    return record["spans"], record["relations"], record["document_labels"]


LAYER_LISTS = st.integers(1, 5).flatmap(lambda n: st.tuples(*(layers(f"a{i}") for i in range(n))))


@settings(max_examples=200, deadline=None)
@given(inputs=LAYER_LISTS)
def test_intersection_within_majority_within_union_as_counted(inputs: tuple[dict[str, Any], ...]) -> None:
    merged = {rule: merge_layers(inputs, rule, f"merged-{rule}") for rule in RULES}
    spans = {rule: span_keys(record) for rule, record in merged.items()}
    relations = {rule: relation_keys(record) for rule, record in merged.items()}
    assert spans["intersection"] <= spans["majority"] <= spans["union"]
    assert relations["intersection"] <= relations["majority"] <= relations["union"]
    labels = {rule: set(record["document_labels"]) for rule, record in merged.items()}
    assert labels["intersection"] <= labels["majority"] <= labels["union"]
    # Independently: a span's count of layers against n, n/2 and 1.
    counts = Counter(key for layer in inputs for key in span_keys(layer))
    n = len(inputs)
    assert spans["union"] == set(counts)
    assert spans["intersection"] == {key for key, c in counts.items() if c == n}
    assert spans["majority"] == {key for key, c in counts.items() if 2 * c > n}
    relation_counts = Counter(key for layer in inputs for key in relation_keys(layer))
    for rule in RULES:
        assert relations[rule] == {
            (h, t, label)
            for (h, t, label), c in relation_counts.items()
            if c >= votes_needed(rule, n) and h in spans[rule] and t in spans[rule]
        }
        record = merged[rule]
        assert record["annotator"] == f"merged-{rule}" and record["status"] == "done"
        assert [s["id"] for s in record["spans"]] == [f"s{i}" for i in range(1, len(record["spans"]) + 1)]
        assert all(s["text"] == TEXT[s["start"] : s["end"]] for s in record["spans"])


@settings(max_examples=100, deadline=None)
@given(layer=layers("alice"), copies=st.integers(1, 4), rule=st.sampled_from(RULES))
def test_merging_one_layer_or_identical_layers_gives_that_layer(layer: dict[str, Any], copies: int, rule: str) -> None:
    same = [{**layer, "annotator": f"a{i}"} for i in range(copies)]
    merged = merge_layers(same, rule, "m")
    assert content(merged) == content(layer)
    assert {k: v for k, v in merged.items() if k not in ("annotator", "status")} == {
        k: v for k, v in layer.items() if k not in ("annotator", "status")
    }


@settings(max_examples=100, deadline=None)
@given(inputs=LAYER_LISTS, data=st.data())
def test_the_result_does_not_depend_on_the_order_of_the_layers(inputs: tuple[dict[str, Any], ...], data: Any) -> None:
    shuffled = data.draw(st.permutations(inputs))
    for rule in RULES:
        assert merge_layers(shuffled, rule, "m") == merge_layers(inputs, rule, "m")


def test_attributes_take_the_value_most_layers_give_and_ties_go_to_the_first_json() -> None:
    key = [(0, 11, "ACTOR")]

    def layer(name: str, attributes: dict[str, Any]) -> dict[str, Any]:
        return native_record(name, key, [attributes], [], [])

    three = [layer("a", {"kind": "person"}), layer("b", {"kind": "org"}), layer("c", {"kind": "person", "x": 1})]
    (span,) = merge_layers(three, "majority", "m")["spans"]
    assert span["attributes"] == {"kind": "person", "x": 1}  # a layer without "x" gives no vote
    (span,) = merge_layers(three[:2], "union", "m")["spans"]
    assert span["attributes"] == {"kind": "org"}  # 1 against 1: '"org"' sorts before '"person"'
    (span,) = merge_layers([layer("a", {"kind": 1}), layer("b", {"kind": True})], "union", "m")["spans"]
    assert span["attributes"] == {"kind": 1}  # '1' before 'true'; 1 and True stay apart


def test_a_relation_needs_both_ends_kept_and_its_own_votes() -> None:
    actor, claim, date = (0, 11, "ACTOR"), (12, 30, "CLAIM"), (44, 50, "DATE")
    a = native_record("a", [actor, claim, date], [{}, {}, {}], [(2, 1, "SAID_BY"), (2, 3, "ON")], [])
    b = native_record("b", [actor, claim], [{}, {}], [(2, 1, "SAID_BY")], [])
    c = native_record("c", [actor, claim], [{}, {}], [], [])
    assert relation_keys(merge_layers([a, b, c], "majority", "m")) == {(claim, actor, "SAID_BY")}
    assert relation_keys(merge_layers([a, b, c], "intersection", "m")) == set()
    assert relation_keys(merge_layers([a, b, c], "union", "m")) == {(claim, actor, "SAID_BY"), (claim, date, "ON")}


def test_the_inputs_are_finished_layers_and_gold_reference_model_only_when_named() -> None:
    def record(name: str | None, status: str = "done") -> dict[str, Any]:
        return {"annotator": name, "status": status}

    group = [record(None, "todo"), record("alice"), record("bob", "in_progress"), record("gold"), record("model")]
    group += [record("reference"), record("carol"), record("merged-majority")]
    names = lambda taken: [r["annotator"] for r in taken]  # noqa: E731
    assert names(merged_inputs(group, ("done",), (), "merged-majority")) == ["alice", "carol"]
    assert names(merged_inputs(group, ("done", "in_progress"), (), "merged-majority")) == ["alice", "bob", "carol"]
    assert names(merged_inputs(group, ("done",), ("gold", "alice"), "merged-majority")) == ["alice", "gold"]
    assert names(merged_inputs(group, ("done",), (), "carol")) == ["alice", "merged-majority"]


def test_majority_of_two_is_both_and_an_unknown_rule_is_refused() -> None:
    assert [votes_needed("majority", n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]
    assert [votes_needed("intersection", n) for n in (1, 3)] == [1, 3] and votes_needed("union", 4) == 1
    with pytest.raises(ValidationError, match="unknown merge rule 'vote'"):
        votes_needed("vote", 2)


def test_a_union_of_crossing_spans_is_named_and_a_majority_never_crosses() -> None:
    schema = load_schema(NEWS_SCHEMA)  # overlap: nested
    a = native_record("a", [(0, 11, "ACTOR")], [{}], [], [])
    b = native_record("b", [(4, 15, "ACTOR")], [{}], [], [])
    union = merge_layers([a, b], "union", "m")
    assert "crosses" in str(overlap_problem(schema, union))
    assert overlap_problem(schema, merge_layers([a, b, a], "majority", "m")) is None
