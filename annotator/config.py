"""project.yaml: where a project's schema and database are, and what it starts with."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from annotator.errors import ProjectError

PROJECT_FILE = "project.yaml"
DEFAULT_DATABASE = "annotator.db"
# Lets a team or a test point the same project folder at another database (PostgreSQL).
DATABASE_URL_VARIABLE = "ANNOTATOR_DATABASE_URL"
KNOWN_KEYS = {"name", "schema", "database", "language", "seed"}


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    name: str
    schema_path: Path
    database_url: str
    language: str
    seed: tuple[Path, ...]  # imported on first open, retried until that import succeeds


def load_project_config(project_dir: str | os.PathLike[str]) -> ProjectConfig:
    root = Path(project_dir)
    if not root.is_dir():
        raise ProjectError(f"{root}: no such project folder")
    path = root / PROJECT_FILE
    if not path.is_file():
        raise ProjectError(f"{path}: missing; create a project with 'annotator init {root}'")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ProjectError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: must be a mapping with at least 'name' and 'schema'")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ProjectError(f"{path}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(KNOWN_KEYS))})")
    name = _string(data, "name", path, default=root.resolve().name)
    schema = _string(data, "schema", path)
    database = _string(data, "database", path, default=DEFAULT_DATABASE)
    language = _string(data, "language", path, default="en")
    seed = data.get("seed") or []
    if not isinstance(seed, list) or not all(isinstance(item, str) for item in seed):
        raise ProjectError(f"{path}: 'seed' must be a list of file names")
    return ProjectConfig(
        root=root,
        name=name,
        schema_path=(root / schema),
        database_url=os.environ.get(DATABASE_URL_VARIABLE) or database_url(root, database),
        language=language,
        seed=tuple(root / item for item in seed),
    )


def database_url(root: Path, database: str) -> str:
    """A SQLAlchemy URL as given, or a file path relative to the project folder."""
    if "://" in database:
        return database
    return f"sqlite:///{(root / database).resolve()}"


def write_project_config(root: Path, name: str, schema: str) -> Path:
    path = root / PROJECT_FILE
    text = yaml.safe_dump(
        {"name": name, "schema": schema, "database": DEFAULT_DATABASE, "language": "en"},
        sort_keys=False,
        allow_unicode=True,
    )
    path.write_text(text, encoding="utf-8")
    return path


def _string(data: dict[str, object], key: str, path: Path, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise ProjectError(f"{path}: missing key {key!r}")
    if not isinstance(value, str) or not value.strip():
        raise ProjectError(f"{path}: {key!r} must be a non-empty string")
    return value
