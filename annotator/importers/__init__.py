"""Importers: each format's reader turns files into DocumentRecords; loader.py writes them."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.importers.loader import import_records
from annotator.importers.native import Item, read_jsonl, read_text_file
from annotator.importers.records import ImportFailed, ImportProblem, ImportReport, LabelMapping
from annotator.project import Project
from annotator.schema import Schema

__all__ = [
    "READERS",
    "ImportFailed",
    "ImportProblem",
    "ImportReport",
    "LabelMapping",
    "detect_format",
    "import_paths",
    "input_size",
]

Reader = Callable[[Path], Iterator[Item]]
# Format name -> reader of one file. Format modules add themselves (register()).
READERS: dict[str, Reader] = {"jsonl": read_jsonl, "txt": lambda path: read_text_file(path, path.stem)}
# Format name -> a test of whether a file looks like that format (for detection).
SNIFFERS: dict[str, Callable[[Path], bool]] = {}
NATIVE_SUFFIXES = {".txt": "txt", ".jsonl": "jsonl"}
# What a folder import picks up; each file's format is then given or detected.
FOLDER_SUFFIXES = {".txt", ".jsonl", ".json", ".conll", ".iob", ".ann"}


# Readers that check what they read against the project's schema (given as schema=...).
SCHEMA_READERS: set[str] = set()
# Readers whose files count offsets in a unit the user can name (--offsets, given as offsets=...).
OFFSET_READERS: set[str] = set()


def register(
    name: str,
    reader: Reader,
    sniff: Callable[[Path], bool] | None = None,
    *,
    takes_schema: bool = False,
    takes_offsets: bool = False,
) -> None:
    READERS[name] = reader
    if sniff is not None:
        SNIFFERS[name] = sniff
    if takes_schema:
        SCHEMA_READERS.add(name)
    if takes_offsets:
        OFFSET_READERS.add(name)


def detect_format(path: Path) -> str:
    """The format of a file, from what it holds; a clear error when none or several fit."""
    fits = sorted(name for name, sniff in SNIFFERS.items() if sniff(path))
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        raise AnnotatorError(f"{path}: could be {' or '.join(fits)}; say which with --format")
    if path.suffix.lower() in NATIVE_SUFFIXES:
        return NATIVE_SUFFIXES[path.suffix.lower()]
    raise AnnotatorError(f"{path}: cannot tell its format; say it with --format ({', '.join(sorted(READERS))})")


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
    if format_name is not None and format_name not in READERS:
        raise AnnotatorError(f"unknown format {format_name!r} (known: {', '.join(sorted(READERS))})")
    files = [(path, external_id, format_name or detect_format(path)) for path, external_id in _expand(paths)]
    if offsets is not None and not any(name in OFFSET_READERS for _, _, name in files):
        raise AnnotatorError(f"--offsets is for {', '.join(sorted(OFFSET_READERS))} files; none is being imported")
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
        if format_name == "txt":
            yield from read_text_file(path, external_id)
        elif format_name in SCHEMA_READERS:
            yield from READERS[format_name](path, schema=schema)  # type: ignore[call-arg]
        elif format_name in OFFSET_READERS and offsets is not None:
            yield from READERS[format_name](path, offsets=offsets)  # type: ignore[call-arg]
        else:
            yield from READERS[format_name](path)


def _importable(path: Path) -> bool:
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in FOLDER_SUFFIXES:
        return False
    # A brat pair is read once, through its .ann; its .txt is not a document of its own.
    return not (suffix == ".txt" and path.with_suffix(".ann").is_file())


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


# Each module registers its readers when imported.
from annotator.importers import tools, training  # noqa: E402, F401
