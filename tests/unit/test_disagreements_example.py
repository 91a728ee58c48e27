"""The disagreements on the example article: alice has the reference, bob the same with known changes.

The changes (tests/unit/test_agreement_example.py): 10 ACTOR spans dropped, 5 with the end moved
one word on, 5 relabelled ACTOR -> CLAIM, one ACTOR's kind changed; each stands alone (no span
overlaps it, no relation uses it), so each is exactly one disagreement at its span.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from annotator.agreement.disagreements import DisagreementOptions, DisagreementScan
from annotator.project import Project
from tests.unit.test_agreement_example import (
    DROPPED,
    KIND_CHANGED,
    MOVED,
    RELABELLED,
    example,  # noqa: F401 - the fixture: the example article in alice's, bob's and carol's layers
    perturbed,
    reference,
)


def test_exactly_the_changes_are_listed(example: Path) -> None:  # noqa: F811 - the fixture
    record = reference()
    place = {span["id"]: (span["start"], span["end"]) for span in record["spans"]}
    moved_end = {span["id"]: span["end"] for span in perturbed(record)["spans"] if span["id"] in MOVED}
    options = DisagreementOptions(annotators=("alice", "bob"))
    with Project.open(example) as project, DisagreementScan(project, options) as scan:
        (found,) = list(scan.documents())
    assert Counter(d.kind for d in found) == {"missing": 10, "boundary": 5, "label": 5, "attribute": 1}
    by_kind = {kind: {(d.start, d.end) for d in found if d.kind == kind} for kind in ("missing", "boundary", "label")}
    assert by_kind["missing"] == {place[span_id] for span_id in DROPPED}
    assert by_kind["label"] == {place[span_id] for span_id in RELABELLED}
    assert by_kind["boundary"] == {(place[span_id][0], moved_end[span_id]) for span_id in MOVED}
    for d in found:
        assert d.external_id == "nk-russia-1" and d.first.annotator == "alice" and d.second.annotator == "bob"
        if d.kind == "missing":
            assert d.first.label == "ACTOR" and d.first.text == record["text"][d.start : d.end]
            assert d.second.label is None
        if d.kind == "label":
            assert (d.first.label, d.second.label) == ("ACTOR", "CLAIM")
        if d.kind == "boundary":
            assert d.second.end == d.end and d.first.end == place[next(k for k in MOVED if place[k][0] == d.start)][1]
    (attribute,) = [d for d in found if d.kind == "attribute"]
    assert (attribute.start, attribute.end) == place[KIND_CHANGED]
    assert (attribute.first.attribute, attribute.second.attribute) == ("kind=state", "kind=organisation")
    assert [(d.start, d.end) for d in found] == sorted((d.start, d.end) for d in found)


def test_identical_layers_and_kind_filter(example: Path) -> None:  # noqa: F811 - the fixture
    with Project.open(example) as project:
        with DisagreementScan(project, DisagreementOptions(annotators=("alice", "carol"))) as scan:
            assert list(scan.documents()) == [[]]
        options = DisagreementOptions(annotators=("bob", "alice"), kinds=("missing", "label"))
        with DisagreementScan(project, options) as scan:
            (found,) = list(scan.documents())
    assert Counter(d.kind for d in found) == {"missing": 10, "label": 5}
    assert all(d.first.annotator == "bob" and d.first.label is None for d in found if d.kind == "missing")
