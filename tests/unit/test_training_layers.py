"""Training formats take one finished layer per document and never emit one id twice; any length.

The rule lives in annotator/exporters/training.py for every training format; these tests read
each format back (hf JSONL, CoNLL, spaCy DocBin) and compare with what the rule says.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.errors import NotFoundError, ValidationError
from annotator.exporters import ExportFilter, ExportOptions, export_format
from annotator.importers import import_paths
from annotator.models import STATUSES
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import EXAMPLE, ProjectMaker, write_jsonl

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402

TRAINING = ("hf", "conll", "spacy")
TEXT = "Kim Jong Un met Vladimir Putin in Moscow."


def exported_ids(format_name: str, path: Path) -> list[str]:
    """The document ids in an export, one per record (CoNLL has no ids: one per -DOCSTART-)."""
    if format_name == "hf":
        return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    if format_name == "conll":
        return [f"doc{n}" for n in range(path.read_text(encoding="utf-8").count("-DOCSTART-"))]
    docs = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
    return [doc.user_data["annotator"]["id"] for doc in docs]


def hf_layers(path: Path) -> dict[str, list[str]]:
    return {json.loads(line)["id"]: json.loads(line)["ner_tags"] for line in path.read_text().splitlines()}


@pytest.mark.parametrize("format_name", TRAINING)
def test_opening_a_document_adds_no_second_all_o_record(
    make_project: ProjectMaker, tmp_path: Path, format_name: str
) -> None:
    root = make_project()
    with Project.open(root) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
    with AnnotationService.open(root, annotator="bob") as service:  # bob opens the document: a todo layer
        service.add_time(service.find_document("nk-russia-1"), 4.0)
    with Project.open(root) as project:
        report = export_format(project, format_name, tmp_path / "out")
    assert exported_ids(format_name, tmp_path / "out") == (["doc0"] if format_name == "conll" else ["nk-russia-1"])
    assert report.documents == report.lines == 1 and report.spans == 77 and not report.without_layer
    if format_name == "spacy":
        (doc,) = DocBin().from_disk(tmp_path / "out").get_docs(spacy.blank("en").vocab)
        assert doc.user_data["annotator"]["annotator"] == "reference" and len(doc.ents) > 0


# --- the rule, as a property over random layers ----------------------------------------------

NAMES = ("alice", "bob", "gold")
LAYERS = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(STATUSES), max_size=3)


def expected_choice(
    layers: dict[str, str], statuses: tuple[str, ...], preferred: tuple[str, ...]
) -> str | tuple[str, ...] | None:
    """The layer the rule takes for one document: a name, None (left out), or the competing names."""
    candidates = [name for name in sorted(layers) if layers[name] in statuses]
    if not layers and "todo" in statuses and not preferred:
        return "(nobody)"  # a document nobody touched is one empty todo record
    if preferred:
        return next((name for name in preferred if name in candidates), None)
    if len(candidates) > 1:
        return tuple(candidates)
    return candidates[0] if candidates else None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    documents=st.lists(LAYERS, min_size=1, max_size=5),
    statuses=st.none() | st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2, unique=True).map(tuple),
    preferred=st.lists(st.sampled_from(NAMES), max_size=2, unique=True).map(tuple),
)
def test_a_training_export_takes_one_layer_per_document_by_the_rule(
    make_project: ProjectMaker,
    tmp_path: Path,
    documents: list[dict[str, str]],
    statuses: tuple[str, ...] | None,
    preferred: tuple[str, ...],
) -> None:
    lines: list[str] = []
    for i, layers in enumerate(documents):
        text = f"{TEXT} ({i})"
        lines.append(json.dumps({"id": f"d{i}", "text": text}))
        for name, status in layers.items():
            # Each layer marks a different name, so the tags say whose layer was taken.
            word = {"alice": "Kim", "bob": "Putin", "gold": "Moscow"}[name]
            span = {"start": text.index(word), "end": text.index(word) + len(word), "label": "ACTOR"}
            lines.append(
                json.dumps({"id": f"d{i}", "text": text, "annotator": name, "status": status, "spans": [span]})
            )
    target = tmp_path / f"out{len(list(tmp_path.iterdir()))}.jsonl"
    with Project.open(make_project()) as project:
        import_paths(project, [write_jsonl(tmp_path / "in.jsonl", lines)])
        known = {name for layers in documents for name in layers}
        wanted = statuses or ("done",)
        choices = {f"d{i}": expected_choice(layers, wanted, preferred) for i, layers in enumerate(documents)}
        competing = sorted(doc for doc, choice in choices.items() if isinstance(choice, tuple))
        run = lambda: export_format(  # noqa: E731
            project, "hf", target, ExportFilter(statuses=statuses), ExportOptions(layers=preferred)
        )
        if any(name not in known for name in preferred):
            with pytest.raises(NotFoundError, match="--layer: no annotator named"):
                run()
            return
        if competing:
            with pytest.raises(ValidationError, match="more than one") as refused:
                run()
            assert all(repr(doc) in str(refused.value) for doc in competing[:5]) and "--layer NAME" in str(
                refused.value
            )
            assert not target.exists() and [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
            return
        report = run()
    tags = hf_layers(target)
    taken = {doc: choice for doc, choice in choices.items() if choice is not None}
    assert sorted(tags) == sorted(taken)  # one record per id, exactly the documents the rule keeps
    for doc, choice in taken.items():
        marked = [i for i, tag in enumerate(tags[doc]) if tag != "O"]
        where = {"(nobody)": [], "alice": [0], "bob": [5], "gold": [7]}[str(choice)]  # Kim, Putin, Moscow
        assert marked == where, (doc, choice, tags[doc])
    assert sum(report.without_layer.values()) == len(choices) - len(taken)


# --- the command line --------------------------------------------------------------------------


def test_the_cli_says_how_many_documents_were_left_out_and_which_flag_chooses(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    lines = [json.dumps({"id": f"u{i}", "text": f"{TEXT} {i}"}) for i in range(3)]
    lines.append(json.dumps({"id": "two", "text": TEXT, "annotator": "alice", "status": "done"}))
    lines.append(json.dumps({"id": "two", "text": TEXT, "annotator": "gold", "status": "done"}))
    with Project.open(root) as project:
        import_paths(project, [write_jsonl(tmp_path / "in.jsonl", lines), EXAMPLE / "reference.jsonl"])
    out = tmp_path / "hf.jsonl"
    assert main(["export", str(root), "--format", "hf", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: 1 document(s) have more than one done layer: 'two' (alice, gold).")
    assert "--layer NAME" in err and "--merge union|majority|intersection" in err and "--annotator NAME" in err
    assert not out.exists()

    assert main(["export", str(root), "--format", "hf", "-o", str(out), "--layer", "gold,reference"]) == 0
    captured = capsys.readouterr()
    assert sorted(hf_layers(out)) == ["nk-russia-1", "two"]
    assert "left out 3 document(s): no finished (done) layer of gold, reference" in captured.err

    # Every other format takes --layer too: one layer per document, any status unless --status.
    native = tmp_path / "n.jsonl"
    assert main(["export", str(root), "--format", "jsonl", "-o", str(native), "--layer", "gold"]) == 0
    assert "left out 4 document(s): no layer of gold" in capsys.readouterr().err
    assert [(r["id"], r["annotator"]) for r in map(json.loads, native.read_text().splitlines())] == [("two", "gold")]


# --- long documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("format_name", TRAINING)
def test_a_document_over_spacys_million_characters_exports(
    make_project: ProjectMaker, tmp_path: Path, format_name: str
) -> None:
    sentence = "Kim Jong Un met Vladimir Putin in Moscow on Monday. "
    text = sentence * (1_200_000 // len(sentence) + 1)
    assert len(text) > 1_200_000
    last = len(text) - len(sentence)
    spans = [
        {"start": 0, "end": 11, "label": "ACTOR"},
        {"start": last + 16, "end": last + 30, "label": "ACTOR"},  # "Vladimir Putin", past character 1,200,000
    ]
    record = {"id": "long", "text": text, "annotator": "alice", "status": "done", "spans": spans}
    with Project.open(make_project()) as project:
        import_paths(project, [write_jsonl(tmp_path / "long.jsonl", [json.dumps(record)])])
        report = export_format(project, format_name, tmp_path / "out")
    assert report.documents == 1 and report.problems == []
    if format_name == "spacy":
        (doc,) = DocBin().from_disk(tmp_path / "out").get_docs(spacy.blank("en").vocab)
        assert doc.text == text
        assert [(e.start_char, e.end_char, e.text) for e in doc.ents] == [
            (0, 11, "Kim Jong Un"),
            (last + 16, last + 30, "Vladimir Putin"),
        ]
        return
    if format_name == "hf":
        (tags,) = hf_layers(tmp_path / "out").values()
    else:
        tags = [line.rsplit(" ", 1)[1] for line in (tmp_path / "out").read_text().splitlines() if " " in line][1:]
    tagged = Counter(tags)
    assert tagged == Counter({"O": len(tags) - 5, "B-ACTOR": 2, "I-ACTOR": 3})
    assert tags[-7:-5] == ["B-ACTOR", "I-ACTOR"] and tags[:3] == ["B-ACTOR", "I-ACTOR", "I-ACTOR"]
