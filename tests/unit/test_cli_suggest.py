"""`annotator suggest`: sources run over the documents in pages, their proposals stored as suggestions;
a source that fails is reported in one line while the others finish; bad plans write nothing."""

from __future__ import annotations

import importlib.machinery
import json
import subprocess
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator.cli import main
from annotator.db import core_tables
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.suggest import registry, run
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, Suggestion
from annotator.suggest.store import open_suggestions
from tests.conftest import EXAMPLE, REPO, ProjectMaker

TEXTS = [f"Putin met Kim Jong Un in Moscow on day {n}." for n in range(6)]


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _project(make_project: ProjectMaker, tmp_path: Path, texts: Sequence[str] = TEXTS) -> Path:
    root = make_project()
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{n}", "text": t}) + "\n" for n, t in enumerate(texts)), "utf-8")
    with Project.open(root) as project:
        from annotator.importers import import_paths

        import_paths(project, [source])
    return root


def _rows(root: Path) -> list[tuple[str, str, int, int, str, float]]:
    d, s = core_tables.documents.c, core_tables.suggestions.c
    with Project.open(root) as project, project.engine.connect() as connection:
        query = select(d.external_id, s.source, s.start, s.end, s.label, s.score).join(
            core_tables.documents, d.id == s.document_id
        )
        return sorted(tuple(row) for row in connection.execute(query))  # type: ignore[misc]


class _Word:
    """Proposes every occurrence of a word; raises on a text holding `fail_on`."""

    def __init__(self, name: str, word: str, label: str, fail_on: str | None = None) -> None:
        self.name, self.word, self.label, self.fail_on = name, word, label, fail_on

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        answered = []
        for document in documents:
            if self.fail_on is not None and self.fail_on in document.text:
                raise RuntimeError(f"cannot read {document.external_id}")
            at = document.text.find(self.word)
            spans = [Suggestion(at, at + len(self.word), self.label, 0.75, self.name)] if at >= 0 else []
            answered.append(Proposals(document.id, spans))
        return answered


def _plug(monkeypatch: pytest.MonkeyPatch, kind: str, make: object) -> None:
    """A source module of our own under a built-in name, as the registry imports it."""
    name = f"tests_fake_source_{kind}"
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.make_source = make  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setitem(registry.SOURCE_MODULES, kind, name)


def test_a_layer_becomes_suggestions_read_back_by_another_layer(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    assert cli(capsys, "import", root, EXAMPLE / "reference.jsonl", "--annotator", "model")[0] == 0
    code, out, err = cli(capsys, "suggest", root, "--source", "layer:model")
    assert (code, err) == (0, "")
    assert "layer:model: 1 of 1 document(s), 77 suggestion(s) written" in out
    with AnnotationService.open(root, "alice") as service:
        doc = service.find_document("nk-russia-1")
        with service.project.engine.connect() as connection:
            seen = open_suggestions(connection, doc, None)
        reference = json.loads((EXAMPLE / "reference.jsonl").read_text("utf-8"))
        assert {(s.start, s.end, s.label, s.score) for s in seen.spans} == {
            (s["start"], s["end"], s["label"], 1.0) for s in reference["spans"]
        }
        by_id = {s["id"]: (s["start"], s["end"], s["label"]) for s in reference["spans"]}
        assert {(r.label, r.head, r.tail) for r in seen.relations} == {
            (r["label"], by_id[r["head"]], by_id[r["tail"]]) for r in reference["relations"]
        }
        with_kind = [s for s in seen.spans if s.attributes]
        assert with_kind and all(s.attributes.get("kind") for s in with_kind if s.label == "ACTOR")
    # running again replaces, never duplicates
    assert cli(capsys, "suggest", root, "--source", "layer:model")[0] == 0
    assert len(_rows(root)) == 77


def test_unfinished_documents_only(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(make_project, tmp_path)
    _plug(monkeypatch, "patterns", lambda context, argument: _Word("patterns", "Putin", "ACTOR"))
    with AnnotationService.open(root, "alice") as service:
        service.set_status(service.find_document("d1"), "done")
        service.set_status(service.find_document("d2"), "skipped")
        service.set_status(service.find_document("d3"), "in_progress")
    code, out, _ = cli(
        capsys, "suggest", root, "--source", "patterns", "--documents", "unfinished", "--annotator", "alice"
    )
    assert code == 0 and "patterns: 4 of 4 document(s), 4 suggestion(s) written" in out
    assert [row[0] for row in _rows(root)] == ["d0", "d3", "d4", "d5"]
    # someone with no layer at all has every document still to do
    code, out, _ = cli(
        capsys, "suggest", root, "--source", "patterns", "--documents", "unfinished", "--annotator", "zed"
    )
    assert "6 of 6 document(s)" in out


def test_a_failing_source_is_one_line_and_the_others_finish(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [*TEXTS[:4], "BOOM: Putin in Moscow.", *TEXTS[4:]]
    root = _project(make_project, tmp_path, texts)
    _plug(monkeypatch, "patterns", lambda context, argument: _Word("patterns", "Putin", "ACTOR", fail_on="BOOM"))
    _plug(monkeypatch, "memory", lambda context, argument: _Word("memory", "Moscow", "ACTOR"))
    monkeypatch.setattr(run, "PAGE_DOCUMENTS", 2)
    code, out, err = cli(capsys, "suggest", root, "--source", "patterns", "--source", "memory")
    assert code == 1
    assert "memory: 7 of 7 document(s), 7 suggestion(s) written" in out
    assert "patterns: 4 of 7 document(s), 4 suggestion(s) written (stopped" in out
    (line,) = err.strip().splitlines()
    assert line.startswith("error: suggestion source 'patterns' failed: RuntimeError: cannot read d4")
    assert "for 4 document(s) were written before" in line
    rows = _rows(root)
    assert sorted(r[0] for r in rows if r[1] == "patterns") == ["d0", "d1", "d2", "d3"]  # the pages before it
    assert len([r for r in rows if r[1] == "memory"]) == 7


def test_a_source_proposing_outside_the_text_fails_without_writing(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(make_project, tmp_path, TEXTS[:1])

    class Outside(_Word):
        def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
            return [Proposals(d.id, [Suggestion(0, 999, "ACTOR", 0.5, self.name)]) for d in documents]

    _plug(monkeypatch, "patterns", lambda context, argument: Outside("patterns", "", "ACTOR"))
    code, _, err = cli(capsys, "suggest", root, "--source", "patterns")
    assert code == 1 and "proposed ACTOR [0, 999) with score 0.5 in a text of" in err
    assert _rows(root) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "oracle"], "unknown suggestion source 'oracle'"),
        ([], "no suggestion sources: name them with --source"),
        (["--source", "layer:nobody"], "the project has no layer 'nobody'"),
        (["--source", "layer:reference", "--model", "m"], "--model is the model source's pipeline: add --source model"),
        (["--documents", "some"], "unknown value 'some' (known: all, unfinished)"),
    ],
)
def test_a_bad_plan_writes_nothing(
    argv: list[str], message: str, make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    cli(capsys, "import", root, EXAMPLE / "reference.jsonl")
    code, out, err = cli(capsys, "suggest", root, *argv)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    assert _rows(root) == []


def test_the_model_source_needs_a_model_folder(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project()
    seen: list[object] = []

    def make(context: SourceContext, argument: str | None) -> _Word:
        seen.append(context.settings.model)
        return _Word("model", "Putin", "ACTOR")

    _plug(monkeypatch, "model", make)
    code, _, err = cli(capsys, "suggest", root, "--source", "model")
    assert code == 1 and "the model source needs a spaCy pipeline: give --model PATH" in err
    code, _, err = cli(capsys, "suggest", root, "--model", tmp_path / "missing")
    assert code == 1 and "missing: no such model folder" in err
    (tmp_path / "pipeline").mkdir()
    code, out, _ = cli(capsys, "suggest", root, "--model", tmp_path / "pipeline")  # --model alone: the model source
    assert code == 0 and out.startswith("model: 0 of 0 document(s)") and seen == [tmp_path / "pipeline"]


def test_project_yaml_names_the_default_sources_and_the_command_runs_as_a_process(
    make_project: ProjectMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    cli(capsys, "import", root, EXAMPLE / "reference.jsonl", "--annotator", "model")
    with (root / "project.yaml").open("a", encoding="utf-8") as config:
        config.write("suggestions:\n  sources: [layer:model]\n")
    result = subprocess.run(
        [sys.executable, "main.py", "suggest", str(root)], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == "layer:model: 1 of 1 document(s), 77 suggestion(s) written\n"
    with Project.open(root) as project, project.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(core_tables.suggested_relations)) == 14
