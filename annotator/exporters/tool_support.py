"""What the writers of other tools' formats share: the schema stamp, reports of lost content,
file names made from document ids, and side files (exporters/base.py) written with the main output."""

from __future__ import annotations

import re
from typing import Any

from annotator.exporters.base import ExportProblem, FormatReport, SideFile
from annotator.project import Project

__all__ = ["SideFile", "lost_relation", "lost_span", "safe_stem", "schema_line", "schema_stamp"]


def schema_stamp(project: Project) -> dict[str, Any]:
    """The schema's name, version and hash, as the native records carry it."""
    schema = project.schema
    return {"name": schema.name, "version": schema.version, "sha256": schema.sha256}


def schema_line(project: Project) -> str:
    """The same, for a comment in a configuration file."""
    schema = project.schema
    return f"annotator schema {schema.name} v{schema.version} (sha256 {schema.sha256})"


def lost_span(report: FormatReport, record: dict[str, Any], span: dict[str, Any], problem: str, action: str) -> None:
    report.problems.append(ExportProblem(record["id"], span["id"], span["text"], problem, action))


def lost_relation(
    report: FormatReport, record: dict[str, Any], relation: dict[str, Any], problem: str, action: str
) -> None:
    """A relation in the report: its id, and its two ends' texts as the text."""
    texts = {span["id"]: span["text"] for span in record["spans"]}
    shown = f"{texts.get(relation['head'], relation['head'])} → {texts.get(relation['tail'], relation['tail'])}"
    report.problems.append(ExportProblem(record["id"], relation["id"], shown, problem, action))


_UNSAFE = re.compile(r"[^\w.\- ]")  # what a file name part may hold on every file system


def safe_stem(document_id: str) -> str:
    """A relative path for a document id: its "/" parts kept as folders, anything else
    that could escape the output folder or trip a file system replaced by "_"."""
    parts = []
    for part in document_id.split("/"):
        part = _UNSAFE.sub("_", part).strip(" ")
        parts.append("_" if part in ("", ".", "..") else part[:120])
    return "/".join(parts)
