"""Seed files (annotator/seeding.py): imported once, and tried again on every open until that succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from annotator.cli import main
from annotator.db.engine import make_engine
from annotator.errors import ProjectError
from annotator.project import Project
from tests.conftest import ProjectMaker


def _seeded_project(make_project: ProjectMaker, seed: str) -> Path:
    root = make_project()
    (root / "seed.jsonl").write_text(seed, encoding="utf-8")
    with (root / "project.yaml").open("a", encoding="utf-8") as handle:
        handle.write("seed: [seed.jsonl]\n")
    return root


def _documents_and_seed_events(root: Path) -> tuple[int, int]:
    engine = make_engine(f"sqlite:///{root / 'annotator.db'}")
    with engine.connect() as connection:
        documents = connection.execute(text("SELECT count(*) FROM documents")).scalar()
        seeds = connection.execute(text("SELECT count(*) FROM events WHERE action = 'seed:imported'")).scalar()
    engine.dispose()
    return documents, seeds


GOOD_SEED = '{"id": "a", "text": "Kim met Putin."}\n{"id": "b", "text": "Putin met Kim."}\n'


def test_a_failed_seed_import_fails_the_open_and_is_tried_again_until_it_succeeds(make_project: ProjectMaker) -> None:
    root = _seeded_project(make_project, '{"id": "a", "text": "Kim met Putin."}\n{"id": "b"}\n')
    for _attempt in range(2):
        with pytest.raises(ProjectError, match=r"seed import failed.*tried again.*seed\.jsonl:2: record has no 'text'"):
            Project.open(root)
        assert _documents_and_seed_events(root) == (0, 0)  # nothing half-imported, nothing marked done
    (root / "seed.jsonl").write_text(GOOD_SEED, encoding="utf-8")
    Project.open(root).close()
    assert _documents_and_seed_events(root) == (2, 1)
    Project.open(root).close()  # once it succeeded, it is not imported again
    assert _documents_and_seed_events(root) == (2, 1)


def test_a_killed_seed_import_is_tried_again_on_the_next_open(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.importers import loader

    root = _seeded_project(make_project, GOOD_SEED)
    original_flush = loader._Loader.flush

    def killed(self: loader._Loader) -> None:
        original_flush(self)  # the rows are written, the transaction is not committed
        raise KeyboardInterrupt

    monkeypatch.setattr(loader._Loader, "flush", killed)
    with pytest.raises(KeyboardInterrupt):
        Project.open(root)
    assert _documents_and_seed_events(root) == (0, 0)
    monkeypatch.setattr(loader._Loader, "flush", original_flush)
    with Project.open(root) as project:
        assert project.id == 1
    assert _documents_and_seed_events(root) == (2, 1)


def test_a_project_seeded_before_seeds_were_recorded_is_not_seeded_again(make_project: ProjectMaker) -> None:
    root = _seeded_project(make_project, GOOD_SEED)
    Project.open(root).close()
    engine = make_engine(f"sqlite:///{root / 'annotator.db'}")
    with engine.begin() as connection:  # as an older version left it: documents, no seed event
        connection.execute(text("DELETE FROM events"))
    engine.dispose()
    (root / "seed.jsonl").unlink()  # a retry would fail: the file is gone
    Project.open(root).close()
    assert _documents_and_seed_events(root) == (2, 0)


def test_the_cli_says_in_one_line_that_the_seed_failed_and_imports_it_once_it_is_fixed(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _seeded_project(make_project, '{"id": "a", "text": "Kim met Putin."}\n{"id": "b", "text": 7}\n')
    assert main(["stats", str(root)]) == 1
    first_line, *records = capsys.readouterr().err.splitlines()  # an import's error lists its bad records below
    assert first_line.startswith("error: ") and "seed import failed and nothing of it was kept" in first_line
    assert "seed.jsonl:2: text must be a non-empty string" in first_line and "Traceback" not in "".join(records)
    assert _documents_and_seed_events(root) == (0, 0)
    (root / "seed.jsonl").write_text(GOOD_SEED, encoding="utf-8")
    for _open in range(2):  # the first open after the fix imports the seed; the next finds it in
        assert main(["stats", str(root)]) == 0
        assert "2 document(s)" in capsys.readouterr().out
        assert _documents_and_seed_events(root) == (2, 1)
