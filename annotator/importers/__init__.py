"""Importers: each format's reader turns files into DocumentRecords; loader.py writes them."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats import BY_NAME, BY_SUFFIX, FOLDER_SUFFIXES, FORMATS, READABLE, WITH_OFFSETS
from annotator.importers.loader import import_records
from annotator.importers.native import Item
from annotator.importers.records import ImportFailed, ImportProblem, ImportReport, LabelMapping
from annotator.project import Project
from annotator.schema import Schema

__all__ = [
    "ImportFailed",
    "ImportProblem",
    "ImportReport",
    "LabelMapping",
    "detect_format",
    "import_paths",
    "input_size",
]


def detect_format(path: Path) -> str:
    """The format of a file, from what it holds; a clear error when none or several fit."""
    fits = sorted(format_.name for format_ in FORMATS if format_.sniff and format_.load_sniffer()(path))
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        raise AnnotatorError(f"{path}: could be {' or '.join(fits)}; say which with --format")
    if path.suffix.lower() in BY_SUFFIX:
        return BY_SUFFIX[path.suffix.lower()]
    raise AnnotatorError(f"{path}: cannot tell its format; say it with --format ({', '.join(sorted(READABLE))})")


def import_paths(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    format_name: str | None = None,
    mapping: LabelMapping | None = None,
    offsets: str | None = None,
    replace: bool = False,
) -> ImportReport:
    """Import files or folders of them; each file's format is given or detected."""
    if format_name is not None and format_name not in READABLE:
        raise AnnotatorError(f"unknown format {format_name!r} (known: {', '.join(sorted(READABLE))})")
    files = [(path, external_id, format_name or detect_format(path)) for path, external_id in _expand(paths)]
    if offsets is not None and not any(BY_NAME[name].takes_offsets for _, _, name in files):
        raise AnnotatorError(f"--offsets is for {', '.join(sorted(WITH_OFFSETS))} files; none is being imported")
    return import_records(
        project,
        _read(files, project.schema, offsets),
        annotator=annotator,
        skip_invalid=skip_invalid,
        progress=progress,
        mapping=mapping,
        replace=replace,
        sources=[f"{path} ({name})" for path, _, name in files],
    )


def input_size(paths: Sequence[str | Path]) -> int:
    """Bytes the import will read (for a progress bar)."""
    return sum(path.stat().st_size for path, _ in _expand(paths))


def _read(files: list[tuple[Path, str, str]], schema: Schema, offsets: str | None = None) -> Iterator[Item]:
    for path, external_id, format_name in files:
        yield from BY_NAME[format_name].read(path, external_id, schema, offsets)


def _importable(path: Path) -> bool:
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in FOLDER_SUFFIXES:
        return False
    # A brat pair is read once, through its .ann; its .txt is not a document of its own.
    return not any(format_.read_through_pair(path) for format_ in FORMATS)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _expand(paths: Sequence[str | Path]) -> Iterator[tuple[Path, str]]:
    """Each file with the document id a .txt file gets (its path without suffix)."""
    for given in map(Path, paths):
        if given.is_dir():
            # Hidden files and folders are nobody's documents: an export's record, brat's .stats_cache.
            found = sorted(p for p in given.rglob("*") if _importable(p) and not _hidden(p.relative_to(given)))
            if not found:
                raise AnnotatorError(
                    f"{given}: no files to import in this folder ({', '.join(sorted(FOLDER_SUFFIXES))})"
                )
            for path in found:
                yield path, path.relative_to(given).with_suffix("").as_posix()
        elif given.is_file():
            yield given, given.stem
        elif os.path.exists(given):
            # A FIFO or device (`<(...)`, /dev/stdin) can be read once, but detection and the progress
            # bar read a file twice: say what it is instead of claiming it is missing.
            kind = _special_kind(given)
            raise AnnotatorError(f"{given} is {kind}, not a file or folder; save it to a file and import that")
        else:
            raise AnnotatorError(f"{given}: no such file or folder")


def _special_kind(path: Path) -> str:
    mode = os.stat(path).st_mode
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    return "a socket" if stat.S_ISSOCK(mode) else "a device"
