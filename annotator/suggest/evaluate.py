"""How good a source's proposals are against a layer (the example's `reference`, or gold): per-label
precision and recall with exact matching (same start, end and label), the measure the README's
table of sources and the tests that hold each source to its recorded figures use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import select

from annotator.db import core_tables
from annotator.project import Project
from annotator.suggest.base import DocumentInput, SuggestionSource

Key = tuple[int, int, int, str]  # document id, start, end, label


class LabelQuality(NamedTuple):
    label: str
    proposed: int
    expected: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def compare(proposed: Iterable[Key], expected: Iterable[Key]) -> dict[str, LabelQuality]:
    """Per-label counts (and an "all" row over every label) of exact matches."""
    proposed_set, expected_set = set(proposed), set(expected)
    correct = proposed_set & expected_set
    by_label: dict[str, LabelQuality] = {}
    counts = [Counter(key[3] for key in keys) for keys in (proposed_set, expected_set, correct)]
    for label in sorted(set(counts[0]) | set(counts[1])):
        by_label[label] = LabelQuality(label, counts[0][label], counts[1][label], counts[2][label])
    by_label["all"] = LabelQuality("all", len(proposed_set), len(expected_set), len(correct))
    return by_label


def layer_documents(project: Project, layer: str) -> list[DocumentInput]:
    """The documents in which `layer` has a status or spans, as a source sees them."""
    d, s, a = core_tables.documents.c, core_tables.spans.c, core_tables.annotators.c
    query = (
        select(d.id, d.external_id, d.text, d.meta)
        .where(d.project_id == project.id)
        .where(
            d.id.in_(select(s.document_id).join(core_tables.annotators, a.id == s.annotator_id).where(a.name == layer))
        )
        .order_by(d.id)
    )
    with project.engine.connect() as connection:
        return [DocumentInput(*row) for row in connection.execute(query)]


def layer_keys(project: Project, layer: str, documents: Sequence[DocumentInput]) -> set[Key]:
    s, a = core_tables.spans.c, core_tables.annotators.c
    query = (
        select(s.document_id, s.start, s.end, s.label)
        .join(core_tables.annotators, a.id == s.annotator_id)
        .where(a.name == layer, s.document_id.in_([doc.id for doc in documents]))
    )
    with project.engine.connect() as connection:
        return {(row[0], row[1], row[2], row[3]) for row in connection.execute(query)}


def evaluate_source(
    project: Project, source: SuggestionSource, layer: str, labels: Sequence[str] | None = None
) -> dict[str, LabelQuality]:
    """Run the source over the documents of `layer` and compare its proposals with that layer
    (only the given labels on both sides, if given: a date source is judged on DATE alone)."""
    documents = layer_documents(project, layer)
    proposed = {(p.document_id, s.start, s.end, s.label) for p in source.propose(documents) for s in p.spans}
    expected = layer_keys(project, layer, documents)
    if labels is not None:
        proposed = {key for key in proposed if key[3] in labels}
        expected = {key for key in expected if key[3] in labels}
    return compare(proposed, expected)
