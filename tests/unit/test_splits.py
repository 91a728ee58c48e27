"""Deterministic train/dev/test splits, and split exports in the native format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import ValidationError
from annotator.exporters import export_format
from annotator.importers import import_paths
from annotator.project import Project
from annotator.splits import parse_ratios, split_of
from tests.conftest import ProjectMaker, write_jsonl


def test_parse_ratios() -> None:
    assert parse_ratios("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    assert parse_ratios("0.9,0.1") == (0.9, 0.1)
    for bad in ("0.8,0.3", "1", "a,b", "0.5,-0.5,1", "0.2,0.2,0.2,0.4"):
        with pytest.raises(ValidationError):
            parse_ratios(bad)


def test_split_of_is_stable_and_roughly_proportional() -> None:
    ids = [f"doc-{i}" for i in range(5000)]
    first = {i: split_of(i, (0.8, 0.1, 0.1), seed=1) for i in ids}
    assert first == {i: split_of(i, (0.8, 0.1, 0.1), seed=1) for i in reversed(ids)}  # order-free
    shares = {name: list(first.values()).count(name) / len(ids) for name in ("train", "dev", "test")}
    assert abs(shares["train"] - 0.8) < 0.03 and abs(shares["dev"] - 0.1) < 0.02
    assert first != {i: split_of(i, (0.8, 0.1, 0.1), seed=2) for i in ids}  # the seed matters


def test_split_export_places_each_document_once_and_new_documents_do_not_move_old_ones(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    def docs(n: int, start: int = 0) -> Path:
        lines = [json.dumps({"id": f"d{i}", "text": f"Document number {i}."}) for i in range(start, start + n)]
        return write_jsonl(tmp_path / f"docs{start}.jsonl", lines)

    def placement(out: Path) -> dict[str, str]:
        return {
            json.loads(line)["id"]: part.stem
            for part in sorted(out.glob("*.jsonl"))
            for line in part.read_text(encoding="utf-8").splitlines()
        }

    with Project.open(make_project()) as project:
        import_paths(project, [docs(60)])
        report = export_format(project, "jsonl", tmp_path / "one", split=(0.8, 0.1, 0.1), seed=1)
        before = placement(tmp_path / "one")
        import_paths(project, [docs(40, start=60)])
        export_format(project, "jsonl", tmp_path / "two", split=(0.8, 0.1, 0.1), seed=1)
        after = placement(tmp_path / "two")
    assert report.lines == 60 and len(before) == 60
    assert sorted(p.name for p in (tmp_path / "one").glob("[!.]*")) == ["dev.jsonl", "test.jsonl", "train.jsonl"]
    assert {k: after[k] for k in before} == before
    assert len(after) == 100


def test_the_cli_warns_about_an_empty_split_part(make_project: ProjectMaker, tmp_path: Path, capsys) -> None:
    from annotator.cli import main
    from tests.conftest import EXAMPLE

    root = make_project()
    assert main(["import", str(root), str(EXAMPLE / "reference.jsonl")]) == 0
    assert main(["export", str(root), "--split", "0.8,0.1,0.1", "-o", str(tmp_path / "parts")]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: the ") == 2 and "part is empty" in err  # one document fills one part
