"""`annotator train` end to end on the example project's reference plus a generated corpus (small, few
epochs), and the model source: its proposals stored and read back as the window reads them, and
its quality against the reference when trained on the generated corpus alone."""

from __future__ import annotations

import io
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from annotator.cli import main
from annotator.example_project import copy_example
from annotator.importers import import_paths
from annotator.project import Project
from annotator.suggest.base import SourceContext
from annotator.suggest.evaluate import compare, layer_documents, layer_keys
from annotator.suggest.registry import build_source
from annotator.suggest.store import open_suggestions, replace_suggestions
from annotator.suggest.training import MODEL_KIND, TRAINING_RECORD
from tests.model_corpus import write_corpus

EPOCHS = "3"
DOCUMENTS = 30
ARTICLE = "nk-russia-1"  # the example's reference article


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project with a generated corpus twice: in the reference layer (trained on with the
    reference article) and in a layer of its own, `generated` (trained on without the article)."""
    folder = tmp_path_factory.mktemp("train")
    root = copy_example(folder / "example")
    with Project.open(root) as project:
        import_paths(project, [write_corpus(folder / "reference.jsonl", DOCUMENTS, seed=7)])
        import_paths(
            project,
            [write_corpus(folder / "generated.jsonl", DOCUMENTS, seed=11, prefix="other")],
            annotator="generated",
        )
    return root


@pytest.fixture(scope="module")
def trained(example: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    model = tmp_path_factory.mktemp("models") / "news"
    capture = pytest.MonkeyPatch()  # capsys is per test; this runs once for the module
    stdout, stderr = io.StringIO(), io.StringIO()
    capture.setattr(sys, "stdout", stdout)
    capture.setattr(sys, "stderr", stderr)
    try:
        code = main(["train", str(example), "-o", str(model), "--layer", "reference", "--epochs", EPOCHS])
    finally:
        capture.undo()
    assert code == 0, stderr.getvalue()
    return model, stdout.getvalue() + stderr.getvalue()


def _context(project: Project, model: Path) -> SourceContext:
    settings = replace(project.config.suggestions, model=model)
    return SourceContext(
        project.config.root, project.schema, project.config.language, settings, project.engine, project.id
    )


def test_train_writes_a_pipeline_and_prints_dev_scores_per_label(trained: tuple[Path, str]) -> None:
    model, printed = trained
    assert (model / "config.cfg").is_file() and (model / "ner").is_dir() and (model / "spancat").is_dir()
    record = orjson.loads((model / TRAINING_RECORD).read_bytes())
    # ACTOR and DATE never overlap each other (ner); CLAIM holds them (spancat)
    assert record["components"] == {"ner": ["ACTOR", "DATE"], "spancat": ["CLAIM"]}
    assert record["layers"] == ["reference"] and record["documents"]["dev"] > 0
    assert orjson.loads((model / ".annotator-export.json").read_bytes())["format"] == MODEL_KIND
    for label in ("ACTOR", "DATE", "CLAIM"):
        assert any(
            line.split()[:2] == [label, "ner" if label != "CLAIM" else "spancat"] for line in printed.splitlines()
        )
    assert "\x1b[" not in printed  # spaCy's colours only on a terminal
    assert "annotator-train-" not in printed  # nor the scratch folder, gone by now
    epochs = [line.split()[0] for line in printed.splitlines() if line.strip()[:1].isdigit()]
    assert epochs[: int(EPOCHS)] == [str(n) for n in range(int(EPOCHS))]  # one progress row per epoch


def test_the_models_suggestions_are_stored_and_read_back(example: Path, trained: tuple[Path, str]) -> None:
    model, _ = trained
    with Project.open(example) as project:
        source = build_source("model", _context(project, model))
        documents = layer_documents(project, "reference")[:5]
        proposals = source.propose(documents)
        assert [p.document_id for p in proposals] == [d.id for d in documents]
        with project.engine.begin() as connection:
            written = replace_suggestions(connection, "model", proposals)
        assert written > 0
        with project.engine.connect() as connection:
            stored = [open_suggestions(connection, d.id, None).spans for d in documents]
    labels = {s.label for spans in stored for s in spans}
    assert labels and labels <= set(project.schema.label_names)
    assert all(s.sources == ("model",) and 0.0 <= s.score <= 1.0 for spans in stored for s in spans)
    assert sum(len(spans) for spans in stored) == written
    for document, spans in zip(documents, stored, strict=True):
        assert all(0 <= s.start < s.end <= len(document.text) for s in spans)


# The model trained on the generated corpus alone, judged on the example's reference article (which it
# never saw). Recorded with 30 documents, 6 epochs, seed 0: ACTOR precision 0.441, recall 0.526 (30 of 68
# proposed, of 57), DATE 0.600 and 0.667 (6 of 10, of 9), no CLAIM. spaCy's training on CPU is seeded:
# the figures repeat run after run; the floors sit a little under them.
MEASURED_EPOCHS = "6"
FLOORS = {"ACTOR": (0.40, 0.48), "DATE": (0.55, 0.6)}


def test_a_model_trained_on_generated_text_finds_the_references_actors(
    example: Path, trained: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    earlier, _ = trained
    model = earlier.parent / "generated"
    shutil.copytree(earlier, model)  # an earlier model's folder: `annotator train` replaces it
    assert main(["train", str(example), "-o", str(model), "--layer", "generated", "--epochs", MEASURED_EPOCHS]) == 0
    capsys.readouterr()
    assert orjson.loads((model / TRAINING_RECORD).read_bytes())["layers"] == ["generated"]
    with Project.open(example) as project:
        source = build_source("model", _context(project, model))
        article = [d for d in layer_documents(project, "reference") if d.external_id == ARTICLE]
        proposed = {(p.document_id, s.start, s.end, s.label) for p in source.propose(article) for s in p.spans}
        quality = compare(proposed, layer_keys(project, "reference", article))
    for label, (precision, recall) in FLOORS.items():
        assert quality[label].precision >= precision and quality[label].recall >= recall, quality[label]


def test_the_models_suggestions_load_in_the_window(
    example: Path, trained: tuple[Path, str], tmp_path: Path, qtbot: object
) -> None:
    """The issue's loop closed: the trained folder named in project.yaml, the window opening a
    document runs the model source on it and shows its proposals."""
    pytest.importorskip("PySide6")
    from pytestqt.qtbot import QtBot

    from tests.ui.conftest import shown_window

    assert isinstance(qtbot, QtBot)
    model, _ = trained
    root = tmp_path / "looped"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns("annotator.db*"))
    config = (root / "project.yaml").read_text(encoding="utf-8")
    config = config.replace("sources: [patterns, memory, dates]", f"sources: [model]\n  model: {model}")
    (root / "project.yaml").write_text(config, encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [write_corpus(tmp_path / "more.jsonl", 3, seed=5, prefix="new")])
    window = shown_window(qtbot, root, "newcomer")
    qtbot.waitUntil(lambda: window.suggestions.running is None and len(window.view.suggestions.suggestions) > 0)
    shown = window.view.suggestions.suggestions.shown()
    assert {s.label for s in shown} <= {"ACTOR", "DATE", "CLAIM"}
    assert all(s.sources == ("model",) for s in shown)
    assert window.suggestions.failures.reported == []
    window.close()
