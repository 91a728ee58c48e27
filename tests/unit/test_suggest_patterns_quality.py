"""The patterns source on the example project: per-label precision and recall of its gazetteer
(annotator/example/patterns.jsonl) against the `reference` layer, held to the figures recorded in
the README (each constant a little under what was measured: ACTOR precision 0.786, recall 0.772).

The gazetteer is what a news project would hold, not a list fitted to the article: the UN member
states and their capitals, international bodies, government institutions, news and photo agencies,
leaders of the 2000s-2020s, and "title + Name" patterns. It proposes ACTORs only; CLAIMs need a
model and DATEs come from the dates source, so they are not judged here.
"""

from __future__ import annotations

from pathlib import Path

from annotator.example_project import copy_example
from annotator.project import Project
from annotator.suggest.base import SourceContext
from annotator.suggest.evaluate import evaluate_source
from annotator.suggest.registry import build_source

MEASURED_AT_LEAST = {"ACTOR": (0.75, 0.75)}  # label: (precision, recall)


def test_the_example_gazetteer_keeps_its_precision_and_recall(tmp_path: Path) -> None:
    with Project.open(copy_example(tmp_path / "example")) as project:
        config = project.config
        assert config.suggestions.sources == ("patterns", "memory", "dates")
        context = SourceContext(
            config.root, project.schema, config.language, config.suggestions, project.engine, project.id
        )
        quality = evaluate_source(project, build_source("patterns", context), "reference", labels=["ACTOR"])
    for label, (precision, recall) in MEASURED_AT_LEAST.items():
        assert quality[label].precision >= precision, quality[label]
        assert quality[label].recall >= recall, quality[label]
