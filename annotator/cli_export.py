"""`annotator export`: the native JSONL export, or any other format (files, splits, layers).

Its modules (the store, the exporters, spaCy for the token formats) are imported when the
command runs, as every command's are (cli.py).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from annotator.cli_console import err, out, progress_bar
from annotator.errors import AnnotatorError
from annotator.formats import WITH_OFFSETS

if TYPE_CHECKING:
    from annotator.exporters import ExportFilter


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.exporters import ExportFilter, count_documents, export_jsonl
    from annotator.project import Project

    if args.offsets is not None and args.format_name not in WITH_OFFSETS:
        formats = " or ".join(f"--format {name}" for name in WITH_OFFSETS)
        raise AnnotatorError(f"--offsets is for {formats} (the other formats have one offset unit each)")
    labels = list(_names(args.labels, "--labels", "label", "ACTOR,DATE")) if args.labels is not None else None
    selection = ExportFilter(
        statuses=args.status, annotator=args.annotator, labels=labels, suggestions=args.include_suggestions
    )
    choosing = (args.layer, args.merge, args.annotators, args.merge_name)
    if args.format_name != "jsonl" or args.split is not None or any(flag is not None for flag in choosing):
        return _export_format(args, selection)
    with Project.open(args.project) as project:
        total = count_documents(project) if args.output != "-" else 0
        with progress_bar("exporting", total) as advance:
            report = export_jsonl(project, args.output, selection, advance)
    if args.output != "-":
        out.print(
            f"wrote {report.lines} line(s) for {report.documents} document(s), {report.spans} span(s), "
            f"{report.relations} relation(s) to {args.output}"
            + (f" with {report.suggestions} suggestion(s)" if args.include_suggestions else "")
        )
    for item in report.left_out:
        err.print(f"warning: {item}")
    return 0


def _export_format(args: argparse.Namespace, selection: ExportFilter) -> int:
    from annotator.exporters import ExportOptions, count_documents, export_format
    from annotator.project import Project
    from annotator.splits import SPLIT_NAMES, parse_ratios

    split = parse_ratios(args.split) if args.split is not None else None
    with Project.open(args.project) as project:
        options = ExportOptions(
            offsets=args.offsets,
            tokenizer=args.tokenizer,
            language=project.config.language,
            misaligned=args.misaligned,
            overlaps=args.overlaps,
            layers=_names(args.layer, "--layer"),
            merge=args.merge,
            merge_annotators=_names(args.annotators, "--annotators"),
            merge_name=args.merge_name,
        )
        with progress_bar("exporting", count_documents(project)) as advance:
            report = export_format(
                project,
                args.format_name,
                args.output,
                selection,
                options,
                split=split,
                seed=args.seed,
                progress=advance,
                force=args.force,
            )
    # With -o - the records are standard output: what is said about them goes to standard error.
    said = err if args.output == "-" else out
    said.print(
        f"wrote {args.format_name}: {report.lines} record(s) for {report.documents} document(s), "
        f"{report.spans} span(s), {report.relations} relation(s) to {args.output}"
        + (
            f" with {report.suggestions} suggestion(s) ({_where_suggestions(args.format_name)})"
            if args.include_suggestions
            else ""
        )
    )
    for warning in report.warnings:
        err.print(f"warning: {warning}")
    for part in SPLIT_NAMES[: len(split)] if split else ():
        if not report.parts[part]:
            err.print(f"warning: the {part} part is empty (too few documents for --split {args.split}?)")
    for item in report.left_out:
        err.print(f"warning: {item}")
    for problem in report.problems:
        err.print(str(problem))
    for reason, number in sorted(report.without_layer.items()):
        err.print(f"left out {number} document(s): {reason}")
    for what, number in sorted(report.counts().items()):
        said.print(f"{number} item(s) {what}")
    return 0


def _where_suggestions(format_name: str) -> str:
    if format_name == "jsonl":
        return "in each record's suggestions"
    if format_name == "label-studio":
        return "as predictions"
    return "among the spans"


def _names(text: str | None, flag: str, what: str = "annotator", example: str = "alice,bob") -> tuple[str, ...]:
    """'gold, alice' -> ('gold', 'alice'); a flag given that names nothing is refused, not taken as absent."""
    names = tuple(name.strip() for name in (text or "").split(",") if name.strip())
    if text is not None and not names:
        raise AnnotatorError(f"{flag} names no {what}: give one or more, comma-separated (e.g. {flag} {example})")
    return names
