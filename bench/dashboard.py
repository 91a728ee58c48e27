"""`annotator stats --json` (the dashboard) against `annotator export` (native JSONL) of the same project, as processes.

The project is bench/agreement.py's (10,000 documents x 3 annotators' layers, ~300,000 spans,
all `done`, cached in bench/out/agreement-project-N), with a reading time given to every layer
(1-600 s, seeded, written once) so the medians have something to take. It has no `gold`
layer, so `--gold alice` stands for one: bob's and carol's layers are then span-matched against
alice's on every document, the dashboard's costly part.

Timed, each a fresh process from spawn to exit (processes.py), alternating within each round:

  export      python main.py export PROJECT -o OUT.jsonl      (the baseline)
  stats       python main.py stats PROJECT --json             (no gold layer: counts and times only)
  stats-gold  python main.py stats PROJECT --json --gold alice
  stats-text  python main.py stats PROJECT --gold alice       (the tables)

and, in this process, dashboard(project, gold="alice") as the window's Dashboard panel runs it
(off the GUI thread). Printed: medians of the rounds, each against the export's. A benchmark,
not a test: nothing fails on a slow result; the sanity check reads the report back.

Usage: python bench/dashboard.py [--docs 10000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator, not an installed one

from agreement import ensure_project, log
from corpus import OUT, ROOT
from processes import Run, run_process

from annotator.dashboard import dashboard
from annotator.project import Project

PYTHON = sys.executable
MAIN = str(ROOT / "main.py")
TASKS = {
    "export": lambda project, out: ["export", project, "-o", out],
    "stats": lambda project, out: ["stats", project, "--json"],
    "stats-gold": lambda project, out: ["stats", project, "--json", "--gold", "alice"],
    "stats-text": lambda project, out: ["stats", project, "--gold", "alice"],
}


def give_reading_times(project: Path, seed: int) -> None:
    """Every layer a reading time of 1-600 s (once: layers that have one keep it)."""
    rng = random.Random(seed)
    with sqlite3.connect(project / "annotator.db") as connection:
        keys = connection.execute(
            "SELECT document_id, annotator_id FROM document_status WHERE seconds_spent = 0"
        ).fetchall()
        connection.executemany(
            "UPDATE document_status SET seconds_spent = ? WHERE document_id = ? AND annotator_id = ?",
            [(float(rng.randint(1, 600)), document, annotator) for document, annotator in keys],
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    project = ensure_project(args.docs, args.seed)
    give_reading_times(project, args.seed)
    out = OUT / f"dashboard-export-{args.docs}.jsonl"
    runs: dict[str, list[Run]] = {task: [] for task in TASKS}
    in_process: list[float] = []
    tasks = list(TASKS)
    for round_number in range(args.repeat):
        turn = round_number % len(tasks)
        for task in tasks[turn:] + tasks[:turn]:
            run = run_process([PYTHON, MAIN, *TASKS[task](str(project), str(out))])
            runs[task].append(run)
            log(
                f"round {round_number + 1}/{args.repeat}  {task:<10} {run.seconds:7.2f} s  "
                f"{run.peak_rss_kib / 1024:6.0f} MiB"
            )
        with Project.open(project) as opened:
            started = time.perf_counter()
            dashboard(opened, gold="alice")
            in_process.append(time.perf_counter() - started)
    report = orjson.loads(runs["stats-gold"][-1].output)
    bob = next(a for a in report["annotators"] if a["name"] == "bob")
    log(
        f"check: {report['documents']:,} documents; bob: {bob['documents']['done']:,} done, "
        f"{bob['spans_total']:,} spans, "
        f"median {bob['time']['median_seconds']} s over {bob['time']['documents_timed']:,}; F1 against alice "
        f"{bob['against_gold']['exact']['f1']:.3f} exact / {bob['against_gold']['overlap']['f1']:.3f} overlap "
        f"on {bob['against_gold']['documents']:,} documents"
    )
    out.unlink(missing_ok=True)
    print_table(args.docs, runs, in_process)
    return 0


def print_table(docs: int, runs: dict[str, list[Run]], in_process: list[float]) -> None:
    def median(task: str, what: str) -> float:
        return statistics.median(float(getattr(run, what)) for run in runs[task])

    export = median("export", "seconds")
    print(f"\nSTATS (DASHBOARD) vs EXPORT, {docs:,} documents x 3 layers (medians; processes spawn to exit)")
    print(f"{'what':<24} | {'wall s':>7} | {'cpu s':>7} | {'peak MiB':>8} | {'x export':>8} | {'cpu x':>6}")
    for task in runs:
        wall, cpu, rss = median(task, "seconds"), median(task, "cpu_seconds"), median(task, "peak_rss_kib") / 1024
        if task == "export":
            print(f"{task:<24} | {wall:>7.2f} | {cpu:>7.2f} | {rss:>8.0f} | {'baseline':>8} |")
            continue
        cpu_ratio = cpu / median("export", "cpu_seconds")
        print(f"{task:<24} | {wall:>7.2f} | {cpu:>7.2f} | {rss:>8.0f} | {wall / export:>7.2f}x | {cpu_ratio:>5.2f}x")
    panel = statistics.median(in_process)
    print(f"{'dashboard() in process':<24} | {panel:>7.2f} | {'':>7} | {'':>8} | {panel / export:>7.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
