"""What `annotator train` learns from: one layer per document, exported with the DocBin export
(spacy_docbin.py) on the export's stable split, then each label given to the spaCy component
that can learn it.

The split is `annotator export --format spacy --split 0.8,0.2` with seed 0: a document's part
depends only on the hash of its external id (splits.py), so adding documents never moves the
ones already placed, and the dev documents here are the dev documents of that export.

ner or spancat, decided from the data: spaCy's ner tags each token once, so it can only learn
labels whose spans never overlap each other; spancat scores every candidate span and takes
nested ones. Labels go to ner from the most frequent down, as long as no span of the label
overlaps a span of itself or of a label already given to ner; the rest go to spancat. In the
example schema ACTOR and DATE sit inside CLAIMs but never inside each other: ner learns ACTOR
and DATE (ner is the better learner of short, flat names), spancat learns CLAIM.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from annotator.db import core_tables
from annotator.errors import ValidationError
from annotator.exporters import ExportOptions, export_format
from annotator.exporters.spacy_docbin import SPAN_GROUP
from annotator.project import Project

DEV_SPLIT = (0.8, 0.2)
SPLIT_SEED = 0  # `annotator export --split`'s default: the same dev documents
DEFAULT_LAYER = "gold"
# spancat's candidates are the spans of the lengths its labels have in the training data (not every
# length up to the longest: a CLAIM of 31 tokens would make 31 candidates per token, and training
# time grows with them), up to this many tokens; longer spans are noted, never proposed.
MAX_SPANCAT_TOKENS = 40


@dataclass(frozen=True)
class LabelPlan:
    """Which component learns which labels, and the lengths in tokens of spancat's spans."""

    ner: tuple[str, ...]
    spancat: tuple[str, ...]
    span_sizes: tuple[int, ...] = ()

    @property
    def components(self) -> list[str]:
        return [name for name, labels in (("ner", self.ner), ("spancat", self.spancat)) if labels]


@dataclass
class TrainingData:
    """The DocBins spaCy reads (train.spacy, dev.spacy in folder) and what went into them."""

    folder: Path
    plan: LabelPlan
    layers: tuple[str, ...]
    documents: Counter[str] = field(default_factory=Counter)  # per part: train, dev
    spans: Counter[str] = field(default_factory=Counter)  # per label
    notes: list[str] = field(default_factory=list)  # what the export reported (spans moved or left out)

    @property
    def train_path(self) -> Path:
        return self.folder / "train.spacy"

    @property
    def dev_path(self) -> Path:
        return self.folder / "dev.spacy"


def layers_with_done_documents(project: Project) -> dict[str, int]:
    """Annotator name -> documents whose layer is done."""
    a, st, d = core_tables.annotators.c, core_tables.document_status.c, core_tables.documents.c
    query = (
        select(a.name, func.count())
        .select_from(core_tables.document_status)
        .join(core_tables.annotators, a.id == st.annotator_id)
        .join(core_tables.documents, d.id == st.document_id)
        .where(st.status == "done", d.project_id == project.id)
        .group_by(a.name)
        .order_by(a.name)
    )
    with project.engine.connect() as connection:
        return {name: count for name, count in connection.execute(query)}


def choose_layers(project: Project, layer: str | None) -> tuple[str, ...]:
    """--layer as given ("gold", or "gold,alice": per document the first one it has), or gold if it
    has finished documents; otherwise an error that names the layers that could be used."""
    if layer is not None:
        names = tuple(name.strip() for name in layer.split(",") if name.strip())
        if not names:
            raise ValidationError("--layer: name a layer, e.g. --layer gold")
        known = layers_with_done_documents(project)
        if not any(known.get(name) for name in names):
            with project.engine.connect() as connection:
                a = core_tables.annotators.c
                existing = set(connection.scalars(select(a.name).where(a.name.in_(names))))
            missing = [name for name in names if name not in existing]
            what = f"no layer named {', '.join(missing)}" if missing else "no done documents in that layer"
            raise ValidationError(f"--layer {layer}: {what}{_offer(known)}")
        return names
    known = layers_with_done_documents(project)
    if known.get(DEFAULT_LAYER):
        return (DEFAULT_LAYER,)
    raise ValidationError(f"the gold layer has no done documents to train on{_offer(known)}")


def _offer(known: dict[str, int]) -> str:
    if not known:
        return "; no layer has any: mark annotated documents done first"
    listed = ", ".join(f"{name} ({count})" for name, count in known.items())
    return f"; layers with done documents: {listed} (choose with --layer NAME)"


def export_training_data(project: Project, layers: tuple[str, ...], folder: Path) -> TrainingData:
    """Export the layers' done documents as DocBins, split into train and dev, with the labels
    of each component placed where it reads them (doc.ents for ner, doc.spans["sc"] for spancat)."""
    from spacy.tokens import DocBin

    from annotator.exporters.tokens import blank_pipeline

    with tempfile.TemporaryDirectory(dir=folder, prefix="export-") as scratch:
        exported = Path(scratch) / "docbin"
        options = ExportOptions(language=project.config.language, layers=layers)
        report = export_format(project, "spacy", exported, options=options, split=DEV_SPLIT, seed=SPLIT_SEED)
        vocab = blank_pipeline(project.config.language).vocab
        parts = {
            part: list(DocBin().from_disk(exported / f"{part}.spacy").get_docs(vocab)) for part in ("train", "dev")
        }
    docs = [doc for part in parts.values() for doc in part]
    data = TrainingData(folder, plan_labels(docs), layers)
    data.documents.update({part: len(found) for part, found in parts.items()})
    data.spans.update(span.label_ for doc in docs for span in doc.spans[SPAN_GROUP])
    # Overlaps are no problem here (ner never gets overlapping labels); spans moved to token edges are.
    placed = Counter(f"{p.problem}, {p.action}" for p in report.problems if p.problem != "overlap")
    for reason, count in sorted(placed.items()):
        data.notes.append(f"{count} span(s) {reason} (`annotator export --format spacy` lists them)")
    longer = sum(
        len(s) > MAX_SPANCAT_TOKENS for doc in docs for s in doc.spans[SPAN_GROUP] if s.label_ in data.plan.spancat
    )
    if longer:
        data.notes.append(f"{longer} span(s) longer than {MAX_SPANCAT_TOKENS} tokens: spancat will not propose such")
    check_enough(data)
    for part, found in parts.items():
        DocBin(docs=[place_labels(doc, data.plan) for doc in found], store_user_data=False).to_disk(
            folder / f"{part}.spacy"
        )
    return data


def check_enough(data: TrainingData) -> None:
    total = sum(data.documents.values())
    if total == 0:
        raise ValidationError(f"no done documents in layer {', '.join(data.layers)}: nothing to train on")
    if not data.spans:
        raise ValidationError(f"the {total} done document(s) of layer {', '.join(data.layers)} have no spans")
    if not data.documents["dev"] or not data.documents["train"]:
        raise ValidationError(
            f"{total} done document(s) are too few for a train and a dev set (the dev set takes about one "
            f"in five, by document id; it has {data.documents['dev']}): annotate more documents and train again"
        )


def plan_labels(docs: Sequence[Any]) -> LabelPlan:
    """ner for labels whose spans never overlap each other, spancat for the rest (module docstring)."""
    counts: Counter[str] = Counter()
    overlapping: set[tuple[str, str]] = set()
    for doc in docs:
        spans = sorted(((s.start, s.end, s.label_) for s in doc.spans[SPAN_GROUP]), key=lambda s: (s[0], -s[1]))
        counts.update(label for _, _, label in spans)
        for index, (_, end, label) in enumerate(spans):
            for other_start, _, other in spans[index + 1 :]:
                if other_start >= end:
                    break
                overlapping.update({(label, other), (other, label)})
    ner: list[str] = []
    for label, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if (label, label) not in overlapping and not any((label, taken) in overlapping for taken in ner):
            ner.append(label)
    spancat = sorted(set(counts) - set(ner))
    lengths = {len(span) for doc in docs for span in doc.spans[SPAN_GROUP] if span.label_ in spancat}
    return LabelPlan(tuple(sorted(ner)), tuple(spancat), tuple(sorted(lengths)))


def place_labels(doc: Any, plan: LabelPlan) -> Any:
    """The Doc with ner's labels as doc.ents and spancat's in doc.spans["sc"] (no span is in both)."""
    spans = list(doc.spans[SPAN_GROUP])
    doc.ents = [span for span in spans if span.label_ in plan.ner]
    doc.spans[SPAN_GROUP] = [span for span in spans if span.label_ in plan.spancat]
    return doc
