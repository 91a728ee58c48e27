"""One annotator of bench/team.py: a process that adds and removes spans through AnnotationService
for a while, timing each edit and logging what it believes it wrote. Started by bench/team.py,
not by hand:

    python -m bench.team_writer PROJECT OUTPUT SECONDS SEED [--rls] [--pace EDITS_PER_S]

It connects as ANNOTATOR_DATABASE_URL (a team member's URL), opens PROJECT, says `ready` on
stdout, waits for a line on stdin, edits for SECONDS, writes OUTPUT (JSON) and says `done`.
With --rls it also opens the project as the superuser (ANNOTATOR_BENCH_SUPERUSER_URL: row-level
security bypassed) and alternates edit by edit between the two services, so the two are
measured side by side in one process. With --pace it edits at that rate (a schedule, as
people would) instead of as fast as it can.

Edits are valid by construction: each span covers one word of the document (words never
cross, so the nested-overlap rule holds) that this layer has no span on yet.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.config import DATABASE_URL_VARIABLE
from annotator.errors import AnnotatorError
from annotator.project import Project
from annotator.service import AnnotationService

LABELS = ("ACTOR", "CLAIM")
WORD = re.compile(r"\w{2,}")
REMOVE_SHARE = 0.5  # of edits on a document where this layer has spans: a steady mix of adds and removes
SUPERUSER_URL_VARIABLE = "ANNOTATOR_BENCH_SUPERUSER_URL"
RLS_BLOCK = 1  # edits per service before switching (--rls): alternating edit by edit, the two see the same load


@dataclass
class Writer:
    """One service's edit loop state and log."""

    service: AnnotationService
    rng: random.Random
    words: dict[int, list[tuple[int, int]]]  # document id -> word offsets
    open_spans: dict[int, dict[int, int]] = field(default_factory=dict)  # document -> word index -> span id
    latencies: list[float] = field(default_factory=list)  # seconds per successful edit
    cpu: list[float] = field(default_factory=list)  # this process's CPU seconds per successful edit
    added: list[list[Any]] = field(default_factory=list)  # [span id, document, start, end, label]
    removed: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def edit(self, *, timed: bool = True) -> None:
        document = self.rng.choice(list(self.words))
        mine = self.open_spans.setdefault(document, {})
        free = [index for index in range(len(self.words[document])) if index not in mine]
        try:
            if mine and (not free or self.rng.random() < REMOVE_SHARE):
                index = self.rng.choice(list(mine))
                started, cpu = time.perf_counter(), time.process_time()
                self.service.remove_span(mine[index])
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                self.removed.append(mine.pop(index))
            else:
                index = self.rng.choice(free)
                start, end = self.words[document][index]
                label = self.rng.choice(LABELS)
                started, cpu = time.perf_counter(), time.process_time()
                span = self.service.add_span(document, start, end, label).value
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                mine[index] = span.id
                self.added.append([span.id, document, start, end, label])
        except AnnotatorError as error:  # counted and reported; the bench goes on
            key = f"{type(error).__name__}: {str(error)[:160]}"
            self.errors[key] = self.errors.get(key, 0) + 1
            return
        if timed:
            self.latencies.append(seconds)
            self.cpu.append(cpu)

    def log(self) -> dict[str, Any]:
        return {
            "layer": self.service.annotator,
            "latencies": self.latencies,
            "cpu": self.cpu,
            "added": self.added,
            "removed": self.removed,
            "errors": self.errors,
        }


def open_writer(root: Path, url: str, seed: int) -> Writer:
    os.environ[DATABASE_URL_VARIABLE] = url
    service = AnnotationService(Project.open(root))
    writer = Writer(service, random.Random(seed), {})
    for summary in service.documents():  # and the spans this layer has already (an earlier round's)
        view = service.document(summary.id)
        words = [m.span() for m in WORD.finditer(view.text)]
        writer.words[view.id] = words
        index = {offsets: number for number, offsets in enumerate(words)}
        writer.open_spans[view.id] = {index[(s.start, s.end)]: s.id for s in view.spans}
    for _ in range(4):  # compiles every statement once (the first edit of a process is slower): logged, not timed
        writer.edit(timed=False)
    return writer


def run(root: Path, output: Path, seconds: float, seed: int, superuser_url: str | None, pace: float) -> None:
    writers = [open_writer(root, os.environ[DATABASE_URL_VARIABLE], seed)]
    if superuser_url is not None:
        writers.append(open_writer(root, superuser_url, seed + 1_000_003))
    print("ready", flush=True)
    sys.stdin.readline()  # every writer starts together
    started = time.perf_counter()
    # Paced: an edit every 1/pace s on a schedule of its own (not after the last edit's end, so a
    # slow edit does not lower the load), from a random phase so the writers do not edit in step.
    due = started + writers[0].rng.random() / pace if pace else started
    turn = 0
    while time.perf_counter() - started < seconds:
        if pace:
            time.sleep(max(0.0, due - time.perf_counter()))
            due += 1 / pace
        writer = writers[(turn // RLS_BLOCK) % len(writers)]
        writer.edit()
        turn += 1
    elapsed = time.perf_counter() - started
    output.write_text(json.dumps({"seconds": elapsed, "writers": [w.log() for w in writers]}), encoding="utf-8")
    for writer in writers:
        writer.service.close()
    print("done", flush=True)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's: it stops us and cleans up
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("project", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("seconds", type=float)
    parser.add_argument("seed", type=int)
    parser.add_argument("--rls", action="store_true", help="alternate with a service as the superuser")
    parser.add_argument("--pace", type=float, default=0.0, help="edits/s (default: as fast as it can)")
    args = parser.parse_args(argv)
    superuser_url = os.environ[SUPERUSER_URL_VARIABLE] if args.rls else None
    run(args.project, args.output, args.seconds, args.seed, superuser_url, args.pace)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
