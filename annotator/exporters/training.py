"""Training formats (spaCy DocBin, Hugging Face token classification, CoNLL IOB2), and the one
rule all of them follow: one layer per document, a finished one unless told otherwise.

A training set holds each document once: two records under one id (an annotator's finished
layer and the empty `todo` layer that merely opening the document in the window creates)
would teach a model that the same text is both labelled and all `O`. So, for every training
format, whatever the split:

- only layers with a chosen status are candidates: `done` by default, `--status` to change;
- `--layer NAME[,NAME...]` takes, per document, the first named layer it has (e.g. gold,alice);
- otherwise a document with one candidate gives that layer, and one with several stops the
  export (nothing is written) with a message naming the documents and the flags that choose;
- the documents left out (no candidate) are counted in the report, by reason.

The modules import spaCy only inside the writers, so `annotator export --format jsonl`
never loads it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from annotator.db.core_tables import annotators
from annotator.errors import NotFoundError, ValidationError
from annotator.exporters.base import ExportOptions, FormatReport
from annotator.exporters.native import ExportFilter, iter_records
from annotator.formats import TRAINING
from annotator.models import STATUSES
from annotator.project import Project

FINISHED = ("done",)
NAMED_IN_MESSAGE = 5  # documents listed when several layers compete; the rest are counted


def one_layer_per_document(
    project: Project,
    selection: ExportFilter,
    options: ExportOptions,
    report: FormatReport,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The native records a training format writes: at most one per document id."""
    statuses = tuple(selection.statuses) if selection.statuses else FINISHED
    unknown = [status for status in statuses if status not in STATUSES]
    if unknown:
        raise ValidationError(f"unknown status {unknown[0]!r} (use one of {', '.join(STATUSES)})")
    preferred = tuple(options.layers)
    _refuse_unknown_layers(project, preferred)
    competing: list[tuple[str, list[str]]] = []
    # Every layer is read, not only the wanted statuses, to count the documents left out.
    records = iter_records(project, replace(selection, statuses=None), progress, report.left_out.append)
    for document_id, group in itertools.groupby(records, key=lambda record: record["id"]):
        candidates = [record for record in group if record["status"] in statuses]
        if preferred:
            by_name = {record["annotator"]: record for record in candidates}
            chosen = next((by_name[name] for name in preferred if name in by_name), None)
        else:
            chosen = candidates[0] if len(candidates) == 1 else None
            if len(candidates) > 1:
                competing.append((document_id, [str(record["annotator"]) for record in candidates]))
                continue
        if chosen is None:
            report.without_layer[_left_out_reason(statuses, preferred)] += 1
            continue
        yield chosen
    if competing:
        raise ValidationError(_competing_message(competing, statuses))


def _refuse_unknown_layers(project: Project, names: tuple[str, ...]) -> None:
    if not names:
        return
    with project.engine.connect() as connection:
        known = set(connection.scalars(select(annotators.c.name).where(annotators.c.name.in_(names))))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise NotFoundError(f"--layer: no annotator named {unknown[0]!r}")


def _left_out_reason(statuses: tuple[str, ...], preferred: tuple[str, ...]) -> str:
    which = "finished (done)" if statuses == FINISHED else "/".join(statuses)
    if preferred:
        return f"no {which} layer of {', '.join(preferred)}"
    hint = "; --status takes others, e.g. --status done --status in_progress" if statuses == FINISHED else ""
    return f"no {which} layer{hint}"


def _competing_message(competing: list[tuple[str, list[str]]], statuses: tuple[str, ...]) -> str:
    shown = "; ".join(f"{document_id!r} ({', '.join(names)})" for document_id, names in competing[:NAMED_IN_MESSAGE])
    more = f"; and {len(competing) - NAMED_IN_MESSAGE} more" if len(competing) > NAMED_IN_MESSAGE else ""
    example = competing[0][1]
    return (
        f"{len(competing)} document(s) have more than one {'/'.join(statuses)} layer: {shown}{more}. "
        "A training format holds each document once; choose the layer with --layer NAME "
        f"(several names: the first one a document has, e.g. --layer {','.join(example[:2])}) "
        "or --annotator NAME (nothing was exported)"
    )


def check_layer_choice(format_name: str, options: ExportOptions) -> None:
    """--layer belongs to the training formats; the others write every layer."""
    if options.layers and format_name not in TRAINING:
        raise ValidationError(
            f"--layer chooses one layer per document for the training formats ({', '.join(TRAINING)}); "
            f"{format_name} writes every layer: keep one annotator's with --annotator NAME"
        )
