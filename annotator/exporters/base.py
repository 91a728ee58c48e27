"""What every export format shares: options, a report of what it could not hold, writers.

A format is a FormatWriter: it receives native records (exporters/native.py:iter_records)
one at a time and writes them to a temporary file or folder that replaces the target only
when the export finishes. Nothing a format cannot represent is dropped silently: each such
span goes into the report with its document, span and text, and the chosen policy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from annotator.atomic import publish_mode
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


@dataclass(frozen=True)
class ExportProblem:
    document: str
    span: str
    text: str
    problem: str  # "misaligned", "overlap", "unsupported", ...
    action: str  # what the policy did: "expanded", "contracted", "skipped", "kept longest", ...

    def __str__(self) -> str:
        return f"{self.document} {self.span} {self.text!r}: {self.problem}, {self.action}"


@dataclass
class FormatReport:
    lines: int = 0
    documents: int = 0
    spans: int = 0
    relations: int = 0
    problems: list[ExportProblem] = field(default_factory=list)
    parts: Counter[str] = field(default_factory=Counter)  # records per split part ("all" without --split)

    def counts(self) -> Counter[str]:
        return Counter(f"{p.problem} {p.action}" for p in self.problems)


class FormatWriter(ABC):
    """One output (a file or a folder) of one format; atomic: finish() or abort()."""

    suffix = ".jsonl"  # of the file made per split; "" for a folder
    is_folder = False

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        self.target = target
        self.project = project
        self.options = options
        self.report = report
        if self.is_folder:
            self.scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial"))
        else:
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finish/abort
                dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
            )
            self.stream: BinaryIO = handle  # type: ignore[assignment]
            self.scratch = Path(handle.name)

    @abstractmethod
    def add(self, record: dict[str, Any]) -> None:
        """Write one native record (document + layer)."""

    def close_output(self) -> None:  # noqa: B027 - most formats hold nothing back
        """Flush whatever the format holds back (DocBin, conf files) into scratch."""

    def finish(self) -> None:
        self.close_output()
        if self.is_folder:
            if self.target.exists():
                shutil.rmtree(self.target) if self.target.is_dir() else self.target.unlink()
            publish_mode(self.scratch)
            os.replace(self.scratch, self.target)
        else:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            publish_mode(self.scratch)
            os.replace(self.scratch, self.target)

    def abort(self) -> None:
        if self.is_folder:
            shutil.rmtree(self.scratch, ignore_errors=True)
        else:
            self.stream.close()
            self.scratch.unlink(missing_ok=True)
