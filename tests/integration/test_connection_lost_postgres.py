"""An edit whose server connection died under it says so in one line, and the next edit works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from annotator.errors import ProjectError
from annotator.service import AnnotationService


def test_an_edit_on_a_dropped_connection_says_the_connection_was_lost(pg_project: Path, pg_admin: Engine) -> None:
    (pg_project / "a.txt").write_text("Alice met Bob in Paris.", encoding="utf-8")
    with AnnotationService.open(pg_project) as service:
        from annotator.importers import import_paths

        import_paths(service.project, [pg_project / "a.txt"])
        document = service.documents()[0].id
        service.add_span(document, 0, 5, "ACTOR")  # a pooled connection now exists
        with service.project.engine.connect() as connection:
            name = connection.execute(text("SHOW application_name")).scalar()
        with pg_admin.connect() as admin:
            admin.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            )
        with pytest.raises(ProjectError, match="connection to the database server was lost") as raised:
            service.add_span(document, 10, 13, "ACTOR")
        assert "\n" not in str(raised.value)
        service.add_span(document, 10, 13, "ACTOR")  # the pool connects again
        assert [(s.start, s.end) for s in service.document(document).spans] == [(0, 5), (10, 13)]
