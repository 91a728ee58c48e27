"""The disagreement list: each kind on hand-made layers, identical layers, consistency with agreement's counts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from annotator.agreement import AgreementOptions, measure_agreement
from annotator.agreement.disagreements import (
    Disagreement,
    DisagreementOptions,
    DisagreementScan,
    Place,
    Version,
    layer_disagreements,
)
from annotator.agreement.layers import Layer
from annotator.agreement.matching import Span, exact_matches, overlap_matches
from annotator.errors import NotFoundError, ValidationError
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un met Putin in Moscow on Monday and said talks went well."
#       0         1         2         3         4         5         6
#       0123456789012345678901234567890123456789012345678901234567890123456
KIM, KIM_JONG, PUTIN, MOSCOW, MONDAY, SAID = (0, 11), (0, 8), (16, 21), (25, 31), (35, 41), (46, 66)
ATTRIBUTES = {"ACTOR": ("kind",)}


def layer(*spans: tuple[tuple[int, int], str], first_id: int = 1) -> Layer:
    return Layer(spans=[(start, end, label, first_id + i) for i, ((start, end), label) in enumerate(spans)])


def compared(ours: Layer, theirs: Layer) -> list[Disagreement]:
    found = layer_disagreements(Place(7, "d7", TEXT), ("alice", ours), ("bob", theirs), ATTRIBUTES)
    return sorted(found, key=lambda d: (d.start, d.end, d.kind))


def test_identical_layers_disagree_nowhere() -> None:
    spans = ((KIM, "ACTOR"), (PUTIN, "ACTOR"), (MONDAY, "DATE"), (SAID, "CLAIM"))
    ours, theirs = layer(*spans), layer(*spans, first_id=100)
    ours.relations.append(("SAID_BY", 4, 1))
    theirs.relations.append(("SAID_BY", 103, 100))
    ours.attributes[1] = {"kind": "person"}
    theirs.attributes[100] = {"kind": "person"}
    assert compared(ours, theirs) == []
    assert compared(Layer(), Layer()) == []


def test_missing_span_either_way() -> None:
    (first, second) = compared(layer((KIM, "ACTOR")), layer((PUTIN, "ACTOR"), first_id=100))
    assert (first.kind, first.start, first.end) == ("missing", *KIM)
    assert first.first == Version("alice", "ACTOR", 0, 11, "Kim Jong Un") and first.second == Version("bob")
    assert (second.kind, second.start, second.end) == ("missing", *PUTIN)
    assert second.first == Version("alice") and second.second.label == "ACTOR"
    assert first.describe() == "d7 [0,11) missing: alice: ACTOR 'Kim Jong Un' [0,11) — bob: none"


def test_label_differs_on_the_same_or_an_overlapping_range() -> None:
    same, overlapping = compared(
        layer((MOSCOW, "ACTOR"), ((46, 50), "CLAIM")), layer((MOSCOW, "DATE"), ((46, 57), "ACTOR"), first_id=100)
    )
    assert (same.kind, same.start, same.end) == ("label", *MOSCOW)
    assert (same.first.label, same.second.label) == ("ACTOR", "DATE")
    # Overlapping, different labels: one label disagreement covering both, not two missing spans.
    assert (overlapping.kind, overlapping.start, overlapping.end) == ("label", 46, 57)
    assert (overlapping.first.start, overlapping.first.end, overlapping.second.end) == (46, 50, 57)


def test_boundary_differs_is_an_overlap_match_not_exact() -> None:
    (found,) = compared(layer((KIM, "ACTOR")), layer((KIM_JONG, "ACTOR"), first_id=100))
    assert (found.kind, found.start, found.end) == ("boundary", 0, 11)
    assert found.describe() == ("d7 [0,11) boundary: alice: ACTOR 'Kim Jong Un' [0,11) — bob: ACTOR 'Kim Jong' [0,8)")


def test_relation_missing_or_with_another_label() -> None:
    ours = layer((SAID, "CLAIM"), (KIM, "ACTOR"), (MONDAY, "DATE"))
    theirs = layer((SAID, "CLAIM"), (KIM, "ACTOR"), (MONDAY, "DATE"), first_id=100)
    ours.relations += [("SAID_BY", 1, 2), ("SAID_ON", 1, 3)]
    theirs.relations += [("SAID_ON", 100, 101), ("SAID_BY", 100, 101)]  # SAID_BY agrees; SAID_ON has other ends
    found = compared(ours, theirs)
    assert [d.kind for d in found] == ["relation", "relation"]
    by_start = {d.start: d for d in found}
    on_kim = by_start[0]  # bob's SAID_ON from the claim to Kim: alice has none there
    assert on_kim.first == Version("alice") and on_kim.second.label == "SAID_ON"
    assert on_kim.second.ends == "CLAIM 'said talks went well' → ACTOR 'Kim Jong Un'"
    on_monday = by_start[35]
    assert on_monday.first.label == "SAID_ON" and on_monday.second == Version("bob")
    assert (on_monday.start, on_monday.end) == (35, 66)
    # The same ends, another label: one disagreement with both.
    theirs.relations[:] = [("SAID_BY", 100, 101), ("SAID_BY", 100, 102)]
    (relabelled,) = compared(ours, theirs)
    assert (relabelled.first.label, relabelled.second.label) == ("SAID_ON", "SAID_BY")
    assert relabelled.describe() == (
        "d7 [35,66) relation: alice: SAID_ON CLAIM 'said talks went well' → DATE 'Monday' — "
        "bob: SAID_BY CLAIM 'said talks went well' → DATE 'Monday'"
    )


def test_attribute_differs_on_matched_spans() -> None:
    ours, theirs = layer((KIM, "ACTOR"), (PUTIN, "ACTOR")), layer((KIM_JONG, "ACTOR"), (PUTIN, "ACTOR"), first_id=100)
    ours.attributes = {1: {"kind": "person"}, 2: {"kind": "person"}}
    theirs.attributes = {100: {"kind": "person"}}  # Putin's kind unset in bob's
    found = compared(ours, theirs)
    assert [d.kind for d in found] == ["boundary", "attribute"]
    assert found[1].first.attribute == "kind=person" and found[1].second.attribute == "kind unset"
    only = layer_disagreements(Place(7, "d7", TEXT), ("alice", ours), ("bob", theirs), ATTRIBUTES, kinds=("attribute",))
    assert [d.kind for d in only] == ["attribute"]


@given(st.text(), st.text())
def test_a_disagreement_line_is_one_short_visible_line_whatever_the_attribute_values(note: str, other: str) -> None:
    ours, theirs = layer((KIM, "ACTOR")), layer((KIM, "ACTOR"), first_id=100)
    ours.attributes, theirs.attributes = {1: {"kind": note * 1000}}, {100: {"kind": other}}
    for found in layer_disagreements(Place(7, "d\n7", TEXT), ("alice", ours), ("bob", theirs), ATTRIBUTES):
        line = found.describe()
        assert (
            "\n" not in line and "\x1b" not in line and len(line) < 1500
        )  # not the whole value: at most 80 characters of it, escaped
        assert found.as_json()["first"]["attribute"] == f"kind={note * 1000}"  # JSON keeps the value whole


spans_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 8), st.sampled_from(("ACTOR", "CLAIM", "DATE"))),
    max_size=14,
)


def as_layer(raw: list[tuple[int, int, str]], first_id: int) -> Layer:
    unique = sorted({(start, min(start + length, len(TEXT)), label) for start, length, label in raw})
    return Layer(spans=[(start, end, label, first_id + i) for i, (start, end, label) in enumerate(unique)])


@settings(max_examples=300, deadline=None)
@given(spans_strategy, spans_strategy)
def test_counts_agree_with_exact_and_overlap_matching(ours_raw: list[tuple[int, int, str]], theirs_raw: list) -> None:
    ours, theirs = as_layer(ours_raw, 1), as_layer(theirs_raw, 1000)
    kinds = Counter(d.kind for d in compared(ours, theirs))
    exact = len(exact_matches(ours.spans, theirs.spans))
    overlap = len(overlap_matches(ours.spans, theirs.spans))
    assert kinds["boundary"] == overlap - exact
    assert kinds["missing"] + 2 * kinds["label"] == len(ours.spans) + len(theirs.spans) - 2 * overlap
    # Every span of either layer is in exactly one span disagreement, or matched exactly.
    covered: Counter[tuple[str, int, int, str]] = Counter()
    for d in compared(ours, theirs):
        for version in (d.first, d.second):
            if version.label is not None:
                covered[(version.annotator, version.start, version.end, version.label)] += 1  # type: ignore[index]
    exactly = {span[:3] for span, _ in exact_matches(ours.spans, theirs.spans)}
    for name, spans in (("alice", ours.spans), ("bob", theirs.spans)):
        for span in spans:
            assert covered[(name, span[0], span[1], span[2])] == (0 if span[:3] in exactly else 1)
    # Overlap with nothing of its label in the other layer: never a boundary disagreement.
    lone: list[Span] = [
        a for a in ours.spans if not any(a[2] == b[2] and a[0] < b[1] and b[0] < a[1] for b in theirs.spans)
    ]
    for span in lone:
        assert covered[("alice", span[0], span[1], span[2])] == 1


def three_layers(documents: int) -> list[str]:
    """alice, bob, carol over `documents` documents, each changed in its own way."""
    words, lines = TEXT.rstrip(".").split(" "), []
    for number in range(documents):
        spans, position = [], 0
        for index, word in enumerate(words):
            if index % 2 == 0:
                spans.append({"start": position, "end": position + len(word), "label": "ACTOR", "text": word})
            position += len(word) + 1
        for name in ("alice", "bob", "carol"):
            kept = [dict(s) for s in spans]
            if name == "bob":
                kept = [s for i, s in enumerate(kept) if (i + number) % 3]  # dropped
                for s in kept[::4]:
                    s["label"] = "DATE"  # relabelled
            if name == "carol" and number % 2:
                kept[0]["end"] = 8  # "Kim Jong": a moved end
                kept[0]["text"] = TEXT[:8]
            text = f"{TEXT} ({number})"  # one document each (a text already imported is the same document)
            record = {"id": f"d{number}", "text": text, "spans": kept, "annotator": name, "status": "done"}
            lines.append(json.dumps(record))
    return lines


@pytest.fixture
def three(make_project: ProjectMaker, tmp_path: Path) -> Path:
    root = make_project()
    path = tmp_path / "three.jsonl"
    path.write_text("\n".join(three_layers(12)) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [path])
    return root


def test_scan_counts_match_the_agreement_report(three: Path) -> None:
    with Project.open(three) as project:
        report = measure_agreement(project, AgreementOptions(samples=0, tokenizer="whitespace"))
        with DisagreementScan(project) as scan:
            assert scan.annotators == ("alice", "bob", "carol")
            per_document = list(scan.documents(chunk=5))  # chunks of 5: the same as one read
    assert len(per_document) == 12
    found = [d for document in per_document for d in document]
    for pair in report["pairs"]:
        names = (pair["first"], pair["second"])
        kinds = Counter(d.kind for d in found if (d.first.annotator, d.second.annotator) == names)
        exact, overlap = pair["spans"]["exact"]["all"], pair["spans"]["overlap"]["all"]
        assert kinds["boundary"] == overlap["matched"] - exact["matched"]
        assert kinds["missing"] + 2 * kinds["label"] == overlap["first"] + overlap["second"] - 2 * overlap["matched"]
        assert sum(kinds.values()) > 0
    # Documents in import order, each sorted by position.
    assert [document[0].external_id for document in per_document if document] == [f"d{n}" for n in range(12)]
    for document in per_document:
        assert [(d.start, d.end) for d in document] == sorted((d.start, d.end) for d in document)


def test_options_choose_pairs_labels_and_kinds(three: Path) -> None:
    with Project.open(three) as project:
        options = DisagreementOptions(annotators=("carol", "alice"), labels=("ACTOR",), kinds=("boundary",))
        with DisagreementScan(project, options) as scan:
            found = [d for document in scan.documents() for d in document]
    assert len(found) == 6  # carol moved Kim's end in every other document
    assert {(d.kind, d.first.annotator, d.second.annotator) for d in found} == {("boundary", "carol", "alice")}
    assert {d.first.describe() for d in found} == {"carol: ACTOR 'Kim Jong' [0,8)"}


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        (DisagreementOptions(annotators=("alice", "zed")), NotFoundError, "no annotator named 'zed'"),
        (DisagreementOptions(annotators=("alice",)), ValidationError, "2 or more annotators"),
        (DisagreementOptions(labels=("PERSON",)), ValidationError, "unknown label 'PERSON'"),
        (DisagreementOptions(statuses=("finished",)), ValidationError, "unknown status 'finished'"),
        (DisagreementOptions(statuses=("skipped",)), ValidationError, "2 or more annotators with skipped layers"),
    ],
)
def test_errors_say_what_to_do(three: Path, options: DisagreementOptions, error: type, words: str) -> None:
    with Project.open(three) as project, pytest.raises(error, match=words), DisagreementScan(project, options) as scan:
        list(scan.documents())


def statements_of_a_scan(root: Path, chunk: int) -> tuple[int, int]:
    """The disagreements found, and the statements the scan sent to the database."""
    statements: list[str] = []
    with Project.open(root) as project:
        event.listen(project.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        with DisagreementScan(project) as scan:
            found = sum(len(document) for document in scan.documents(chunk))
    return found, len(statements)


def test_statements_grow_with_chunks_not_documents(make_project: ProjectMaker, tmp_path: Path) -> None:
    counts = {}
    for documents in (3, 40):
        root = make_project()
        path = tmp_path / f"layers-{documents}.jsonl"
        path.write_text("\n".join(three_layers(documents)) + "\n", encoding="utf-8")
        with Project.open(root) as project:
            import_paths(project, [path])
        counts[documents] = statements_of_a_scan(root, chunk=500)
        assert statements_of_a_scan(root, chunk=10)[0] == counts[documents][0]  # chunks: the same list
    assert counts[40][0] > counts[3][0] > 0
    assert counts[40][1] == counts[3][1]  # one chunk: the same few statements for 3 or 40 documents
