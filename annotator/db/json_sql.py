"""JSON values tested in SQL, with each backend's own functions (SQLite json1, PostgreSQL json)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, literal_column


class JsonFunctions:
    """The few JSON tests the checks need, in each backend's own functions."""

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgresql"

    def kind(self, value: Any) -> ColumnElement[str]:
        # A SQL NULL (never written by the core, but possible) counts as JSON null.
        return func.coalesce(func.json_typeof(value) if self.postgres else func.json_type(value), "null")

    def is_string(self, value: Any) -> ColumnElement[bool]:
        return self.kind(value) == ("string" if self.postgres else "text")

    def is_boolean(self, value: Any) -> ColumnElement[bool]:
        return self.kind(value) == "boolean" if self.postgres else self.kind(value).in_(("true", "false"))

    def text_of(self, value: Any) -> ColumnElement[str]:
        """A JSON string's content (for strings only; other types give their JSON text or a number)."""
        if self.postgres:
            return value.op("#>>", return_type=Text)(literal_column("'{}'"))
        return func.json_extract(value, "$", type_=Text)

    def raw(self, value: Any) -> ColumnElement[str]:
        """The stored JSON as text, to show a refused value as it is."""
        return cast(value, Text) if self.postgres else func.json(value, type_=Text)
