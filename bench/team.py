"""A team on one PostgreSQL server: 10 annotator processes editing shared documents at once,
against one annotator alone; and what row-level security costs an edit.

Needs a server (the superuser's URL of an empty database); run it under tests/with-postgres:

    tests/with-postgres .venv/bin/python -m bench.team [--seconds 30] [--writers 10] [--documents 20]
    tests/with-postgres .venv/bin/python -m bench.team --seconds 5     # a quick try

It makes a fresh database on the server, `team init`s it (annotator/team/setup.py), imports
--documents documents of the bench corpus (bench/corpus.py) and adds the annotators with
`add_member` (each a login role with a password). Each annotator is a process of its own
(bench/team_writer.py) connected as its own role through ANNOTATOR_DATABASE_URL, adding and
removing one-word spans of its own layer through AnnotationService (add_span / remove_span)
on documents picked at random from the shared ones, so writers meet on the same documents
and every edit goes through the policies and the layer lock. Each times every edit
(time.perf_counter() around the service call) and logs the spans it added and removed.

Phases, each --seconds long (--rounds times, in this order):
  1 writer     one annotator alone, as fast as it can: the baseline
  N writers    --writers annotators at once, each as fast as it can (the issue's figure)
  1 paced      the first again, editing --pace times a second on a schedule
  N paced      the N annotators, each at that pace (a person edits every few seconds: 10
               writers at 3/s are a busy team of ~100): against 1 paced
  RLS          one process with two services on the same documents, alternating edit by
               edit: as a member (policies applied) and as the superuser (policies bypassed);
               then documents() (the window's list) of a member's layer of --layer-spans
               spans, as that member and as the superuser (bench/team_reads.py)

Then the database is read back as the superuser and compared with the union of the logs:
a span logged as added and not removed must be there, with its offsets and label; a span
logged as removed must not; no span of those layers may be there that no process wrote, or
twice; each logged edit has its event row. Lost and duplicated writes must be 0.

The tables: p50/p95/p99 per edit and edits/s for N writers against 1 (target: p95 within
3x), and for the member against the superuser. While a phase runs, pg_stat_activity is
sampled: how often the writers' server backends wait for their client, run, or wait on a
lock (a Lock wait is two edits serialised by the database).

What the ratio means on a small machine: the processes and the server share the CPU cores
(and, on a shared machine, with whatever else runs). An edit is mostly client CPU (Python
building and checking it) plus a little server CPU; 1 writer leaves a core idle, N writers
as fast as they can keep every core busy, so each edit waits for a core about N / cores
times as long as alone even when nothing in the database waits. On 2 cores the loop's p95
ratio then measures the CPU run queue, not contention: the backends' samples (waiting for the
client, no Lock waits) and the total edits/s (flat, not falling, when nothing serialises) say
which. The paced phase keeps the CPUs below saturation, so its ratio is the cost of the
other writers themselves (locks, the NOTIFY on commit, buffer contention). The database and
the roles are dropped at the end, even after Ctrl+C. A benchmark, not a test: a slow result
fails nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from annotator.config import DATABASE_URL_VARIABLE
from bench.corpus import ROOT
from bench.team_reads import documents_seconds, fill_layer
from bench.team_setup import Integrity, TeamDatabase, WaitSampler, check, summary
from bench.team_writer import SUPERUSER_URL_VARIABLE

URL_VARIABLES = ("ANNOTATOR_BENCH_POSTGRES_URL", "ANNOTATOR_TEST_POSTGRES_URL")
P95_TARGET = 3.0
READY_TIMEOUT = 120.0  # seconds for a process to start and open the project


def server_url() -> str:
    for name in URL_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    names = " or ".join(URL_VARIABLES)
    raise SystemExit(f"set {names}, or run: tests/with-postgres {sys.executable} -m bench.team")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Phase:
    """The logs of every writer of one kind of phase, over every round."""

    logs: list[dict[str, Any]] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)  # edits/s of each process of each round
    rounds_total: list[float] = field(default_factory=list)  # edits/s of all processes, per round
    waits: Counter[str] = field(default_factory=Counter)  # the writers' server backends, sampled

    def cpu(self) -> list[float]:
        return [s for w in self.logs for s in w["cpu"]]

    def latencies(self, layer: str | None = None) -> list[float]:
        return [s for w in self.logs if layer is None or w["layer"] == layer for s in w["latencies"]]

    def errors(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for writer in self.logs:
            for key, count in writer["errors"].items():
                found[key] = found.get(key, 0) + count
        return found


def percentile(values: list[float], share: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1] if len(values) > 1 else values[0]


def run_writers(
    team: TeamDatabase, names: list[str], seconds: float, tag: str, *, rls: bool = False, pace: float = 0.0
) -> Phase:
    """One process per name, all started together; their logs."""
    out = team.root / "logs"
    out.mkdir(exist_ok=True)
    processes: list[tuple[subprocess.Popen[str], Path]] = []
    try:
        for number, name in enumerate(names):
            output = out / f"{tag}-{name}.json"
            command = [sys.executable, "-m", "bench.team_writer", str(team.root), str(output), str(seconds)]
            command += [str(zlib.crc32(f"{tag} {name}".encode()))] + (["--rls"] if rls else [])
            command += ["--pace", str(pace)] if pace else []
            # URLs with passwords go in the environment, not on command lines that `ps` shows.
            env = {**os.environ, DATABASE_URL_VARIABLE: team.member_url(name), SUPERUSER_URL_VARIABLE: team.url}
            with (out / f"{tag}-{name}.stderr").open("w") as stderr:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True
                )
            processes.append((process, output))
            log(f"  {tag}: started writer {number + 1}/{len(names)} ({name})")
        for process, output in processes:
            expect(process, "ready", output)
        with WaitSampler(team, names) as sampler:
            for process, _output in processes:
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            for process, output in processes:
                expect(process, "done", output)
                process.wait(timeout=READY_TIMEOUT)
    finally:
        for process, _output in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    phase = Phase(waits=sampler.counts)
    total = 0.0
    for _process, output in processes:
        result = json.loads(output.read_text(encoding="utf-8"))
        for writer in result["writers"]:
            phase.logs.append(writer)
            rate = len(writer["latencies"]) / result["seconds"]
            phase.rates.append(rate)
            total += rate
    phase.rounds_total.append(total)
    return phase


def expect(process: subprocess.Popen[str], word: str, output: Path) -> None:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != word:
        process.kill()
        stderr = output.with_suffix(".stderr").read_text(encoding="utf-8", errors="replace")
        raise SystemExit(f"a writer process said {line!r}, not {word!r}:\n{stderr[-3000:]}")


def merge(into: Phase, phase: Phase) -> None:
    into.logs += phase.logs
    into.rates += phase.rates
    into.rounds_total += phase.rounds_total
    into.waits += phase.waits


def measure(team: TeamDatabase, writers: list[str], solo: str, rls: str, args: argparse.Namespace) -> dict[str, Phase]:
    seconds, rounds = args.seconds, args.rounds
    phases = {"one": Phase(), "many": Phase(), "one paced": Phase(), "paced": Phase(), "rls": Phase()}
    for round_number in range(1, rounds + 1):
        log(f"round {round_number}/{rounds}: 1 writer, {seconds:g} s")
        merge(phases["one"], run_writers(team, [solo], seconds, f"one{round_number}"))
        log(f"round {round_number}/{rounds}: {len(writers)} writers, {seconds:g} s")
        merge(phases["many"], run_writers(team, writers, seconds, f"many{round_number}"))
        if args.pace:
            log(f"round {round_number}/{rounds}: 1 writer at {args.pace:g} edits/s, {seconds:g} s")
            merge(phases["one paced"], run_writers(team, [solo], seconds, f"onepaced{round_number}", pace=args.pace))
            log(f"round {round_number}/{rounds}: {len(writers)} writers at {args.pace:g} edits/s each, {seconds:g} s")
            merge(phases["paced"], run_writers(team, writers, seconds, f"paced{round_number}", pace=args.pace))
        log(f"round {round_number}/{rounds}: member and superuser alternating, {seconds:g} s")
        merge(phases["rls"], run_writers(team, [rls], seconds, f"rls{round_number}", rls=True))
    return phases


# -- the report -------------------------------------------------------------------------------


def latency_rows(
    ours: list[float], base: list[float], *, p95_target: float | None
) -> list[tuple[str, float, float, str]]:
    rows = []
    for share in (50, 95, 99):
        target = f"<= {p95_target:g}x" if share == 95 and p95_target else "-"
        rows.append((f"p{share} per edit (ms)", percentile(ours, share) * 1000, percentile(base, share) * 1000, target))
    return rows


def paced_lines(paced: Phase, one: Phase, args: argparse.Namespace) -> list[str]:
    return [
        f"{args.writers} writers at {args.pace:g} edits/s each against 1 at that pace (a schedule, as people "
        f"edit; {len(paced.latencies())} and {len(one.latencies())} edits timed)",
        *table(
            (f"{args.writers} paced", "1 paced"),
            [
                *latency_rows(paced.latencies(), one.latencies(), p95_target=P95_TARGET),
                (
                    "edits/s, all processes",
                    statistics.median(paced.rounds_total),
                    statistics.median(one.rounds_total),
                    "-",
                ),
                ("client CPU per edit, median (ms)", median_ms(paced.cpu()), median_ms(one.cpu()), "-"),
            ],
        ),
        f"the writers' server backends: {args.writers} writers: {summary(paced.waits)}",
        f"    1 writer: {summary(one.waits)}",
        "",
    ]


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def verdict(ratio: float, target: str) -> str:
    if target.startswith("<= "):
        limit = float(target[3:-1])
        return f"{'met' if ratio <= limit else 'MISSED'} ({target})"
    return target


def table(title: tuple[str, str], rows: list[tuple[str, float, float, str]]) -> list[str]:
    lines = [f"{'what':<34} {title[0]:>14} {title[1]:>14} {'ratio':>7}  target"]
    for what, ours, base, target in rows:
        ratio = ours / base if base else float("inf")
        lines.append(f"{what:<34} {ours:>14.2f} {base:>14.2f} {ratio:>6.2f}x  {verdict(ratio, target)}")
    return lines


def report(
    phases: dict[str, Phase],
    args: argparse.Namespace,
    rls_member: str,
    integrity: Integrity,
    listing: tuple[int, list[float], list[float]],
) -> list[str]:
    one, many, paced, rls = phases["one"], phases["many"], phases["paced"], phases["rls"]
    writers, seconds, rounds = args.writers, args.seconds, args.rounds
    member = rls.latencies(layer=rls_member)
    superuser = [s for w in rls.logs if w["layer"] != rls_member for s in w["latencies"]]
    errors = sum((Counter(phase.errors()) for phase in phases.values()), Counter[str]())
    lines = [
        f"{writers} writers against 1 ({seconds:g} s a phase, {rounds} round(s); "
        f"{len(many.latencies())} and {len(one.latencies())} edits timed)",
        *table(
            (f"{writers} writers", "1 writer"),
            [
                *latency_rows(many.latencies(), one.latencies(), p95_target=P95_TARGET),
                (
                    "edits/s, all processes",
                    statistics.median(many.rounds_total),
                    statistics.median(one.rounds_total),
                    "-",
                ),
                ("edits/s per process (median)", statistics.median(many.rates), statistics.median(one.rates), "-"),
                ("client CPU per edit, median (ms)", median_ms(many.cpu()), median_ms(one.cpu()), "-"),
            ],
        ),
        f"the writers' server backends (pg_stat_activity every 50 ms): {writers} writers: {summary(many.waits)}",
        f"    1 writer: {summary(one.waits)}",
        "",
        *(paced_lines(paced, phases["one paced"], args) if paced.logs else []),
        f"row-level security: one process, member and superuser alternating edit by edit ({len(member)} and "
        f"{len(superuser)} edits)",
        *table(
            ("member (RLS)", "superuser"),
            [
                *latency_rows(member, superuser, p95_target=None),
                ("mean per edit (ms)", statistics.fmean(member) * 1000, statistics.fmean(superuser) * 1000, "-"),
                (f"documents(), {listing[0]:,}-span layer (ms)", median_ms(listing[1]), median_ms(listing[2]), "-"),
            ],
        ),
        "",
        "INTEGRITY (database read back as the superuser against the union of the processes' logs)",
        f"  spans the logs say are there: {integrity.expected}; spans in those layers: {integrity.found}",
        f"  lost writes: {len(integrity.lost)} (target 0)",
        *(f"    {line}" for line in integrity.lost[:10]),
        f"  duplicated writes: {len(integrity.duplicated)} (target 0)",
        *(f"    {line}" for line in integrity.duplicated[:10]),
        f"  edits without their event row (or events without an edit): {integrity.events_missing} (target 0)",
        f"  edits refused: {sum(errors.values())}",
        *(f"    {count} x {key}" for key, count in errors.items()),
    ]
    return lines


def server_version(url: str) -> str:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase (default 30)")
    parser.add_argument("--writers", type=int, default=10, help="annotator processes at once (default 10)")
    parser.add_argument("--documents", type=int, default=20, help="shared documents (default 20)")
    parser.add_argument(
        "--layer-spans", type=int, default=30_000, help="spans of the layer whose document list is read (30000)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the phases (default 1)")
    parser.add_argument(
        "--pace",
        type=float,
        default=3.0,
        help="edits/s of each writer in the paced phase (default 3; 0: no such phase)",
    )
    args = parser.parse_args(argv)
    server = server_url()
    os.environ.pop(DATABASE_URL_VARIABLE, None)  # it would override the bench project's database
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.perf_counter()
    load_before = os.getloadavg()
    team: TeamDatabase | None = None
    try:
        log(f"making the team database ({args.documents} documents, {args.writers + 2} members)")
        team = TeamDatabase(server)
        team.create(args.documents)
        writers = [team.add(f"bench{number:02d}") for number in range(1, args.writers + 1)]
        solo, rls, reader = team.add("solo"), team.add("rls"), team.add("reader")
        phases = measure(team, writers, solo, rls, args)
        log(f"documents() of a layer of {args.layer_spans} spans, as its member and as the superuser")
        filled = fill_layer(team, reader, args.layer_spans)
        listing = documents_seconds(team, reader)
        every_log = [w for phase in phases.values() for w in phase.logs]
        superuser = make_url(server).username or ""
        integrity = check(team, every_log, [*writers, solo, rls, superuser])
        lines = report(phases, args, rls, integrity, (filled, *listing))
        version = server_version(team.url)
    except KeyboardInterrupt:
        log("interrupted: dropping the bench database and its roles")
        return 130
    finally:
        if team is not None:
            team.drop()
    print(
        "\n".join(
            [
                "",
                f"PostgreSQL {version} at {make_url(server).host}; {os.cpu_count()} CPU cores shared by the server, "
                "every writer process and whatever else runs on the machine; "
                f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after",
                "percentiles over every timed edit of the phase; edits/s: median of the rounds",
                "",
                *lines,
                f"whole run: {(time.perf_counter() - started) / 60:.1f} min",
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
