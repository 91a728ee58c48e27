"""`annotator train`: a spaCy pipeline trained from one layer of the project, with spaCy's own
training API, written to a folder the model source (model_source.py) loads.

The configuration is spaCy's quickstart for CPU ("efficiency": a small tok2vec shared by ner
and spancat, no vectors) on `spacy.blank(language)`, made by spaCy's `init_config` and changed
where training from a project's annotations needs it:

- batches of a fixed number of documents, and one evaluation on dev per epoch (so spaCy's own
  console logger prints one row per epoch: loss per component, dev score), on stderr;
- a fixed number of epochs (--epochs), no step limit, no early stop, a fixed seed (the same
  data and epochs give the same model);
- spancat's suggester proposes the spans of every length (in tokens) its labels have in the
  training data, up to MAX_SPANCAT_TOKENS: the default 1-3 could never propose a CLAIM.

`spacy.training.initialize.init_nlp` builds and initialises the pipeline and
`spacy.training.loop.train` runs the epochs, saving model-best (best dev score) in a scratch
folder; that one is evaluated on dev with spaCy's scorer and published. Nothing of spaCy's
update loop is written here.

The output folder is written as an export folder is (annotator/atomic/folders.py): a partial
folder renamed into place, with a record (kind "spacy-model") that marks it as made by
`annotator train`. An existing folder is replaced only if it holds exactly an earlier model's
files (--force: one changed since); anything else is refused and left untouched.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from annotator.atomic import FolderOutput
from annotator.errors import ValidationError
from annotator.project import Project
from annotator.suggest.training_data import MAX_SPANCAT_TOKENS, TrainingData, choose_layers, export_training_data

MODEL_KIND = "spacy-model"  # the folder record's format: what `annotator train` replaces
TRAINING_RECORD = "annotator-training.json"  # in the model folder: what it was trained on, its dev scores
DEFAULT_EPOCHS = 10
BATCH_DOCUMENTS = 2  # about the 1,000 words of spaCy's default batches: enough updates per epoch on a small project
SEED = 0


@dataclass(frozen=True)
class TrainOptions:
    layer: str | None = None  # None: gold
    epochs: int = DEFAULT_EPOCHS
    force: bool = False  # replace an earlier model's folder even if its files changed since


class LabelScore(NamedTuple):
    """spaCy's scorer on dev for one label (ner's or spancat's), None where dev has nothing to score."""

    label: str
    component: str
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True)
class TrainResult:
    data: TrainingData
    scores: list[LabelScore]
    output: Path


def train_model(
    project: Project, output: str | os.PathLike[str], options: TrainOptions, progress: IO[str]
) -> TrainResult:
    """Train, evaluate on dev, and publish the pipeline at output; progress gets spaCy's lines."""
    if options.epochs < 1:
        raise ValidationError(f"--epochs {options.epochs}: train for at least one epoch")
    layers = choose_layers(project, options.layer)
    # refuses a folder it may not replace, before anything is trained
    folder = FolderOutput(output, MODEL_KIND, force=options.force, command="train")
    try:
        with tempfile.TemporaryDirectory(prefix="annotator-train-") as scratch:
            data = export_training_data(project, layers, Path(scratch))
            best = _train(project.config.language, data, options.epochs, Path(scratch) / "output", progress)
            scores = dev_scores(best, data)
            best.to_disk(folder.path)
        record = {
            "written_by": "annotator train",
            "project": project.config.name,
            "layers": list(layers),
            "language": project.config.language,
            "epochs": options.epochs,
            "components": {"ner": list(data.plan.ner), "spancat": list(data.plan.spancat)},
            "documents": dict(data.documents),
            "dev_scores": [score._asdict() for score in scores],
        }
        (folder.path / TRAINING_RECORD).write_bytes(orjson.dumps(record, option=orjson.OPT_INDENT_2))
        folder.finish()
    except BaseException:
        folder.abort()
        raise
    return TrainResult(data, scores, Path(output))


def training_config(language: str, data: TrainingData, epochs: int) -> Any:
    """spaCy's quickstart configuration for the plan's components, set for this data (module docstring)."""
    from spacy.cli.init_config import init_config

    config = init_config(lang=language, pipeline=data.plan.components, optimize="efficiency", gpu=False)
    config["paths"]["train"] = str(data.train_path)
    config["paths"]["dev"] = str(data.dev_path)
    config["system"]["seed"] = SEED
    training = config["training"]
    training.update(
        {
            "max_epochs": epochs,
            "max_steps": 0,
            "patience": 0,
            "eval_frequency": max(1, math.ceil(data.documents["train"] / BATCH_DOCUMENTS)),
            "batcher": {"@batchers": "spacy.batch_by_sequence.v1", "size": BATCH_DOCUMENTS, "get_length": None},
        }
    )
    if data.plan.spancat:
        sizes = [size for size in data.plan.span_sizes if size <= MAX_SPANCAT_TOKENS] or [1]
        config["components"]["spancat"]["suggester"] = {"@misc": "spacy.ngram_suggester.v1", "sizes": sizes}
    return config


def _train(language: str, data: TrainingData, epochs: int, scratch: Path, progress: IO[str]) -> Any:
    """model-best of spaCy's training loop, loaded."""
    import spacy
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train

    nlp = init_nlp(training_config(language, data, epochs))
    scratch.mkdir()
    shown: Any = _WithoutFolder(progress, str(scratch))  # spaCy only writes and flushes
    train(nlp, scratch, stdout=shown, stderr=shown)
    return spacy.load(scratch / "model-best")


class _WithoutFolder:
    """spaCy's progress without its last line, "Saved pipeline to output directory" and the scratch
    folder's path: the pipeline is published elsewhere, and the scratch folder is gone by then."""

    def __init__(self, stream: IO[str], folder: str) -> None:
        self.stream = stream
        self.folder = folder

    def write(self, text: str) -> int:
        if self.folder in text or "Saved pipeline to output directory" in text:
            return len(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def dev_scores(nlp: Any, data: TrainingData) -> list[LabelScore]:
    """Per-label precision, recall and F1 of the pipeline on dev, by spaCy's scorer."""
    from spacy.training import Corpus

    scores = nlp.evaluate(list(Corpus(str(data.dev_path))(nlp)))
    per_type: dict[str, Mapping[str, Mapping[str, float]]] = {
        "ner": scores.get("ents_per_type") or {},
        "spancat": scores.get("spans_sc_per_type") or {},
    }
    found: list[LabelScore] = []
    for component, labels in (("ner", data.plan.ner), ("spancat", data.plan.spancat)):
        for label in labels:
            figures = per_type[component].get(label)
            if figures is None:
                found.append(LabelScore(label, component, None, None, None))
            else:
                found.append(LabelScore(label, component, figures["p"], figures["r"], figures["f"]))
    return found
