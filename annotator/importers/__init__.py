"""Importers: each format's reader turns files into DocumentRecords; loader.py writes them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.importers.loader import import_records
from annotator.importers.native import Item, read_jsonl, read_text_file
from annotator.importers.records import ImportFailed, ImportProblem, ImportReport
from annotator.project import Project

__all__ = ["ImportFailed", "ImportProblem", "ImportReport", "import_paths", "read_paths"]

READERS = {".txt": "text", ".jsonl": "jsonl"}


def import_paths(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import .txt files, .jsonl files in the native form, and folders of them."""
    files = list(_expand(paths))
    return import_records(project, read_paths(files), annotator=annotator, skip_invalid=skip_invalid, progress=progress)


def input_size(paths: Sequence[str | Path]) -> int:
    """Bytes the import will read (for a progress bar)."""
    return sum(path.stat().st_size for path, _ in _expand(paths))


def read_paths(files: list[tuple[Path, str]]) -> Iterator[Item]:
    for path, external_id in files:
        if path.suffix.lower() == ".txt":
            yield from read_text_file(path, external_id)
        else:
            yield from read_jsonl(path)


def _expand(paths: Sequence[str | Path]) -> Iterator[tuple[Path, str]]:
    """Each importable file with the document id a .txt file gets (its path without suffix)."""
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(p for p in given.rglob("*") if p.is_file() and p.suffix.lower() in READERS)
            if not found:
                raise AnnotatorError(f"{given}: no .txt or .jsonl files in this folder")
            for path in found:
                yield path, path.relative_to(given).with_suffix("").as_posix()
        elif given.is_file():
            if given.suffix.lower() not in READERS:
                raise AnnotatorError(
                    f"{given}: cannot import {given.suffix or 'files without a suffix'} (use .txt or .jsonl)"
                )
            yield given, given.stem
        else:
            raise AnnotatorError(f"{given}: no such file or folder")
