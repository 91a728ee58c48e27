"""project.yaml: where a project's schema and database are, and what it starts with.

YAML, SQLAlchemy and the atomic writes are imported by the functions that use them: the
window's start reads PROJECT_FILE before its first paint, and needs none of them until after.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import ProjectError
from annotator.suggest.settings import SuggestionSettings, parse_suggestion_settings

PROJECT_FILE = "project.yaml"
DEFAULT_DATABASE = "annotator.db"
# Lets a team or a test point the same project folder at another database (PostgreSQL).
DATABASE_URL_VARIABLE = "ANNOTATOR_DATABASE_URL"
KNOWN_KEYS = {"name", "schema", "database", "language", "seed", "suggestions"}


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    name: str
    schema_path: Path
    database_url: str
    language: str
    seed: tuple[Path, ...]  # imported on first open, retried until that import succeeds
    suggestions: SuggestionSettings  # annotator/suggest/settings.py


def load_project_config(project_dir: str | os.PathLike[str]) -> ProjectConfig:
    root = Path(project_dir)
    if not root.is_dir():
        raise ProjectError(f"{root}: no such project folder")
    path = root / PROJECT_FILE
    if not path.is_file():
        raise ProjectError(f"{path}: missing; create a project with 'annotator init {root}'")
    import yaml

    from annotator.yaml_errors import describe_yaml_error

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        line, message = describe_yaml_error(error)
        raise ProjectError(f"{path}:{line}: not valid YAML: {message}") from error
    except UnicodeDecodeError as error:
        raise ProjectError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: must be a mapping with at least 'name' and 'schema'")
    unknown = sorted(set(data) - KNOWN_KEYS, key=str)  # YAML keys may be numbers too
    if unknown:
        raise ProjectError(f"{path}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(KNOWN_KEYS))})")
    name = _string(data, "name", path, default=root.resolve().name)
    schema = _string(data, "schema", path)
    database = _string(data, "database", path, default=DEFAULT_DATABASE)
    language = _string(data, "language", path, default="en")
    seed = data.get("seed") or []
    if not isinstance(seed, list) or not all(isinstance(item, str) for item in seed):
        raise ProjectError(f"{path}: 'seed' must be a list of file names")
    suggestions = parse_suggestion_settings(data.get("suggestions"), root, str(path))
    from_environment = os.environ.get(DATABASE_URL_VARIABLE)
    url = from_environment or database_url(root, database)
    refuse_memory_database(url, DATABASE_URL_VARIABLE if from_environment else f"{path}: database")
    return ProjectConfig(
        root=root,
        name=name,
        schema_path=(root / schema),
        database_url=url,
        language=language,
        seed=tuple(root / item for item in seed),
        suggestions=suggestions,
    )


def database_url(root: Path, database: str) -> str:
    """A SQLAlchemy URL as given, or a file path relative to the project folder."""
    if "://" in database:
        return database
    return f"sqlite:///{(root / database).resolve()}"


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def refuse_memory_database(url: str, where: str) -> None:
    """An in-memory SQLite database lives as long as one connection: every command would
    report its imports and keep nothing. Refuse it, however the URL spells it."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ProjectError(f"{where}: not a database URL; write e.g. sqlite:///path/to/file.db") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:  # the schema check's JSON SQL and the locks exist for these two only
        raise ProjectError(
            f"{where} {url!r}: {backend} databases are not supported; name a database file "
            "(database: annotator.db) or a postgresql:// URL"
        )
    if backend != "sqlite":
        return
    database = parsed.database or ""
    in_memory = (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or "mode=memory" in database  # a URI file name: file:name?mode=memory
        or parsed.query.get("mode") == "memory"
    )
    if in_memory:
        raise ProjectError(
            f"{where} {url!r} is an in-memory database, which keeps nothing once the command ends; "
            "name a database file (database: annotator.db) or a server URL"
        )


def project_config_text(name: str, schema: str) -> str:
    import yaml

    return yaml.safe_dump(
        {"name": name, "schema": schema, "database": DEFAULT_DATABASE, "language": "en"},
        sort_keys=False,
        allow_unicode=True,
    )


def write_project_config(root: Path, name: str, schema: str) -> Path:
    """Create root/project.yaml, whole or not at all; FileExistsError if one is there."""
    from annotator.atomic import create_file

    path = root / PROJECT_FILE
    create_file(path, project_config_text(name, schema).encode("utf-8"))
    return path


def _string(data: dict[str, object], key: str, path: Path, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise ProjectError(f"{path}: missing key {key!r}")
    if not isinstance(value, str) or not value.strip():
        raise ProjectError(f"{path}: {key!r} must be a non-empty string")
    return value
