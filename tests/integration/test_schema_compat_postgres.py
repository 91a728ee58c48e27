"""The schema-compatibility checks (annotator/schema_compat.py) on PostgreSQL: its JSON
functions differ from SQLite's (json_typeof, #>>), so every check runs here too."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from annotator.errors import ProjectError
from annotator.importers import import_paths
from annotator.project import Project
from tests.integration.conftest import NEWS_SCHEMA, REPO, FolderMaker

pytestmark = pytest.mark.postgres

REFERENCE = REPO / "annotator" / "example" / "reference.jsonl"
NEWS = NEWS_SCHEMA.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "values: [person, organisation, state, other]",
            "values: [organisation, state, other]",
            r"\d+ ACTOR\.kind value\(s\) are not one of .*document 'nk-russia-1': ACTOR '[^']+' with kind = \"person\"",
        ),
        ("overlap: nested", "overlap: forbid", r"\d+ pair\(s\) of spans overlap.*layer 'reference'"),
        ("    head: [CLAIM]\n    tail: [ACTOR]", "    head: [CLAIM]\n    tail: [CLAIM]", r"12 SAID_BY relation\(s\)"),
        (
            "        type: choice\n        values: [person, organisation, state, other]",
            "        type: boolean",
            r"57 ACTOR\.kind value\(s\) are not true or false",
        ),
        (
            "        type: choice\n        values: [person, organisation, state, other]",
            "        type: date",
            r"57 ACTOR\.kind value\(s\) are not ISO 8601 dates",
        ),
        ("      - name: value\n        type: date", "      - name: value\n        type: boolean", r"DATE\.value"),
    ],
    ids=["choice-value", "nested-to-forbid", "relation-ends", "to-boolean", "to-date", "date-to-boolean"],
)
def test_postgres_refuses_a_schema_that_stored_rows_break(
    fresh_schema: str, project_folder: FolderMaker, old: str, new: str, message: str
) -> None:
    root = project_folder("pg", fresh_schema)
    with Project.open(root) as project:
        assert project.engine.dialect.name == "postgresql"
        import_paths(project, [REFERENCE])
    assert old in NEWS
    (root / "news.yaml").write_text(NEWS.replace(old, new), encoding="utf-8")
    with pytest.raises(ProjectError, match=message):
        Project.open(root)
    (root / "news.yaml").write_text(NEWS.replace("version: 1", "version: 2"), encoding="utf-8")
    with Project.open(root) as project, project.engine.connect() as connection:  # a change that fits
        versions = connection.execute(text("SELECT count(*) FROM schema_versions")).scalar()
    assert versions == 2
