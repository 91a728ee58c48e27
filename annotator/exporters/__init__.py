"""Exporters: the native JSONL (lossless), and the formats made from its records."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from annotator.atomic import atomic_output
from annotator.errors import ValidationError
from annotator.exporters.base import ExportOptions, ExportProblem, FormatReport, FormatWriter
from annotator.exporters.native import (
    EVERYTHING,
    ExportFilter,
    ExportReport,
    NativeWriter,
    count_documents,
    iter_records,
    write_native,
)
from annotator.project import Project
from annotator.splits import SPLIT_NAMES, split_of

__all__ = [
    "FORMATS",
    "ExportFilter",
    "ExportOptions",
    "ExportProblem",
    "ExportReport",
    "FormatReport",
    "count_documents",
    "export_format",
    "export_jsonl",
]

# Format name -> writer. Each format module adds itself here (see register()).
FORMATS: dict[str, type[FormatWriter]] = {"jsonl": NativeWriter}


def register(name: str, writer: type[FormatWriter]) -> None:
    FORMATS[name] = writer


def export_jsonl(
    project: Project,
    target: str | os.PathLike[str],
    selection: ExportFilter = EVERYTHING,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the native JSONL to a file (atomically) or to standard output ("-")."""
    with atomic_output(target) as out:
        return write_native(project, out, selection, progress)


def export_format(
    project: Project,
    format_name: str,
    target: str | os.PathLike[str],
    selection: ExportFilter = EVERYTHING,
    options: ExportOptions | None = None,
    split: tuple[float, ...] | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> FormatReport:
    """Export in one format; with `split`, `target` is a folder holding train/dev/test outputs."""
    writer_class = FORMATS.get(format_name)
    if writer_class is None:
        raise ValidationError(f"unknown format {format_name!r} (known: {', '.join(sorted(FORMATS))})")
    options = options or ExportOptions(language=project.config.language)
    report = FormatReport()
    root = Path(target)
    if split is not None:
        if root.exists() and not root.is_dir():
            raise ValidationError(f"{root}: with --split, -o names a folder")
        root.mkdir(parents=True, exist_ok=True)
        names = SPLIT_NAMES[: len(split)]
        writers = {
            name: writer_class(root / f"{name}{writer_class.suffix}", project, options, report) for name in names
        }
    else:
        if root.is_dir() and not writer_class.is_folder:
            raise IsADirectoryError(f"{root} is a folder; name a file to write")
        writers = {"all": writer_class(root, project, options, report)}
    try:
        last_id = None
        for record in iter_records(project, selection, progress, report.left_out.append):
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
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    return report


# Each module registers its formats when imported (at the end: they import register() from here).
from annotator.exporters import tools, training  # noqa: E402, F401
