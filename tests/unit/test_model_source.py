"""The model source's refusals (one line naming the folder and what to do), its handling of labels the
schema lacks and of long texts; `annotator train`'s refusals, before anything is written."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.importers import import_paths
from annotator.project import Project
from annotator.suggest.base import DocumentInput, SourceContext, SuggestionError
from annotator.suggest.model_source import chunks
from annotator.suggest.registry import build_source
from tests.conftest import ProjectMaker


def _context(project: Project, model: Path) -> SourceContext:
    settings = replace(project.config.suggestions, model=model)
    return SourceContext(
        project.config.root, project.schema, project.config.language, settings, project.engine, project.id
    )


def _pipeline(folder: Path, language: str = "en", labels: tuple[str, ...] = ()) -> Path:
    """An untrained pipeline with an ner of these labels (none: no ner at all), written to folder."""
    import spacy

    nlp = spacy.blank(language)
    if labels:
        ner: Any = nlp.add_pipe("ner")
        for label in labels:
            ner.add_label(label)
        nlp.initialize()
    nlp.to_disk(folder)
    return folder


def _refusal(make_project: ProjectMaker, model: Path) -> str:
    with Project.open(make_project()) as project, pytest.raises(SuggestionError) as refused:
        build_source("model", _context(project, model))
    message = str(refused.value)
    assert "\n" not in message and str(model) in message
    return message


def test_a_missing_folder_a_file_an_empty_folder_and_a_stranger_folder_are_refused(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    assert "no such folder" in _refusal(make_project, tmp_path / "nowhere")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert "a file, not a spaCy pipeline folder" in _refusal(make_project, tmp_path / "file")
    (tmp_path / "empty").mkdir()
    assert "not a spaCy pipeline (it has no config.cfg)" in _refusal(make_project, tmp_path / "empty")
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "config.cfg").write_text("[nlp\nthis is not a config", encoding="utf-8")
    assert "cannot load it as a spaCy pipeline" in _refusal(make_project, stranger)


def test_a_pipeline_without_ner_or_spancat_or_for_another_language_is_refused(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    assert "no ner or spancat component" in _refusal(make_project, _pipeline(tmp_path / "blank"))
    german = _pipeline(tmp_path / "de", language="de", labels=("ACTOR",))
    assert "a pipeline for language 'de', the project's is 'en'" in _refusal(make_project, german)


def test_a_pipeline_whose_labels_the_schema_lacks(make_project: ProjectMaker, tmp_path: Path) -> None:
    foreign = _pipeline(tmp_path / "foreign", labels=("PERSON", "GPE"))
    assert "none of its labels (GPE, PERSON) is in the schema" in _refusal(make_project, foreign)
    mixed = _pipeline(tmp_path / "mixed", labels=("ACTOR", "PERSON"))
    with Project.open(make_project()) as project:
        source = build_source("model", _context(project, mixed))
        assert source.unknown_labels == ["PERSON"]  # type: ignore[attr-defined]
        text = "Kim Jong Un met Putin in Moscow yesterday. " * 20
        proposals = source.propose([DocumentInput(1, "a", text, {})])
    assert {s.label for s in proposals[0].spans} <= {"ACTOR"}
    assert all(0.0 <= s.score <= 1.0 and s.source == "model" for s in proposals[0].spans)


def test_long_texts_are_cut_after_paragraph_breaks_and_offsets_kept() -> None:
    paragraph = "Kim Jong Un met Putin. " * 30
    text = "\n\n".join([paragraph] * 40)
    pieces = list(chunks(text, size=2000))
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)
    assert all(len(piece) <= 2000 for _, piece in pieces) and len(pieces) > 5
    assert all(piece.endswith("\n\n") for _, piece in pieces[:-1])
    no_breaks = "x" * 5000
    assert [len(piece) for _, piece in chunks(no_breaks, size=2000)] == [2000, 2000, 1000]


def test_the_model_source_proposes_over_a_long_text_in_pieces(make_project: ProjectMaker, tmp_path: Path) -> None:
    model = _pipeline(tmp_path / "m", labels=("ACTOR", "DATE"))
    text = "\n\n".join(["Kim Jong Un met Putin in Moscow yesterday."] * 1000)  # 44,000 code points: 3 pieces
    with Project.open(make_project()) as project:
        source = build_source("model", _context(project, model))
        proposals = source.propose([DocumentInput(1, "long", text, {}), DocumentInput(2, "short", "Kim", {})])
    assert [p.document_id for p in proposals] == [1, 2]
    for proposal, length in zip(proposals, (len(text), 3), strict=True):
        assert all(0 <= s.start < s.end <= length for s in proposal.spans)


def test_train_refuses_before_writing_anything(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    source = tmp_path / "docs.jsonl"
    records = [{"id": f"d{n}", "text": f"Putin spoke {n}.", "annotator": "alice", "status": "done"} for n in range(3)]
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [source])
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    cases = [
        ([], "the gold layer has no done documents to train on; layers with done documents: alice (3)"),
        (["--layer", "bob"], "--layer bob: no layer named bob"),
        (["--layer", "alice", "--epochs", "0"], "train for at least one epoch"),
        (["--layer", "alice"], "have no spans"),
    ]
    capsys.readouterr()
    for extra, message in cases:
        assert main(["train", str(root), "-o", str(tmp_path / "model"), *extra]) == 1
        error = capsys.readouterr().err
        assert error.startswith("error: ") and message in error and error.count("\n") == 1, error
        assert not (tmp_path / "model").exists()
    assert main(["train", str(root), "-o", str(taken), "--layer", "alice"]) == 1
    assert "holds files no train wrote" in capsys.readouterr().err
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs.jsonl", "project1", "taken"]  # no partial folder
