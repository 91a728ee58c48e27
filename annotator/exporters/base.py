"""What every export format shares: options, a report of what it could not hold, writers.

A format is a FormatWriter: it receives native records (exporters/native.py:iter_records)
one at a time and writes them through annotator.atomic, so that the target is replaced
only when the export finishes, and only if an export may replace it. Nothing a format cannot
represent is dropped silently: each such span goes into the report with its document, span
and text, and the chosen policy.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from annotator.atomic import FileOutput, OutputError, deferred_signals
from annotator.project import Project

Misaligned = Literal["expand", "contract", "skip"]
Overlaps = Literal["longest", "first", "skip"]


@dataclass(frozen=True)
class ExportOptions:
    tokenizer: Literal["spacy", "whitespace"] = "spacy"
    offsets: str | None = None  # doccano's offset unit (None: its default, UTF-16)
    language: str = "en"
    misaligned: Misaligned = "expand"  # a span not on token boundaries
    overlaps: Overlaps = "longest"  # spans a flat format (IOB) cannot hold together
    layers: tuple[str, ...] = ()  # per document, the first of these layers it has (--layer)
    merge: str | None = None  # union, majority or intersection of each document's finished layers (--merge)
    merge_annotators: tuple[str, ...] = ()  # the layers a merge takes (default: all but gold/reference/model)
    merge_name: str | None = None  # the merged layer's annotator (default: merged-RULE)


@dataclass(frozen=True)
class ExportProblem:
    document: str
    span: str
    text: str
    problem: str  # "misaligned", "overlap", "unsupported", ...
    action: str  # what the policy did: "expanded", "contracted", "skipped", "kept longest", ...

    def __str__(self) -> str:
        return f"{self.document} {self.span} {self.text!r}: {self.problem}, {self.action}"


@dataclass(frozen=True)
class LeftOut:
    """A stored record no export can write (a value stored before the checks of storable.py)."""

    document: str
    annotator: str | None  # None: every layer of the document
    reason: str

    def __str__(self) -> str:
        layer = f"{self.annotator}'s layer of " if self.annotator else ""
        return f"left out {layer}document {self.document!r}: {self.reason}"


@dataclass
class FormatReport:
    lines: int = 0
    documents: int = 0
    spans: int = 0
    relations: int = 0
    suggestions: int = 0  # --include-suggestions: written (as spans in most formats; see suggested_spans.py)
    problems: list[ExportProblem] = field(default_factory=list)
    parts: Counter[str] = field(default_factory=Counter)  # records per split part ("all" without --split)
    warnings: list[str] = field(default_factory=list)  # about the output itself (a name, a file left out)
    left_out: list[LeftOut] = field(default_factory=list)  # records that cannot be written exactly (storable.py)
    without_layer: Counter[str] = field(default_factory=Counter)  # documents left out for want of a layer, by reason

    def counts(self) -> Counter[str]:
        return Counter(f"{p.problem} {p.action}" for p in self.problems)


class SideFile:
    """A file written beside a FormatWriter's file output (labels, a configuration): prepared
    when written, renamed into place when the writer finishes, removed when it aborts, so that
    the pair appears together. Beside a special file (a FIFO, /dev/null) there is no folder
    to put it in: it is left out, and the report says so."""

    def __init__(self, path: Path, left_out: str | None = None, report: FormatReport | None = None) -> None:
        self.path = path
        self.left_out = left_out  # why it is not written, if it is not
        self.report = report
        self.output: FileOutput | None = None

    def write(self, data: bytes) -> None:
        if self.left_out is not None:
            if self.report is not None:
                self.report.warnings.append(f"{self.path.name} not written: {self.left_out}")
            return
        self.abort()  # a second write replaces the first
        self.output = FileOutput(self.path)
        self.output.stream.write(data)
        self.output.prepare()

    def finish(self) -> None:
        if self.output is not None:
            self.output.commit()

    def abort(self) -> None:
        if self.output is not None:
            self.output.abort()


def _head(path: Path, size: int = 1 << 20) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


class FormatWriter(ABC):
    """One output (a file or a folder) of one format; atomic: finish() or abort().

    A file format writes `stream`, a FileOutput's partial (or the special file itself); a
    folder format (is_folder) writes files into `folder`, which export_format made inside a
    FolderOutput and publishes when every writer has finished.
    """

    suffix = ".jsonl"  # of the file made per split; "" for a folder
    is_folder = False
    leftovers: tuple[str, ...] = ()  # names the format's own tool adds to an exported folder (--force removes them)

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        self.target = target
        self.project = project
        self.options = options
        self.report = report
        self.sides: list[SideFile] = []
        if self.is_folder:
            target.mkdir(exist_ok=True)
            self.folder = target
        else:
            self.output = FileOutput(target)
            self.stream: BinaryIO = self.output.stream

    @property
    def spool_folder(self) -> Path:
        """Where the format may keep temporary spools: beside its partial output."""
        return self.folder if self.is_folder else self.output.folder

    def side_file(self, path: Path, ours: Callable[[bytes], bool]) -> SideFile:
        """A file beside the output, finished and aborted with it.

        The user named the output, not this file: an existing file here is replaced only when
        `ours` recognises it (from its first bytes) as one an earlier export wrote, else the
        export is refused before anything is written (`labels.json` of someone else's dataset).
        """
        left_out = None
        if not self.is_folder and self.output.special:
            left_out = f"{self.target} is not a regular file, so nothing is written beside it"
        elif os.path.lexists(path) and not (os.path.isfile(path) and ours(_head(path))):
            FormatWriter.abort(self)  # the constructor fails, so nobody else removes its partial
            raise OutputError(
                f"{path} is there already and no export of this format wrote it; "
                "this export writes that file beside its output: move it away, or name another output (-o)"
            )
        side = SideFile(path, left_out, self.report)
        self.sides.append(side)
        return side

    @abstractmethod
    def add(self, record: dict[str, Any]) -> None:
        """Write one native record (document + layer)."""

    def close_output(self) -> None:  # noqa: B027 - most formats hold nothing back
        """Flush whatever the format holds back (DocBin, conf files) into the output."""

    def finish(self) -> None:
        self.close_output()
        if self.is_folder:
            return  # the folder is published by export_format
        self.output.prepare()
        with deferred_signals():  # the output and its side files appear together
            self.output.commit()
            for side in self.sides:
                side.finish()

    def abort(self) -> None:
        """Remove what this writer wrote; never raises, so the error that caused it is the one shown."""
        if not self.is_folder:
            self.output.abort()
        for side in self.sides:
            side.abort()
