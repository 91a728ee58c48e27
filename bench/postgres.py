"""PostgreSQL: annotator's import, export and document list against a minimal psycopg script, same run.

Starts no server of its own: it uses ANNOTATOR_BENCH_POSTGRES_URL, else ANNOTATOR_TEST_POSTGRES_URL,
so run it under tests/with-postgres (a throw-away server on loopback):

    tests/with-postgres .venv/bin/python bench/postgres.py [--docs 10000] [--repeat 3] [--seed 1]

The corpus is bench/corpus.py's (10 spans a document on average). Each round makes two fresh
databases on the server and their tables with annotator's migrations (Project.open, not timed),
then times, alternating annotator and baseline:

  import   `annotator import PROJECT CORPUS` as a process (python main.py: start-up, checks
           of every record, COPY)  vs  raw_postgres.raw_import in a process (COPY, no checks)
  export   `annotator export PROJECT -o FILE` as a process  vs  raw_postgres.raw_export in a
           process (server-side cursors read in lockstep, the same JSON lines)
  listing  AnnotationService.documents() in this process  vs  the same listing query through
           psycopg, every row fetched (informative: no target)

Imports run first (each round into new databases); the exports read what the last import
wrote. Medians of the rounds, ratios against the baseline and the targets (issue 9: import
<= 1.6x, export <= 1.3x). A benchmark, not a test: a slow result fails nothing; the sanity
checks compare both exports with the corpus byte for byte.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from corpus import OUT, ROOT, ensure_corpus, schema_stamp
from raw_postgres import DESCRIPTION, libpq_url, raw_export, raw_import
from sqlalchemy.engine import make_url

from annotator.project import Project
from annotator.service import AnnotationService

URL_VARIABLES = ("ANNOTATOR_BENCH_POSTGRES_URL", "ANNOTATOR_TEST_POSTGRES_URL")
TARGETS = {"import": 1.6, "export": 1.3}
DATABASES = {"annotator": "bench_pg_annotator", "raw": "bench_pg_raw"}
WHAT = {"import": "import (processes)", "export": "export (processes)", "listing": "documents() (in-process)"}
LISTING_CALLS = 5
LISTING = """
SELECT d.id, d.external_id, substr(d.text, 1, 200), d.text_length, s.status, c.n, s.seconds_spent
FROM documents d
LEFT JOIN document_status s ON s.document_id = d.id AND s.annotator_id = %(annotator)s
LEFT JOIN (SELECT document_id, count(*) AS n FROM spans WHERE annotator_id = %(annotator)s GROUP BY document_id) c
    ON c.document_id = d.id
WHERE d.project_id = %(project)s ORDER BY d.id
"""


def server_url() -> str:
    for name in URL_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    names = " or ".join(URL_VARIABLES)
    raise SystemExit(f"set {names}, or run: tests/with-postgres {sys.executable} bench/postgres.py")


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def fresh_database(server: str, name: str) -> str:
    """An empty database `name` with annotator's tables and the project 'bench'; its URL."""
    with psycopg.connect(libpq_url(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(server, name)
    Project.open(project_folder(name, url)).close()
    return url


def project_folder(name: str, url: str) -> Path:
    folder = OUT / f"pg-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "annotator" / "example" / "news.yaml", folder / "news.yaml")
    (folder / "project.yaml").write_text(f"name: bench\nschema: news.yaml\ndatabase: {url}\nlanguage: en\n")
    return folder


# -- processes: each measurement is one process, timed from outside -------------------------


def run(command: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if k != "ANNOTATOR_DATABASE_URL"}  # it would override project.yaml
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, check=False, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr.decode(errors="replace"))
        raise SystemExit(f"{' '.join(command[:4])} failed (exit {completed.returncode})")
    return seconds


def annotator_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), *args]


def child_command(task: str, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__)), "--child", task, *args]


def child(task: str, args: list[str]) -> None:
    if task == "raw-import":
        raw_import(args[0], Path(args[1]))
    else:
        raw_export(args[0], Path(args[1]), schema_stamp())


# -- the document list, in this process ----------------------------------------------------


def listing_seconds(url: str) -> tuple[float, float, int]:
    """Median seconds of service.documents() and of the raw listing query; the rows listed."""
    project = Project.open(project_folder(DATABASES["annotator"], url))
    service = AnnotationService(project, "bench")
    ours, raw, rows = [], [], 0
    with psycopg.connect(libpq_url(url)) as connection:
        ids = connection.execute(
            "SELECT (SELECT id FROM annotators WHERE name = 'bench'), (SELECT id FROM projects WHERE name = 'bench')"
        ).fetchone()
        assert ids is not None
        for _ in range(LISTING_CALLS):
            started = time.perf_counter()
            rows = len(service.documents())
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            connection.execute(LISTING, {"annotator": ids[0], "project": ids[1]}).fetchall()
            raw.append(time.perf_counter() - started)
    project.close()
    return statistics.median(ours), statistics.median(raw), rows


# -- the run ---------------------------------------------------------------------------------


@dataclass
class Results:
    docs: int
    times: dict[str, list[float]] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)

    def add(self, key: str, seconds: float) -> None:
        self.times.setdefault(key, []).append(seconds)

    def median(self, key: str) -> float:
        return statistics.median(self.times[key])

    def spread(self, key: str) -> str:
        return f"{min(self.times[key]):.2f}-{max(self.times[key]):.2f}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(server: str, docs: int, repeat: int, seed: int) -> Results:
    corpus = ensure_corpus(docs, seed)
    results = Results(docs)
    urls: dict[str, str] = {}
    for round_number in range(1, repeat + 1):
        urls = {who: fresh_database(server, name) for who, name in DATABASES.items()}
        folder = OUT / f"pg-{DATABASES['annotator']}"
        for who, command in (
            ("annotator", annotator_command("import", str(folder), str(corpus))),
            ("raw", child_command("raw-import", urls["raw"], str(corpus))),
        ):
            seconds = run(command)
            results.add(f"import {who}", seconds)
            log(f"{docs:>7} docs  round {round_number}/{repeat}  import {who:<9} {seconds:7.2f} s")
    outputs = {who: OUT / f"pg-export-{who}-{docs}.jsonl" for who in DATABASES}
    for round_number in range(1, repeat + 1):
        folder = OUT / f"pg-{DATABASES['annotator']}"
        for who, command in (
            ("annotator", annotator_command("export", str(folder), "-o", str(outputs["annotator"]), "--force")),
            ("raw", child_command("raw-export", urls["raw"], str(outputs["raw"]))),
        ):
            seconds = run(command)
            results.add(f"export {who}", seconds)
            log(f"{docs:>7} docs  round {round_number}/{repeat}  export {who:<9} {seconds:7.2f} s")
    ours, raw, rows = listing_seconds(urls["annotator"])
    results.add("listing annotator", ours)
    results.add("listing raw", raw)
    results.checks.append(f"{docs} docs: documents() listed {rows} rows")
    for who, path in outputs.items():
        same = path.read_bytes() == corpus.read_bytes()
        results.checks.append(f"{docs} docs: {who} export byte-identical to the corpus: {same}")
    return results


def table(all_results: list[Results]) -> list[str]:
    rows = [
        f"{'what':<28} {'docs':>8} | {'annotator':>10} {'range':>12} | {'baseline':>9} {'range':>12} | "
        f"{'ratio':>6}  target",
    ]
    for results in all_results:
        for kind, unit in (("import", "s"), ("export", "s"), ("listing", "ms")):
            ours, raw = results.median(f"{kind} annotator"), results.median(f"{kind} raw")
            scale = 1000 if unit == "ms" else 1
            target = TARGETS.get(kind)
            verdict = f"{'met' if ours / raw <= target else 'MISSED'} (<= {target}x)" if target else "-"
            spreads = results.spread(f"{kind} annotator"), results.spread(f"{kind} raw")
            rows.append(
                f"{WHAT[kind]:<28} {results.docs:>8,} | {ours * scale:>8.2f}{unit:>2} {spreads[0]:>12} | "
                f"{raw * scale:>7.2f}{unit:>2} {spreads[1]:>12} | {ours / raw:>5.2f}x  {verdict}"
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000], help="corpus sizes (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=("raw-import", "raw-export"), help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.child_args)
        return 0
    server = server_url()
    started = time.perf_counter()
    all_results = [measure(server, docs, args.repeat, args.seed) for docs in sorted(args.docs)]
    with psycopg.connect(libpq_url(server)) as connection:
        version = connection.execute("SHOW server_version").fetchone()
    print(
        "\n".join(
            [
                "",
                f"PostgreSQL {version[0] if version else '?'} at {make_url(server).host}; "
                f"medians of {args.repeat} round(s); listing: median of {LISTING_CALLS} calls",
                DESCRIPTION,
                "annotator = `python main.py import|export` as processes, timed whole (start-up included); "
                "baseline = raw_postgres.py as processes, timed whole",
                "",
                *table(all_results),
                "",
                "SANITY",
                *(check for results in all_results for check in results.checks),
                f"whole run: {(time.perf_counter() - started) / 60:.1f} min",
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
