"""Exporters: the native JSONL (lossless), and the formats made from its records."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from annotator.atomic import STDOUT, FolderOutput, OutputError, atomic_output, names_a_folder
from annotator.errors import ValidationError
from annotator.exporters.base import ExportOptions, ExportProblem, FormatReport, FormatWriter
from annotator.exporters.layer_choice import records_to_export
from annotator.exporters.native import (
    EVERYTHING,
    ExportFilter,
    ExportReport,
    count_documents,
    write_native,
)
from annotator.exporters.own_files import refuse_project_files
from annotator.exporters.suggested_spans import OWN_PLACE, suggestions_as_spans
from annotator.formats import BY_NAME, WRITABLE
from annotator.project import Project
from annotator.splits import SPLIT_NAMES, split_of

__all__ = [
    "ExportFilter",
    "ExportOptions",
    "ExportProblem",
    "ExportReport",
    "FormatReport",
    "count_documents",
    "export_format",
    "export_jsonl",
]


def export_jsonl(
    project: Project,
    target: str | os.PathLike[str],
    selection: ExportFilter = EVERYTHING,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the native JSONL to a file (atomically) or to standard output ("-")."""
    refuse_project_files(project, target)
    try:
        with atomic_output(target) as out:
            return write_native(project, out, selection, progress)
    except OSError as error:  # a full disk, a FIFO's reader gone: name the output, not a partial
        raise OutputError(f"{os.fspath(target)}: cannot write: {error.strerror or error}") from error


def export_format(
    project: Project,
    format_name: str,
    target: str | os.PathLike[str],
    selection: ExportFilter = EVERYTHING,
    options: ExportOptions | None = None,
    split: tuple[float, ...] | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> FormatReport:
    """Export in one format; with `split`, `target` is a folder holding train/dev/test outputs.

    A folder (brat, or any --split) replaces only an earlier export's folder (`force`: one
    whose files changed since, or of another format); see annotator/atomic/folders.py.
    """
    if format_name not in WRITABLE:
        raise ValidationError(f"unknown format {format_name!r} (known: {', '.join(sorted(WRITABLE))})")
    format_ = BY_NAME[format_name]
    writer_class = format_.load_writer()
    options = options or ExportOptions(language=project.config.language)
    report = FormatReport()
    records = records_to_export(project, format_, selection, options, report, progress)  # checks the choice now
    refuse_project_files(project, target)
    if os.fspath(target) == STDOUT and (split is not None or format_.folder):
        raise OutputError(f"{'--split' if split is not None else format_name} writes a folder; name it with -o")
    folder: FolderOutput | None = None
    writers: dict[str, FormatWriter] = {}
    try:
        if split is not None or format_.folder:
            folder = FolderOutput(target, format_name, force=force, leftovers=writer_class.leftovers)
            if split is not None:
                for name in SPLIT_NAMES[: len(split)]:
                    writers[name] = writer_class(folder.path / f"{name}{writer_class.suffix}", project, options, report)
            else:
                writers["all"] = writer_class(folder.path, project, options, report)
        else:
            if names_a_folder(target):
                shown = os.fspath(target)
                raise OutputError(
                    f"{shown}: a name ending in '/' is a folder, and {format_name} writes one file without "
                    f"--split: name the file (e.g. {shown}data{writer_class.suffix}), or add --split"
                )
            report.warnings += name_warnings(Path(target), format_name, writer_class.suffix)
            writers["all"] = writer_class(Path(target), project, options, report)
        last_id = None
        for record in records:
            if selection.suggestions and format_name not in OWN_PLACE:
                record = suggestions_as_spans(record, report)
            elif selection.suggestions:
                report.suggestions += len(record.get("suggestions", ()))
            key = split_of(record["id"], split, seed) if split is not None else "all"
            writers[key].add(record)
            report.parts[key] += 1
            report.lines += 1
            report.documents += record["id"] != last_id  # a document's layers come together
            report.spans += len(record["spans"])
            report.relations += len(record["relations"])
            last_id = record["id"]
        for writer in writers.values():
            writer.finish()
        if folder is not None:
            folder.finish()
    except BaseException as error:
        for writer in writers.values():
            writer.abort()
        if folder is not None:
            folder.abort()
        if isinstance(error, OSError):  # a full disk, a FIFO's reader gone: name the output, not a partial
            raise OutputError(f"{os.fspath(target)}: cannot write: {error.strerror or error}") from error
        raise
    return report


# What a file's name says about its form, where a format's form is not what the name says.
FORMS = {".json": "one JSON document", ".jsonl": "JSON Lines", ".spacy": "a spaCy DocBin", ".conll": "CoNLL"}


def name_warnings(target: Path, format_name: str, suffix: str) -> list[str]:
    """The file form comes from the format, never from the name: say so when the name suggests another."""
    named = target.suffix.lower()
    if named in FORMS and suffix in FORMS and named != suffix:
        return [
            f"{target.name}: a {format_name} export is {FORMS[suffix]} whatever the file's name, and a {named} "
            f"name suggests {FORMS[named]}; name it {target.stem}{suffix}"
        ]
    return []
