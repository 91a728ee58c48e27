"""The `layer:NAME` source: another layer's spans (with their attributes) and relations, proposed.

This is what makes pre-annotations usable as suggestions: a file imported with `--annotator model`
(or any tool's output, or a colleague's layer) is proposed to every other layer, to accept or
reject one by one instead of copying it whole. Score 1.0: a layer's span is that layer's decision,
with no confidence stored beside it (a schema may give spans a `score` attribute, but nothing says
what scale a tool wrote it in); the attributes go with the proposal, as they would with a copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select

from annotator.db import core_tables
from annotator.suggest.base import (
    DocumentInput,
    Proposals,
    SourceContext,
    SuggestedRelation,
    Suggestion,
    SuggestionError,
)
from annotator.suggest.settings import LAYER_SOURCE_PREFIX

SOURCE_NAME_LENGTH = 100  # suggestions.source's column
LAYER_SCORE = 1.0


class LayerSource:
    def __init__(self, engine: Engine, layer: str, annotator_id: int) -> None:
        self.name = LAYER_SOURCE_PREFIX + layer
        self.engine = engine
        self.annotator_id = annotator_id

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        ids = [document.id for document in documents]
        s, a, r = core_tables.spans.c, core_tables.span_attributes.c, core_tables.relations.c
        spans: dict[int, tuple[int, int, int, str]] = {}
        attributes: defaultdict[int, dict[str, Any]] = defaultdict(dict)
        relations: defaultdict[int, list[tuple[str, int, int]]] = defaultdict(list)
        mine = (s.annotator_id == self.annotator_id, s.document_id.in_(ids))
        with self.engine.connect() as connection:  # one read: the three queries see one moment on SQLite
            for span_id, document_id, start, end, label in connection.execute(
                select(s.id, s.document_id, s.start, s.end, s.label).where(*mine)
            ):
                spans[span_id] = (document_id, start, end, label)
            for span_id, name, value in connection.execute(
                select(a.span_id, a.name, a.value).join(core_tables.spans, s.id == a.span_id).where(*mine)
            ):
                attributes[span_id][name] = value
            for document_id, label, head, tail in connection.execute(
                select(r.document_id, r.label, r.head_span_id, r.tail_span_id).where(
                    r.annotator_id == self.annotator_id, r.document_id.in_(ids)
                )
            ):
                relations[document_id].append((label, head, tail))
        proposed: defaultdict[int, list[Suggestion]] = defaultdict(list)
        for span_id, (document_id, start, end, label) in sorted(spans.items(), key=lambda item: item[1]):
            proposed[document_id].append(
                Suggestion(start, end, label, LAYER_SCORE, self.name, attributes.get(span_id, {}))
            )
        linked: defaultdict[int, list[SuggestedRelation]] = defaultdict(list)
        for document_id, links in relations.items():
            for label, head, tail in links:
                head_span, tail_span = spans[head], spans[tail]
                linked[document_id].append(
                    SuggestedRelation(label, head_span[1:], tail_span[1:], LAYER_SCORE, self.name)
                )
        return [Proposals(document.id, proposed[document.id], linked[document.id]) for document in documents]


def make_source(context: SourceContext, argument: str | None) -> LayerSource:
    layer = (argument or "").strip()
    if not layer:
        raise SuggestionError("suggestion source 'layer:': name the layer to propose from, e.g. layer:model")
    if len(LAYER_SOURCE_PREFIX + layer) > SOURCE_NAME_LENGTH:
        raise SuggestionError(f"suggestion source 'layer:{layer}': the name is too long (at most 94 characters)")
    a = core_tables.annotators.c
    engine: Engine = context.read_engine
    with engine.connect() as connection:
        found = connection.scalar(select(a.id).where(a.name == layer))
    if found is None:
        raise SuggestionError(
            f"suggestion source 'layer:{layer}': the project has no layer {layer!r} "
            "(import one with `annotator import PROJECT FILE --annotator NAME`)"
        )
    return LayerSource(engine, layer, found)
