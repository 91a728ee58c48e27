"""Which layers of each document an export writes: all, one named (--layer), or a merge (--merge).

- No flag: every layer (a training format: its one finished layer, training.py).
- `--layer NAME[,NAME...]`, every format: per document, the first named layer it has; a
  training format takes it among the finished (`done`, or --status) layers, any other format
  among the layers --status keeps (all by default), as --annotator does.
- `--merge union|majority|intersection`, every format: one layer per document, merged from its
  finished (`done`, or --status) layers (annotator/layer_merge.py), named `merged-RULE`
  (or --merge-name) with status done, so that it re-imports as one more layer.

Either way a document gets at most one record, and those without the layer are counted in
the report by reason. The records stream from iter_records a document at a time. The choice is
checked before anything is written: the flags that contradict each other, and names of
annotators the project does not have, stop the export with one message.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from operator import itemgetter
from typing import Any

from sqlalchemy import select

from annotator.db.core_tables import annotators
from annotator.errors import NotFoundError, ValidationError
from annotator.exporters.base import ExportOptions, FormatReport
from annotator.exporters.native import ExportFilter, iter_records
from annotator.exporters.native_suggestions import common_suggestions
from annotator.exporters.training import finished_statuses, left_out_reason, one_layer_per_document
from annotator.formats import Format
from annotator.layer_merge import NAMED_ONLY, RULES, default_name, merge_layers, merged_inputs, overlap_problem
from annotator.project import Project, check_annotator_name

Records = Iterator[dict[str, Any]]
_DOCUMENT = itemgetter("id")
EXAMPLES_IN_WARNING = 3  # merged documents named when a union holds spans the schema keeps apart


def records_to_export(
    project: Project,
    format_: Format,
    selection: ExportFilter,
    options: ExportOptions,
    report: FormatReport,
    progress: Callable[[int], None] | None = None,
) -> Records:
    """The records to write, in export order. The choice is checked now; the records are read lazily."""
    check_layer_options(project, selection, options)
    if options.merge is not None:
        return _merged(project, selection, finished_statuses(selection), options, options.merge, report, progress)
    if options.layers:
        taken = finished_statuses(selection) if format_.training else _chosen_statuses(selection)
        return _first_named_layer(project, selection, taken, options.layers, report, progress)
    if format_.training:
        finished_statuses(selection)  # an unknown --status is refused before the export starts
        return one_layer_per_document(project, selection, report, progress)
    return iter_records(project, selection, progress, report.left_out.append)


def check_layer_options(project: Project, selection: ExportFilter, options: ExportOptions) -> None:
    """Refuse flags that contradict each other, and annotators the project does not have."""
    if options.merge is not None:
        if options.merge not in RULES:
            raise ValidationError(f"unknown --merge rule {options.merge!r} (use one of {', '.join(RULES)})")
        if options.layers:
            raise ValidationError(
                "--merge and --layer both choose what each document exports: use --layer NAME for one "
                "annotator's layer, or --merge RULE (with --annotators a,b,c) to combine layers"
            )
        if selection.annotator is not None:
            raise ValidationError(
                "--merge combines layers and --annotator keeps one: name the layers to merge with --annotators a,b,c"
            )
        name = options.merge_name if options.merge_name is not None else default_name(options.merge)
        if not name.strip():
            raise ValidationError("--merge-name is empty: name the merged layer (default merged-RULE)")
        try:  # the export names the merged layer: importing it back must take that name
            check_annotator_name(name)
        except ValidationError as error:
            raise ValidationError(f"--merge-name: {error}") from None
        if name in options.merge_annotators:
            raise ValidationError(
                f"--merge-name {name!r} is also in --annotators: a merged layer cannot be one of its own "
                "inputs; choose another --merge-name"
            )
        _refuse_unknown(project, options.merge_annotators, "--annotators")
        return
    if options.merge_annotators or options.merge_name is not None:
        flag = "--annotators" if options.merge_annotators else "--merge-name"
        raise ValidationError(
            f"{flag} is for --merge (e.g. --merge majority {flag} ...); to keep one layer use --layer NAME"
        )
    if options.layers and selection.annotator is not None:
        raise ValidationError(
            "--layer and --annotator both choose a layer: use --layer NAME (several names: the first one "
            "a document has)"
        )
    _refuse_unknown(project, options.layers, "--layer")


def _refuse_unknown(project: Project, names: tuple[str, ...], flag: str) -> None:
    if not names:
        return
    with project.engine.connect() as connection:
        known = set(connection.scalars(select(annotators.c.name).where(annotators.c.name.in_(names))))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise NotFoundError(f"{flag}: no annotator named {unknown[0]!r}")


def _chosen_statuses(selection: ExportFilter) -> tuple[str, ...] | None:
    """--status for a format that writes any layer: None (every status) unless given."""
    return finished_statuses(selection) if selection.statuses else None


def _first_named_layer(
    project: Project,
    selection: ExportFilter,
    statuses: tuple[str, ...] | None,
    names: tuple[str, ...],
    report: FormatReport,
    progress: Callable[[int], None] | None,
) -> Records:
    # Every layer is read, not only the wanted statuses, to count the documents left out.
    records = iter_records(project, replace(selection, statuses=None), progress, report.left_out.append)
    for _, group in itertools.groupby(records, key=_DOCUMENT):
        by_name = {record["annotator"]: record for record in group if statuses is None or record["status"] in statuses}
        chosen = next((by_name[name] for name in names if name in by_name), None)
        if chosen is None:
            report.without_layer[left_out_reason(statuses, names)] += 1
            continue
        yield chosen


def _merged(
    project: Project,
    selection: ExportFilter,
    statuses: tuple[str, ...],
    options: ExportOptions,
    rule: str,
    report: FormatReport,
    progress: Callable[[int], None] | None,
) -> Records:
    name = options.merge_name if options.merge_name is not None else default_name(rule)
    annotators = options.merge_annotators
    named_only = f"layer to merge ({', '.join(NAMED_ONLY)} count only when named in --annotators)"
    reason = left_out_reason(statuses, annotators, "layer to merge" if annotators else named_only)
    crossing: list[str] = []  # a union's documents whose spans cross where the schema forbids it
    records = iter_records(project, replace(selection, statuses=None), progress, report.left_out.append)
    for document_id, group in itertools.groupby(records, key=_DOCUMENT):
        layers = merged_inputs(group, statuses, annotators, name)
        if not layers:
            report.without_layer[reason] += 1
            continue
        merged = merge_layers(layers, rule, name)
        if selection.suggestions:
            merged["suggestions"], merged["suggested_relations"] = common_suggestions(layers)
        if rule == "union" and len(layers) > 1 and (problem := overlap_problem(project.schema, merged)):
            crossing.append(f"{document_id!r}: {problem}")
        yield merged
    if crossing:
        report.warnings.append(
            f"{len(crossing)} merged document(s) hold spans of different layers that one layer of schema "
            f"{project.schema.name!r} could not hold together ({'; '.join(crossing[:EXAMPLES_IN_WARNING])}"
            f"{'; ...' if len(crossing) > EXAMPLES_IN_WARNING else ''}); they are exported, but that layer "
            "will not re-import under this schema: --merge majority or intersection never does this"
        )
