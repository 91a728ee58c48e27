"""How agreement reads the layers: a few statements per chunk of documents, whatever their spans."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from annotator.agreement import AgreementOptions, measure_agreement, read
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un met Putin in Moscow on Monday and said talks went well"


def layers(documents: int) -> list[str]:
    """alice and bob on `documents` documents; bob drops every third span and relabels every fifth."""
    lines = []
    for number in range(documents):
        text = " ".join(TEXT.split(" ")[number % 3 :]) + f" ({number})"
        spans, position = [], 0
        for index, word in enumerate(text.split(" ")):
            if index % 2 == 0:
                spans.append({"start": position, "end": position + len(word), "label": "ACTOR", "text": word})
            position += len(word) + 1
        for name in ("alice", "bob"):
            kept = spans if name == "alice" else [s for i, s in enumerate(spans) if i % 3]
            if name == "bob":
                kept = [dict(s, label="DATE") if i % 5 == 0 else s for i, s in enumerate(kept)]
            record = {"id": f"d{number}", "text": text, "spans": kept, "annotator": name, "status": "done"}
            lines.append(json.dumps(record))
    return lines


def project_with(make_project: ProjectMaker, tmp_path: Path, documents: int) -> Path:
    root = make_project()
    path = tmp_path / f"layers-{documents}.jsonl"
    path.write_text("\n".join(layers(documents)) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [path])
    return root


def measured(root: Path) -> tuple[dict[str, Any], int]:
    """The report, and the statements it sent to the database."""
    statements: list[str] = []
    with Project.open(root) as project:

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(project.engine, "before_cursor_execute", count)
        report = measure_agreement(project, AgreementOptions(samples=20, tokenizer="whitespace"))
    return report, len(statements)


def test_statements_do_not_grow_with_documents_or_spans(make_project: ProjectMaker, tmp_path: Path) -> None:
    one, one_statements = measured(project_with(make_project, tmp_path, 1))
    many, many_statements = measured(project_with(make_project, tmp_path, 40))
    assert one["documents"]["compared"] == 1 and many["documents"]["compared"] == 40
    assert one_statements == many_statements <= 10


def test_chunks_give_the_report_of_one_read(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_with(make_project, tmp_path, 23)
    whole, statements = measured(root)
    monkeypatch.setattr(read, "CHUNK_DOCUMENTS", 5)
    chunked, chunked_statements = measured(root)
    assert chunked == whole
    assert chunked_statements == statements + 4 * 4  # 5 chunks instead of 1: texts, spans, attributes, relations
    assert whole["pairs"][0]["spans"]["exact"]["ACTOR"]["matched"] > 0


def test_reading_and_comparing_layers_never_loads_numpy() -> None:
    """The review board and the disagreement list read and match layers; only the figures need numpy."""
    code = (
        "import sys, annotator.review, annotator.agreement.read, annotator.agreement.disagreements\n"
        "assert 'numpy' not in sys.modules, 'numpy loaded'\n"
        "from annotator.agreement import measure_agreement\n"
        "assert 'numpy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
