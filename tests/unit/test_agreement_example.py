"""Agreement on the example article, its figures worked out by hand.

The reference layer is copied into alice's and carol's layers, and into bob's with changes:
10 ACTOR spans dropped, 5 moved by one word (the end takes the next word), 5 relabelled
ACTOR -> CLAIM, and one ACTOR's kind changed. Every changed span stands alone: no span
overlaps it and no relation uses it, so each change moves exactly the counts below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.agreement import AgreementOptions, measure_agreement
from annotator.agreement.token_tags import layer_tags, tag_codes
from annotator.exporters.base import ExportOptions, FormatReport
from annotator.exporters.iob import tag_names, tag_record
from annotator.exporters.tokens import make_tokenizer
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import EXAMPLE, ProjectMaker

# span id -> its text, from reference.jsonl
DROPPED = {
    "s4": "Getty", "s6": "Getty", "s23": "Choe", "s25": "Kim", "s35": "Pyongyang", "s43": "UN",
    "s36": "North Korea", "s62": "North Korea", "s49": "Dongguk University", "s54": "Sejong Institute",
}  # fmt: skip
DROPPED_TOKENS = 6 * 1 + 4 * 2  # six one-token names, four two-token ones
MOVED = {"s2": "Russia try", "s34": "Moscow provided", "s39": "China was", "s42": "China has", "s67": "US in"}
RELABELLED = {"s31": "Russia", "s37": "Russia", "s38": "China", "s44": "Russia", "s64": "Japan"}
KIND_CHANGED = "s1"  # North Korea: state -> organisation


def reference() -> dict[str, Any]:
    return json.loads((EXAMPLE / "reference.jsonl").read_text(encoding="utf-8").splitlines()[0])


def perturbed(record: dict[str, Any]) -> dict[str, Any]:
    text = record["text"]
    spans = []
    for original in record["spans"]:
        span = dict(original)
        if span["id"] in DROPPED:
            assert span["text"] == DROPPED[span["id"]]
            continue
        if span["id"] in MOVED:
            word = text[span["end"] :].split(" ", 2)[1]
            span["end"] += 1 + len(word)
            span["text"] = text[span["start"] : span["end"]]
            assert span["text"] == MOVED[span["id"]]
        if span["id"] in RELABELLED:
            assert span["text"] == RELABELLED[span["id"]] and span["label"] == "ACTOR"
            span["label"] = "CLAIM"
            del span["attributes"]
        if span["id"] == KIND_CHANGED:
            assert span["attributes"] == {"kind": "state"}
            span["attributes"] = {"kind": "organisation"}
        spans.append(span)
    return {**record, "spans": spans, "annotator": "bob"}


@pytest.fixture
def example(make_project: ProjectMaker, tmp_path: Path) -> Path:
    record = reference()
    changed = {*DROPPED, *MOVED, *RELABELLED}
    ends = {relation[end] for relation in record["relations"] for end in ("head", "tail")}
    moved_ends = {span["id"]: span["end"] for span in perturbed(record)["spans"]}
    for span in record["spans"]:
        if span["id"] in changed:  # each change stands alone (module doc), the moved end too
            assert span["id"] not in ends
            end = moved_ends.get(span["id"], span["end"])
            assert not any(o["start"] < end and span["start"] < o["end"] for o in record["spans"] if o is not span)
    root = make_project()
    files = []
    for name, layer in (("alice", {**record, "annotator": "alice"}), ("bob", perturbed(record))):
        files.append(tmp_path / f"{name}.jsonl")
        files[-1].write_text(json.dumps(layer) + "\n", encoding="utf-8")
    files.append(tmp_path / "carol.jsonl")
    files[-1].write_text(json.dumps({**record, "annotator": "carol"}) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, files)
    return root


def reference_tag_counts(project: Project) -> tuple[int, dict[str, int]]:
    """Tokens and tokens per tag of the reference, as the hf export tags them."""
    record = reference()
    options = ExportOptions(language=project.config.language)
    tags = tag_record(record, make_tokenizer(options)(record["text"]), options, FormatReport()).tags
    return len(tags), {name: tags.count(name) for name in tag_names(project.schema)}


def test_span_f1_by_hand(example: Path) -> None:
    with Project.open(example) as project:
        report = measure_agreement(project, AgreementOptions(annotators=("alice", "bob"), samples=0))
    assert report["documents"]["compared"] == 1
    (pair,) = report["pairs"]
    exact, overlap = pair["spans"]["exact"], pair["spans"]["overlap"]
    # alice: 57 ACTOR, 11 CLAIM, 9 DATE. bob: 57 - 10 dropped - 5 relabelled = 42 ACTOR, 16 CLAIM, 9 DATE.
    # Exact: 57 - 10 - 5 moved - 5 relabelled = 37 ACTOR; every CLAIM and DATE of alice.
    assert (exact["ACTOR"]["first"], exact["ACTOR"]["second"], exact["ACTOR"]["matched"]) == (57, 42, 37)
    assert exact["ACTOR"]["precision"]["value"] == pytest.approx(37 / 42)
    assert exact["ACTOR"]["recall"]["value"] == pytest.approx(37 / 57)
    assert exact["ACTOR"]["f1"]["value"] == pytest.approx(2 * 37 / (57 + 42))
    assert exact["CLAIM"]["f1"]["value"] == pytest.approx(2 * 11 / (11 + 16))
    assert exact["DATE"]["f1"]["value"] == 1
    assert exact["all"]["f1"]["value"] == pytest.approx(2 * 57 / (77 + 67))
    # Overlap: the 5 moved spans match again; the relabelled ones overlap no CLAIM of alice's.
    assert overlap["ACTOR"]["matched"] == 42
    assert overlap["ACTOR"]["precision"]["value"] == 1
    assert overlap["ACTOR"]["f1"]["value"] == pytest.approx(2 * 42 / (57 + 42))
    assert overlap["CLAIM"]["f1"]["value"] == pytest.approx(2 * 11 / (11 + 16))
    assert overlap["all"]["f1"]["value"] == pytest.approx(2 * 62 / (77 + 67))
    # No changed span is a relation's end: every relation matches. One kind of 42 ACTOR pairs differs.
    assert pair["relations"]["all"]["f1"]["value"] == 1
    assert (pair["relations"]["all"]["first"], pair["relations"]["all"]["matched"]) == (14, 14)
    kind = pair["attributes"]["ACTOR.kind"]
    assert (kind["compared"], kind["agreed"]) == (42, 41)
    assert kind["agreement"]["value"] == pytest.approx(41 / 42)


def test_token_kappas_by_hand(example: Path) -> None:
    with Project.open(example) as project:
        tokens, alice = reference_tag_counts(project)
        report = measure_agreement(project, AgreementOptions(samples=0))
    assert report["annotators"] == ["alice", "bob", "carol"]
    assert report["tokens"]["count"] == tokens
    # The reference nests 13 spans in longer ones (ACTORs in CLAIMs): IOB holds the longer, as in hf.
    assert report["tokens"]["overlaps_left_out"] == {"alice": 13, "bob": 13, "carol": 13}
    assert report["tokens"]["misaligned"] == {"alice": 0, "bob": 0, "carol": 0}
    # bob's tags, from alice's: dropped spans' tokens become O; each moved span's next word turns
    # from O to I-ACTOR; each relabelled (one-token) span's B-ACTOR becomes B-CLAIM.
    bob = dict(alice)
    bob["O"] += DROPPED_TOKENS - len(MOVED)
    bob["B-ACTOR"] -= len(DROPPED) + len(RELABELLED)
    bob["I-ACTOR"] += len(MOVED) - (DROPPED_TOKENS - len(DROPPED))
    bob["B-CLAIM"] += len(RELABELLED)
    differing = DROPPED_TOKENS + len(MOVED) + len(RELABELLED)
    observed = (tokens - differing) / tokens
    chance = sum(alice[tag] * bob[tag] for tag in alice) / tokens**2
    alice_bob, alice_carol, bob_carol = report["pairs"]
    assert alice_bob["tokens_agreed"] == tokens - differing
    assert alice_bob["cohen_kappa"]["value"] == pytest.approx((observed - chance) / (1 - chance))
    assert bob_carol["cohen_kappa"]["value"] == pytest.approx(alice_bob["cohen_kappa"]["value"])
    assert alice_carol["cohen_kappa"]["value"] == pytest.approx(1)
    assert alice_carol["spans"]["exact"]["all"]["f1"]["value"] == 1
    # Fleiss over 3: two of the three pairs differ on `differing` tokens.
    pair_agreement = (3 * tokens - 2 * differing) / (3 * tokens)
    shares = {tag: (2 * alice[tag] + bob[tag]) / (3 * tokens) for tag in alice}
    fleiss_chance = sum(share**2 for share in shares.values())
    fleiss = (pair_agreement - fleiss_chance) / (1 - fleiss_chance)
    assert report["all"]["fleiss_kappa"]["value"] == pytest.approx(fleiss)
    # Krippendorff: 3 * tokens values; sum of o_cc = 2 * agreed pairs / (3 - 1).
    values = 3 * tokens
    same = 3 * tokens - 2 * differing
    totals = [2 * alice[tag] + bob[tag] for tag in alice]
    alpha = 1 - (values - 1) * (values - same) / (values**2 - sum(t * t for t in totals))
    assert report["all"]["krippendorff_alpha"]["value"] == pytest.approx(alpha)


def test_the_bootstrap_is_seeded_and_an_interval_holds_its_figure(example: Path, tmp_path: Path) -> None:
    with Project.open(example) as project:
        first = measure_agreement(project, AgreementOptions(annotators=("alice", "bob"), samples=200, seed=3))
        again = measure_agreement(project, AgreementOptions(annotators=("alice", "bob"), samples=200, seed=3))
    assert first == again
    kappa = first["pairs"][0]["cohen_kappa"]
    # One document: every resample is that document, so the interval is the figure itself.
    assert kappa["low"] == pytest.approx(kappa["value"]) == pytest.approx(kappa["high"])


def test_the_token_tags_are_those_of_the_hf_export(example: Path) -> None:
    record = reference()
    with Project.open(example) as project:
        options = ExportOptions(language=project.config.language)
        names = tag_names(project.schema)
    tokens = make_tokenizer(options)(record["text"])
    exported = tag_record(record, tokens, options, FormatReport()).tags
    spans = [(span["start"], span["end"], span["label"], number) for number, span in enumerate(record["spans"])]
    codes = layer_tags(record["text"], tokens, spans, tag_codes(("ACTOR", "CLAIM", "DATE")), FormatReport())
    assert [names[code] for code in codes] == exported
