"""The suggestion tables on PostgreSQL: the migrations make exactly core_tables' schema there too
(constraint names within PostgreSQL's 63 characters), and a layer reads what it has to decide."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from annotator.db import core_tables
from annotator.project import Project
from tests.integration.conftest import FolderMaker


def test_the_migrations_make_exactly_the_tables_of_core_tables_on_postgres(
    fresh_schema: str, project_folder: FolderMaker
) -> None:
    with Project.open(project_folder("pg", fresh_schema)) as project, project.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), core_tables.metadata) == []
        names = connection.exec_driver_sql(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'suggested_relations'::regclass"
        ).scalars()
        assert "uq_suggested_relations_ends" in set(names)
