"""What row-level security costs a read of many rows, for bench/team.py: the document list of
a member whose layer holds many spans (AnnotationService.documents(), what the window shows),
as that member (policies applied) and as the superuser reading the same layer (bypassed).

A policy that calls a function once per row makes this list seconds slower on a big layer
(annotator/team/policies.py decides the common cases once per statement).
"""

from __future__ import annotations

import os
import statistics
import time

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from annotator.config import DATABASE_URL_VARIABLE
from annotator.project import Project
from annotator.service import AnnotationService
from bench.team_setup import TeamDatabase

CALLS = 5


def fill_layer(team: TeamDatabase, member: str, spans: int) -> int:
    """``spans`` one-character spans in the member's layer, spread over the documents; how many."""
    engine = create_engine(team.url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            documents = connection.execute(text("SELECT count(*) FROM documents")).scalar_one()
            per_document = max(1, spans // documents)
            connection.execute(
                text(
                    'INSERT INTO spans (document_id, annotator_id, start, "end", label) '
                    "SELECT d.id, a.id, g, g + 1, 'ACTOR' FROM documents d, annotators a, generate_series(0, :last) g "
                    "WHERE a.name = :member"
                ),
                {"member": member, "last": per_document - 1},
            )
            connection.execute(text("ANALYZE spans"))
        return int(per_document * documents)
    finally:
        engine.dispose()


def documents_seconds(team: TeamDatabase, member: str) -> tuple[list[float], list[float]]:
    """Seconds of documents() as the member and as the superuser (the member's layer), alternating."""
    services = {}
    for who, url in (("member", team.member_url(member)), ("superuser", team.url)):
        os.environ[DATABASE_URL_VARIABLE] = url
        services[who] = AnnotationService(Project.open(team.root))
    os.environ.pop(DATABASE_URL_VARIABLE)
    times: dict[str, list[float]] = {"member": [], "superuser": []}
    try:
        for _ in range(CALLS + 1):  # the first call of each warms the connection: not counted
            for who, service in services.items():
                started = time.perf_counter()
                listed = service.documents(None if who == "member" else member)
                times[who].append(time.perf_counter() - started)
                assert sum(row.span_count for row in listed) > 0
    finally:
        for service in services.values():
            service.close()
    return times["member"][1:], times["superuser"][1:]


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000
