"""suggestions.order: uncertainty: "next unfinished" takes the document whose model suggestions have the
lowest mean score first, then the ones without model suggestions in list order; the default order is
the list's, whatever the suggestions."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.suggest.base import Proposals, Suggestion
from annotator.suggest.store import replace_suggestions
from tests.conftest import ProjectMaker

# document -> the scores of its model suggestions (none: the model has not run over it)
SCORES = {"a": [], "b": [0.9, 0.8], "c": [0.2, 0.6], "d": [0.5], "e": []}


def _project(make_project: ProjectMaker, tmp_path: Path, order: str | None) -> Path:
    root = make_project()
    if order is not None:
        with (root / "project.yaml").open("a", encoding="utf-8") as config:
            config.write(f"suggestions:\n  order: {order}\n")
    source = tmp_path / f"docs-{order}.jsonl"
    source.write_text(
        "".join(json.dumps({"id": name, "text": f"Putin spoke in document {name}."}) + "\n" for name in SCORES),
        encoding="utf-8",
    )
    with Project.open(root) as project:
        import_paths(project, [source])
    with AnnotationService.open(root, "alice") as service, service.project.engine.begin() as connection:
        ids = {name: service.find_document(name) for name in SCORES}
        proposals = [
            Proposals(ids[name], [Suggestion(0, 5 + n, "ACTOR", score, "model") for n, score in enumerate(scores)])
            for name, scores in SCORES.items()
        ]
        replace_suggestions(connection, "model", proposals)
        # another source's scores do not count: only the model's uncertainty orders
        replace_suggestions(
            connection, "patterns", [Proposals(ids["a"], [Suggestion(0, 5, "ACTOR", 0.01, "patterns")])]
        )
    return root


def _visit(service: AnnotationService, steps: int) -> list[str]:
    names = {service.find_document(name): name for name in SCORES}
    seen: list[str] = []
    current: int | None = None
    for _ in range(steps):
        current = service.next_unfinished(current)
        assert current is not None
        seen.append(names[current])
        service.set_status(current, "done")
    return seen


def test_least_confident_first_then_the_documents_without_model_suggestions(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    root = _project(make_project, tmp_path, "uncertainty")
    with AnnotationService.open(root, "alice") as service:
        c = service.find_document("c")
        assert service.next_unfinished(None) == c  # mean 0.4: the least confident
        assert service.next_unfinished(c) == service.find_document("d")  # never the open document again
        assert _visit(service, 5) == ["c", "d", "b", "e", "a"]  # then the default: after the current one, wrapping
        assert service.next_unfinished(None) is None
    with AnnotationService.open(root, "bob") as other:  # each layer's own unfinished documents
        assert other.next_unfinished(None) == other.find_document("c")


def test_the_default_order_ignores_the_suggestions(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = _project(make_project, tmp_path, None)
    with AnnotationService.open(root, "alice") as service:
        assert _visit(service, 5) == ["a", "b", "c", "d", "e"]
