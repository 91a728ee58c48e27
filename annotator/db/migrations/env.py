"""Alembic environment: runs on the connection that annotator.db.migrate hands over."""

from __future__ import annotations

from alembic import context

from annotator.db.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the autogenerate workflow gets here
    raise SystemExit("run migrations through annotator.db.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER through table copies
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
