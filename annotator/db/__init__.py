"""The store: engine set-up, ORM tables and Alembic migrations."""
