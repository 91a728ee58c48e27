"""How long the schema-compatibility check (annotator/schema_compat.py) takes on a big project.

Imports the benchmark corpus (corpus.py: 100,000 documents, 1,000,000 spans with attributes
and relations by default) into a project once (cached in bench/out/), then times
find_conflicts() for schema changes that fit and changes that are refused. The check runs
only when a project is opened with a changed schema (or renames), never on a usual open.
Prints wall-clock and CPU seconds (the CPU figure holds on a busy machine).

Usage: python bench/schema_check.py [--docs 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from corpus import OUT, SCHEMA_PATH, ensure_corpus

from annotator.importers import import_paths
from annotator.project import Project
from annotator.schema import parse_schema
from annotator.schema_compat import find_conflicts

# (what, old text, new text) edits of annotator/example/news.yaml
CHANGES = (
    ("version bump (fits: every check runs, nothing found)", "version: 1", "version: 2"),
    ("overlap nested -> forbid (fits: the corpus never overlaps)", "overlap: nested", "overlap: forbid"),
    ("choice value 'person' removed (refused)", "values: [person, organisation, state, other]", "values: [state]"),
    (
        "kind: choice -> date (refused; distinct values checked)",
        "        type: choice\n        values: [person, organisation, state, other]",
        "        type: date",
    ),
    (
        "SAID_BY tail ACTOR -> DATE (refused)",
        "    head: [CLAIM]\n    tail: [ACTOR]",
        "    head: [CLAIM]\n    tail: [DATE]",
    ),
)


def project_with_corpus(docs: int, seed: int) -> Path:
    root = OUT / f"schema-check-{docs}-seed{seed}"
    if (root / "done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)  # our own cache folder, from an interrupted run
    root.mkdir(parents=True)
    shutil.copyfile(SCHEMA_PATH, root / "news.yaml")
    (root / "project.yaml").write_text("name: bench\nschema: news.yaml\ndatabase: annotator.db\n", encoding="utf-8")
    corpus = ensure_corpus(docs, seed)
    started = time.perf_counter()
    with Project.open(root) as project:
        report = import_paths(project, [corpus])
    print(f"imported {report.spans_added:,} spans in {time.perf_counter() - started:.1f} s", flush=True)
    (root / "done").write_text("", encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    root = project_with_corpus(args.docs, args.seed)
    news = SCHEMA_PATH.read_text(encoding="utf-8")
    with Project.open(root) as project, project.engine.connect() as connection:
        spans = connection.exec_driver_sql("SELECT count(*) FROM spans").scalar()
        print(f"{args.docs:,} documents, {spans:,} spans")
        for what, old, new in CHANGES:
            assert old in news, what
            schema = parse_schema(news.replace(old, new), "news.yaml")
            started, cpu = time.perf_counter(), time.process_time()  # SQLite runs in this process
            conflicts = find_conflicts(connection, project.id, schema)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"{seconds:6.2f} s ({cpu:5.2f} s CPU)  {what}: {len(conflicts)} problem(s)")
            for conflict in conflicts:
                print(f"          {str(conflict)[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
