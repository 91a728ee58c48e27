"""Migration 0004 on PostgreSQL: a 0003 database with data is upgraded, and rejections work."""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import FolderMaker
from tests.unit.test_review_migration import upgrade_from_0003_keeps_data_and_rejections_work


def test_a_0003_postgres_database_is_upgraded_to_0004(
    fresh_schema: str, project_folder: FolderMaker, tmp_path: Path
) -> None:
    upgrade_from_0003_keeps_data_and_rejections_work(project_folder("pg", fresh_schema), tmp_path)
