"""The example project as package data: init's default schema, and the copy the window opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import ProjectError
from annotator.example_project import EXAMPLE_FILES, copy_example, default_schema, user_example_folder
from annotator.service import AnnotationService
from tests.conftest import EXAMPLE, NEWS_SCHEMA


def test_the_default_schema_is_the_packaged_news_schema() -> None:
    with default_schema() as path:
        assert path.read_bytes() == NEWS_SCHEMA.read_bytes()
        assert path.resolve() == NEWS_SCHEMA.resolve()  # from a checkout: the file itself, not a temporary copy


def test_the_example_folder_holds_just_the_project_files() -> None:
    assert sorted(p.name for p in EXAMPLE.iterdir()) == sorted(EXAMPLE_FILES)  # no database, nothing unlisted


def test_the_copy_is_the_example_and_is_kept_once_made(tmp_path: Path) -> None:
    folder = copy_example(tmp_path / "deep" / "example")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {n: (EXAMPLE / n).read_bytes() for n in EXAMPLE_FILES}
    with AnnotationService.open(folder, "alice") as service:
        (summary,) = service.documents()
        service.set_status(summary.id, "done")
    assert copy_example(folder) == folder  # a second call keeps the project as it is
    with AnnotationService.open(folder, "alice") as service:
        assert [(s.id, s.status) for s in service.documents()] == [(summary.id, "done")]


def test_a_copy_cut_short_is_completed_and_a_foreign_file_refused(tmp_path: Path) -> None:
    folder = tmp_path / "example"
    folder.mkdir()
    (folder / "news.yaml").write_bytes((EXAMPLE / "news.yaml").read_bytes())  # as a killed copy leaves it
    copy_example(folder)
    assert (folder / "project.yaml").read_bytes() == (EXAMPLE / "project.yaml").read_bytes()

    other = tmp_path / "other"
    other.mkdir()
    (other / "reference.jsonl").write_text("mine\n", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"reference\.jsonl exists and is not the example project's"):
        copy_example(other)
    assert sorted(p.name for p in other.iterdir()) == ["reference.jsonl"]  # what it made is removed again
    assert (other / "reference.jsonl").read_text(encoding="utf-8") == "mine\n"


def test_the_user_copy_lives_in_the_xdg_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert user_example_folder() == tmp_path / "annotator" / "example"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # the XDG spec: ignored unless absolute
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_example_folder() == tmp_path / "home" / ".local" / "share" / "annotator" / "example"
