"""The "model" source: a spaCy pipeline's entities and span groups as suggestions.

The pipeline is the folder in project.yaml's `suggestions.model` (`annotator suggest --model`
puts its path there): one `annotator train` wrote, or any spaCy pipeline directory (a package's
folder such as en_core_web_sm-3.8.0/en_core_web_sm/en_core_web_sm-3.8.0 works the same way). It
is loaded from disk only; nothing is downloaded.

What is proposed, with what score:
- each ner component's entities (doc.ents). spaCy's greedy ner gives no probability, so the
  score is the entity's share of a small beam (ner.beam_parse + ner.scored_ents, BEAM_WIDTH
  parses over the same model): 1.0 when every likely parse has it, low when the model hesitates
  between readings; 0.0 if no parse of the beam has the greedy entity at all. That is what
  "least confident first" needs: a constant would tell the documents apart by spancat alone.
- each spancat component's spans (doc.spans[its key]) with the score spancat gives them
  (the span group's attrs["scores"]).
Labels the schema does not have are left out; the labels a pipeline has that the schema
lacks are named in the log when it loads (a pipeline with none of the schema's labels is refused).

Long texts: the pipeline's memory grows with a document's length (ner and spancat keep every
token's vectors, spancat one candidate per token and span size), so a text longer than
CHUNK_CHARS is cut at paragraph (else line, else space) breaks into pieces of at most about
that size, each piece run as a document, offsets shifted back. A span across a paragraph break
is lost, which in news text is no loss. nlp.max_length is raised to the longest piece.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.suggest.base import DocumentInput, Proposals, SourceContext, Suggestion, SuggestionError

log = logging.getLogger(__name__)

NAME = "model"
BEAM_WIDTH = 8
CHUNK_CHARS = 20_000
NER_FACTORIES = ("ner", "beam_ner")
SPANCAT_FACTORIES = ("spancat", "spancat_singlelabel")
BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"\s"))


def make_source(context: SourceContext, argument: str | None) -> ModelSource:
    folder = context.settings.model
    if folder is None:
        raise SuggestionError(
            "suggestion source 'model': no model given; set suggestions.model in project.yaml to a spaCy "
            "pipeline folder (annotator train PROJECT -o FOLDER makes one), or pass --model FOLDER"
        )
    return ModelSource(load_pipeline(folder, context.language), frozenset(context.schema.label_names), folder)


def load_pipeline(folder: Path, language: str) -> Any:
    """The pipeline in folder, or a SuggestionError that names the folder and what to do."""
    what_to_do = "train one with `annotator train PROJECT -o FOLDER`, or name a spaCy pipeline folder"
    if not folder.exists():
        raise SuggestionError(f"model {folder}: no such folder; {what_to_do}")
    if not folder.is_dir():
        raise SuggestionError(f"model {folder}: a file, not a spaCy pipeline folder; {what_to_do}")
    if not (folder / "config.cfg").is_file():
        raise SuggestionError(f"model {folder}: not a spaCy pipeline (it has no config.cfg); {what_to_do}")
    import spacy

    try:
        nlp = spacy.load(folder)
    except Exception as error:  # spaCy raises OSError, ValueError, KeyError... for a broken pipeline
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SuggestionError(f"model {folder}: cannot load it as a spaCy pipeline ({message}); {what_to_do}") from None
    if nlp.lang != language:
        raise SuggestionError(
            f"model {folder} is a pipeline for language {nlp.lang!r}, the project's is {language!r} "
            "(project.yaml: language); train one on this project with `annotator train`"
        )
    return nlp


class ModelSource:
    name = NAME

    def __init__(self, nlp: Any, schema_labels: frozenset[str], folder: Path) -> None:
        self.nlp = nlp
        self.schema_labels = schema_labels
        self.ner = [pipe for name, pipe in nlp.pipeline if _factory(nlp, name) in NER_FACTORIES]
        spancats = [pipe for name, pipe in nlp.pipeline if _factory(nlp, name) in SPANCAT_FACTORIES]
        self.spancat_keys = [pipe.key for pipe in spancats]
        labels = {label for pipe in (*self.ner, *spancats) for label in pipe.labels}
        if not self.ner and not spancats:
            raise SuggestionError(f"model {folder}: the pipeline has no ner or spancat component: it proposes no spans")
        self.unknown_labels = sorted(labels - schema_labels)
        if labels and labels <= set(self.unknown_labels):
            raise SuggestionError(
                f"model {folder}: none of its labels ({', '.join(sorted(labels))}) is in the schema "
                f"({', '.join(sorted(schema_labels))}); train it on this project with `annotator train`"
            )
        if self.unknown_labels:
            log.warning("model %s: labels not in the schema, left out: %s", folder, ", ".join(self.unknown_labels))

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        pieces = [(index, offset, text) for index, doc in enumerate(documents) for offset, text in chunks(doc.text)]
        self.nlp.max_length = max([self.nlp.max_length, *(len(text) + 1 for _, _, text in pieces)])
        docs = list(self.nlp.pipe(text for _, _, text in pieces))
        ner_scores = [pipe.scored_ents(pipe.beam_parse(docs, beam_width=BEAM_WIDTH)) for pipe in self.ner]
        found: list[list[Suggestion]] = [[] for _ in documents]
        for number, ((index, offset, _), doc) in enumerate(zip(pieces, docs, strict=True)):
            spans = found[index]
            for ent in doc.ents:
                # No ner (an entity_ruler's entities): a rule's hit, sure as a pattern's.
                score = max((scores[number].get((ent.start, ent.end, ent.label_), 0.0) for scores in ner_scores),
                            default=1.0)  # fmt: skip
                spans.append(self._suggestion(ent, offset, score))
            for key in self.spancat_keys:
                group = doc.spans.get(key)
                if group is None:
                    continue
                scores = group.attrs.get("scores")
                for position, span in enumerate(group):
                    score = float(scores[position]) if scores is not None and position < len(scores) else 1.0
                    spans.append(self._suggestion(span, offset, score))
        return [
            Proposals(doc.id, [s for s in spans if s.label in self.schema_labels])
            for doc, spans in zip(documents, found, strict=True)
        ]

    def _suggestion(self, span: Any, offset: int, score: float) -> Suggestion:
        return Suggestion(
            offset + span.start_char, offset + span.end_char, span.label_, min(1.0, max(0.0, score)), NAME
        )


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) of text, each piece at most about size code points, cut after a break."""
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = 0
        for pattern in BREAKS:
            found = [match.end() for match in pattern.finditer(window)]
            if found and found[-1] > size // 2:
                cut = found[-1]
                break
        cut = cut or size  # no break at all in the window: a hard cut
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def _factory(nlp: Any, name: str) -> str:
    return str(nlp.get_pipe_meta(name).factory)
