"""Exporters. The native JSONL form is the lossless one; others are built beside it."""

from __future__ import annotations

import os
from collections.abc import Callable

from annotator.atomic import atomic_output
from annotator.exporters.native import EVERYTHING, ExportFilter, ExportReport, count_documents, write_native
from annotator.project import Project

__all__ = ["ExportFilter", "ExportReport", "count_documents", "export_jsonl"]


def export_jsonl(
    project: Project,
    target: str | os.PathLike[str],
    selection: ExportFilter = EVERYTHING,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the native JSONL to a file (atomically) or to standard output ("-")."""
    with atomic_output(target) as out:
        return write_native(project, out, selection, progress)
