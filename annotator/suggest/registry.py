"""From source names to built sources, and running them so that one failing source never stops
the others: the one place the window and `annotator suggest` go through.

Each source lives in its own module, imported only when named (the model source imports
spaCy and loads a pipeline; the dates source imports dateparser), and exposes
``make_source(context: SourceContext, argument: str | None) -> SuggestionSource``; argument
is what follows the colon of "layer:NAME", else None.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from annotator.errors import AnnotatorError
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, SuggestionError, SuggestionSource
from annotator.suggest.settings import LAYER_SOURCE_PREFIX, check_source_name

SOURCE_MODULES = {
    "patterns": "annotator.suggest.patterns",
    "memory": "annotator.suggest.memory",
    "dates": "annotator.suggest.dates",
    "model": "annotator.suggest.model_source",
    "layer": "annotator.suggest.layer_source",
}


def build_source(name: str, context: SourceContext) -> SuggestionSource:
    """One source, built; a SuggestionError naming it if it cannot be (bad file, bad model)."""
    check_source_name(name, "suggestion sources")
    kind, argument = (
        ("layer", name[len(LAYER_SOURCE_PREFIX) :]) if name.startswith(LAYER_SOURCE_PREFIX) else (name, None)
    )
    try:
        module = importlib.import_module(SOURCE_MODULES[kind])
    except ImportError as error:  # spaCy or dateparser not installed: say which extra brings them
        raise SuggestionError(
            f"suggestion source {name!r} needs {error.name or 'a library'} that is not installed: "
            "pip install 'annotator[suggest]'"
        ) from error
    try:
        source: SuggestionSource = module.make_source(context, argument)
    except AnnotatorError as error:
        if isinstance(error, SuggestionError):
            raise
        raise SuggestionError(f"suggestion source {name!r}: {error}") from error
    except Exception as error:  # a plug-in's own bug: reported in one line, the others still run
        raise SuggestionError(f"suggestion source {name!r} could not start: {type(error).__name__}: {error}") from error
    return source


@dataclass
class Sources:
    """The sources that were built, and why the others were not (or stopped working)."""

    working: list[SuggestionSource] = field(default_factory=list)
    failures: list[SuggestionError] = field(default_factory=list)


def build_sources(names: Iterable[str], context: SourceContext) -> Sources:
    sources = Sources()
    for name in dict.fromkeys(names):  # each once, in the order given
        try:
            sources.working.append(build_source(name, context))
        except SuggestionError as error:
            sources.failures.append(error)
    return sources


def propose(sources: Sources, batch: Sequence[DocumentInput]) -> list[Proposals]:
    """Every working source's proposals for the batch, source by source. A source that raises
    (or answers for the wrong documents) is moved to sources.failures and left out from then on."""
    proposals: list[Proposals] = []
    for source in list(sources.working):
        try:
            answered = source.propose(batch)
            if [p.document_id for p in answered] != [d.id for d in batch]:
                raise SuggestionError("answered for other documents than it was given")
            for document, answer in zip(batch, answered, strict=True):
                _check_inside(document, answer)
        except Exception as error:  # any failure of a plug-in: it is dropped, the others go on
            sources.working.remove(source)
            message = str(error) if isinstance(error, SuggestionError) else f"{type(error).__name__}: {error}"
            sources.failures.append(SuggestionError(f"suggestion source {source.name!r} failed: {message}"))
            continue
        proposals.extend(answered)
    return proposals


def propose_by_source(
    names: Sequence[str], context: SourceContext, sources: Sources | None, batch: Sequence[DocumentInput]
) -> tuple[Sources, dict[str, list[Proposals]]]:
    """Each working source's proposals for the batch, by source name, building the sources first
    if not given (the window keeps them for its life). Never raises: a source that fails is moved
    to the failures, and so is a plug-in module that cannot even be imported."""
    by_source: dict[str, list[Proposals]] = {}
    try:
        if sources is None:
            sources = build_sources(names, context)
        for source in list(sources.working):
            alone = Sources(working=[source])
            answered = propose(alone, batch)  # a source that raises is dropped there and named
            if alone.failures:
                sources.working.remove(source)
                sources.failures.extend(alone.failures)
            else:
                by_source[source.name] = answered
    except Exception as error:  # an import error of a plug-in: named, the others' proposals kept
        sources = sources or Sources()
        sources.failures.append(SuggestionError(f"suggestion sources could not start: {error}"))
    return sources, by_source


def _check_inside(document: DocumentInput, answer: Proposals) -> None:
    """Offsets inside the text and scores in 0..1, or the source is failed: one such answer
    (byte offsets for code points, an off-by-one) would otherwise make the whole store refuse
    every source's proposals, or draw spans past the end of the text."""
    length = len(document.text)
    for span in answer.spans:
        if not (isinstance(span.start, int) and isinstance(span.end, int) and isinstance(span.label, str)):
            raise SuggestionError(f"proposed {span!r} in document {document.external_id!r}: offsets must be whole "
                                  "numbers (code points), the label a name")  # fmt: skip
        if not 0 <= span.start < span.end <= length or not 0 <= span.score <= 1:
            raise SuggestionError(
                f"proposed {span.label} [{span.start}, {span.end}) with score {span.score} in a text of {length} "
                f"characters, document {document.external_id!r} (offsets must lie in the text, scores between 0 and 1)"
            )
    for relation in answer.relations:
        for end in (relation.head, relation.tail):
            if not 0 <= end[0] < end[1] <= length or not 0 <= relation.score <= 1:
                raise SuggestionError(
                    f"proposed {relation.label} to [{end[0]}, {end[1]}) with score {relation.score} in a text of "
                    f"{length} characters, document {document.external_id!r} (offsets must lie in the text)"
                )
