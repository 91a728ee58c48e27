"""The team database of bench/team.py: made fresh on the server, dropped afterwards with the roles
it made (roles belong to the whole server), and read back as the superuser to check that every
write the annotator processes believe they made is there exactly once.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from annotator.importers import import_paths
from annotator.project import Project
from annotator.team.members import add_member
from annotator.team.roles import GROUP_KINDS, group_prefix, group_role
from annotator.team.setup import init_team
from bench.corpus import OUT, SCHEMA_PATH, ensure_corpus

PASSWORD = "bench-team-password"


class TeamDatabase:
    """A fresh database on the server (``create``), `team init`ed, with shared documents of the
    bench corpus (their spans come in as layer 'bench', a layer nobody owns) and members added
    with ``add``. ``drop`` removes the database and every role made here, whatever was made."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.suffix = uuid.uuid4().hex[:8]
        self.database = f"bench_team_{self.suffix}"
        self.url = make_url(server_url).set(database=self.database).render_as_string(hide_password=False)
        self.members: list[str] = []
        self.root = OUT / f"team-{self.suffix}"
        self._server = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def create(self, documents: int) -> None:
        with self._server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.database}"'))
        self.root.mkdir(parents=True)
        shutil.copyfile(SCHEMA_PATH, self.root / "news.yaml")
        (self.root / "project.yaml").write_text(
            f"name: bench-team\nschema: news.yaml\ndatabase: '{self.url}'\nlanguage: en\n", encoding="utf-8"
        )
        shared = self.root / "shared.jsonl"
        with ensure_corpus(max(documents, 100)).open("rb") as corpus, shared.open("wb") as out:
            out.writelines(islice(corpus, documents))
        with Project.open(self.root) as project:
            init_team(project.engine)
            import_paths(project, [shared])
            with project.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")

    def add(self, short: str) -> str:
        """A new annotator (a login role with PASSWORD); their name."""
        name = f"{short}_{self.suffix}"
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            add_member(engine, name, "annotator", PASSWORD)
        finally:
            engine.dispose()
        self.members.append(name)
        return name

    def member_url(self, name: str) -> str:
        return make_url(self.url).set(username=name, password=PASSWORD).render_as_string(hide_password=False)

    def spans(self, layers: list[str]) -> list[tuple[Any, ...]]:
        """(id, layer, document, start, end, label) of every span of these layers, as the superuser."""
        with self._engine() as engine, engine.connect() as connection:
            rows = connection.execute(
                text(
                    'SELECT s.id, a.name, s.document_id, s.start, s."end", s.label FROM spans s '
                    "JOIN annotators a ON a.id = s.annotator_id WHERE a.name = ANY(:layers)"
                ),
                {"layers": layers},
            ).all()
        return [tuple(row) for row in rows]

    def edit_events(self, layers: list[str]) -> Counter[tuple[str, str]]:
        """How many edit events (layer, action) the service logged in these layers."""
        with self._engine() as engine, engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.name, e.action, count(*) FROM events e JOIN annotators a ON a.id = e.annotator_id "
                    "WHERE a.name = ANY(:layers) GROUP BY a.name, e.action"
                ),
                {"layers": layers},
            ).all()
        return Counter({(name, action): count for name, action, count in rows})

    @contextmanager
    def _engine(self) -> Iterator[Engine]:
        """An engine as the superuser on the team database, disposed after."""
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            yield engine
        finally:
            engine.dispose()

    def drop(self) -> None:
        """The database (whoever is still connected) and every role made for it."""
        with self._server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            groups = [group_role(group_prefix(self.database), kind) for kind in GROUP_KINDS]
            for role in [*self.members, *groups]:
                connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        self._server.dispose()
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Integrity:
    """What the database holds against what the processes logged."""

    expected: int = 0  # spans the logs say are there
    found: int = 0  # spans the database has in those layers
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    events_missing: int = 0  # successful edits without their event row, or event rows without an edit


def check(team: TeamDatabase, logs: list[dict[str, Any]], layers: list[str]) -> Integrity:
    """Compare the union of the writers' logs with the spans and events of their layers."""
    result = Integrity()
    believed: dict[int, tuple[Any, ...]] = {}  # span id -> (layer, document, start, end, label)
    added_count: Counter[int] = Counter()
    removed: set[int] = set()
    edits: Counter[tuple[str, str]] = Counter()
    for log in logs:
        layer = log["layer"]
        for span_id, document, start, end, label in log["added"]:
            added_count[span_id] += 1
            believed[span_id] = (layer, document, start, end, label)
        removed.update(log["removed"])
        edits[(layer, "do:AddSpan")] += len(log["added"])
        edits[(layer, "do:RemoveSpan")] += len(log["removed"])
    result.duplicated += [f"span {i} logged as added {n} times" for i, n in added_count.items() if n > 1]
    result.lost += [f"span {i} logged as removed but never as added" for i in removed - set(believed)]
    rows = {row[0]: row[1:] for row in team.spans(layers)}
    result.found = len(rows)
    alive = set(believed) - removed
    result.expected = len(alive)
    for span_id in sorted(alive):
        if span_id not in rows:
            result.lost.append(f"span {span_id} {believed[span_id]} added, not removed, not in the database")
        elif rows[span_id] != believed[span_id]:
            result.lost.append(f"span {span_id} is {rows[span_id]} in the database, logged as {believed[span_id]}")
    result.lost += [f"span {i} removed but still in the database" for i in sorted(removed & set(rows))]
    result.duplicated += [
        f"span {i} {rows[i]} in the database, written by no process" for i in set(rows) - alive - removed
    ]
    seen: Counter[tuple[Any, ...]] = Counter(rows.values())
    result.duplicated += [f"{key} is in the database {n} times" for key, n in seen.items() if n > 1]
    events = team.edit_events(layers)
    result.events_missing = sum(abs(events[key] - edits[key]) for key in set(events) | set(edits))
    return result


class WaitSampler:
    """What the writers' server backends are doing, sampled from pg_stat_activity while a phase
    runs: waiting for their client (the edit is in Python, or between edits), running, or
    waiting on a lock (a heavyweight Lock is contention in the database: two edits that
    serialise). Runs in a thread with a connection of its own."""

    def __init__(self, team: TeamDatabase, members: list[str], interval: float = 0.05) -> None:
        self.url = make_url(team.url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.database = team.database
        self.members = members
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self._stop.wait(self.interval):
                rows = connection.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = %s AND usename = ANY(%s)",
                    (self.database, self.members),
                ).fetchall()
                for state, kind, event in rows:
                    if state != "active" or kind == "Client":  # between edits, or mid-pipeline
                        self.counts["waiting for the client"] += 1
                    elif kind is None:
                        self.counts["running"] += 1
                    else:
                        self.counts[f"{kind}:{event}"] += 1


def summary(counts: Counter[str]) -> str:
    """The sampled states as shares, most frequent first."""
    total = sum(counts.values()) or 1
    shares = [(name, 100 * count / total) for name, count in counts.most_common(6)]
    return ", ".join(f"{name} {share:.0f}%" if share >= 1 else f"{name} {share:.1f}%" for name, share in shares) or "-"
