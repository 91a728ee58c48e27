"""Running sources over a project's documents and storing what they propose (`annotator suggest`).

Qt-free and usable by the window as well as the CLI. The plan is checked whole before anything is
written (names, the model, every source built: a bad pattern file or a folder that is not a spaCy
pipeline stops the run in one message). Then documents are read a page at a time (keyset pages
by id, each read on its own: memory stays flat in corpus size, and no read transaction is held
open while writing), every source proposes for the page through registry.propose (which drops a
source that raises, so the others finish), and the page's proposals are written in one short
write transaction (store.replace_suggestions per source). Suggestions are recomputable: a run
that is killed leaves whole pages written, each consistent, and the next run replaces them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import ColumnElement, Connection, and_, exists, func, select

from annotator.db import core_tables
from annotator.db.engine import writer
from annotator.errors import AnnotatorError, ProjectError
from annotator.project import Project
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, SuggestionSource
from annotator.suggest.registry import SOURCE_MODULES, Sources, build_sources, propose
from annotator.suggest.settings import LAYER_SOURCE_PREFIX, check_source_name
from annotator.suggest.store import replace_suggestions

PAGE_DOCUMENTS = 500  # documents read, proposed for and written at a time
FINISHED = ("done", "skipped")

Documents = Literal["all", "unfinished"]


@dataclass
class SourceSummary:
    """What one source did in a run: documents it proposed for (written), suggestions written,
    and why it stopped, if it did (its pages written before that stay)."""

    name: str
    documents: int = 0
    written: int = 0
    failure: str | None = None


@dataclass
class SuggestReport:
    documents: int = 0  # documents read
    sources: list[SourceSummary] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceSummary]:
        return [summary for summary in self.sources if summary.failure is not None]


def source_names(project: Project, given: Sequence[str], model: Path | None) -> tuple[str, ...]:
    """The sources a run uses: those given (--source), else the model alone if a model is given,
    else project.yaml's suggestions.sources. Each is checked: known, installed, and the model
    source with a model to load."""
    if given:
        names = tuple(dict.fromkeys(given))
    elif model is not None:
        names = ("model",)
    else:
        names = project.config.suggestions.sources
    if not names:
        raise AnnotatorError(
            f"{project.config.root}: no suggestion sources: name them with --source (patterns, memory, dates, model, "
            "layer:NAME) or list them under suggestions.sources in project.yaml"
        )
    for name in names:
        try:
            check_source_name(name, "--source")
        except ProjectError as error:
            raise AnnotatorError(str(error)) from None
        kind = "layer" if name.startswith(LAYER_SOURCE_PREFIX) else name
        if importlib.util.find_spec(SOURCE_MODULES[kind]) is None:
            raise AnnotatorError(f"suggestion source {name!r} is not part of this installation of annotator")
    if model is not None and "model" not in names:
        raise AnnotatorError("--model is the model source's pipeline: add --source model (or leave out --source)")
    if "model" in names:
        chosen = model or project.config.suggestions.model
        if chosen is None:
            raise AnnotatorError(
                "the model source needs a spaCy pipeline: give --model PATH (e.g. one `annotator train` wrote) "
                "or set suggestions.model in project.yaml"
            )
        if not chosen.is_dir():
            raise AnnotatorError(
                f"{chosen}: no such model folder (a spaCy pipeline directory, as `annotator train -o` writes)"
            )
    return names


def source_context(project: Project, model: Path | None = None) -> SourceContext:
    settings = project.config.suggestions
    if model is not None:
        settings = dataclasses.replace(settings, model=model)
    return SourceContext(
        root=project.config.root,
        schema=project.schema,
        language=project.config.language,
        settings=settings,
        read_engine=project.engine,
        project_id=project.id,
    )


def prepare_sources(project: Project, names: Sequence[str], model: Path | None = None) -> Sources:
    """Every named source, built; one AnnotatorError naming each that cannot be (nothing is written)."""
    sources = build_sources(names, source_context(project, model))
    if sources.failures:
        raise AnnotatorError("; ".join(str(failure) for failure in sources.failures) + " (nothing was written)")
    return sources


def annotator_id(project: Project, name: str | None) -> int | None:
    if name is None:
        return None
    a = core_tables.annotators.c
    with project.engine.connect() as connection:
        return connection.scalar(select(a.id).where(a.name == name))


def _selection(project: Project, documents: Documents, annotator: int | None) -> list[ColumnElement[bool]]:
    d = core_tables.documents.c
    conditions: list[ColumnElement[bool]] = [d.project_id == project.id]
    if documents == "unfinished" and annotator is not None:
        status = core_tables.document_status.c
        conditions.append(
            ~exists().where(
                and_(status.document_id == d.id, status.annotator_id == annotator, status.status.in_(FINISHED))
            )
        )
    return conditions


def count_documents(project: Project, documents: Documents = "all", annotator: int | None = None) -> int:
    with project.engine.connect() as connection:
        query = (
            select(func.count()).select_from(core_tables.documents).where(*_selection(project, documents, annotator))
        )
        return connection.scalar(query) or 0


def document_pages(
    project: Project, documents: Documents = "all", annotator: int | None = None, size: int = PAGE_DOCUMENTS
) -> Iterator[list[DocumentInput]]:
    """The chosen documents, `size` at a time in id order; each page read in a short read of its own."""
    d = core_tables.documents.c
    conditions = _selection(project, documents, annotator)
    after = 0
    while True:
        query = select(d.id, d.external_id, d.text, d.meta).where(*conditions, d.id > after).order_by(d.id).limit(size)
        with project.engine.connect() as connection:
            page = [DocumentInput(row[0], row[1], row[2], row[3] or {}) for row in connection.execute(query)]
        if not page:
            return
        yield page
        after = page[-1].id


def run_sources(
    project: Project,
    sources: Sources,
    documents: Documents = "all",
    annotator: int | None = None,
    progress: Callable[[int], None] | None = None,
    page_size: int | None = None,
) -> SuggestReport:
    """Propose for every chosen document with every working source, writing page by page."""
    report = SuggestReport(sources=[SourceSummary(source.name) for source in sources.working])
    summary_of = {summary.name: summary for summary in report.sources}
    write_engine = writer(project.engine)
    for page in document_pages(project, documents, annotator, page_size or PAGE_DOCUMENTS):
        report.documents += len(page)
        answers: list[tuple[SuggestionSource, list[Proposals]]] = []
        for source in list(sources.working):
            alone = Sources(working=[source])  # one at a time: each source's rows are written under its name
            answered = propose(alone, page)  # checks offsets and scores too: a bad answer fails the source
            if alone.failures:
                sources.working.remove(source)
                sources.failures.extend(alone.failures)
                summary_of[source.name].failure = str(alone.failures[0])
                continue
            answers.append((source, answered))
        if answers:
            with write_engine.begin() as connection:
                _write_page(connection, answers, summary_of)
        if progress is not None:
            progress(len(page))
    return report


def _write_page(
    connection: Connection,
    answers: Sequence[tuple[SuggestionSource, list[Proposals]]],
    summary_of: dict[str, SourceSummary],
) -> None:
    for source, answered in answers:
        summary = summary_of[source.name]
        summary.written += replace_suggestions(connection, source.name, answered)
        summary.documents += len(answered)
