"""What the memory and dates tests share: a source built through the registry from a project, as
the window and `annotator suggest` build it, and the example project with its reference layer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.example_project import copy_example
from annotator.project import Project
from annotator.suggest.base import SourceContext, SuggestionSource
from annotator.suggest.registry import build_source


def source_context(project: Project, **settings: Any) -> SourceContext:
    return SourceContext(
        root=project.config.root,
        schema=project.schema,
        language=project.config.language,
        settings=replace(project.config.suggestions, **settings),
        read_engine=project.engine,
        project_id=project.id,
    )


def built(project: Project, name: str, **settings: Any) -> SuggestionSource:
    return build_source(name, source_context(project, **settings))


def example_project(tmp_path: Path) -> Path:
    """A copy of the example project; opening it imports the article with its reference layer."""
    return copy_example(tmp_path / "example")
