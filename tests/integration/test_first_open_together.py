"""Many clients opening a new database at the same moment: one creates the tables, the others wait
for it (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE) and then find nothing to do."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from annotator.config import DATABASE_URL_VARIABLE
from annotator.db import migrate
from annotator.project import Project

CLIENTS = 6


def _open(root: str, start: object) -> str:
    start.wait()  # type: ignore[attr-defined]
    try:
        with Project.open(root) as project:
            return str(migrate.current_revision(project.engine))
    except Exception as error:  # reported to the test, which shows it
        return f"{type(error).__name__}: {error}"


def _open_together(root: Path) -> list[str]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(CLIENTS) as pool:
            results = [pool.apply_async(_open, (str(root), start)) for _ in range(CLIENTS)]
            start.set()
            return [result.get(timeout=120) for result in results]


def test_clients_opening_a_new_postgres_database_together_all_succeed(pg_project: Path) -> None:
    assert os.environ.get(DATABASE_URL_VARIABLE) is None
    assert _open_together(pg_project) == [migrate.HEAD_REVISION] * CLIENTS


def test_clients_opening_a_new_sqlite_database_together_all_succeed(
    sqlite_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _open_together(sqlite_project) == [migrate.HEAD_REVISION] * CLIENTS
