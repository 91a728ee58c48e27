"""Big projects for bench/edits.py, made quickly: the schema by annotator itself (Project.open
runs the migrations, so every index is the real one), the rows written straight from the
bench corpus (bench/corpus.py: ~2,000-character news-like articles, 5-15 spans each with
attributes and relations), with sqlite3's executemany on SQLite and COPY on PostgreSQL.

A SQLite project is kept in bench/out/ and reused by the next run (an edit bench leaves it
as it found it, except for a few more event rows and a document's status); a PostgreSQL
project is made in a schema of its own on the server and dropped at the end.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from annotator.project import Project
from bench.corpus import ANNOTATOR, ROOT, ensure_corpus

OUT = ROOT / "bench" / "out"
SCHEMA = ROOT / "annotator" / "example" / "news.yaml"
BATCH = 2000
TABLES = {
    "documents": ("id", "project_id", "external_id", "text", "text_length", "sha256", "meta"),
    "spans": ("id", "document_id", "annotator_id", "start", "end", "label"),
    "span_attributes": ("span_id", "name", "value"),
    "relations": ("id", "document_id", "annotator_id", "label", "head_span_id", "tail_span_id"),
    "document_status": ("document_id", "annotator_id", "status", "seconds_spent"),
}


def project_folder(root: Path, database: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SCHEMA, root / "news.yaml")
    (root / "project.yaml").write_text(
        f"name: bench-edits\nschema: news.yaml\ndatabase: '{database}'\n", encoding="utf-8"
    )
    return root


def sqlite_project(docs: int) -> Path:
    """A SQLite project of ``docs`` documents in bench/out (made once, then reused)."""
    root = OUT / f"edits-sqlite-{docs}"
    if (root / "complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    project_folder(root, "annotator.db")
    project_id, annotator_id = _empty_project(root)
    connection = sqlite3.connect(root / "annotator.db", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("BEGIN IMMEDIATE")
    for batch in table_rows(ensure_corpus(docs), project_id, annotator_id):
        for table, rows in batch.items():
            columns = TABLES[table]
            names = ", ".join(f'"{c}"' for c in columns)
            connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
                [[orjson.dumps(v).decode() if isinstance(v, dict | list) else v for v in row] for row in rows],
            )
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()
    (root / "complete").write_text("", encoding="utf-8")
    return root


class PostgresProject:
    """A project of ``docs`` documents in a fresh schema on the server at ``server_url``."""

    def __init__(self, server_url: str, docs: int, scratch: Path) -> None:
        self.schema = f"edits_bench_{docs}_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        options = f"-c search_path={self.schema}"
        self.url = make_url(server_url).update_query_dict({"options": options}).render_as_string(hide_password=False)
        self.root = project_folder(scratch / f"pg-{docs}", self.url)
        project_id, annotator_id = _empty_project(self.root)
        with Project.open(self.root) as project, project.engine.connect() as pooled:
            connection = pooled.connection.driver_connection
            for batch in table_rows(ensure_corpus(docs), project_id, annotator_id):
                for table, rows in batch.items():
                    names = ", ".join(f'"{c}"' for c in TABLES[table])
                    with connection.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row([orjson.dumps(v).decode() if isinstance(v, dict | list) else v for v in row])
            for table in ("documents", "spans", "relations"):
                connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE")
            connection.autocommit = False

    def drop(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


def _empty_project(root: Path) -> tuple[int, int]:
    """Create the database (migrations, project row) and the corpus's annotator; their ids."""
    with Project.open(root) as project:
        return project.id, project.ensure_annotator(ANNOTATOR)


def table_rows(corpus: Path, project_id: int, annotator_id: int) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """The corpus as rows per table, BATCH documents at a time, with ids numbered from 1."""
    ids = {"document": 0, "span": 0, "relation": 0}
    with corpus.open("rb") as handle:
        lines = (line for line in handle if line.strip())
        while records := [orjson.loads(line) for line in islice(lines, BATCH)]:
            batch: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
            for record in records:
                ids["document"] += 1
                doc = ids["document"]
                body = record["text"]
                sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
                batch["documents"].append((doc, project_id, record["id"], body, len(body), sha, record["meta"]))
                span_ids: dict[str, int] = {}
                for span in record["spans"]:
                    ids["span"] += 1
                    span_ids[span["id"]] = ids["span"]
                    batch["spans"].append((ids["span"], doc, annotator_id, span["start"], span["end"], span["label"]))
                    for name, value in span["attributes"].items():
                        batch["span_attributes"].append((ids["span"], name, orjson.dumps(value).decode()))
                for relation in record["relations"]:
                    ids["relation"] += 1
                    head, tail = span_ids[relation["head"]], span_ids[relation["tail"]]
                    batch["relations"].append((ids["relation"], doc, annotator_id, relation["label"], head, tail))
                batch["document_status"].append((doc, annotator_id, record["status"], 0.0))
            yield batch
